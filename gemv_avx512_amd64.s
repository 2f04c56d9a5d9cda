//go:build !purego

#include "textflag.h"

// AVX-512 vector–matrix product of DenseForward (gemv.go has the
// contract): one row of x (m = 1). It streams w once, in order, where
// the one-row tile walks it in blocks of columns. Go's operand order is
// reversed from Intel's.

#define Y_PTR DI
#define X_PTR SI
#define W_PTR DX
#define LEFT CX   // columns left in the row
#define ROWS R8   // rows of w left
#define N R9
#define LDW R10   // bytes between rows of w
#define W0 R11
#define W2 R12
#define YC R13

#define W4 R14
#define W6 R15

// FMA4(off, z): z += the four rows' x times their w at off (bytes) past
// W0 (rows r, r+1) and W2 (rows r+2, r+3); FMA4K the same under K1.
#define FMA4(off, z) \
	VFMADD231PS off(W0), Z24, z; VFMADD231PS off(W0)(LDW*1), Z25, z; \
	VFMADD231PS off(W2), Z26, z; VFMADD231PS off(W2)(LDW*1), Z27, z
#define FMA4K(z) \
	VFMADD231PS (W0), Z24, K1, z; VFMADD231PS (W0)(LDW*1), Z25, K1, z; \
	VFMADD231PS (W2), Z26, K1, z; VFMADD231PS (W2)(LDW*1), Z27, K1, z
// FMA8, FMA8K: the same for eight rows, the last four at W4 and W6.
#define FMA8(off, z) \
	FMA4(off, z); \
	VFMADD231PS off(W4), Z28, z; VFMADD231PS off(W4)(LDW*1), Z29, z; \
	VFMADD231PS off(W6), Z30, z; VFMADD231PS off(W6)(LDW*1), Z31, z
#define FMA8K(z) \
	FMA4K(z); \
	VFMADD231PS (W4), Z28, K1, z; VFMADD231PS (W4)(LDW*1), Z29, K1, z; \
	VFMADD231PS (W6), Z30, K1, z; VFMADD231PS (W6)(LDW*1), Z31, K1, z

// VM_COLS runs one group of rows over every column of y: 64 at a time
// (FMA the group's macro), then 16, then the last 0–15 under K1 (FMAK).
// The row pointers are set and YC = y, LEFT = n on entry.
#define VM_COLS(FMA, FMAK, ADV, c64, c16, tail, done) \
c64: \
	CMPQ LEFT, $64; JLT c16; \
	VMOVUPS (YC), Z0; VMOVUPS 64(YC), Z1; VMOVUPS 128(YC), Z2; VMOVUPS 192(YC), Z3; \
	FMA(0, Z0); FMA(64, Z1); FMA(128, Z2); FMA(192, Z3); \
	VMOVUPS Z0, (YC); VMOVUPS Z1, 64(YC); VMOVUPS Z2, 128(YC); VMOVUPS Z3, 192(YC); \
	ADV($256); SUBQ $64, LEFT; JMP c64; \
c16: \
	CMPQ LEFT, $16; JLT tail; \
	VMOVUPS (YC), Z0; FMA(0, Z0); VMOVUPS Z0, (YC); \
	ADV($64); SUBQ $16, LEFT; JMP c16; \
tail: \
	TESTQ LEFT, LEFT; JZ done; \
	VMOVUPS.Z (YC), K1, Z0; FMAK(Z0); VMOVUPS Z0, K1, (YC); \
done:

#define ADV4(d) ADDQ d, W0; ADDQ d, W2; ADDQ d, YC
#define ADV8(d) ADDQ d, W0; ADDQ d, W2; ADDQ d, W4; ADDQ d, W6; ADDQ d, YC

// func avx512VecMat(y, x, w *float32, k, n int)
//
// y[j] += x[r]·w[r·n + j] for r = 0, 1, …, k−1 in turn, each a fused
// multiply-add, for j < n (k, n ≥ 1). Eight rows of w at a time (then
// four, then one): their x broadcast in Z24…Z31, each 64 columns of y
// loaded, given the rows' products in order and stored, so that the rows
// stream in order and y (in L1) is read and written once per group.
TEXT ·avx512VecMat(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), Y_PTR
	MOVQ x+8(FP), X_PTR
	MOVQ w+16(FP), W_PTR
	MOVQ k+24(FP), ROWS
	MOVQ n+32(FP), N
	LEAQ (N*4), LDW
	MOVQ N, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1 // the columns of the last partial 16

vm8:
	CMPQ ROWS, $8
	JLT  vm4
	VBROADCASTSS (X_PTR), Z24
	VBROADCASTSS 4(X_PTR), Z25
	VBROADCASTSS 8(X_PTR), Z26
	VBROADCASTSS 12(X_PTR), Z27
	VBROADCASTSS 16(X_PTR), Z28
	VBROADCASTSS 20(X_PTR), Z29
	VBROADCASTSS 24(X_PTR), Z30
	VBROADCASTSS 28(X_PTR), Z31
	MOVQ W_PTR, W0
	LEAQ (W_PTR)(LDW*2), W2
	LEAQ (W_PTR)(LDW*4), W4
	LEAQ (W4)(LDW*2), W6
	MOVQ Y_PTR, YC
	MOVQ N, LEFT
	VM_COLS(FMA8, FMA8K, ADV8, vm8c64, vm8c16, vm8tail, vm8done)
	ADDQ $32, X_PTR
	LEAQ (W_PTR)(LDW*8), W_PTR
	SUBQ $8, ROWS
	JMP  vm8

vm4:
	CMPQ ROWS, $4
	JLT  vm1
	VBROADCASTSS (X_PTR), Z24
	VBROADCASTSS 4(X_PTR), Z25
	VBROADCASTSS 8(X_PTR), Z26
	VBROADCASTSS 12(X_PTR), Z27
	MOVQ W_PTR, W0
	LEAQ (W_PTR)(LDW*2), W2
	MOVQ Y_PTR, YC
	MOVQ N, LEFT
	VM_COLS(FMA4, FMA4K, ADV4, vm4c64, vm4c16, vm4tail, vm4done)
	ADDQ $16, X_PTR
	LEAQ (W_PTR)(LDW*4), W_PTR
	SUBQ $4, ROWS

vm1:
	TESTQ ROWS, ROWS
	JZ    vmdone
	VBROADCASTSS (X_PTR), Z24
	MOVQ W_PTR, W0
	MOVQ Y_PTR, YC
	MOVQ N, LEFT

vm1c16:
	CMPQ LEFT, $16
	JLT  vm1tail
	VMOVUPS (YC), Z0
	VFMADD231PS (W0), Z24, Z0
	VMOVUPS Z0, (YC)
	ADDQ $64, W0
	ADDQ $64, YC
	SUBQ $16, LEFT
	JMP  vm1c16

vm1tail:
	TESTQ LEFT, LEFT
	JZ    vm1next
	VMOVUPS.Z (YC), K1, Z0
	VFMADD231PS (W0), Z24, K1, Z0
	VMOVUPS Z0, K1, (YC)

vm1next:
	ADDQ $4, X_PTR
	ADDQ LDW, W_PTR
	DECQ ROWS
	JMP  vm1

vmdone:
	VZEROUPPER
	RET

// The n = 1 form (gemv.go's rowDots): sixteen rows of x at a time in the
// lanes of one accumulator, Z0; each block of sixteen steps of the
// sixteen rows loaded (Z16…Z31, row r in Z16+r), turned into sixteen
// vectors of one step each (VUNPCKLPS/HPS pairs of rows, VUNPCKLPD/HPD
// quads, VSHUFF32X4 twice across the 128-bit lanes), and each step's
// vector given its fused multiply-add with w's step broadcast, in order.

#define RD_L R10   // bytes between rows of x
#define RD_L3 R11
#define RD_L5 R12
#define RD_L7 R13
#define RD_REM R14 // the steps past the last 16
#define RD_XA AX   // rows 0–7 of the group at the step
#define RD_XB BX   // rows 8–15
#define RD_WC CX   // w at the step
#define RD_LEFT R15

// RD_LOAD16(LD): the sixteen rows' next sixteen steps into Z16…Z31, each
// by LD (RD_LD, or RD_LDK for the last steps under K1).
#define RD_ROWS8(LD, p, z0, z1, z2, z3, z4, z5, z6, z7) \
	LD((p), z0); LD((p)(RD_L*1), z1); LD((p)(RD_L*2), z2); LD((p)(RD_L3*1), z3); \
	LD((p)(RD_L*4), z4); LD((p)(RD_L5*1), z5); LD((p)(RD_L3*2), z6); LD((p)(RD_L7*1), z7)
#define RD_LD(a, z) VMOVUPS a, z
#define RD_LDK(a, z) VMOVUPS.Z a, K1, z
#define RD_LOAD16(LD) \
	RD_ROWS8(LD, RD_XA, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23); \
	RD_ROWS8(LD, RD_XB, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)

// RD_TRANSPOSE turns Z16…Z31 (row r, the block's steps 0–15) into A_s,
// B_s, C_s, D_s (s = 0…3; in Z2+4s…Z5+4s): A the steps 4L + s, L = 0, 1,
// of rows 0–7, B those of L = 2, 3, C and D the same of rows 8–15.
#define RD_TRANSPOSE \
	VUNPCKLPS Z17, Z16, Z1; \
	VUNPCKHPS Z17, Z16, Z2; \
	VUNPCKLPS Z19, Z18, Z3; \
	VUNPCKHPS Z19, Z18, Z4; \
	VUNPCKLPS Z21, Z20, Z5; \
	VUNPCKHPS Z21, Z20, Z6; \
	VUNPCKLPS Z23, Z22, Z7; \
	VUNPCKHPS Z23, Z22, Z8; \
	VUNPCKLPS Z25, Z24, Z9; \
	VUNPCKHPS Z25, Z24, Z10; \
	VUNPCKLPS Z27, Z26, Z11; \
	VUNPCKHPS Z27, Z26, Z12; \
	VUNPCKLPS Z29, Z28, Z13; \
	VUNPCKHPS Z29, Z28, Z14; \
	VUNPCKLPS Z31, Z30, Z15; \
	VUNPCKHPS Z31, Z30, Z16; \
	VUNPCKLPD Z3, Z1, Z17; \
	VUNPCKHPD Z3, Z1, Z18; \
	VUNPCKLPD Z4, Z2, Z19; \
	VUNPCKHPD Z4, Z2, Z20; \
	VUNPCKLPD Z7, Z5, Z21; \
	VUNPCKHPD Z7, Z5, Z22; \
	VUNPCKLPD Z8, Z6, Z23; \
	VUNPCKHPD Z8, Z6, Z24; \
	VUNPCKLPD Z11, Z9, Z25; \
	VUNPCKHPD Z11, Z9, Z26; \
	VUNPCKLPD Z12, Z10, Z27; \
	VUNPCKHPD Z12, Z10, Z28; \
	VUNPCKLPD Z15, Z13, Z29; \
	VUNPCKHPD Z15, Z13, Z30; \
	VUNPCKLPD Z16, Z14, Z31; \
	VUNPCKHPD Z16, Z14, Z1; \
	VSHUFF32X4 $0x44, Z21, Z17, Z2; \
	VSHUFF32X4 $0xEE, Z21, Z17, Z3; \
	VSHUFF32X4 $0x44, Z29, Z25, Z4; \
	VSHUFF32X4 $0xEE, Z29, Z25, Z5; \
	VSHUFF32X4 $0x44, Z22, Z18, Z6; \
	VSHUFF32X4 $0xEE, Z22, Z18, Z7; \
	VSHUFF32X4 $0x44, Z30, Z26, Z8; \
	VSHUFF32X4 $0xEE, Z30, Z26, Z9; \
	VSHUFF32X4 $0x44, Z23, Z19, Z10; \
	VSHUFF32X4 $0xEE, Z23, Z19, Z11; \
	VSHUFF32X4 $0x44, Z31, Z27, Z12; \
	VSHUFF32X4 $0xEE, Z31, Z27, Z13; \
	VSHUFF32X4 $0x44, Z24, Z20, Z14; \
	VSHUFF32X4 $0xEE, Z24, Z20, Z15; \
	VSHUFF32X4 $0x44, Z1, Z28, Z16; \
	VSHUFF32X4 $0xEE, Z1, Z28, Z17

// RD_STEPp joins step p's vector of the sixteen rows (VSHUFF32X4 of the
// A and C, or B and D, halves, into Z18 or Z19) and gives it its fused
// multiply-add with w's step; RD_STEPS runs them in turn (the last
// steps' tail one by one, stopping after the last step there is).
#define RD_STEP0 VSHUFF32X4 $0x88, Z4, Z2, Z18; VFMADD231PS.BCST 0(RD_WC), Z18, Z0
#define RD_STEP1 VSHUFF32X4 $0x88, Z8, Z6, Z19; VFMADD231PS.BCST 4(RD_WC), Z19, Z0
#define RD_STEP2 VSHUFF32X4 $0x88, Z12, Z10, Z18; VFMADD231PS.BCST 8(RD_WC), Z18, Z0
#define RD_STEP3 VSHUFF32X4 $0x88, Z16, Z14, Z19; VFMADD231PS.BCST 12(RD_WC), Z19, Z0
#define RD_STEP4 VSHUFF32X4 $0xDD, Z4, Z2, Z18; VFMADD231PS.BCST 16(RD_WC), Z18, Z0
#define RD_STEP5 VSHUFF32X4 $0xDD, Z8, Z6, Z19; VFMADD231PS.BCST 20(RD_WC), Z19, Z0
#define RD_STEP6 VSHUFF32X4 $0xDD, Z12, Z10, Z18; VFMADD231PS.BCST 24(RD_WC), Z18, Z0
#define RD_STEP7 VSHUFF32X4 $0xDD, Z16, Z14, Z19; VFMADD231PS.BCST 28(RD_WC), Z19, Z0
#define RD_STEP8 VSHUFF32X4 $0x88, Z5, Z3, Z18; VFMADD231PS.BCST 32(RD_WC), Z18, Z0
#define RD_STEP9 VSHUFF32X4 $0x88, Z9, Z7, Z19; VFMADD231PS.BCST 36(RD_WC), Z19, Z0
#define RD_STEP10 VSHUFF32X4 $0x88, Z13, Z11, Z18; VFMADD231PS.BCST 40(RD_WC), Z18, Z0
#define RD_STEP11 VSHUFF32X4 $0x88, Z17, Z15, Z19; VFMADD231PS.BCST 44(RD_WC), Z19, Z0
#define RD_STEP12 VSHUFF32X4 $0xDD, Z5, Z3, Z18; VFMADD231PS.BCST 48(RD_WC), Z18, Z0
#define RD_STEP13 VSHUFF32X4 $0xDD, Z9, Z7, Z19; VFMADD231PS.BCST 52(RD_WC), Z19, Z0
#define RD_STEP14 VSHUFF32X4 $0xDD, Z13, Z11, Z18; VFMADD231PS.BCST 56(RD_WC), Z18, Z0
#define RD_STEP15 VSHUFF32X4 $0xDD, Z17, Z15, Z19; VFMADD231PS.BCST 60(RD_WC), Z19, Z0
#define RD_STEPS \
	RD_STEP0; RD_STEP1; RD_STEP2; RD_STEP3; \
	RD_STEP4; RD_STEP5; RD_STEP6; RD_STEP7; \
	RD_STEP8; RD_STEP9; RD_STEP10; RD_STEP11; \
	RD_STEP12; RD_STEP13; RD_STEP14; RD_STEP15

// RD_TAIL runs the last steps' RD_STEPp, 1–15 of them (RD_REM), then
// goes on at done.
#define RD_TAIL(done) \
	RD_STEP0; CMPQ RD_REM, $1; JEQ done; \
	RD_STEP1; CMPQ RD_REM, $2; JEQ done; \
	RD_STEP2; CMPQ RD_REM, $3; JEQ done; \
	RD_STEP3; CMPQ RD_REM, $4; JEQ done; \
	RD_STEP4; CMPQ RD_REM, $5; JEQ done; \
	RD_STEP5; CMPQ RD_REM, $6; JEQ done; \
	RD_STEP6; CMPQ RD_REM, $7; JEQ done; \
	RD_STEP7; CMPQ RD_REM, $8; JEQ done; \
	RD_STEP8; CMPQ RD_REM, $9; JEQ done; \
	RD_STEP9; CMPQ RD_REM, $10; JEQ done; \
	RD_STEP10; CMPQ RD_REM, $11; JEQ done; \
	RD_STEP11; CMPQ RD_REM, $12; JEQ done; \
	RD_STEP12; CMPQ RD_REM, $13; JEQ done; \
	RD_STEP13; CMPQ RD_REM, $14; JEQ done; \
	RD_STEP14; CMPQ RD_REM, $15; JEQ done; \
	RD_STEP15

// RD_BLOCK16(off): one block of sixteen steps of the sixteen rows whose
// sums lie at off(DI): the sums loaded into Z0, given the block's fused
// multiply-adds, and stored.
#define RD_BLOCK16(off) \
	VMOVUPS off(DI), Z0; RD_LOAD16(RD_LD); RD_TRANSPOSE; RD_STEPS; VMOVUPS Z0, off(DI)

// func avx512RowDots(y, x, w *float32, m, k int)
//
// y[i] = fma(x[i·k + p], w[p], y[i]) for p = 0, 1, …, k−1 in turn, for
// i < m (y holding the bias; m a multiple of 16, k ≥ 1): the tiles' sums
// in their order. The last 1–15 steps are loaded under K1 and stop after
// their own fused multiply-adds. Thirty-two rows go at a time while
// there are as many, as two groups of sixteen whose blocks take turns,
// their sums kept in y between blocks: each group's sums are one chain
// of dependent multiply-adds, and two chains in turn keep the FMA pipe
// busy while either waits (a chain alone waits out each FMA's latency).
TEXT ·avx512RowDots(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ m+24(FP), R8
	MOVQ k+32(FP), R9
	LEAQ (R9*4), RD_L
	LEAQ (RD_L)(RD_L*2), RD_L3
	LEAQ (RD_L)(RD_L*4), RD_L5
	LEAQ (RD_L3)(RD_L*4), RD_L7
	MOVQ R9, RD_REM
	ANDQ $15, RD_REM
	MOVQ RD_REM, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1 // the last steps

rdpair:
	CMPQ R8, $32
	JLT  rdgroup
	MOVQ R8, m+24(FP) // the rows left, while R8 holds 16 rows' bytes
	MOVQ RD_L, R8
	SHLQ $4, R8
	MOVQ SI, RD_XA
	LEAQ (SI)(RD_L*8), RD_XB
	MOVQ DX, RD_WC
	MOVQ R9, RD_LEFT

rd2block:
	CMPQ RD_LEFT, $16
	JLT  rd2tail
	RD_BLOCK16(0)
	ADDQ R8, RD_XA
	ADDQ R8, RD_XB
	RD_BLOCK16(64)
	SUBQ R8, RD_XA
	SUBQ R8, RD_XB
	ADDQ $64, RD_XA
	ADDQ $64, RD_XB
	ADDQ $64, RD_WC
	SUBQ $16, RD_LEFT
	JMP  rd2block

rd2tail:
	TESTQ RD_LEFT, RD_LEFT
	JZ    rd2next
	VMOVUPS (DI), Z0
	RD_LOAD16(RD_LDK)
	RD_TRANSPOSE
	RD_TAIL(rd2first)

rd2first:
	VMOVUPS Z0, (DI)
	ADDQ R8, RD_XA
	ADDQ R8, RD_XB
	VMOVUPS 64(DI), Z0
	RD_LOAD16(RD_LDK)
	RD_TRANSPOSE
	RD_TAIL(rd2second)

rd2second:
	VMOVUPS Z0, 64(DI)

rd2next:
	ADDQ $128, DI
	LEAQ (SI)(R8*2), SI
	MOVQ m+24(FP), R8
	SUBQ $32, R8
	JMP  rdpair

rdgroup:
	TESTQ R8, R8
	JLE   rddone
	VMOVUPS (DI), Z0
	MOVQ SI, RD_XA
	LEAQ (SI)(RD_L*8), RD_XB
	MOVQ DX, RD_WC
	MOVQ R9, RD_LEFT

rdblock:
	CMPQ RD_LEFT, $16
	JLT  rdtail
	RD_LOAD16(RD_LD)
	RD_TRANSPOSE
	RD_STEPS
	ADDQ $64, RD_XA
	ADDQ $64, RD_XB
	ADDQ $64, RD_WC
	SUBQ $16, RD_LEFT
	JMP  rdblock

rdtail:
	TESTQ RD_LEFT, RD_LEFT
	JZ    rdstore
	RD_LOAD16(RD_LDK)
	RD_TRANSPOSE
	RD_TAIL(rdstore)

rdstore:
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	MOVQ RD_L, AX
	SHLQ $4, AX
	ADDQ AX, SI
	SUBQ $16, R8
	JG   rdgroup

rddone:
	VZEROUPPER
	RET
