//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// The byte-row gather on arm64: bytes to float32 rows (NEON) and the
// prefetch of plain and packed rows (every implementation of the GOARCH).
// Loads and stores touch only the bytes of the rows they are given.

// QUOT4(b, q, vb, vq): q.4S = b.4S / d by a multiply and one Newton
// correction: q0 = b·r, e = b − q0·d (fused: b becomes e), q = q0 + e·r
// (fused). b and q are register numbers, vb and vq the same registers
// named for the Go assembler. d in V28, r = 1/d in V29.
#define QUOT4(b, q, vb, vq) \
	FMUL4S(29, b, q); \
	VFMLS  V28.S4, vq.S4, vb.S4; \
	VFMLA  V29.S4, vb.S4, vq.S4

// UQUOT16 divides 16 unsigned int32, in the vectors numbered s0…s3, by d:
// UCVTF into t0…t3 (exact below 2²⁴), then QUOT4 into q0…q3 (t0…t3 are
// clobbered); vt and vq name the t and q registers for the Go assembler.
#define UQUOT16(s0, s1, s2, s3, t0, t1, t2, t3, q0, q1, q2, q3, vt0, vt1, vt2, vt3, vq0, vq1, vq2, vq3) \
	UCVTF4S(s0, t0); \
	UCVTF4S(s1, t1); \
	UCVTF4S(s2, t2); \
	UCVTF4S(s3, t3); \
	QUOT4(t0, q0, vt0, vq0); \
	QUOT4(t1, q1, vt1, vq1); \
	QUOT4(t2, q2, vt2, vq2); \
	QUOT4(t3, q3, vt3, vq3)

// QUOT4_CONSTS loads QUOT4's d and r from the arguments div and recip into
// all lanes of V28 and V29.
#define QUOT4_CONSTS(div, recip) \
	FMOVS div, F28; \
	FMOVS recip, F29; \
	VDUP  V28.S[0], V28.S4; \
	VDUP  V29.S[0], V29.S4

// DEQ16: the 16 bytes in V0 to 16 floats in V7–V10, divided: UXTL twice
// to 32-bit lanes (exact), then UQUOT16; V1–V6 are clobbered.
#define DEQ16 \
	VUXTL  V0.B8, V1.H8; \
	VUXTL2 V0.B16, V2.H8; \
	VUXTL  V1.H4, V3.S4; \
	VUXTL2 V1.H8, V4.S4; \
	VUXTL  V2.H4, V5.S4; \
	VUXTL2 V2.H8, V6.S4; \
	UQUOT16(3, 4, 5, 6, 3, 4, 5, 6, 7, 8, 9, 10, V3, V4, V5, V6, V7, V8, V9, V10)

// func neonDequantizeRows(dst *float32, src *uint8, rows *int32, m, k int, div, recip float32)
//
// Row i of dst = row rows[i] of src (k bytes a row). 16 bytes a round:
// UXTL twice to 32-bit lanes (exact), UCVTF (exact) and QUOT4, which is
// not a correctly rounded division for every divisor: the caller uses
// this routine only for a divisor it has checked on all 256 bytes. The
// last 0–15 bytes of a row go one at a time through FDIVS, Go's own
// division, so that no load reads past the row. m, k ≥ 1.
TEXT ·neonDequantizeRows(SB), NOSPLIT, $0-48
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  rows+16(FP), R2
	MOVD  m+24(FP), R3
	MOVD  k+32(FP), R6
	QUOT4_CONSTS(div+40(FP), recip+44(FP))

deqrow:
	MOVW (R2), R7 // sign-extending
	MUL  R6, R7, R7
	ADD  R1, R7, R4
	MOVD R6, R5

deq16:
	CMP    $16, R5
	BLT    deq1
	VLD1.P 16(R4), [V0.B16]
	DEQ16
	VST1.P [V7.S4, V8.S4, V9.S4, V10.S4], 64(R0)
	SUB    $16, R5, R5
	B      deq16

deq1:
	CBZ     R5, deqnext
	MOVBU.P 1(R4), R7
	UCVTFWS R7, F0
	FDIVS   F28, F0, F0
	FMOVS.P F0, 4(R0)
	SUB     $1, R5, R5
	B       deq1

deqnext:
	ADD  $4, R2, R2
	SUBS $1, R3, R3
	BGT  deqrow
	RET

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

// func asmPrefetchRows(src *uint8, rows *int32, m, k int)
//
// PRFM PLDL2KEEP (into L2) every cache line of rows rows[0..m−1] of src,
// k ≥ 1 bytes a row, its last byte included; 64-byte steps, the smallest
// line arm64 cores use. Prefetches never fault.
TEXT ·asmPrefetchRows(SB), NOSPLIT, $0-32
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

// func asmPrefetchSpans(data *uint8, off *uint32, rows *int32, m, shift int)
//
// PRFM PLDL2KEEP every cache line of spans rows[0..m−1] of data: span r
// is data[off[r]<<shift:off[r+1]<<shift] (packed rows, shift 0; entries,
// shift 2). An empty span prefetches one line at its start.
TEXT ·asmPrefetchSpans(SB), NOSPLIT, $0-40
	MOVD data+0(FP), R8
	MOVD off+8(FP), R9
	MOVD rows+16(FP), R1
	MOVD m+24(FP), R2
	MOVD shift+32(FP), R7

pprow:
	MOVW  (R1), R3 // sign-extending load
	ADD   R3<<2, R9, R6
	MOVWU (R6), R4
	MOVWU 4(R6), R5
	LSL   R7, R4, R4
	LSL   R7, R5, R5
	ADD   R8, R4, R4
	ADD   R8, R5, R5
	SUB   $1, R5, R5

	PRFM_LINES(R4, R5, ppline)
	ADD  $4, R1, R1
	SUBS $1, R2, R2
	BGT  pprow
	RET

// func neonOrRows(acc *uint8, src *uint8, rows *int32, m, k int)
// acc[j] |= src[rows[i]·k+j] for every row i < m (m, k ≥ 1): 16 bytes at
// a time, then one at a time, never past the row. NonZeroCols' first
// pass on neon.
TEXT ·neonOrRows(SB), NOSPLIT, $0-40
	MOVD acc+0(FP), R0
	MOVD src+8(FP), R1
	MOVD rows+16(FP), R2
	MOVD m+24(FP), R3
	MOVD k+32(FP), R6

orrow:
	MOVW (R2), R7 // sign-extending
	MUL  R6, R7, R7
	ADD  R1, R7, R4
	MOVD R0, R8
	MOVD R6, R5

or16:
	CMP    $16, R5
	BLT    or1
	VLD1.P 16(R4), [V0.B16]
	VLD1   (R8), [V1.B16]
	VORR   V0.B16, V1.B16, V1.B16
	VST1.P [V1.B16], 16(R8)
	SUB    $16, R5, R5
	B      or16

or1:
	CBZ     R5, ornext
	MOVBU.P 1(R4), R7
	MOVBU   (R8), R9
	ORR     R7, R9, R9
	MOVB.P  R9, 1(R8)
	SUB     $1, R5, R5
	B       or1

ornext:
	ADD  $4, R2, R2
	SUBS $1, R3, R3
	BGT  orrow
	RET

// func neonDequantizeRuns(dst *float32, src *uint8, rows *int32, m, k int, runs *int32, nruns int, div, recip float32, last *float32)
// DequantizeCols on neon, its columns given as nruns ≥ 1 runs (pairs
// from, n ≥ 1; in order, from+n ≤ k): row i of dst is the runs of row
// rows[i] (m ≥ 1), divided as in neonDequantizeRows. A run goes 16 bytes
// at a time; its last 1–15 take one more 16-byte load when that stays
// inside the row and the 16 floats inside dst (last is its last float):
// the floats past the run's land in the places of the next run or row,
// which overwrite them. Otherwise one byte at a time through FDIVS.
TEXT ·neonDequantizeRuns(SB), NOSPLIT, $0-72
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  rows+16(FP), R2
	MOVD  m+24(FP), R3
	MOVD  k+32(FP), R6
	MOVD  last+64(FP), R14
	SUB   $60, R14, R14 // the last place a 16-float store may start
	QUOT4_CONSTS(div+56(FP), recip+60(FP))

runrow:
	MOVW (R2), R7 // sign-extending
	MUL  R6, R7, R7
	ADD  R1, R7, R10      // the row
	ADD  R6, R10, R11     // its end
	MOVD runs+40(FP), R12
	MOVD nruns+48(FP), R13

run:
	MOVW (R12), R7
	MOVW 4(R12), R5
	ADD  R7, R10, R4

run16:
	CMP    $16, R5
	BLT    runtail
	VLD1.P 16(R4), [V0.B16]
	DEQ16
	VST1.P [V7.S4, V8.S4, V9.S4, V10.S4], 64(R0)
	SUB    $16, R5, R5
	B      run16

runtail:
	CBZ    R5, runnext
	ADD    $16, R4, R7
	CMP    R11, R7
	BHI    run1
	CMP    R14, R0
	BHI    run1
	VLD1   (R4), [V0.B16]
	DEQ16
	VST1   [V7.S4, V8.S4, V9.S4, V10.S4], (R0)
	ADD    R5<<2, R0, R0
	B      runnext

run1:
	MOVBU.P 1(R4), R7
	UCVTFWS R7, F0
	FDIVS   F28, F0, F0
	FMOVS.P F0, 4(R0)
	SUBS    $1, R5, R5
	BNE     run1

runnext:
	ADD  $8, R12, R12
	SUBS $1, R13, R13
	BGT  run
	ADD  $4, R2, R2
	SUBS $1, R3, R3
	BGT  runrow
	RET
