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

// func neonReLU(x []float32)
TEXT ·neonReLU(SB), NOSPLIT, $0-24
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

// func neonReLUBackward(dy, y []float32)
TEXT ·neonReLUBackward(SB), NOSPLIT, $0-48
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

// func neonSGD(w, g []float32, lr float32)
// w -= lr·g with a fused multiply-subtract; V30 holds lr in every lane.
TEXT ·neonSGD(SB), NOSPLIT, $0-52
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

// func neonSGDMomentum(w, v, g []float32, lr, mu float32)
TEXT ·neonSGDMomentum(SB), NOSPLIT, $0-80
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

// NONZERO_MASK(f, r, v): every lane of v = all ones when the float32 in
// f is not 0 (NaN included: unordered sets NE), else 0; r is scratch.
#define NONZERO_MASK(f, r, v) FCMPS $(0.0), f; CSETM NE, r; VDUP r, v.S4

// SGD_TORCH(w, b, g, t, bn, gn): g' = wd·w + g (fused) where V27
// (wd ≠ 0); b = b·mu + g' (two roundings); t = mu·b + g' (fused). V28 wd,
// V29 mu; bn and gn are the register numbers of b and g, for the
// encoded macros of neon_arm64.h.
#define SGD_TORCH(w, b, g, t, bn, gn) \
	VORR  g.B16, g.B16, t.B16; \
	VFMLA V28.S4, w.S4, t.S4; \
	VBIT  V27.B16, t.B16, g.B16; \
	FMUL4S(29, bn, bn); \
	FADD4S(gn, bn, bn); \
	VORR  g.B16, g.B16, t.B16; \
	VFMLA V29.S4, b.S4, t.S4

// SGD_TORCH_STEP(w, b, t): b (already stored) = t where V26 (nesterov);
// w = w − lr·b (fused), lr in V30.
#define SGD_TORCH_STEP(w, b, t) VBIT V26.B16, t.B16, b.B16; VFMLS V30.S4, b.S4, w.S4

// func neonSGDTorch(w, b, g []float32, lr, mu, wd float32, nesterov bool)
// torch.optim.SGD's step (dampening 0) as sgdTorchGeneric, 8 floats an
// iteration, then 4, then 1. The weight decay and the Nesterov term are
// always computed and kept or dropped by BIT under masks set once: V27
// (wd ≠ 0) and V26 (nesterov).
TEXT ·neonSGDTorch(SB), NOSPLIT, $0-85
	MOVD  w_base+0(FP), R0
	MOVD  w_len+8(FP), R1
	MOVD  b_base+24(FP), R2
	MOVD  g_base+48(FP), R3
	FMOVS lr+72(FP), F30
	VDUP  V30.S[0], V30.S4
	FMOVS mu+76(FP), F29
	VDUP  V29.S[0], V29.S4
	FMOVS wd+80(FP), F28
	NONZERO_MASK(F28, R4, V27)
	VDUP  V28.S[0], V28.S4
	MOVBU nesterov+84(FP), R4
	NEG   R4, R4
	VDUP  R4, V26.S4

sgdt8:
	CMP  $8, R1
	BLT  sgdt4
	VLD1 (R0), [V0.S4, V1.S4]
	VLD1 (R2), [V2.S4, V3.S4]
	VLD1.P 32(R3), [V4.S4, V5.S4]
	SGD_TORCH(V0, V2, V4, V6, 2, 4)
	SGD_TORCH(V1, V3, V5, V7, 3, 5)
	VST1.P [V2.S4, V3.S4], 32(R2)
	SGD_TORCH_STEP(V0, V2, V6)
	SGD_TORCH_STEP(V1, V3, V7)
	VST1.P [V0.S4, V1.S4], 32(R0)
	SUB  $8, R1
	B    sgdt8

sgdt4:
	CMP  $4, R1
	BLT  sgdt1
	VLD1 (R0), [V0.S4]
	VLD1 (R2), [V1.S4]
	VLD1.P 16(R3), [V2.S4]
	SGD_TORCH(V0, V1, V2, V3, 1, 2)
	VST1.P [V1.S4], 16(R2)
	SGD_TORCH_STEP(V0, V1, V3)
	VST1.P [V0.S4], 16(R0)
	SUB  $4, R1
	B    sgdt4

sgdt1:
	CBZ     R1, sgdtdone
	FMOVS   (R0), F0
	FMOVS   (R2), F1
	FMOVS.P 4(R3), F2
	SGD_TORCH(V0, V1, V2, V3, 1, 2)
	FMOVS.P F1, 4(R2)
	SGD_TORCH_STEP(V0, V1, V3)
	FMOVS.P F0, 4(R0)
	SUB     $1, R1
	B       sgdt1

sgdtdone:
	RET

// ADAM(w, m, v, g, t): the step of adamGeneric on one vector. Register
// numbers: w 0, m 1, v 2, g 3, t 4; constants V20 wd, V21 (wd ≠ 0)
// mask, V22 decay, V23 b1, V24 c1, V25 b2, V26 c2, V27 s2, V28 eps,
// V29 ns. m and v are ready to store after ADAM_MOMENTS, w after ADAM_W.
#define ADAM_MOMENTS \
	VORR  V3.B16, V3.B16, V4.B16; \
	VFMLA V20.S4, V0.S4, V4.S4; \
	VBIT  V21.B16, V4.B16, V3.B16; \
	FMUL4S(22, 0, 0); \
	FMUL4S(23, 1, 1); \
	VFMLA V24.S4, V3.S4, V1.S4; \
	FMUL4S(25, 2, 2); \
	FMUL4S(26, 3, 4); \
	VFMLA V4.S4, V3.S4, V2.S4

#define ADAM_W \
	FSQRT4S(2, 4); \
	FDIV4S(27, 4, 4); \
	FADD4S(28, 4, 4); \
	FMUL4S(29, 1, 1); \
	FDIV4S(4, 1, 1); \
	FADD4S(1, 0, 0)

// func neonAdam(w, m, v, g []float32, wd, decay, b1, c1, b2, c2, s2, eps, ns float32)
// One Adam or AdamW step as adamGeneric, 4 floats an iteration, then 1:
// g' = wd·w + g (fused) kept where wd ≠ 0 (BIT under V21); w = w·decay;
// m = c1·g' + b1·m and v = (c2·g')·g' + b2·v, the sums fused; then
// w += (ns·m) / (√v/s2 + eps) with FSQRT and FDIV, correctly rounded.
TEXT ·neonAdam(SB), NOSPLIT, $0-132
	MOVD  w_base+0(FP), R0
	MOVD  w_len+8(FP), R1
	MOVD  m_base+24(FP), R2
	MOVD  v_base+48(FP), R3
	MOVD  g_base+72(FP), R4
	FMOVS wd+96(FP), F20
	NONZERO_MASK(F20, R5, V21)
	VDUP  V20.S[0], V20.S4
	FMOVS decay+100(FP), F22
	VDUP  V22.S[0], V22.S4
	FMOVS b1+104(FP), F23
	VDUP  V23.S[0], V23.S4
	FMOVS c1+108(FP), F24
	VDUP  V24.S[0], V24.S4
	FMOVS b2+112(FP), F25
	VDUP  V25.S[0], V25.S4
	FMOVS c2+116(FP), F26
	VDUP  V26.S[0], V26.S4
	FMOVS s2+120(FP), F27
	VDUP  V27.S[0], V27.S4
	FMOVS eps+124(FP), F28
	VDUP  V28.S[0], V28.S4
	FMOVS ns+128(FP), F29
	VDUP  V29.S[0], V29.S4

adam4:
	CMP  $4, R1
	BLT  adam1
	VLD1 (R0), [V0.S4]
	VLD1 (R2), [V1.S4]
	VLD1 (R3), [V2.S4]
	VLD1.P 16(R4), [V3.S4]
	ADAM_MOMENTS
	VST1.P [V1.S4], 16(R2)
	VST1.P [V2.S4], 16(R3)
	ADAM_W
	VST1.P [V0.S4], 16(R0)
	SUB  $4, R1
	B    adam4

adam1:
	CBZ     R1, adamdone
	FMOVS   (R0), F0
	FMOVS   (R2), F1
	FMOVS   (R3), F2
	FMOVS.P 4(R4), F3
	ADAM_MOMENTS
	FMOVS.P F1, 4(R2)
	FMOVS.P F2, 4(R3)
	ADAM_W
	FMOVS.P F0, 4(R0)
	SUB     $1, R1
	B       adam1

adamdone:
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

// CLAMPPTR(i, off, last, base, stride, dst):
// dst = base + stride·min(i+off, last), the start of a clamped row.
#define CLAMPPTR(i, off, last, base, stride, dst) ADD $(off), i, dst; CMP last, dst; CSEL GT, last, dst, dst; MADD stride, base, dst, dst
#define ROWPTR(r, base, stride, dst) CLAMPPTR(I0, r, LASTROW, base, stride, dst)

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

// func neonDenseForward(y, x, w, b []float32, m, k, n int, relu bool)
// y = x·w + b, then ReLU, for m ≥ 1 and n ≥ 4. Per block of 4 rows × 16
// columns: the accumulators start as b; the p loop takes 4 inputs a turn,
// one x vector per row (V0–V3), and for each of its lanes loads a row of
// w (V4–V7) and does 16 FMLA by element, so each w load serves 4 rows and
// each x load 16 columns. k mod 4 inputs are then taken one at a time
// (FMOVS into lane 0).
TEXT ·neonDenseForward(SB), NOSPLIT, $0-121
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
	SUBS $4, K, PLEFT
	BLT  fwdp4done

fwdp4:
	VLD1.P 16(XP0), [V0.S4]
	VLD1.P 16(XP1), [V1.S4]
	VLD1.P 16(XP2), [V2.S4]
	VLD1.P 16(XP3), [V3.S4]
	FWDLANE(0)
	FWDLANE(1)
	FWDLANE(2)
	FWDLANE(3)
	SUBS   $4, PLEFT
	BGE    fwdp4

fwdp4done:
	ADD $4, PLEFT // k mod 4 inputs left

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

#undef I0
#undef PLEFT
#undef XP0
#undef K

// DWROW: the next row i of x and dy: acc[l][q] += dy[q] · x[lane l], for
// the 4 inputs l of the block (V0) and its 4 column vectors q (V4–V7).
#define DWROW \
	VLD1.P (XP)(KS), [V0.S4]; \
	VLD1.P (DP0)(NS), [V4.S4]; VLD1.P (DP1)(NS), [V5.S4]; \
	VLD1.P (DP2)(NS), [V6.S4]; VLD1.P (DP3)(NS), [V7.S4]; \
	FMLA4SE(0, 0, 4, 16); FMLA4SE(0, 0, 5, 17); FMLA4SE(0, 0, 6, 18); FMLA4SE(0, 0, 7, 19); \
	FMLA4SE(1, 0, 4, 20); FMLA4SE(1, 0, 5, 21); FMLA4SE(1, 0, 6, 22); FMLA4SE(1, 0, 7, 23); \
	FMLA4SE(2, 0, 4, 24); FMLA4SE(2, 0, 5, 25); FMLA4SE(2, 0, 6, 26); FMLA4SE(2, 0, 7, 27); \
	FMLA4SE(3, 0, 4, 28); FMLA4SE(3, 0, 5, 29); FMLA4SE(3, 0, 6, 30); FMLA4SE(3, 0, 7, 31)

#define ZERO4(a, b, c, d) VEOR a.B16, a.B16, a.B16; VEOR b.B16, b.B16, b.B16; VEOR c.B16, c.B16, c.B16; VEOR d.B16, d.B16, d.B16

#define LASTP R4
#define M R6
#define P0 R9
#define PB R22
#define XP R21
#define ILEFT R25
#define DP0 R16
#define DP1 R17
#define DP2 R19
#define DP3 R20
#define ROW R23

// func neonDenseBackwardDw(dw, x, dy []float32, m, k, n int)
// dw = xᵀ·dy for k ≥ 4 and n ≥ 4. Blocks of 4 inputs p × 16 columns; a
// block past k−4 starts at k−4 (clamped like the columns). Per row i of
// the batch: one x vector (the block's 4 inputs, V0), four dy vectors
// (V4–V7) and 16 FMLA by element into V16–V31, which start at zero.
TEXT ·neonDenseBackwardDw(SB), NOSPLIT, $0-96
	MOVD dw_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD dy_base+48(FP), R2
	MOVD m+72(FP), M
	MOVD k+80(FP), LASTP
	LSL  $2, LASTP, KS
	SUB  $4, LASTP
	MOVD n+88(FP), LASTCOL
	LSL  $2, LASTCOL, NS
	SUB  $4, LASTCOL
	MOVD $0, P0

dwps:
	CMP  LASTP, P0
	CSEL GT, LASTP, P0, PB
	MOVD $0, J0

dwcols:
	COLOFF(C0, 0)
	COLOFF(C1, 4)
	COLOFF(C2, 8)
	COLOFF(C3, 12)
	ZERO4(V16, V17, V18, V19)
	ZERO4(V20, V21, V22, V23)
	ZERO4(V24, V25, V26, V27)
	ZERO4(V28, V29, V30, V31)
	ADD  C0, R2, DP0
	ADD  C1, R2, DP1
	ADD  C2, R2, DP2
	ADD  C3, R2, DP3
	ADD  PB<<2, R1, XP
	MOVD M, ILEFT
	CBZ  ILEFT, dwstore

dwrows:
	DWROW
	SUBS $1, ILEFT
	BNE  dwrows

dwstore:
	MADD NS, R0, PB, ROW
	STORE4(ROW, V16, V17, V18, V19)
	ADD  NS, ROW
	STORE4(ROW, V20, V21, V22, V23)
	ADD  NS, ROW
	STORE4(ROW, V24, V25, V26, V27)
	ADD  NS, ROW
	STORE4(ROW, V28, V29, V30, V31)
	ADD  $16, J0
	ADD  $4, LASTCOL, T
	CMP  T, J0
	BLT  dwcols
	ADD  $4, P0
	ADD  $4, LASTP, T
	CMP  T, P0
	BLT  dwps
	RET

// func neonColumnSums(db, dy []float32, m, n int)
// db = the column sums of dy (m×n, n ≥ 4), 16 columns a block (clamped
// like the dense blocks), rows added in order.
TEXT ·neonColumnSums(SB), NOSPLIT, $0-64
	MOVD db_base+0(FP), R0
	MOVD dy_base+24(FP), R2
	MOVD m+48(FP), M
	MOVD n+56(FP), LASTCOL
	LSL  $2, LASTCOL, NS
	SUB  $4, LASTCOL
	MOVD $0, J0

sumcols:
	COLOFF(C0, 0)
	COLOFF(C1, 4)
	COLOFF(C2, 8)
	COLOFF(C3, 12)
	ZERO4(V16, V17, V18, V19)
	ADD  C0, R2, DP0
	ADD  C1, R2, DP1
	ADD  C2, R2, DP2
	ADD  C3, R2, DP3
	MOVD M, ILEFT

sumrows:
	CBZ    ILEFT, sumstore
	VLD1.P (DP0)(NS), [V4.S4]
	VLD1.P (DP1)(NS), [V5.S4]
	VLD1.P (DP2)(NS), [V6.S4]
	VLD1.P (DP3)(NS), [V7.S4]
	FADD4S(4, 16, 16)
	FADD4S(5, 17, 17)
	FADD4S(6, 18, 18)
	FADD4S(7, 19, 19)
	SUB    $1, ILEFT
	B      sumrows

sumstore:
	STORE4(R0, V16, V17, V18, V19)
	ADD $16, J0
	ADD $4, LASTCOL, T
	CMP T, J0
	BLT sumcols
	RET

#undef LASTP
#undef M
#undef P0
#undef PB
#undef XP
#undef ILEFT
#undef DP0
#undef DP1
#undef DP2
#undef DP3
#undef ROW
#undef LASTCOL
#undef C0
#undef C1
#undef C2
#undef C3
#undef J0

// DXSTEP: acc[r][q] += dy[r] · w[q] over the lanes just loaded: rows r in
// V0–V3, inputs q in V4–V7, accumulators V16–V31.
#define DXSTEP \
	VFMLA V4.S4, V0.S4, V16.S4; VFMLA V5.S4, V0.S4, V17.S4; VFMLA V6.S4, V0.S4, V18.S4; VFMLA V7.S4, V0.S4, V19.S4; \
	VFMLA V4.S4, V1.S4, V20.S4; VFMLA V5.S4, V1.S4, V21.S4; VFMLA V6.S4, V1.S4, V22.S4; VFMLA V7.S4, V1.S4, V23.S4; \
	VFMLA V4.S4, V2.S4, V24.S4; VFMLA V5.S4, V2.S4, V25.S4; VFMLA V6.S4, V2.S4, V26.S4; VFMLA V7.S4, V2.S4, V27.S4; \
	VFMLA V4.S4, V3.S4, V28.S4; VFMLA V5.S4, V3.S4, V29.S4; VFMLA V6.S4, V3.S4, V30.S4; VFMLA V7.S4, V3.S4, V31.S4

// DXLOAD16, DXLOADF(op, size): load the next 16 (or size) bytes of the 4 dy rows and the 4 w
// rows with op (VLD1.P for 16, FMOVD.P for 8, FMOVS.P for 4; the last two
// zero the lanes above).
#define DXLOAD16 \
	VLD1.P 16(DY0), [V0.S4]; VLD1.P 16(DY1), [V1.S4]; VLD1.P 16(DY2), [V2.S4]; VLD1.P 16(DY3), [V3.S4]; \
	VLD1.P 16(WQ0), [V4.S4]; VLD1.P 16(WQ1), [V5.S4]; VLD1.P 16(WQ2), [V6.S4]; VLD1.P 16(WQ3), [V7.S4]
#define DXLOADF(op, size) \
	op size(DY0), F0; op size(DY1), F1; op size(DY2), F2; op size(DY3), F3; \
	op size(WQ0), F4; op size(WQ1), F5; op size(WQ2), F6; op size(WQ3), F7

// DXSUM(r, a): V(r) = the four horizontal sums of accumulators a..a+3
// (V8, V9 scratch).
#define DXSUM(r, a) FADDP4S(a+1, a, 8); FADDP4S(a+3, a+2, 9); FADDP4S(9, 8, r)

#define I0 R9
#define LASTK R12
#define N R11
#define P0 R10
#define PREM R13
#define JLEFT R25
#define DY0 R16
#define DY1 R17
#define DY2 R19
#define DY3 R20
#define WQ0 R21
#define WQ1 R22
#define WQ2 R23
#define WQ3 R24

// DXPTRS(base, stride): DY0–DY3 = base + stride·(the block's 4 clamped
// rows).
#define DXPTRS(base, stride) \
	ROWPTR(0, base, stride, DY0); ROWPTR(1, base, stride, DY1); \
	ROWPTR(2, base, stride, DY2); ROWPTR(3, base, stride, DY3)

// DXLANE(l): store lane l of the sums of the 4 rows, then step a float.
#define DXLANE(l) \
	VST1 V0.S[l], (DY0); VST1 V1.S[l], (DY1); VST1 V2.S[l], (DY2); VST1 V3.S[l], (DY3); \
	ADD $4, DY0; ADD $4, DY1; ADD $4, DY2; ADD $4, DY3

// func neonDenseBackwardDx(dx, w, dy []float32, m, k, n int)
// dx = dy·wᵀ for m ≥ 1, k ≥ 1, any n. Blocks of 4 rows × 4 inputs, both
// clamped (rows to m−1, inputs to k−1), with one accumulator per (row,
// input) pair: V16+4r+q sums dy[r][j]·w[q][j] over the lanes of j. The j
// loop takes 4 columns a turn (4 dy and 4 w loads, 16 FMLA), then 2 and 1
// with FMOVD/FMOVS loads that zero the unused lanes. Three FADDP per row
// turn its 4 accumulators into the vector dx[r][q], stored whole, or lane
// by lane for the last k mod 4 inputs.
TEXT ·neonDenseBackwardDx(SB), NOSPLIT, $0-96
	MOVD dx_base+0(FP), R0
	MOVD w_base+24(FP), R1
	MOVD dy_base+48(FP), R2
	MOVD m+72(FP), LASTROW
	SUB  $1, LASTROW
	MOVD k+80(FP), LASTK
	LSL  $2, LASTK, KS
	SUB  $1, LASTK
	MOVD n+88(FP), N
	LSL  $2, N, NS
	MOVD $0, I0

dxrows:
	MOVD $0, P0

dxps:
	ZERO4(V16, V17, V18, V19)
	ZERO4(V20, V21, V22, V23)
	ZERO4(V24, V25, V26, V27)
	ZERO4(V28, V29, V30, V31)
	DXPTRS(R2, NS)
	CLAMPPTR(P0, 0, LASTK, R1, NS, WQ0)
	CLAMPPTR(P0, 1, LASTK, R1, NS, WQ1)
	CLAMPPTR(P0, 2, LASTK, R1, NS, WQ2)
	CLAMPPTR(P0, 3, LASTK, R1, NS, WQ3)
	SUBS $4, N, JLEFT
	BLT  dxj4done

dxj4:
	DXLOAD16
	DXSTEP
	SUBS $4, JLEFT
	BGE  dxj4

dxj4done:
	ADD $4, JLEFT // n mod 4 columns left

dxj2:
	TBZ $1, JLEFT, dxj1
	DXLOADF(FMOVD.P, 8)
	DXSTEP

dxj1:
	TBZ $0, JLEFT, dxsum
	DXLOADF(FMOVS.P, 4)
	DXSTEP

dxsum:
	DXSUM(0, 16)
	DXSUM(1, 20)
	DXSUM(2, 24)
	DXSUM(3, 28)
	ADD  $1, LASTK, PREM
	SUB  P0, PREM
	DXPTRS(R0, KS)
	ADD  P0<<2, DY0
	ADD  P0<<2, DY1
	ADD  P0<<2, DY2
	ADD  P0<<2, DY3
	CMP  $4, PREM
	BLT  dxlanes
	VST1 [V0.S4], (DY0)
	VST1 [V1.S4], (DY1)
	VST1 [V2.S4], (DY2)
	VST1 [V3.S4], (DY3)
	B    dxnext

dxlanes:
	DXLANE(0)
	CMP $2, PREM
	BLT dxnext
	DXLANE(1)
	CMP $3, PREM
	BLT dxnext
	DXLANE(2)

dxnext:
	ADD $4, P0
	CMP LASTK, P0
	BLE dxps
	ADD $4, I0
	CMP LASTROW, I0
	BLE dxrows
	RET

#undef LASTROW
#undef KS
#undef RELUF
#undef NS
#undef I0
#undef T
#undef LASTK
#undef N
#undef P0
#undef PREM
#undef JLEFT
#undef DY0
#undef DY1
#undef DY2
#undef DY3
#undef WQ0
#undef WQ1
#undef WQ2
#undef WQ3

// ---------------------------------------------------------------------
// Softmax cross-entropy.

// EXP(x): x = exp(x) on four lanes, within 2 ulp over the whole float32
// range, NaN in, NaN out. x is clamped to [−110, 89] (beyond, the result
// is 0 or +Inf anyway); n = round(x·log2 e) by adding and subtracting
// 1.5·2²³; r = x − n·ln 2 in two fused steps (ln 2 split in a float32 and
// its remainder), |r| ≤ ½ ln 2; p = e^r by its degree-7 Taylor polynomial
// (truncation below 1e-8 relative), Horner with FMLA; then p·2^n1·2^n2
// with n1 = n>>1, n2 = n−n1, so that each factor is a normal float and a
// subnormal result is rounded once. Constants: V17 −110, V18 89, V19
// log2 e, V20 1.5·2²³, V21/V22 ln 2 high/low, V23–V28 1/7! … 1/2!, V29 1,
// V30 the integer 127. Scratch: V6–V12.
#define EXP(x, X) \
	FMAX4S(17, x, x); FMIN4S(18, x, x); \
	VMOV  V20.B16, V6.B16; VFMLA V19.S4, X.S4, V6.S4; FSUB4S(20, 6, 7); \
	VMOV  X.B16, V8.B16; VFMLS V21.S4, V7.S4, V8.S4; VFMLS V22.S4, V7.S4, V8.S4; \
	VMOV  V24.B16, V9.B16; VFMLA V23.S4, V8.S4, V9.S4; \
	VMOV  V25.B16, V12.B16; VFMLA V9.S4, V8.S4, V12.S4; \
	VMOV  V26.B16, V9.B16; VFMLA V12.S4, V8.S4, V9.S4; \
	VMOV  V27.B16, V12.B16; VFMLA V9.S4, V8.S4, V12.S4; \
	VMOV  V28.B16, V9.B16; VFMLA V12.S4, V8.S4, V9.S4; \
	VMOV  V29.B16, V12.B16; VFMLA V9.S4, V8.S4, V12.S4; \
	VMOV  V29.B16, V9.B16; VFMLA V12.S4, V8.S4, V9.S4; \
	VSUB  V20.S4, V6.S4, V10.S4; SSHR4S(1, 10, 11); VSUB V11.S4, V10.S4, V10.S4; \
	VADD  V30.S4, V11.S4, V11.S4; VADD V30.S4, V10.S4, V10.S4; \
	VSHL  $23, V11.S4, V11.S4; VSHL $23, V10.S4, V10.S4; \
	FMUL4S(11, 9, 9); FMUL4S(10, 9, x)

// CONST(bits, V): every lane of V = bits.
#define CONST(bits, V) MOVW $(bits), R9; VDUP R9, V.S4

#define EXPCONSTS \
	CONST(0xc2dc0000, V17); CONST(0x42b20000, V18); CONST(0x3fb8aa3b, V19); \
	CONST(0x4b400000, V20); CONST(0x3f317218, V21); CONST(0xb102e308, V22); \
	CONST(0x39500d01, V23); CONST(0x3ab60b61, V24); CONST(0x3c088889, V25); \
	CONST(0x3d2aaaab, V26); CONST(0x3e2aaaab, V27); CONST(0x3f000000, V28); \
	CONST(0x3f800000, V29); CONST(0x0000007f, V30)

// func neonExp(x []float32)
// x = exp(x) in place with EXP, len(x) a multiple of 4 (a test hook).
TEXT ·neonExp(SB), NOSPLIT, $0-24
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	EXPCONSTS

expl:
	CBZ    R1, expdone
	VLD1   (R0), [V0.S4]
	EXP(0, V0)
	VST1.P [V0.S4], 16(R0)
	SUB    $4, R1
	B      expl

expdone:
	RET

#define GRAD R0
#define LOGITS R1
#define LABELS R2
#define SUMS R3
#define OFFS R4
#define ROWS R5
#define N R6
#define NS R7
#define CORRECT R8
#define LABEL R10
#define PTR R11
#define OUT R12
#define LEFT R13

// func neonSoftmaxRows(grad, logits []float32, labels []int32, sums, offs []float32, n int, scale float32) int
// Per row of n ≥ 1 logits with label t (grad may alias logits):
// M = max (FMAX, so any NaN makes M NaN); the row is correct when
// l[t] == M (false for NaN) and no earlier logit equals M, which is the
// reference's first-arg-max rule; offs = l[t] − M; e = EXP(l − M) stored
// in grad and summed (vector partial sums, then FADDP); sums = s; grad =
// e·(1/s)·scale, and grad[t] = (e[t]·(1/s) − 1)·scale. Returns the number
// of correct rows. Registers: V1 M, V2 vector sum, F3 tail sum, V4 1/s,
// V5 scale, V0 the data; EXP's constants and scratch as above.
TEXT ·neonSoftmaxRows(SB), NOSPLIT, $0-144
	MOVD  grad_base+0(FP), GRAD
	MOVD  logits_base+24(FP), LOGITS
	MOVD  labels_base+48(FP), LABELS
	MOVD  labels_len+56(FP), ROWS
	MOVD  sums_base+72(FP), SUMS
	MOVD  offs_base+96(FP), OFFS
	MOVD  n+120(FP), N
	LSL   $2, N, NS
	FMOVS scale+128(FP), F5
	VDUP  V5.S[0], V5.S4
	MOVD  $0, CORRECT
	EXPCONSTS

smrow:
	CBZ    ROWS, smdone
	MOVW.P 4(LABELS), LABEL

	// M = the row maximum.
	VLD1R (LOGITS), [V1.S4]
	MOVD  LOGITS, PTR
	MOVD  N, LEFT

smmax4:
	CMP    $4, LEFT
	BLT    smmax1
	VLD1.P 16(PTR), [V0.S4]
	FMAX4S(0, 1, 1)
	SUB    $4, LEFT
	B      smmax4

smmax1:
	FMAXV4S(1, 1)

smmax1loop:
	CBZ     LEFT, smcorrect
	FMOVS.P 4(PTR), F0
	FMAXS   F0, F1, F1
	SUB     $1, LEFT
	B       smmax1loop

	// correct: l[t] == M and no logit before t equals M.
smcorrect:
	FMOVS (LOGITS)(LABEL<<2), F2
	FCMPS F1, F2
	BNE   smoffs
	MOVD  LOGITS, PTR
	MOVD  LABEL, LEFT

smscan:
	CBZ     LEFT, smiscorrect
	FMOVS.P 4(PTR), F0
	FCMPS   F1, F0
	BEQ     smoffs
	SUB     $1, LEFT
	B       smscan

smiscorrect:
	ADD $1, CORRECT

smoffs:
	FSUBS   F1, F2, F2
	FMOVS.P F2, 4(OFFS)

	// e = exp(l − M) into grad, s = Σ e.
	VDUP V1.S[0], V1.S4
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD LOGITS, PTR
	MOVD GRAD, OUT
	MOVD N, LEFT

smexp4:
	CMP    $4, LEFT
	BLT    smexp1
	VLD1.P 16(PTR), [V0.S4]
	FSUB4S(1, 0, 0)
	EXP(0, V0)
	VST1.P [V0.S4], 16(OUT)
	FADD4S(0, 2, 2)
	SUB    $4, LEFT
	B      smexp4

smexp1:
	CBZ     LEFT, smsum
	FMOVS.P 4(PTR), F0
	FSUB4S(1, 0, 0)
	EXP(0, V0)
	FMOVS.P F0, 4(OUT)
	FADDS   F0, F3, F3
	SUB     $1, LEFT
	B       smexp1

smsum:
	FADDP4S(2, 2, 2)
	FADDP4S(2, 2, 2)
	FADDS   F3, F2, F2
	FMOVS.P F2, 4(SUMS)
	FDIVS   F2, F29, F4

	// grad[t] from e[t] before the row is scaled.
	FMOVS (GRAD)(LABEL<<2), F0
	FMULS F4, F0, F0
	FSUBS F29, F0, F0
	FMULS F5, F0, F3
	VDUP  V4.S[0], V4.S4
	MOVD  GRAD, OUT
	MOVD  N, LEFT

smgrad4:
	CMP    $4, LEFT
	BLT    smgrad1
	VLD1   (OUT), [V0.S4]
	FMUL4S(4, 0, 0)
	FMUL4S(5, 0, 0)
	VST1.P [V0.S4], 16(OUT)
	SUB    $4, LEFT
	B      smgrad4

smgrad1:
	CBZ     LEFT, smlabel
	FMOVS   (OUT), F0
	FMUL4S(4, 0, 0)
	FMUL4S(5, 0, 0)
	FMOVS.P F0, 4(OUT)
	SUB     $1, LEFT
	B       smgrad1

smlabel:
	FMOVS F3, (GRAD)(LABEL<<2)
	ADD   NS, GRAD
	ADD   NS, LOGITS
	SUB   $1, ROWS
	B     smrow

smdone:
	MOVD CORRECT, ret+136(FP)
	RET
