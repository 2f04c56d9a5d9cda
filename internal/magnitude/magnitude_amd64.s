//go:build !purego

// The magnitude test on amd64 in AVX2. Go's operand order is reversed
// from Intel's.

#include "textflag.h"

// The registers: P walks s, LEFT counts the floats left; ABS holds
// 0x7fffffff, ADD_HI 2^31 − hi, ADD_ONE 2^31 − 1, ADD_LO 2^31 − lo in
// every lane; ACC gathers the failures in its lanes' top bits.
#define P SI
#define LEFT CX
#define ABS Y15
#define ADD_HI Y14
#define ADD_ONE Y13
#define ADD_LO Y12
#define ACC Y0

// TEST8 ORs into ACC the test of the eight floats in v (clobbered), as
// withinGeneric: a + (2^31 − l) has its top bit set exactly when a ≥ l
// (a = |v| below 2^31), so a failure is a ≥ hi, or a ≥ 1 and not a ≥ lo.
// t, u are scratch.
#define TEST8(v, t, u) \
	VPAND  ABS, v, v; \
	VPADDD ADD_HI, v, t; \
	VPADDD ADD_ONE, v, u; \
	VPADDD ADD_LO, v, v; \
	VPANDN u, v, v; \
	VPOR   t, v, v; \
	VPOR   v, ACC, ACC

// tailMask holds 8 lanes of ones then 8 of zeros: 8 floats from
// tailMask+4·(8 − n) mask the first n lanes.
DATA tailMask<>+0(SB)/8, $-1
DATA tailMask<>+8(SB)/8, $-1
DATA tailMask<>+16(SB)/8, $-1
DATA tailMask<>+24(SB)/8, $-1
DATA tailMask<>+32(SB)/8, $0
DATA tailMask<>+40(SB)/8, $0
DATA tailMask<>+48(SB)/8, $0
DATA tailMask<>+56(SB)/8, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $64

// func avx2Within(s []float32, lo, hi uint32) bool
TEXT ·avx2Within(SB), NOSPLIT, $0-33
	MOVQ s_base+0(FP), P
	MOVQ s_len+8(FP), LEFT
	MOVL $0x80000000, AX
	MOVL AX, DX
	SUBL hi+28(FP), DX
	MOVL DX, X14
	VPBROADCASTD X14, ADD_HI
	MOVL AX, DX
	SUBL lo+24(FP), DX
	MOVL DX, X12
	VPBROADCASTD X12, ADD_LO
	DECL AX
	MOVL AX, X13
	VPBROADCASTD X13, ADD_ONE
	VMOVDQA ADD_ONE, ABS // 2^31 − 1 = 0x7fffffff
	VPXOR ACC, ACC, ACC

	// 32 floats a step: four independent tests.
	CMPQ LEFT, $32
	JLT  eight

thirtytwo:
	VMOVDQU (P), Y1
	VMOVDQU 32(P), Y2
	VMOVDQU 64(P), Y3
	VMOVDQU 96(P), Y4
	TEST8(Y1, Y5, Y6)
	TEST8(Y2, Y7, Y8)
	TEST8(Y3, Y9, Y10)
	TEST8(Y4, Y5, Y6)
	ADDQ $128, P
	SUBQ $32, LEFT
	CMPQ LEFT, $32
	JGE  thirtytwo

eight:
	CMPQ LEFT, $8
	JLT  tail
	VMOVDQU (P), Y1
	TEST8(Y1, Y5, Y6)
	ADDQ $32, P
	SUBQ $8, LEFT
	JMP  eight

tail:
	// The last 0–7 floats by a masked load: the lanes past the end read
	// as 0 (which passes) and their memory is not touched.
	TESTQ LEFT, LEFT
	JZ    done
	LEAQ  tailMask<>+32(SB), AX
	SHLQ  $2, LEFT
	SUBQ  LEFT, AX
	VMOVDQU (AX), Y2
	VPMASKMOVD (P), Y2, Y1
	TEST8(Y1, Y5, Y6)

done:
	VMOVMSKPS ACC, AX
	TESTL AX, AX
	SETEQ ret+32(FP)
	VZEROUPPER
	RET
