//go:build !purego

#include "textflag.h"

#define FMA4(a, b, c, d) \
	VFMADD231PS Z24, Z25, a; VFMADD231PS Z24, Z25, b; \
	VFMADD231PS Z24, Z25, c; VFMADD231PS Z24, Z25, d

#define ZERO4(a, b, c, d) \
	VPXORD a, a, a; VPXORD b, b, b; VPXORD c, c, c; VPXORD d, d, d

// func fmaLoopAVX512(iters int)
//
// 24 accumulators Z0–Z23, each FMA independent of the other 23: as many
// as the avx512 kernels' widest tile keeps, more than the 4-cycle latency
// times two 512-bit FMA pipes needs. The operands Z24, Z25 are 0 (never
// denormal), so the values stay 0.
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ iters+0(FP), CX
	ZERO4(Z0, Z1, Z2, Z3)
	ZERO4(Z4, Z5, Z6, Z7)
	ZERO4(Z8, Z9, Z10, Z11)
	ZERO4(Z12, Z13, Z14, Z15)
	ZERO4(Z16, Z17, Z18, Z19)
	ZERO4(Z20, Z21, Z22, Z23)
	ZERO4(Z24, Z25, Z26, Z27)
	TESTQ CX, CX
	JLE   done

loop:
	FMA4(Z0, Z1, Z2, Z3)
	FMA4(Z4, Z5, Z6, Z7)
	FMA4(Z8, Z9, Z10, Z11)
	FMA4(Z12, Z13, Z14, Z15)
	FMA4(Z16, Z17, Z18, Z19)
	FMA4(Z20, Z21, Z22, Z23)
	DECQ  CX
	JNZ   loop

done:
	VZEROUPPER
	RET
