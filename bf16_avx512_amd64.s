//go:build !purego

#include "textflag.h"
#include "bf16_amd64.h"

// The bf16 operands' rounding (bf16.go): float32 rows become rows of
// 32-bit words, each two bf16 of consecutive steps, the first in the low
// half. VCVTNE2PS2BF16 rounds as RoundBF16 does.

// KMASK16 sets k to the low min(n, 16) bits (n ≥ 0 in AX; CX and R11
// overwritten).
#define KMASK16(k) \
	MOVQ $16, CX; CMPQ AX, CX; CMOVQLT AX, CX; \
	MOVL $1, R11; SHLXL CX, R11, R11; DECL R11; KMOVW R11, k

// func avx512PairRows(dst, src *float32, rows, n, ldd, lds int)
// For r < rows: the n floats at src + r·lds (floats) become (n+1)/2
// words at dst + r·ldd (words), the last word's high half 0 when n is
// odd. 32 floats a round: Z0 = floats 0–15, Z1 = 16–31, Z2 = their
// bf16 in order, which are 16 words.
TEXT ·avx512PairRows(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ n+24(FP), R9
	MOVQ ldd+32(FP), R10
	SHLQ $2, R10
	MOVQ lds+40(FP), R12
	SHLQ $2, R12
	TESTQ R8, R8
	JZ prdone

prrow:
	MOVQ SI, DX
	MOVQ DI, BX
	MOVQ R9, AX // floats left

prloop:
	CMPQ AX, $32
	JLT prtail
	VMOVUPS (DX), Z0
	VMOVUPS 64(DX), Z1
	VCVTNE2PS2BF16(0, 1, 2)
	VMOVUPS Z2, (BX)
	ADDQ $128, DX
	ADDQ $64, BX
	SUBQ $32, AX
	JMP prloop

prtail:
	TESTQ AX, AX
	JZ prnext
	KMASK16(K1)
	VMOVUPS.Z (DX), K1, Z0
	SUBQ $16, AX
	MOVQ $0, CX
	CMOVQLT CX, AX
	KMASK16(K2)
	VMOVUPS.Z 64(DX), K2, Z1
	VCVTNE2PS2BF16(0, 1, 2)
	// (n′ + 1)/2 words of the n′ floats left
	MOVQ R9, AX
	ANDQ $31, AX
	INCQ AX
	SHRQ $1, AX
	KMASK16(K3)
	VMOVDQU32 Z2, K3, (BX)

prnext:
	ADDQ R12, SI
	ADDQ R10, DI
	DECQ R8
	JNZ prrow

prdone:
	VZEROUPPER
	RET

// interleave: VPERMW indices taking words 0, 16, 1, 17, …, 15, 31: the
// bf16 of lo[q] and hi[q] side by side.
DATA interleave<>+0(SB)/8, $0x0011000100100000
DATA interleave<>+8(SB)/8, $0x0013000300120002
DATA interleave<>+16(SB)/8, $0x0015000500140004
DATA interleave<>+24(SB)/8, $0x0017000700160006
DATA interleave<>+32(SB)/8, $0x0019000900180008
DATA interleave<>+40(SB)/8, $0x001b000b001a000a
DATA interleave<>+48(SB)/8, $0x001d000d001c000c
DATA interleave<>+56(SB)/8, $0x001f000f001e000e
GLOBL interleave<>(SB), RODATA|NOPTR, $64

// func avx512PairSteps(dst, src *float32, steps, n, lds, ldd int)
// For t < (steps+1)/2 and q < n: dst[t·ldd + q] is the word of src rows
// 2t and 2t + 1 (lds floats apart) at column q, row 2t in the low half
// (0 in the high half for row steps when steps is odd). 16 columns a
// round: Z0 = row 2t, Z1 = row 2t + 1, Z2 their bf16, Z3 interleaved.
TEXT ·avx512PairSteps(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ steps+16(FP), R8
	MOVQ n+24(FP), R9
	MOVQ lds+32(FP), R12
	SHLQ $2, R12
	MOVQ ldd+40(FP), R10
	SHLQ $2, R10
	VMOVDQU64 interleave<>(SB), Z31
	TESTQ R9, R9
	JZ psdone

pspair:
	CMPQ R8, $0
	JLE psdone
	MOVQ SI, DX
	MOVQ DI, BX
	MOVQ R9, AX // columns left

psloop:
	KMASK16(K1)
	VMOVUPS.Z (DX), K1, Z0
	VPXORD Z1, Z1, Z1
	CMPQ R8, $1
	JEQ psodd
	VMOVUPS.Z (DX)(R12*1), K1, Z1

psodd:
	VCVTNE2PS2BF16(0, 1, 2)
	VPERMW Z2, Z31, Z3
	VMOVDQU32 Z3, K1, (BX)
	ADDQ $64, DX
	ADDQ $64, BX
	SUBQ $16, AX
	JG psloop
	ADDQ R10, DI
	LEAQ (SI)(R12*2), SI
	SUBQ $2, R8
	JMP pspair

psdone:
	VZEROUPPER
	RET
