//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON kernels. Every routine touches only the bytes of the slices it is
// given: whole vectors while at least four floats remain, then one float
// at a time with FMOVS, which loads lane 0 and zeroes the other three (the
// vector instructions then run on all four lanes; only lane 0 is stored).
// The Go wrappers in kernels_arm64.go check lengths and pick the shapes
// these routines take. The dense kernels' tiles and column sums are in
// gemm_arm64.s.

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

// func neonRoundBF16(dst, src *float32, rows, n, ldd, lds int, swap bool) uint32
// For r < rows and i < n (a multiple of 4, ≥ 4): dst[r·ldd + i] =
// RoundBF16(src[r·lds + i]), with swap the two of each pair (2t, 2t + 1)
// swapped; returns the least of |dst[…]|'s bits − 1, unsigned (zeros
// count for nothing), and 2^32 − 1 (bf16_tiles.go, roundRows).
// Constants: V20 0x7fff, V21 1, V22 0xffff0000, V23 0x7fffffff, V24
// 0x7f800000, V25 0x00400000, V26 0x00800000, V27 0x80000000, V14 all
// ones; V15 the least so far.
TEXT ·neonRoundBF16(SB), NOSPLIT, $0-60
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  rows+16(FP), R2
	MOVD  n+24(FP), R3
	MOVD  ldd+32(FP), R4
	MOVD  lds+40(FP), R5
	MOVBU swap+48(FP), R6
	LSL   $2, R4
	LSL   $2, R5
	MOVW  $0x7fff, R7
	VDUP  R7, V20.S4
	MOVW  $1, R7
	VDUP  R7, V21.S4
	MOVW  $0xffff0000, R7
	VDUP  R7, V22.S4
	MOVW  $0x7fffffff, R7
	VDUP  R7, V23.S4
	MOVW  $0x7f800000, R7
	VDUP  R7, V24.S4
	MOVW  $0x00400000, R7
	VDUP  R7, V25.S4
	MOVW  $0x00800000, R7
	VDUP  R7, V26.S4
	MOVW  $0x80000000, R7
	VDUP  R7, V27.S4
	MOVW  $0xffffffff, R7
	VDUP  R7, V14.S4
	VDUP  R7, V15.S4

rbrow:
	MOVD R0, R8
	MOVD R1, R9
	MOVD R3, R10

rbvec:
	VLD1.P 16(R9), [V0.S4]
	VUSHR  $16, V0.S4, V1.S4
	VAND   V21.B16, V1.B16, V1.B16 // the lowest bit kept
	VADD   V20.S4, V0.S4, V2.S4
	VADD   V1.S4, V2.S4, V2.S4
	VAND   V22.B16, V2.B16, V2.B16 // to nearest, ties to even
	VAND   V23.B16, V0.B16, V3.B16 // |u|
	VSUB   V3.S4, V24.S4, V4.S4    // negative for a NaN
	SSHR4S(31, 4, 4)
	VORR   V25.B16, V0.B16, V5.B16
	VAND   V22.B16, V5.B16, V5.B16 // quieted, the upper payload kept
	VBIT   V4.B16, V5.B16, V2.B16
	VSUB   V26.S4, V3.S4, V4.S4    // negative for a zero or denormal
	SSHR4S(31, 4, 4)
	VAND   V27.B16, V0.B16, V5.B16 // a zero of its sign
	VBIT   V4.B16, V5.B16, V2.B16
	CBZ    R6, rbstore
	VREV64 V2.S4, V2.S4            // the two of each pair swapped

rbstore:
	VST1.P [V2.S4], 16(R8)
	VAND   V23.B16, V2.B16, V3.B16
	VADD   V14.S4, V3.S4, V3.S4
	VUMIN  V3.S4, V15.S4, V15.S4
	SUBS   $4, R10
	BNE    rbvec
	ADD    R4, R0
	ADD    R5, R1
	SUBS   $1, R2
	BNE    rbrow

	VMOV  V15.S[0], R7
	VMOV  V15.S[1], R8
	CMPW  R8, R7
	CSELW LS, R7, R8, R7
	VMOV  V15.S[2], R8
	CMPW  R8, R7
	CSELW LS, R7, R8, R7
	VMOV  V15.S[3], R8
	CMPW  R8, R7
	CSELW LS, R7, R8, R7
	MOVW  R7, ret+56(FP)
	RET

// func fpcr() uint64
TEXT ·fpcr(SB), NOSPLIT, $0-8
	MRS  FPCR, R0
	MOVD R0, ret+0(FP)
	RET
