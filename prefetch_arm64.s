//go:build !purego

#include "textflag.h"

// PRFM_LINES prefetches into L2 every 64-byte line from p up to last, the
// address of a row's last byte, which it prefetches too (the row need not
// start on a line); 64 bytes is the smallest line arm64 cores use. p is
// advanced; loop names the macro's label.
#define PRFM_LINES(p, last, loop) \
loop: \
	PRFM (p), PLDL2KEEP; \
	ADD  $64, p, p; \
	CMP  last, p; \
	BLT  loop; \
	PRFM (last), PLDL2KEEP

// func prefetchRows(src *uint8, rows *int32, m, k int)
//
// PRFM PLDL2KEEP (into L2) every cache line of rows rows[0..m−1] of src,
// k ≥ 1 bytes a row, its last byte included; 64-byte steps, the smallest
// line arm64 cores use. Prefetches never fault.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVD src+0(FP), R8
	MOVD rows+8(FP), R1
	MOVD m+16(FP), R2
	MOVD k+24(FP), R10

pfrow:
	MOVW (R1), R3 // sign-extending load
	MUL  R10, R3, R3
	ADD  R8, R3, R4
	ADD  R10, R4, R5
	SUB  $1, R5, R5

	PRFM_LINES(R4, R5, pfline)
	ADD  $4, R1, R1
	SUBS $1, R2, R2
	BGT  pfrow
	RET

// func prefetchPacked(data *uint8, off *uint32, rows *int32, m int)
//
// PRFM PLDL2KEEP every cache line of packed rows rows[0..m−1]: row r is
// data[off[r]:off[r+1]], at least 2 bytes (packed.go).
TEXT ·prefetchPacked(SB), NOSPLIT, $0-32
	MOVD data+0(FP), R8
	MOVD off+8(FP), R9
	MOVD rows+16(FP), R1
	MOVD m+24(FP), R2

pprow:
	MOVW  (R1), R3 // sign-extending load
	ADD   R3<<2, R9, R6
	MOVWU (R6), R4
	MOVWU 4(R6), R5
	ADD   R8, R4, R4
	ADD   R8, R5, R5
	SUB   $1, R5, R5

	PRFM_LINES(R4, R5, ppline)
	ADD  $4, R1, R1
	SUBS $1, R2, R2
	BGT  pprow
	RET
