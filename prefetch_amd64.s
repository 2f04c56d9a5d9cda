//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// func prefetchRows(src *uint8, rows *int32, m, k int)
//
// PREFETCHT1 (into L2) every cache line of rows rows[0..m−1] of src, k ≥ 1
// bytes a row, its last byte included. Prefetches never fault and retire
// at once; the lines arrive while the caller computes.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), R8
	MOVQ rows+8(FP), BX
	MOVQ m+16(FP), CX
	MOVQ k+24(FP), R10

pfrow:
	MOVLQSX (BX), AX
	IMULQ   R10, AX
	LEAQ    (R8)(AX*1), SI
	LEAQ    -1(SI)(R10*1), DI
	PREFETCH_LINES(PREFETCHT1, SI, DI, pfline)
	ADDQ    $4, BX
	DECQ       CX
	JG         pfrow
	RET

// func prefetchPacked(data *uint8, off *uint32, rows *int32, m int)
//
// PREFETCHT1 every cache line of packed rows rows[0..m−1]: row r is
// data[off[r]:off[r+1]], at least 2 bytes (packed.go).
TEXT ·prefetchPacked(SB), NOSPLIT, $0-32
	MOVQ data+0(FP), R8
	MOVQ off+8(FP), R9
	MOVQ rows+16(FP), BX
	MOVQ m+24(FP), CX

pprow:
	MOVLQSX (BX), AX
	MOVL    (R9)(AX*4), SI
	MOVL    4(R9)(AX*4), DI
	ADDQ    R8, SI
	LEAQ    -1(R8)(DI*1), DI
	PREFETCH_LINES(PREFETCHT1, SI, DI, ppline)
	ADDQ    $4, BX
	DECQ       CX
	JG         pprow
	RET
