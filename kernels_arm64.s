//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON kernels. Every routine touches only the bytes of the slices it is
// given: whole vectors while at least four floats remain, then one float
// at a time with FMOVS, which loads lane 0 and zeroes the other three (the
// vector instructions then run on all four lanes; only lane 0 is stored).
// The Go wrappers in kernels_arm64.go check lengths and pick the shapes
// these routines take.

// ---------------------------------------------------------------------
// Elementwise kernels: 16 floats an iteration, then 4, then 1.

// RELU(v, t): v = 0 where v < 0, t is scratch. FCMLT #0 is false for NaN
// and -0, so they pass through.
#define RELU(v, t) FCMLT4SZ(v, t); BIC16B(t, v, v)

// func reluNEON(x []float32)
TEXT ·reluNEON(SB), NOSPLIT, $0-24
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1

relu16:
	CMP  $16, R1
	BLT  relu4
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	RELU(0, 4)
	RELU(1, 5)
	RELU(2, 6)
	RELU(3, 7)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUB  $16, R1
	B    relu16

relu4:
	CMP  $4, R1
	BLT  relu1
	VLD1 (R0), [V0.S4]
	RELU(0, 4)
	VST1.P [V0.S4], 16(R0)
	SUB  $4, R1
	B    relu4

relu1:
	CBZ     R1, reludone
	FMOVS   (R0), F0
	RELU(0, 4)
	FMOVS.P F0, 4(R0)
	SUB     $1, R1
	B       relu1

reludone:
	RET

// RELUBACK(g, y, t): g = 0 where y ≤ 0 (FCMLE #0 is false for NaN).
#define RELUBACK(g, y, t) FCMLE4SZ(y, t); BIC16B(t, g, g)

// func reluBackwardNEON(dy, y []float32)
TEXT ·reluBackwardNEON(SB), NOSPLIT, $0-48
	MOVD dy_base+0(FP), R0
	MOVD dy_len+8(FP), R1
	MOVD y_base+24(FP), R2

rb16:
	CMP  $16, R1
	BLT  rb4
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
	RELUBACK(0, 4, 8)
	RELUBACK(1, 5, 9)
	RELUBACK(2, 6, 10)
	RELUBACK(3, 7, 11)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUB  $16, R1
	B    rb16

rb4:
	CMP  $4, R1
	BLT  rb1
	VLD1 (R0), [V0.S4]
	VLD1.P 16(R2), [V4.S4]
	RELUBACK(0, 4, 8)
	VST1.P [V0.S4], 16(R0)
	SUB  $4, R1
	B    rb4

rb1:
	CBZ     R1, rbdone
	FMOVS   (R0), F0
	FMOVS.P 4(R2), F4
	RELUBACK(0, 4, 8)
	FMOVS.P F0, 4(R0)
	SUB     $1, R1
	B       rb1

rbdone:
	RET

// func sgdNEON(w, g []float32, lr float32)
// w -= lr·g with a fused multiply-subtract; V30 holds lr in every lane.
TEXT ·sgdNEON(SB), NOSPLIT, $0-52
	MOVD  w_base+0(FP), R0
	MOVD  w_len+8(FP), R1
	MOVD  g_base+24(FP), R2
	FMOVS lr+48(FP), F30
	VDUP  V30.S[0], V30.S4

sgd16:
	CMP  $16, R1
	BLT  sgd4
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLS V30.S4, V4.S4, V0.S4
	VFMLS V30.S4, V5.S4, V1.S4
	VFMLS V30.S4, V6.S4, V2.S4
	VFMLS V30.S4, V7.S4, V3.S4
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUB  $16, R1
	B    sgd16

sgd4:
	CMP  $4, R1
	BLT  sgd1
	VLD1 (R0), [V0.S4]
	VLD1.P 16(R2), [V4.S4]
	VFMLS V30.S4, V4.S4, V0.S4
	VST1.P [V0.S4], 16(R0)
	SUB  $4, R1
	B    sgd4

sgd1:
	CBZ     R1, sgddone
	FMOVS   (R0), F0
	FMOVS.P 4(R2), F4
	VFMLS   V30.S4, V4.S4, V0.S4
	FMOVS.P F0, 4(R0)
	SUB     $1, R1
	B       sgd1

sgddone:
	RET

// MOMENTUM(w, v, g): v = mu·v − lr·g (the product mu·v rounded, then a
// fused multiply-subtract); w += v. V29 holds mu, V30 lr.
#define MOMENTUM(w, v, g, W, V, G) FMUL4S(29, v, v); VFMLS V30.S4, G.S4, V.S4; FADD4S(v, w, w)

// func sgdMomentumNEON(w, v, g []float32, lr, mu float32)
TEXT ·sgdMomentumNEON(SB), NOSPLIT, $0-80
	MOVD  w_base+0(FP), R0
	MOVD  w_len+8(FP), R1
	MOVD  v_base+24(FP), R2
	MOVD  g_base+48(FP), R3
	FMOVS lr+72(FP), F30
	VDUP  V30.S[0], V30.S4
	FMOVS mu+76(FP), F29
	VDUP  V29.S[0], V29.S4

mom8:
	CMP  $8, R1
	BLT  mom4
	VLD1 (R0), [V0.S4, V1.S4]
	VLD1 (R2), [V2.S4, V3.S4]
	VLD1.P 32(R3), [V4.S4, V5.S4]
	MOMENTUM(0, 2, 4, V0, V2, V4)
	MOMENTUM(1, 3, 5, V1, V3, V5)
	VST1.P [V0.S4, V1.S4], 32(R0)
	VST1.P [V2.S4, V3.S4], 32(R2)
	SUB  $8, R1
	B    mom8

mom4:
	CMP  $4, R1
	BLT  mom1
	VLD1 (R0), [V0.S4]
	VLD1 (R2), [V2.S4]
	VLD1.P 16(R3), [V4.S4]
	MOMENTUM(0, 2, 4, V0, V2, V4)
	VST1.P [V0.S4], 16(R0)
	VST1.P [V2.S4], 16(R2)
	SUB  $4, R1
	B    mom4

mom1:
	CBZ     R1, momdone
	FMOVS   (R0), F0
	FMOVS   (R2), F2
	FMOVS.P 4(R3), F4
	MOMENTUM(0, 2, 4, V0, V2, V4)
	FMOVS.P F0, 4(R0)
	FMOVS.P F2, 4(R2)
	SUB     $1, R1
	B       mom1

momdone:
	RET

// ---------------------------------------------------------------------
// Dense kernels. Blocks are 4 rows × 16 columns (four vectors) with the
// 16 accumulators in V16–V31. A block that would run past the last row or
// column is clamped onto it instead: a row index past m−1 becomes m−1 and
// a column vector past n−4 starts at n−4. The clamped rows and columns are
// computed again with exactly the same operations in the same order, so
// they are stored again with the same bits, and nothing outside the slices
// is ever touched. This needs n ≥ 4 (one whole vector per row); the
// wrappers send narrower shapes to the reference.

// COLOFF(c, q): c = 4·min(J0+q, LASTCOL), the byte offset of the block's
// column vector starting at J0+q.
#define COLOFF(c, q) ADD $(q), J0, c; CMP LASTCOL, c; CSEL GT, LASTCOL, c, c; LSL $2, c, c

// ROWPTR(r, base, stride, dst): dst = base + stride·min(I0+r, LASTROW).
#define ROWPTR(r, base, stride, dst) ADD $(r), I0, dst; CMP LASTROW, dst; CSEL GT, LASTROW, dst, dst; MADD stride, base, dst, dst

// FWDLANE(l): load the four w vectors of the next row p of w, then
// acc[r][q] += w[q] · x[r][lane l] for the four rows r and vectors q.
#define FWDLANE(l) \
	VLD1.P (WP0)(NS), [V4.S4]; VLD1.P (WP1)(NS), [V5.S4]; \
	VLD1.P (WP2)(NS), [V6.S4]; VLD1.P (WP3)(NS), [V7.S4]; \
	FMLA4SE(l, 0, 4, 16); FMLA4SE(l, 0, 5, 17); FMLA4SE(l, 0, 6, 18); FMLA4SE(l, 0, 7, 19); \
	FMLA4SE(l, 1, 4, 20); FMLA4SE(l, 1, 5, 21); FMLA4SE(l, 1, 6, 22); FMLA4SE(l, 1, 7, 23); \
	FMLA4SE(l, 2, 4, 24); FMLA4SE(l, 2, 5, 25); FMLA4SE(l, 2, 6, 26); FMLA4SE(l, 2, 7, 27); \
	FMLA4SE(l, 3, 4, 28); FMLA4SE(l, 3, 5, 29); FMLA4SE(l, 3, 6, 30); FMLA4SE(l, 3, 7, 31)

// STORE4(row, a, b, c, d): store four vectors at row + C0..C3, in order.
#define STORE4(row, a, b, c, d) \
	ADD C0, row, T; VST1 [a.S4], (T); ADD C1, row, T; VST1 [b.S4], (T); \
	ADD C2, row, T; VST1 [c.S4], (T); ADD C3, row, T; VST1 [d.S4], (T)

#define LASTROW R4
#define KS R5
#define K R6
#define RELUF R7
#define NS R8
#define I0 R9
#define J0 R10
#define LASTCOL R11
#define C0 R12
#define C1 R13
#define C2 R14
#define C3 R15
#define WP0 R16
#define WP1 R17
#define WP2 R19
#define WP3 R20
#define XP0 R21
#define XP1 R22
#define XP2 R23
#define XP3 R24
#define PLEFT R25
#define T R26

// func denseForwardNEON(y, x, w, b []float32, m, k, n int, relu bool)
// y = x·w + b, then ReLU, for m ≥ 1 and n ≥ 4. Per block of 4 rows × 16
// columns: the accumulators start as b; the p loop takes 4 inputs a turn,
// one x vector per row (V0–V3), and for each of its lanes loads a row of
// w (V4–V7) and does 16 FMLA by element, so each w load serves 4 rows and
// each x load 16 columns. k mod 4 inputs are then taken one at a time
// (FMOVS into lane 0).
TEXT ·denseForwardNEON(SB), NOSPLIT, $0-121
	MOVD  y_base+0(FP), R0
	MOVD  x_base+24(FP), R1
	MOVD  w_base+48(FP), R2
	MOVD  b_base+72(FP), R3
	MOVD  m+96(FP), LASTROW
	SUB   $1, LASTROW
	MOVD  k+104(FP), K
	LSL   $2, K, KS
	MOVD  n+112(FP), LASTCOL
	LSL   $2, LASTCOL, NS
	SUB   $4, LASTCOL
	MOVBU relu+120(FP), RELUF
	MOVD  $0, I0

fwdrows:
	MOVD $0, J0

fwdcols:
	COLOFF(C0, 0)
	COLOFF(C1, 4)
	COLOFF(C2, 8)
	COLOFF(C3, 12)
	ADD  C0, R3, T
	VLD1 (T), [V16.S4]
	ADD  C1, R3, T
	VLD1 (T), [V17.S4]
	ADD  C2, R3, T
	VLD1 (T), [V18.S4]
	ADD  C3, R3, T
	VLD1 (T), [V19.S4]
	VMOV V16.B16, V20.B16
	VMOV V17.B16, V21.B16
	VMOV V18.B16, V22.B16
	VMOV V19.B16, V23.B16
	VMOV V16.B16, V24.B16
	VMOV V17.B16, V25.B16
	VMOV V18.B16, V26.B16
	VMOV V19.B16, V27.B16
	VMOV V16.B16, V28.B16
	VMOV V17.B16, V29.B16
	VMOV V18.B16, V30.B16
	VMOV V19.B16, V31.B16
	ADD  C0, R2, WP0
	ADD  C1, R2, WP1
	ADD  C2, R2, WP2
	ADD  C3, R2, WP3
	ROWPTR(0, R1, KS, XP0)
	ROWPTR(1, R1, KS, XP1)
	ROWPTR(2, R1, KS, XP2)
	ROWPTR(3, R1, KS, XP3)
	MOVD K, PLEFT

fwdp4:
	CMP    $4, PLEFT
	BLT    fwdp1
	VLD1.P 16(XP0), [V0.S4]
	VLD1.P 16(XP1), [V1.S4]
	VLD1.P 16(XP2), [V2.S4]
	VLD1.P 16(XP3), [V3.S4]
	FWDLANE(0)
	FWDLANE(1)
	FWDLANE(2)
	FWDLANE(3)
	SUB    $4, PLEFT
	B      fwdp4

fwdp1:
	CBZ     PLEFT, fwdrelu
	FMOVS.P 4(XP0), F0
	FMOVS.P 4(XP1), F1
	FMOVS.P 4(XP2), F2
	FMOVS.P 4(XP3), F3
	FWDLANE(0)
	SUB     $1, PLEFT
	B       fwdp1

fwdrelu:
	CBZ RELUF, fwdstore
	RELU(16, 0)
	RELU(17, 1)
	RELU(18, 2)
	RELU(19, 3)
	RELU(20, 0)
	RELU(21, 1)
	RELU(22, 2)
	RELU(23, 3)
	RELU(24, 0)
	RELU(25, 1)
	RELU(26, 2)
	RELU(27, 3)
	RELU(28, 0)
	RELU(29, 1)
	RELU(30, 2)
	RELU(31, 3)

fwdstore:
	ROWPTR(0, R0, NS, XP0)
	ROWPTR(1, R0, NS, XP1)
	ROWPTR(2, R0, NS, XP2)
	ROWPTR(3, R0, NS, XP3)
	STORE4(XP0, V16, V17, V18, V19)
	STORE4(XP1, V20, V21, V22, V23)
	STORE4(XP2, V24, V25, V26, V27)
	STORE4(XP3, V28, V29, V30, V31)
	ADD $16, J0
	ADD $4, LASTCOL, T
	CMP T, J0
	BLT fwdcols
	ADD $4, I0
	CMP LASTROW, I0
	BLE fwdrows
	RET
