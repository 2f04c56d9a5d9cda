//go:build !purego

// AVX2+FMA3 kernels. Go operand order is the reverse of Intel's: Intel
// vfmadd231ps ymm3, ymm0, ymm1 (ymm3 += ymm0·ymm1) is VFMADD231PS Y1, Y0, Y3.
// Tails never touch memory outside a slice: partial vectors go through
// VMASKMOVPS with a mask of the live lanes. The dense kernels' tiles are
// in gemm_avx2_amd64.s. Every routine ends VZEROUPPER.

#include "textflag.h"

// VEC8 defines sym as 8 copies of the 32-bit value v: a 256-bit memory
// operand.
#define VEC8(sym, v) \
	DATA sym+0(SB)/4, v; DATA sym+4(SB)/4, v; DATA sym+8(SB)/4, v; DATA sym+12(SB)/4, v; \
	DATA sym+16(SB)/4, v; DATA sym+20(SB)/4, v; DATA sym+24(SB)/4, v; DATA sym+28(SB)/4, v; \
	GLOBL sym(SB), RODATA|NOPTR, $32

// avx2MaskTab: 8 words of all ones, then 8 of zeros. The 8 words starting
// at word 8−t set exactly lanes 0..t−1.
DATA avx2MaskTab<>+0(SB)/8, $-1
DATA avx2MaskTab<>+8(SB)/8, $-1
DATA avx2MaskTab<>+16(SB)/8, $-1
DATA avx2MaskTab<>+24(SB)/8, $-1
DATA avx2MaskTab<>+32(SB)/8, $0
DATA avx2MaskTab<>+40(SB)/8, $0
DATA avx2MaskTab<>+48(SB)/8, $0
DATA avx2MaskTab<>+56(SB)/8, $0
GLOBL avx2MaskTab<>(SB), RODATA|NOPTR, $64

// MASK_LANES sets dst to a mask of lanes 0..cnt−1, 0 ≤ cnt ≤ 8. cnt is
// negated; tmp is clobbered.
#define MASK_LANES(cnt, tmp, dst) \
	LEAQ avx2MaskTab<>+32(SB), tmp; \
	NEGQ cnt; \
	VMOVDQU (tmp)(cnt*4), dst

// ---------------------------------------------------------------------
// Element-wise kernels
// ---------------------------------------------------------------------

#define IDX CX // byte offset of the current element in every slice
#define LEFT DX // elements left

#define LDF(addr, dst) VMOVUPS addr, dst
#define STF(src, addr) VMOVUPS src, addr
#define LDM(addr, dst) VMASKMOVPS addr, Y14, dst
#define STM(src, addr) VMASKMOVPS src, Y14, addr

// STREAM runs V(byte offset, load, store, r, s, t) over LEFT elements:
// 32 at a time (4 vectors, registers Y0–Y11), then 8, then a masked tail
// with the mask in Y14. Y12, Y13 and Y15 are free for constants. It
// returns from the routine; the L arguments are its labels.
#define STREAM(V, L32, L8, LTAIL, LDONE) \
L32: \
	CMPQ LEFT, $32; \
	JLT  L8; \
	V(0, LDF, STF, Y0, Y4, Y8); \
	V(32, LDF, STF, Y1, Y5, Y9); \
	V(64, LDF, STF, Y2, Y6, Y10); \
	V(96, LDF, STF, Y3, Y7, Y11); \
	ADDQ $128, IDX; \
	SUBQ $32, LEFT; \
	JMP  L32; \
L8: \
	CMPQ LEFT, $8; \
	JLT  LTAIL; \
	V(0, LDF, STF, Y0, Y4, Y8); \
	ADDQ $32, IDX; \
	SUBQ $8, LEFT; \
	JMP  L8; \
LTAIL: \
	TESTQ LEFT, LEFT; \
	JZ   LDONE; \
	MASK_LANES(LEFT, AX, Y14); \
	V(0, LDM, STM, Y0, Y4, Y8); \
LDONE: \
	VZEROUPPER; \
	RET

// RELU_V: x = max(0, x), Y15 = 0.
#define RELU_V(off, LD, ST, r, s, t) \
	LD(off(DI)(IDX*1), r); \
	VMAXPS r, Y15, r; \
	ST(r, off(DI)(IDX*1))

// func avx2ReLU(x []float32)
//
// x[i] = max(0, x[i]) with 0 as VMAXPS's first operand, so that NaN and
// -0 (for which it returns the second) pass through.
TEXT ·avx2ReLU(SB), NOSPLIT, $0-24
	MOVQ   x_base+0(FP), DI
	MOVQ   x_len+8(FP), LEFT
	XORQ   IDX, IDX
	VXORPS Y15, Y15, Y15
	STREAM(RELU_V, relu32, relu8, relutail, reludone)

// RELU_BACK_V: dy &^= (0 ≥ y), Y15 = 0. The ordered compare is false
// for a NaN y, which keeps its gradient.
#define RELU_BACK_V(off, LD, ST, r, s, t) \
	LD(off(SI)(IDX*1), s); \
	VCMPPS  $0x1d, s, Y15, s; \
	LD(off(DI)(IDX*1), r); \
	VANDNPS r, s, r; \
	ST(r, off(DI)(IDX*1))

// func avx2ReLUBackward(dy, y []float32)
//
// dy[i] = 0 where y[i] ≤ 0: compare 0 ≥ y (GE_OQ) and clear those lanes.
TEXT ·avx2ReLUBackward(SB), NOSPLIT, $0-48
	MOVQ   dy_base+0(FP), DI
	MOVQ   dy_len+8(FP), LEFT
	MOVQ   y_base+24(FP), SI
	XORQ   IDX, IDX
	VXORPS Y15, Y15, Y15
	STREAM(RELU_BACK_V, reluback32, reluback8, relubacktail, relubackdone)

// SGD_V: w = w − lr·g rounded once (the fused multiply-add), lr in Y15.
#define SGD_V(off, LD, ST, r, s, t) \
	LD(off(DI)(IDX*1), r); \
	LD(off(SI)(IDX*1), s); \
	VFNMADD231PS s, Y15, r; \
	ST(r, off(DI)(IDX*1))

// func avx2SGD(w, g []float32, lr float32)
//
// w[i] −= lr·g[i] as one fused negative multiply-add.
TEXT ·avx2SGD(SB), NOSPLIT, $0-52
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), LEFT
	MOVQ         g_base+24(FP), SI
	XORQ         IDX, IDX
	VBROADCASTSS lr+48(FP), Y15
	STREAM(SGD_V, sgd32, sgd8, sgdtail, sgddone)

// MOMENTUM_V: v = mu·v − lr·g; w += v. lr in Y15, mu in Y13.
#define MOMENTUM_V(off, LD, ST, r, s, t) \
	LD(off(R8)(IDX*1), s); \
	VMULPS s, Y15, s; \
	LD(off(SI)(IDX*1), r); \
	VFMSUB213PS s, Y13, r; \
	ST(r, off(SI)(IDX*1)); \
	LD(off(DI)(IDX*1), t); \
	VADDPS r, t, t; \
	ST(t, off(DI)(IDX*1))

// func avx2SGDMomentum(w, v, g []float32, lr, mu float32)
//
// t = lr·g; v = mu·v − t (one fused multiply-subtract); w += v.
TEXT ·avx2SGDMomentum(SB), NOSPLIT, $0-80
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), LEFT
	MOVQ         v_base+24(FP), SI
	MOVQ         g_base+48(FP), R8
	XORQ         IDX, IDX
	VBROADCASTSS lr+72(FP), Y15
	VBROADCASTSS mu+76(FP), Y13
	STREAM(MOMENTUM_V, momentum32, momentum8, momentumtail, momentumdone)

// STREAM1 streams one vector at a time, on Y0–Y4, then the masked tail
// (mask in Y14): STREAM2's last part, and on its own for kernels whose
// constants take Y5–Y13 and Y15.
#define STREAM1(V, L8, LTAIL, LDONE) \
L8: \
	CMPQ LEFT, $8; \
	JLT  LTAIL; \
	V(0, LDF, STF, Y0, Y1, Y2, Y3, Y4); \
	ADDQ $32, IDX; \
	SUBQ $8, LEFT; \
	JMP  L8; \
LTAIL: \
	TESTQ LEFT, LEFT; \
	JZ   LDONE; \
	MASK_LANES(LEFT, AX, Y14); \
	V(0, LDM, STM, Y0, Y1, Y2, Y3, Y4); \
LDONE: \
	VZEROUPPER; \
	RET

// STREAM2 is STREAM for kernels that need five registers a vector and
// more constants: V(byte offset, load, store, five registers) runs 16
// elements at a time on Y0–Y4 and Y5–Y9, then 8, then a masked tail with
// the mask in Y14. Y10–Y13 and Y15 are free for constants.
#define STREAM2(V, L16, L8, LTAIL, LDONE) \
L16: \
	CMPQ LEFT, $16; \
	JLT  L8; \
	V(0, LDF, STF, Y0, Y1, Y2, Y3, Y4); \
	V(32, LDF, STF, Y5, Y6, Y7, Y8, Y9); \
	ADDQ $64, IDX; \
	SUBQ $16, LEFT; \
	JMP  L16; \
	STREAM1(V, L8, LTAIL, LDONE)

// WD_MASK sets each lane of dst to all ones where src is not 0 (NaN
// included: NEQ_UQ), else 0; zero is clobbered.
#define WD_MASK(src, zero, dst) \
	VXORPS zero, zero, zero; \
	VCMPPS $4, zero, src, dst

// SGD_TORCH_V: g' = wd·w + g (fused) where Y12 (wd ≠ 0), b = b·mu + g'
// (two roundings), u = mu·b + g' (fused) where Y10 (nesterov) else b,
// w = w − lr·u (fused). lr Y15, mu Y13, wd Y11; t is scratch.
#define SGD_TORCH_V(off, LD, ST, w, b, g, t, _) \
	LD(off(R8)(IDX*1), g); \
	LD(off(DI)(IDX*1), w); \
	VMOVAPS      g, t; \
	VFMADD231PS  w, Y11, t; \
	VBLENDVPS    Y12, t, g, g; \
	LD(off(SI)(IDX*1), b); \
	VMULPS       Y13, b, b; \
	VADDPS       g, b, b; \
	ST(b, off(SI)(IDX*1)); \
	VMOVAPS      b, t; \
	VFMADD213PS  g, Y13, t; \
	VBLENDVPS    Y10, t, b, t; \
	VFNMADD231PS t, Y15, w; \
	ST(w, off(DI)(IDX*1))

// func avx2SGDTorch(w, b, g []float32, lr, mu, wd float32, nesterov bool)
//
// torch.optim.SGD's step (dampening 0) as sgdTorchGeneric: the weight
// decay and the Nesterov term are computed always and kept or dropped by
// VBLENDVPS with a mask set once (Y12, Y10), so one loop serves every
// case.
TEXT ·avx2SGDTorch(SB), NOSPLIT, $0-85
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), LEFT
	MOVQ         b_base+24(FP), SI
	MOVQ         g_base+48(FP), R8
	XORQ         IDX, IDX
	VBROADCASTSS lr+72(FP), Y15
	VBROADCASTSS mu+76(FP), Y13
	VBROADCASTSS wd+80(FP), Y11
	WD_MASK(Y11, Y0, Y12)
	MOVBLZX      nesterov+84(FP), AX
	NEGL         AX
	MOVL         AX, X10
	VPBROADCASTD X10, Y10
	STREAM2(SGD_TORCH_V, sgdt16, sgdt8, sgdttail, sgdtdone)

// ADAM_V: g' = wd·w + g (fused) where Y6 (wd ≠ 0); w = w·decay;
// m = c1·g' + m·b1; v = (c2·g')·g' + v·b2 (each sum fused with the
// product before it); w += (ns·m) / (√v / s2 + eps). Constants: wd Y5,
// decay Y7, b1 Y8, c1 Y9, b2 Y10, c2 Y11, s2 Y12, eps Y13, ns Y15.
#define ADAM_V(off, LD, ST, w, m, v, g, t) \
	LD(off(R9)(IDX*1), g); \
	LD(off(DI)(IDX*1), w); \
	VMOVAPS     g, t; \
	VFMADD231PS w, Y5, t; \
	VBLENDVPS   Y6, t, g, g; \
	VMULPS      Y7, w, w; \
	LD(off(SI)(IDX*1), m); \
	VMULPS      Y8, m, m; \
	VFMADD231PS g, Y9, m; \
	ST(m, off(SI)(IDX*1)); \
	LD(off(R8)(IDX*1), v); \
	VMULPS      Y10, v, v; \
	VMULPS      Y11, g, t; \
	VFMADD231PS g, t, v; \
	ST(v, off(R8)(IDX*1)); \
	VSQRTPS     v, t; \
	VDIVPS      Y12, t, t; \
	VADDPS      Y13, t, t; \
	VMULPS      Y15, m, m; \
	VDIVPS      t, m, m; \
	VADDPS      m, w, w; \
	ST(w, off(DI)(IDX*1))

// func avx2Adam(w, m, v, g []float32, wd, decay, b1, c1, b2, c2, s2, eps, ns float32)
//
// One Adam or AdamW step as adamGeneric, eight floats at a time: nine
// constants and the weight-decay mask leave five registers, one vector's
// worth. VSQRTPS and VDIVPS round correctly, so the result is the
// reference's bit for bit.
TEXT ·avx2Adam(SB), NOSPLIT, $0-132
	MOVQ         w_base+0(FP), DI
	MOVQ         w_len+8(FP), LEFT
	MOVQ         m_base+24(FP), SI
	MOVQ         v_base+48(FP), R8
	MOVQ         g_base+72(FP), R9
	XORQ         IDX, IDX
	VBROADCASTSS wd+96(FP), Y5
	WD_MASK(Y5, Y0, Y6)
	VBROADCASTSS decay+100(FP), Y7
	VBROADCASTSS b1+104(FP), Y8
	VBROADCASTSS c1+108(FP), Y9
	VBROADCASTSS b2+112(FP), Y10
	VBROADCASTSS c2+116(FP), Y11
	VBROADCASTSS s2+120(FP), Y12
	VBROADCASTSS eps+124(FP), Y13
	VBROADCASTSS ns+128(FP), Y15
	STREAM1(ADAM_V, adam8, adamtail, adamdone)

// ---------------------------------------------------------------------
// exp and softmax cross-entropy
// ---------------------------------------------------------------------

VEC8(avx2ExpMin<>, $0xc2d00000)   // -104: e^x rounds to 0 below
VEC8(avx2ExpMax<>, $0x42b20000)   // 89: e^x overflows above
VEC8(avx2ExpLog2e<>, $0x3fb8aa3b) // log2(e)
VEC8(avx2ExpLn2Hi<>, $0x3f317218) // float32(ln 2)
VEC8(avx2ExpLn2Lo<>, $0xb102e308) // ln 2 − float32(ln 2)
VEC8(avx2ExpC7<>, $0x39500d01)    // 1/7!
VEC8(avx2ExpC6<>, $0x3ab60b61)    // 1/6!
VEC8(avx2ExpC5<>, $0x3c088889)    // 1/5!
VEC8(avx2ExpC4<>, $0x3d2aaaab)    // 1/4!
VEC8(avx2ExpC3<>, $0x3e2aaaab)    // 1/3!
VEC8(avx2ExpC2<>, $0x3f000000)    // 1/2
VEC8(avx2One<>, $0x3f800000)      // 1.0
VEC8(avx2Bias<>, $127)            // float32 exponent bias (int32 lanes)
VEC8(avx2Eight<>, $8)             // int32 lanes
VEC8(avx2NegInf<>, $0xff800000)   // -Inf

DATA avx2Iota<>+0(SB)/4, $0
DATA avx2Iota<>+4(SB)/4, $1
DATA avx2Iota<>+8(SB)/4, $2
DATA avx2Iota<>+12(SB)/4, $3
DATA avx2Iota<>+16(SB)/4, $4
DATA avx2Iota<>+20(SB)/4, $5
DATA avx2Iota<>+24(SB)/4, $6
DATA avx2Iota<>+28(SB)/4, $7
GLOBL avx2Iota<>(SB), RODATA|NOPTR, $32

// EXP sets out = e^in in 8 lanes; in and t are clobbered.
// in is clamped to [-104, 89] with the bound as VMAXPS/VMINPS's first
// operand, so NaN passes; n = round(in·log2 e); r = in − n·ln 2 with ln 2
// in two parts, each subtracted by one FMA, so |r| ≤ ln2/2 almost
// exactly; p = Σ_{i≤7} r^i/i! by Horner (truncation < 0.1 ulp); the
// result p·2^n is formed as (p·2^⌊n/2⌋)·2^(n−⌊n/2⌋) so that n from −150 to
// 129 needs no special case: the first product is exact, the second
// rounds once, to a denormal, 0 or +Inf where the true result does.
#define EXP(in, out, t) \
	VMOVUPS      avx2ExpMin<>(SB), t; \
	VMAXPS       in, t, in; \
	VMOVUPS      avx2ExpMax<>(SB), t; \
	VMINPS       in, t, in; \
	VMULPS       avx2ExpLog2e<>(SB), in, out; \
	VROUNDPS     $0, out, out; \
	VFNMADD231PS avx2ExpLn2Hi<>(SB), out, in; \
	VFNMADD231PS avx2ExpLn2Lo<>(SB), out, in; \
	VCVTTPS2DQ   out, out; \
	VMOVUPS      avx2ExpC7<>(SB), t; \
	VFMADD213PS  avx2ExpC6<>(SB), in, t; \
	VFMADD213PS  avx2ExpC5<>(SB), in, t; \
	VFMADD213PS  avx2ExpC4<>(SB), in, t; \
	VFMADD213PS  avx2ExpC3<>(SB), in, t; \
	VFMADD213PS  avx2ExpC2<>(SB), in, t; \
	VFMADD213PS  avx2One<>(SB), in, t; \
	VFMADD213PS  avx2One<>(SB), in, t; \
	VPSRAD       $1, out, in; \
	VPSUBD       in, out, out; \
	VPADDD       avx2Bias<>(SB), in, in; \
	VPSLLD       $23, in, in; \
	VPADDD       avx2Bias<>(SB), out, out; \
	VPSLLD       $23, out, out; \
	VMULPS       in, t, t; \
	VMULPS       t, out, out

// EXP_V: dst = e^src.
#define EXP_V(off, LD, ST, r, s, t) \
	LD(off(SI)(IDX*1), r); \
	EXP(r, s, t); \
	ST(s, off(DI)(IDX*1))

// func avx2Exp(dst, src []float32)
//
// dst[i] = e^src[i] with EXP: a test hook for the exp of softmax.
TEXT ·avx2Exp(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), LEFT
	MOVQ src_base+24(FP), SI
	XORQ IDX, IDX
	STREAM(EXP_V, expv32, expv8, expvtail, expvdone)

// float64 constants of the scalar log.
DATA avx2Log<>+0(SB)/8, $0x3ff0000000000000  // 1
DATA avx2Log<>+8(SB)/8, $0x3fd5555555555555  // 1/3
DATA avx2Log<>+16(SB)/8, $0x3fc999999999999a // 1/5
DATA avx2Log<>+24(SB)/8, $0x3fc2492492492492 // 1/7
DATA avx2Log<>+32(SB)/8, $0x3fbc71c71c71c71c // 1/9
DATA avx2Log<>+40(SB)/8, $0x3fb745d1745d1746 // 1/11
DATA avx2Log<>+48(SB)/8, $0x3fe62e42fefa39ef // ln 2
GLOBL avx2Log<>(SB), RODATA|NOPTR, $56

// Registers of avx2SoftmaxXent.
#define G_ROW   DI  // grad row
#define L_ROW   SI  // logits row
#define LABELS  R8  // current label
#define ROWS    DX  // rows left
#define NCLS    BX  // n
#define NFULL   R10 // n rounded down to a multiple of 8
#define LABEL   R9  // t
#define J       CX  // column index
#define CORRECT R11
#define Y_TAIL  Y12 // lanes 0..n%8−1
#define X_TOTAL X13 // Σ row losses
#define Y_LT    Y11 // logit of the label, every lane
#define Y_T     Y10 // t, every lane (int32)
#define Y_IDX   Y9  // column of each lane (int32)
#define Y_OK    Y8  // lanes where the label's logit beats the column
#define Y_MAX   Y7
#define Y_SUM   Y6
#define X_T     X10
#define X_LT    X11
#define X_MAX   X7
#define X_SUM   X6

// MAX_OK folds the 8 logits in v into Y_MAX and Y_OK: a lane is ok when
// its column is before t and l[t] > v, or not before t and l[t] ≥ v
// (ordered compares: a NaN on either side is not ok).
#define MAX_OK(v) \
	VMAXPS    v, Y_MAX, Y_MAX; \
	VCMPPS    $1, Y_LT, v, Y1; \
	VCMPPS    $2, Y_LT, v, Y2; \
	VPCMPGTD  Y_IDX, Y_T, Y3; \
	VBLENDVPS Y3, Y1, Y2, Y1; \
	VANDPS    Y1, Y_OK, Y_OK; \
	VPADDD    avx2Eight<>(SB), Y_IDX, Y_IDX

// EXP_SUM: e = exp(v − max) into grad at column J and Y_SUM.
#define EXP_SUM(v) \
	VSUBPS Y_MAX, v, v; \
	EXP(v, Y1, Y2); \
	VADDPS Y1, Y_SUM, Y_SUM

// GRAD: v = (v·inv − [column = t])·scale with inv in Y4, scale in Y5.
#define GRAD(v) \
	VMULPS   Y4, v, v; \
	VPCMPEQD Y_IDX, Y_T, Y1; \
	VANDPS   avx2One<>(SB), Y1, Y1; \
	VSUBPS   Y1, v, v; \
	VMULPS   Y5, v, v; \
	VPADDD   avx2Eight<>(SB), Y_IDX, Y_IDX

// HREDUCE folds the 8 lanes of y into lane 0 of x0 with OP.
#define HREDUCE(OP, y, x, x0, x1) \
	VEXTRACTF128 $1, y, x0; \
	OP           x0, x, x0; \
	VPERMILPS    $0x4e, x0, x1; \
	OP           x1, x0, x0; \
	VPERMILPS    $0xb1, x0, x1; \
	OP           x1, x0, x0

// int64 lanes of the vector log: 1023, the mantissa's bits, 1.0's bits,
// √2's bits (f > √2 compared as integers: both positive), 2^52 (one in
// the exponent field); and VPERMD's index of the low dword of each lane.
#define VEC4Q(sym, v) \
	DATA sym+0(SB)/8, v; DATA sym+8(SB)/8, v; DATA sym+16(SB)/8, v; DATA sym+24(SB)/8, v; \
	GLOBL sym(SB), RODATA|NOPTR, $32
VEC4Q(avx2LogBias<>, $1023)
VEC4Q(avx2LogMant<>, $0x000fffffffffffff)
VEC4Q(avx2LogOne<>, $0x3ff0000000000000)
VEC4Q(avx2LogSqrt2<>, $0x3ff6a09e667f3bcd)
VEC4Q(avx2LogUnit<>, $0x0010000000000000)
DATA avx2LogLow<>+0(SB)/4, $0
DATA avx2LogLow<>+4(SB)/4, $2
DATA avx2LogLow<>+8(SB)/4, $4
DATA avx2LogLow<>+12(SB)/4, $6
DATA avx2LogLow<>+16(SB)/4, $0
DATA avx2LogLow<>+20(SB)/4, $0
DATA avx2LogLow<>+24(SB)/4, $0
DATA avx2LogLow<>+28(SB)/4, $0
GLOBL avx2LogLow<>(SB), RODATA|NOPTR, $32

// The frame of avx2SoftmaxXent: per row of a group of up to 8, its sum
// s, its l[t] − max, then its loss and, once the losses are added, 1/s;
// and the group's first grad row and label.
#define F_SUM 0
#define F_LT 32
#define F_OUT 64
#define F_GRAD 96
#define F_LABELS 104
#define GROWS R14 // rows in the group
#define GR R15    // row of the group
#define TAILN R13 // n % 8

// TAIL_STORE(y, x, l2, l1, l0) stores the first n % 8 (≥ 1) lanes of y
// (x its low half) at AX, 4, 2 and 1 at a time, rather than through
// VMASKMOVPS, whose store is microcoded on AMD cores; l2, l1 and l0 name
// its labels. y is clobbered.
#define TAIL_STORE(y, x, l2, l1, l0) \
	TESTQ $4, TAILN; JZ l2; \
	VMOVUPS x, (AX); VEXTRACTF128 $1, y, x; ADDQ $16, AX; \
l2: \
	TESTQ $2, TAILN; JZ l1; \
	VMOVQ x, (AX); VPSRLDQ $8, x, x; ADDQ $8, AX; \
l1: \
	TESTQ $1, TAILN; JZ l0; \
	VMOVSS x, (AX); \
l0:

// LOG4(lane) sets the losses of rows lane…lane+3 of the group, F_OUT,
// from their s and l[t] − max: log(s), s ≥ 1, with s = 2^e·f, f in [√½,
// √2); t = (f−1)/(f+1); log f = 2t·Σ_{i≤5} t^{2i}/(2i+1) (|t| ≤ 0.172:
// truncation < 1e-10), in float64 lanes; log s = e·ln 2 + log f, rounded
// to float32; a NaN s adds (s − s) = NaN; the loss is log(s) − (l[t] −
// max). Each lane takes the operations, in the order, of a scalar log.
#define LOG4(lane) \
	VCVTPS2PD    (F_SUM+4*lane)(SP), Y0; \
	VPSRLQ       $52, Y0, Y1; \
	VPSUBQ       avx2LogBias<>(SB), Y1, Y1; \
	VPAND        avx2LogMant<>(SB), Y0, Y2; \
	VPOR         avx2LogOne<>(SB), Y2, Y2; \
	VPCMPGTQ     avx2LogSqrt2<>(SB), Y2, Y3; \
	VPSUBQ       Y3, Y1, Y1; \
	VPAND        avx2LogUnit<>(SB), Y3, Y3; \
	VPSUBQ       Y3, Y2, Y2; \
	VMOVDQU      avx2LogLow<>(SB), Y4; \
	VPERMD       Y1, Y4, Y1; \
	VCVTDQ2PD    X1, Y1; \
	VSUBPD       avx2LogOne<>(SB), Y2, Y3; \
	VADDPD       avx2LogOne<>(SB), Y2, Y2; \
	VDIVPD       Y2, Y3, Y3; \
	VMULPD       Y3, Y3, Y2; \
	VBROADCASTSD avx2Log<>+40(SB), Y4; \
	VBROADCASTSD avx2Log<>+32(SB), Y5; \
	VFMADD213PD  Y5, Y2, Y4; \
	VBROADCASTSD avx2Log<>+24(SB), Y5; \
	VFMADD213PD  Y5, Y2, Y4; \
	VBROADCASTSD avx2Log<>+16(SB), Y5; \
	VFMADD213PD  Y5, Y2, Y4; \
	VBROADCASTSD avx2Log<>+8(SB), Y5; \
	VFMADD213PD  Y5, Y2, Y4; \
	VBROADCASTSD avx2Log<>+0(SB), Y5; \
	VFMADD213PD  Y5, Y2, Y4; \
	VMULPD       Y3, Y4, Y4; \
	VADDPD       Y4, Y4, Y4; \
	VBROADCASTSD avx2Log<>+48(SB), Y5; \
	VFMADD231PD  Y5, Y1, Y4; \
	VCVTPD2PSY   Y4, X4; \
	VMOVUPS      (F_SUM+4*lane)(SP), X5; \
	VSUBPS       X5, X5, X5; \
	VADDPS       X5, X4, X4; \
	VSUBPS       (F_LT+4*lane)(SP), X4, X4; \
	VMOVUPS      X4, (F_OUT+4*lane)(SP)

// func avx2SoftmaxXent(grad, logits []float32, labels []int32, m, n int, scale float32) (loss float32, correct int)
//
// The rows go in groups of up to 8 (n ≥ 1, m ≥ 1). Per row, all in
// registers but for the row itself: pass 1 reads the logits 8 at a time
// (a masked tail filled with -Inf) into the maximum and the first-arg-max
// test of the label; pass 2 writes e = exp(l − max) to grad and sums it
// into s. Then, for the group at once, the rows' losses log(s) − (l[t] −
// max) (LOG4) and 1/s, the losses added to the total in order of rows;
// and per row pass 3 rewrites grad as (e·(1/s) − onehot)·scale. l[t] is
// read before grad (which may alias logits) is written. A row's values
// are those of one row at a time (the log in float64 lanes, as a scalar
// log would take them): the group only lets the rows' chains of
// dependent operations overlap (a row at a time took about 185 cycles a
// row of 10 on Zen 3).
TEXT ·avx2SoftmaxXent(SB), NOSPLIT, $112-112
	MOVQ   grad_base+0(FP), G_ROW
	MOVQ   logits_base+24(FP), L_ROW
	MOVQ   labels_base+48(FP), LABELS
	MOVQ   m+72(FP), ROWS
	MOVQ   n+80(FP), NCLS
	XORQ   CORRECT, CORRECT
	VXORPS X_TOTAL, X_TOTAL, X_TOTAL
	MOVQ   NCLS, J
	ANDQ   $7, J
	MASK_LANES(J, AX, Y_TAIL)
	MOVQ   NCLS, NFULL
	ANDQ   $-8, NFULL
	MOVQ   NCLS, TAILN
	ANDQ   $7, TAILN

group:
	MOVQ ROWS, GROWS
	CMPQ GROWS, $8
	JLE  groupset
	MOVQ $8, GROWS

groupset:
	MOVQ G_ROW, F_GRAD(SP)
	MOVQ LABELS, F_LABELS(SP)
	XORQ GR, GR

row:
	MOVLQSX      (LABELS), LABEL
	VBROADCASTSS (L_ROW)(LABEL*4), Y_LT
	VMOVQ        LABEL, X_T
	VPBROADCASTD X_T, Y_T
	VMOVDQU      avx2Iota<>(SB), Y_IDX
	VPCMPEQD     Y_OK, Y_OK, Y_OK
	VMOVUPS      avx2NegInf<>(SB), Y_MAX
	XORQ         J, J

max8:
	CMPQ    J, NFULL
	JGE     maxtail
	VMOVUPS (L_ROW)(J*4), Y0
	MAX_OK(Y0)
	ADDQ    $8, J
	JMP     max8

maxtail:
	CMPQ       J, NCLS
	JGE        maxdone
	VMASKMOVPS (L_ROW)(J*4), Y_TAIL, Y0
	VMOVUPS    avx2NegInf<>(SB), Y1
	VBLENDVPS  Y_TAIL, Y0, Y1, Y0
	MAX_OK(Y0)

maxdone:
	VMOVMSKPS Y_OK, AX
	XORL      R12, R12
	CMPL      AX, $0xff
	SETEQ     R12B
	ADDQ      R12, CORRECT
	HREDUCE(VMAXPS, Y_MAX, X_MAX, X0, X1)
	VBROADCASTSS X0, Y_MAX

	VXORPS Y_SUM, Y_SUM, Y_SUM
	XORQ   J, J

exp8:
	CMPQ    J, NFULL
	JGE     exptail
	VMOVUPS (L_ROW)(J*4), Y0
	EXP_SUM(Y0)
	VMOVUPS Y1, (G_ROW)(J*4)
	ADDQ    $8, J
	JMP     exp8

exptail:
	CMPQ       J, NCLS
	JGE        expdone
	VMASKMOVPS (L_ROW)(J*4), Y_TAIL, Y0
	VSUBPS     Y_MAX, Y0, Y0
	EXP(Y0, Y1, Y2)
	VANDPS     Y_TAIL, Y1, Y1
	VADDPS     Y1, Y_SUM, Y_SUM
	LEAQ       (G_ROW)(J*4), AX
	TAIL_STORE(Y1, X1, expt2, expt1, expt0)

expdone:
	HREDUCE(VADDPS, Y_SUM, X_SUM, X0, X1)
	VMOVSS X0, F_SUM(SP)(GR*4)
	VSUBSS X_MAX, X_LT, X2
	VMOVSS X2, F_LT(SP)(GR*4)
	LEAQ   (L_ROW)(NCLS*4), L_ROW
	LEAQ   (G_ROW)(NCLS*4), G_ROW
	ADDQ   $4, LABELS
	INCQ   GR
	CMPQ   GR, GROWS
	JLT    row

	// The group's losses, added in order of rows (lanes past the group's
	// rows hold an earlier group's values or none: never added), then 1/s.
	LOG4(0)
	LOG4(4)
	XORQ GR, GR

addloss:
	VADDSS F_OUT(SP)(GR*4), X_TOTAL, X_TOTAL
	INCQ   GR
	CMPQ   GR, GROWS
	JLT    addloss
	VMOVUPS avx2One<>(SB), Y0
	VDIVPS  F_SUM(SP), Y0, Y0
	VMOVUPS Y0, F_OUT(SP)

	MOVQ         F_GRAD(SP), G_ROW
	MOVQ         F_LABELS(SP), LABELS
	VBROADCASTSS scale+88(FP), Y5
	XORQ         GR, GR

gradrow:
	MOVLQSX      (LABELS), LABEL
	VMOVQ        LABEL, X_T
	VPBROADCASTD X_T, Y_T
	VBROADCASTSS F_OUT(SP)(GR*4), Y4
	VMOVDQU      avx2Iota<>(SB), Y_IDX
	XORQ         J, J

grad8:
	CMPQ    J, NFULL
	JGE     gradtail
	VMOVUPS (G_ROW)(J*4), Y0
	GRAD(Y0)
	VMOVUPS Y0, (G_ROW)(J*4)
	ADDQ    $8, J
	JMP     grad8

gradtail:
	CMPQ       J, NCLS
	JGE        nextrow
	VMASKMOVPS (G_ROW)(J*4), Y_TAIL, Y0
	GRAD(Y0)
	LEAQ       (G_ROW)(J*4), AX
	TAIL_STORE(Y0, X0, gradt2, gradt1, gradt0)

nextrow:
	LEAQ (G_ROW)(NCLS*4), G_ROW
	ADDQ $4, LABELS
	INCQ GR
	CMPQ GR, GROWS
	JLT  gradrow
	SUBQ GROWS, ROWS
	JNZ  group

	VMULSS scale+88(FP), X_TOTAL, X_TOTAL
	VMOVSS X_TOTAL, loss+96(FP)
	MOVQ   CORRECT, correct+104(FP)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------
// The matrix–vector forms of DenseForward (gemv.go has the contract;
// gemv_avx512_amd64.s the same routines on ZMM registers)
// ---------------------------------------------------------------------

#define GV_Y DI
#define GV_X SI
#define GV_W DX
#define GV_LEFT CX // columns (vecMat) or steps (rowDots) left in the row
#define GV_ROWS R8 // rows of w (vecMat) or of x (rowDots) left
#define GV_N R9
#define GV_LD R10  // bytes between rows of w (vecMat) or of x (rowDots)
#define GV_R0 R11  // row r of w
#define GV_R2 R12  // row r + 2
#define GV_R4 R14
#define GV_R6 R15
#define GV_YC R13  // y at the column

// GV_FMA4(off, y): y += the four rows' x (Y8…Y11) times their w at off
// bytes past GV_R0 (rows r, r+1) and GV_R2 (r+2, r+3); GV_FMA8 the same
// for eight rows (Y8…Y15), the last four at GV_R4 and GV_R6.
#define GV_FMA4(off, y) \
	VFMADD231PS off(GV_R0), Y8, y; VFMADD231PS off(GV_R0)(GV_LD*1), Y9, y; \
	VFMADD231PS off(GV_R2), Y10, y; VFMADD231PS off(GV_R2)(GV_LD*1), Y11, y
#define GV_FMA8(off, y) \
	GV_FMA4(off, y); \
	VFMADD231PS off(GV_R4), Y12, y; VFMADD231PS off(GV_R4)(GV_LD*1), Y13, y; \
	VFMADD231PS off(GV_R6), Y14, y; VFMADD231PS off(GV_R6)(GV_LD*1), Y15, y

// GV_FMAM(addr, x): the same for one row of the last partial 8 columns,
// its w read through the mask Y4 into Y5.
#define GV_FMAM(addr, x) VMASKMOVPS addr, Y4, Y5; VFMADD231PS Y5, x, Y0
#define GV_FMA4M \
	GV_FMAM((GV_R0), Y8); GV_FMAM((GV_R0)(GV_LD*1), Y9); \
	GV_FMAM((GV_R2), Y10); GV_FMAM((GV_R2)(GV_LD*1), Y11)
#define GV_FMA8M \
	GV_FMA4M; \
	GV_FMAM((GV_R4), Y12); GV_FMAM((GV_R4)(GV_LD*1), Y13); \
	GV_FMAM((GV_R6), Y14); GV_FMAM((GV_R6)(GV_LD*1), Y15)

#define GV_ADV4(d) ADDQ d, GV_R0; ADDQ d, GV_R2; ADDQ d, GV_YC
#define GV_ADV8(d) ADDQ d, GV_R0; ADDQ d, GV_R2; ADDQ d, GV_R4; ADDQ d, GV_R6; ADDQ d, GV_YC

// GV_COLS runs one group of rows over every column of y: 32 at a time,
// then 8, then the last 0–7 through the mask Y4. The row pointers are
// set and GV_YC = y, GV_LEFT = n on entry.
#define GV_COLS(FMA, FMAM, ADV, c32, c8, tail, done) \
c32: \
	CMPQ GV_LEFT, $32; JLT c8; \
	VMOVUPS (GV_YC), Y0; VMOVUPS 32(GV_YC), Y1; VMOVUPS 64(GV_YC), Y2; VMOVUPS 96(GV_YC), Y3; \
	FMA(0, Y0); FMA(32, Y1); FMA(64, Y2); FMA(96, Y3); \
	VMOVUPS Y0, (GV_YC); VMOVUPS Y1, 32(GV_YC); VMOVUPS Y2, 64(GV_YC); VMOVUPS Y3, 96(GV_YC); \
	ADV($128); SUBQ $32, GV_LEFT; JMP c32; \
c8: \
	CMPQ GV_LEFT, $8; JLT tail; \
	VMOVUPS (GV_YC), Y0; FMA(0, Y0); VMOVUPS Y0, (GV_YC); \
	ADV($32); SUBQ $8, GV_LEFT; JMP c8; \
tail: \
	TESTQ GV_LEFT, GV_LEFT; JZ done; \
	VMASKMOVPS (GV_YC), Y4, Y0; FMAM; VMASKMOVPS Y0, Y4, (GV_YC); \
done:

// func avx2VecMat(y, x, w *float32, k, n int)
//
// avx512VecMat on YMM registers: eight rows of w at a time (then four,
// then one), 32 columns of y at a time.
TEXT ·avx2VecMat(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), GV_Y
	MOVQ x+8(FP), GV_X
	MOVQ w+16(FP), GV_W
	MOVQ k+24(FP), GV_ROWS
	MOVQ n+32(FP), GV_N
	LEAQ (GV_N*4), GV_LD
	MOVQ GV_N, AX
	ANDQ $7, AX
	MASK_LANES(AX, BX, Y4) // the columns of the last partial 8

av8:
	CMPQ GV_ROWS, $8
	JLT  av4
	VBROADCASTSS (GV_X), Y8
	VBROADCASTSS 4(GV_X), Y9
	VBROADCASTSS 8(GV_X), Y10
	VBROADCASTSS 12(GV_X), Y11
	VBROADCASTSS 16(GV_X), Y12
	VBROADCASTSS 20(GV_X), Y13
	VBROADCASTSS 24(GV_X), Y14
	VBROADCASTSS 28(GV_X), Y15
	MOVQ GV_W, GV_R0
	LEAQ (GV_W)(GV_LD*2), GV_R2
	LEAQ (GV_W)(GV_LD*4), GV_R4
	LEAQ (GV_R4)(GV_LD*2), GV_R6
	MOVQ GV_Y, GV_YC
	MOVQ GV_N, GV_LEFT
	GV_COLS(GV_FMA8, GV_FMA8M, GV_ADV8, av8c32, av8c8, av8tail, av8done)
	ADDQ $32, GV_X
	LEAQ (GV_W)(GV_LD*8), GV_W
	SUBQ $8, GV_ROWS
	JMP  av8

av4:
	CMPQ GV_ROWS, $4
	JLT  av1
	VBROADCASTSS (GV_X), Y8
	VBROADCASTSS 4(GV_X), Y9
	VBROADCASTSS 8(GV_X), Y10
	VBROADCASTSS 12(GV_X), Y11
	MOVQ GV_W, GV_R0
	LEAQ (GV_W)(GV_LD*2), GV_R2
	MOVQ GV_Y, GV_YC
	MOVQ GV_N, GV_LEFT
	GV_COLS(GV_FMA4, GV_FMA4M, GV_ADV4, av4c32, av4c8, av4tail, av4done)
	ADDQ $16, GV_X
	LEAQ (GV_W)(GV_LD*4), GV_W
	SUBQ $4, GV_ROWS

av1:
	TESTQ GV_ROWS, GV_ROWS
	JZ    avdone
	VBROADCASTSS (GV_X), Y8
	MOVQ GV_W, GV_R0
	MOVQ GV_Y, GV_YC
	MOVQ GV_N, GV_LEFT

av1c8:
	CMPQ GV_LEFT, $8
	JLT  av1tail
	VMOVUPS (GV_YC), Y0
	VFMADD231PS (GV_R0), Y8, Y0
	VMOVUPS Y0, (GV_YC)
	ADDQ $32, GV_R0
	ADDQ $32, GV_YC
	SUBQ $8, GV_LEFT
	JMP  av1c8

av1tail:
	TESTQ GV_LEFT, GV_LEFT
	JZ    av1next
	VMASKMOVPS (GV_YC), Y4, Y0
	GV_FMAM((GV_R0), Y8)
	VMASKMOVPS Y0, Y4, (GV_YC)

av1next:
	ADDQ $4, GV_X
	ADDQ GV_LD, GV_W
	DECQ GV_ROWS
	JMP  av1

avdone:
	VZEROUPPER
	RET

// avx2RowDots is avx512RowDots on YMM registers. Its last group of
// eight rows (every group, where avx2RowDotsSets passes eight rows at a
// time) has eight rows of x in the lanes of Y0, each block of eight
// steps of the eight rows loaded (row r in Y8+r), turned into one vector
// per step (VUNPCKLPS/HPS pairs of rows, VUNPCKLPD/HPD quads, VPERM2F128
// across the 128-bit lanes) and given its fused multiply-add with w's
// step, in order.

#define GV_L3 R13
#define GV_L5 R14
#define GV_L7 BX
#define GV_REM R12 // the steps past the last 8
#define GV_XA R11  // the group's rows at the step
#define GV_WC R15  // w at the step

// GV_LOAD8(LD): the eight rows' next eight steps into Y8…Y15, each by LD
// (GV_LD8, or GV_LDM through the mask Y1 for the last steps).
#define GV_LD8(a, y) VMOVUPS a, y
#define GV_LDM(a, y) VMASKMOVPS a, Y1, y
#define GV_LOAD8(LD) \
	LD((GV_XA), Y8); LD((GV_XA)(GV_LD*1), Y9); LD((GV_XA)(GV_LD*2), Y10); LD((GV_XA)(GV_L3*1), Y11); \
	LD((GV_XA)(GV_LD*4), Y12); LD((GV_XA)(GV_L5*1), Y13); LD((GV_XA)(GV_L3*2), Y14); LD((GV_XA)(GV_L7*1), Y15)

// GV_TRANSPOSE turns Y8…Y15 (row r, the block's steps 0–7) into u_s
// (Y9…Y12: steps s and 4 + s of rows 0–3) and u_{4+s} (Y13…Y15, Y1: of
// rows 4–7), s = 0…3.
#define GV_TRANSPOSE \
	VUNPCKLPS Y9, Y8, Y1; \
	VUNPCKHPS Y9, Y8, Y2; \
	VUNPCKLPS Y11, Y10, Y3; \
	VUNPCKHPS Y11, Y10, Y4; \
	VUNPCKLPS Y13, Y12, Y5; \
	VUNPCKHPS Y13, Y12, Y6; \
	VUNPCKLPS Y15, Y14, Y7; \
	VUNPCKHPS Y15, Y14, Y8; \
	VUNPCKLPD Y3, Y1, Y9; \
	VUNPCKHPD Y3, Y1, Y10; \
	VUNPCKLPD Y4, Y2, Y11; \
	VUNPCKHPD Y4, Y2, Y12; \
	VUNPCKLPD Y7, Y5, Y13; \
	VUNPCKHPD Y7, Y5, Y14; \
	VUNPCKLPD Y8, Y6, Y15; \
	VUNPCKHPD Y8, Y6, Y1

// GV_STEPp joins step p's vector of the eight rows (VPERM2F128 of u_s and
// u_{4+s}, into Y2 or Y3) and gives it its fused multiply-add with w's
// step (broadcast into Y4 or Y5); GV_STEPS runs them in turn (the last
// steps' tail one by one, stopping after the last step there is).
#define GV_STEP0 VPERM2F128 $0x20, Y13, Y9, Y2; VBROADCASTSS 0(GV_WC), Y4; VFMADD231PS Y4, Y2, Y0
#define GV_STEP1 VPERM2F128 $0x20, Y14, Y10, Y3; VBROADCASTSS 4(GV_WC), Y5; VFMADD231PS Y5, Y3, Y0
#define GV_STEP2 VPERM2F128 $0x20, Y15, Y11, Y2; VBROADCASTSS 8(GV_WC), Y4; VFMADD231PS Y4, Y2, Y0
#define GV_STEP3 VPERM2F128 $0x20, Y1, Y12, Y3; VBROADCASTSS 12(GV_WC), Y5; VFMADD231PS Y5, Y3, Y0
#define GV_STEP4 VPERM2F128 $0x31, Y13, Y9, Y2; VBROADCASTSS 16(GV_WC), Y4; VFMADD231PS Y4, Y2, Y0
#define GV_STEP5 VPERM2F128 $0x31, Y14, Y10, Y3; VBROADCASTSS 20(GV_WC), Y5; VFMADD231PS Y5, Y3, Y0
#define GV_STEP6 VPERM2F128 $0x31, Y15, Y11, Y2; VBROADCASTSS 24(GV_WC), Y4; VFMADD231PS Y4, Y2, Y0
#define GV_STEP7 VPERM2F128 $0x31, Y1, Y12, Y3; VBROADCASTSS 28(GV_WC), Y5; VFMADD231PS Y5, Y3, Y0
#define GV_STEPS \
	GV_STEP0; GV_STEP1; GV_STEP2; GV_STEP3; \
	GV_STEP4; GV_STEP5; GV_STEP6; GV_STEP7

// Sixteen rows at a time (GV16_*): one vector's chain of fused
// multiply-adds waits four cycles a step for the last, so two groups of
// eight rows (Y0, Y1) take turns, four steps at a time. Each group's four
// steps come in as four vectors of two rows, rows r and r + 4 (the low
// and high 128 bits: VMOVUPS, VINSERTF128), and a 4×4 transpose within
// the 128-bit lanes (VUNPCKL/HPS, VUNPCKL/HPD) turns them into one
// vector per step, rows 0–7 in order. GV_XB is the second group's rows.
#define GV_XB AX

// GV16_PAIR(lo, hi, x, y): y = the four floats at lo, then those at hi;
// GV16_PAIRM the same through the mask X5 (Y2 a scratch).
#define GV16_PAIR(lo, hi, x, y) VMOVUPS lo, x; VINSERTF128 $1, hi, y, y
#define GV16_PAIRM(lo, hi, x, y) VMASKMOVPS lo, X5, x; VMASKMOVPS hi, X5, X2; VINSERTF128 $1, X2, y, y

// GV16_LOAD(P, a, …): the group's four steps at a into y0…y3, rows
// (0, 4), (1, 5), (2, 6), (3, 7).
#define GV16_LOAD(P, a, x0, y0, x1, y1, x2, y2, x3, y3) \
	P((a), (a)(GV_LD*4), x0, y0); P((a)(GV_LD*1), (a)(GV_L5*1), x1, y1); \
	P((a)(GV_LD*2), (a)(GV_L3*2), x2, y2); P((a)(GV_L3*1), (a)(GV_L7*1), x3, y3)

// GV16_TRANSPOSE: y0…y3 become steps 0…3 of rows 0–7 (t0…t3 scratch).
#define GV16_TRANSPOSE(y0, y1, y2, y3, t0, t1, t2, t3) \
	VUNPCKLPS y1, y0, t0; VUNPCKHPS y1, y0, t1; VUNPCKLPS y3, y2, t2; VUNPCKHPS y3, y2, t3; \
	VUNPCKLPD t2, t0, y0; VUNPCKHPD t2, t0, y1; VUNPCKLPD t3, t1, y2; VUNPCKHPD t3, t1, y3

// GV16_BOTH(P): both groups' next four steps, the first's in Y6…Y9, the
// second's in Y10…Y13.
#define GV16_BOTH(P) \
	GV16_LOAD(P, GV_XA, X6, Y6, X7, Y7, X8, Y8, X9, Y9); \
	GV16_TRANSPOSE(Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13); \
	GV16_LOAD(P, GV_XB, X10, Y10, X11, Y11, X12, Y12, X13, Y13); \
	GV16_TRANSPOSE(Y10, Y11, Y12, Y13, Y14, Y15, Y3, Y4)

// GV16_STEP: one step's fused multiply-adds, w's step broadcast.
#define GV16_STEP(off, a, b) VBROADCASTSS off(GV_WC), Y2; VFMADD231PS Y2, a, Y0; VFMADD231PS Y2, b, Y1

// func avx2RowDots(y, x, w *float32, m, k int)
//
// avx512RowDots with m a multiple of 8: y[i] = fma(x[i·k + p], w[p],
// y[i]) for p = 0, 1, …, k−1 in turn (k ≥ 1). Sixteen rows go at a time
// while there are, four steps at a time, the last 1–3 steps loaded
// through a mask; a last group of eight goes eight steps at a time, its
// last 1–7 steps loaded through a mask, each stopping after its own fused
// multiply-adds.
TEXT ·avx2RowDots(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), GV_Y
	MOVQ x+8(FP), GV_X
	MOVQ w+16(FP), GV_W
	MOVQ m+24(FP), GV_ROWS
	MOVQ k+32(FP), GV_N
	LEAQ (GV_N*4), GV_LD
	LEAQ (GV_LD)(GV_LD*2), GV_L3
	LEAQ (GV_LD)(GV_LD*4), GV_L5
	LEAQ (GV_L3)(GV_LD*4), GV_L7
	CMPQ GV_ROWS, $16
	JLT  ad8

ad16group:
	VMOVUPS (GV_Y), Y0
	VMOVUPS 32(GV_Y), Y1
	MOVQ    GV_X, GV_XA
	LEAQ    (GV_X)(GV_LD*8), GV_XB
	MOVQ    GV_W, GV_WC
	MOVQ    GV_N, GV_LEFT

ad16block:
	CMPQ GV_LEFT, $4
	JLT  ad16tail
	GV16_BOTH(GV16_PAIR)
	GV16_STEP(0, Y6, Y10)
	GV16_STEP(4, Y7, Y11)
	GV16_STEP(8, Y8, Y12)
	GV16_STEP(12, Y9, Y13)
	ADDQ $16, GV_XA
	ADDQ $16, GV_XB
	ADDQ $16, GV_WC
	SUBQ $4, GV_LEFT
	JMP  ad16block

ad16tail:
	TESTQ GV_LEFT, GV_LEFT
	JZ    ad16store
	LEAQ  avx2MaskTab<>+32(SB), GV_REM // X5: the first GV_LEFT (1–3) lanes
	SHLQ  $2, GV_LEFT
	SUBQ  GV_LEFT, GV_REM
	SHRQ  $2, GV_LEFT
	VMOVDQU (GV_REM), X5
	GV16_BOTH(GV16_PAIRM)
	GV16_STEP(0, Y6, Y10)
	CMPQ GV_LEFT, $1
	JEQ  ad16store
	GV16_STEP(4, Y7, Y11)
	CMPQ GV_LEFT, $2
	JEQ  ad16store
	GV16_STEP(8, Y8, Y12)

ad16store:
	VMOVUPS Y0, (GV_Y)
	VMOVUPS Y1, 32(GV_Y)
	ADDQ    $64, GV_Y
	LEAQ    (GV_X)(GV_LD*8), GV_X
	LEAQ    (GV_X)(GV_LD*8), GV_X
	SUBQ    $16, GV_ROWS
	CMPQ    GV_ROWS, $16
	JGE     ad16group
	TESTQ   GV_ROWS, GV_ROWS
	JZ      addone

ad8:
	MOVQ GV_N, GV_REM
	ANDQ $7, GV_REM

adgroup:
	VMOVUPS (GV_Y), Y0
	MOVQ GV_X, GV_XA
	MOVQ GV_W, GV_WC
	MOVQ GV_N, GV_LEFT

adblock:
	CMPQ GV_LEFT, $8
	JLT  adtail
	GV_LOAD8(GV_LD8)
	GV_TRANSPOSE
	GV_STEPS
	ADDQ $32, GV_XA
	ADDQ $32, GV_WC
	SUBQ $8, GV_LEFT
	JMP  adblock

adtail:
	TESTQ GV_LEFT, GV_LEFT
	JZ    adstore
	MOVQ  GV_REM, AX
	MASK_LANES(AX, GV_LEFT, Y1) // (the steps left are the rest: GV_REM)
	GV_LOAD8(GV_LDM)
	GV_TRANSPOSE
	GV_STEP0
	CMPQ GV_REM, $1
	JEQ  adstore
	GV_STEP1
	CMPQ GV_REM, $2
	JEQ  adstore
	GV_STEP2
	CMPQ GV_REM, $3
	JEQ  adstore
	GV_STEP3
	CMPQ GV_REM, $4
	JEQ  adstore
	GV_STEP4
	CMPQ GV_REM, $5
	JEQ  adstore
	GV_STEP5
	CMPQ GV_REM, $6
	JEQ  adstore
	GV_STEP6
	CMPQ GV_REM, $7
	JEQ  adstore
	GV_STEP7

adstore:
	VMOVUPS Y0, (GV_Y)
	ADDQ $32, GV_Y
	LEAQ (GV_X)(GV_LD*8), GV_X
	SUBQ $8, GV_ROWS
	JG   adgroup

addone:
	VZEROUPPER
	RET

// The bf16 operands of the float32 tiles (bf16_tiles.go).
VEC8(bfLow<>, $0x7fff)
VEC8(bfOne<>, $1)
VEC8(bfHigh<>, $0xffff0000)
VEC8(bfAbs<>, $0x7fffffff)
VEC8(bfInf<>, $0x7f800000)
VEC8(bfQuiet<>, $0x00400000)
VEC8(bfNormal<>, $0x00800000)
VEC8(bfSign<>, $0x80000000)

// ROUND_BF16(u, r): r = the bits of RoundBF16(u) in each lane, the two
// of each pair swapped when DX is not zero (Y3–Y6 scratch), and the
// least magnitude − 1 so far (Y15, unsigned) taken with r's; Y14 is all
// ones.
#define ROUND_BF16(u, r, swapped) \
	VPSRLD    $16, u, Y3; \
	VPAND     bfOne<>(SB), Y3, Y3;   /* the lowest bit kept */ \
	VPADDD    bfLow<>(SB), u, r; \
	VPADDD    Y3, r, r; \
	VPAND     bfHigh<>(SB), r, r;    /* to nearest, ties to even */ \
	VPAND     bfAbs<>(SB), u, Y3;    /* |u| */ \
	VPCMPGTD  bfInf<>(SB), Y3, Y4;   /* NaN */ \
	VPOR      bfQuiet<>(SB), u, Y5; \
	VPAND     bfHigh<>(SB), Y5, Y5;  /* quieted, the upper payload kept */ \
	VPBLENDVB Y4, Y5, r, r; \
	VMOVDQU   bfNormal<>(SB), Y6; \
	VPCMPGTD  Y3, Y6, Y4;            /* zero or denormal */ \
	VPAND     bfSign<>(SB), u, Y5;   /* a zero of its sign */ \
	VPBLENDVB Y4, Y5, r, r; \
	TESTQ     DX, DX; \
	JZ        swapped; \
	VPSHUFD   $0xb1, r, r; \
swapped: \
	VPAND     bfAbs<>(SB), r, Y3; \
	VPADDD    Y14, Y3, Y3; \
	VPMINUD   Y3, Y15, Y15

// func avx2RoundBF16(dst, src *float32, rows, n, nsrc, ldd, lds int, swap bool) uint32
// For r < rows and i < n: dst[r·ldd + i] = RoundBF16(s(i)), s(i) being
// src[r·lds + i] for i < nsrc and 0 past it (n is nsrc or nsrc + 1);
// with swap (n even) the two of each pair (2t, 2t + 1) swapped. Returns
// the least of |dst[…]|'s bits − 1, unsigned (so that zeros count for
// nothing), and 2^32 − 1. The last vector of a row loads and stores
// under masks: nothing outside the rows is touched.
TEXT ·avx2RoundBF16(SB), NOSPLIT, $0-68
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    rows+16(FP), R8
	MOVQ    n+24(FP), R9
	MOVQ    nsrc+32(FP), R10
	MOVQ    ldd+40(FP), R11
	MOVQ    lds+48(FP), R12
	MOVBLZX swap+56(FP), DX
	SHLQ    $2, R11
	SHLQ    $2, R12
	VPCMPEQD Y15, Y15, Y15
	VMOVDQU  Y15, Y14
	TESTQ    R8, R8
	JZ       rbdone

rbrow:
	XORQ CX, CX // i

rbvec:
	LEAQ 8(CX), AX
	CMPQ AX, R10
	JGT  rbtail
	VMOVDQU (SI)(CX*4), Y0
	ROUND_BF16(Y0, Y2, rbsw1)
	VMOVDQU Y2, (DI)(CX*4)
	MOVQ    AX, CX
	JMP     rbvec

rbtail: // the last 0–7 values of src, and up to 8 of dst
	CMPQ CX, R9
	JGE  rbnext
	MOVQ R10, AX
	SUBQ CX, AX
	MASK_LANES(AX, BX, Y7)
	VPMASKMOVD (SI)(CX*4), Y7, Y0
	ROUND_BF16(Y0, Y2, rbsw2)
	MOVQ R9, AX
	SUBQ CX, AX
	MASK_LANES(AX, BX, Y7)
	VPMASKMOVD Y2, Y7, (DI)(CX*4)

rbnext:
	ADDQ R11, DI
	ADDQ R12, SI
	DECQ R8
	JNZ  rbrow

rbdone:
	VEXTRACTI128 $1, Y15, X1
	VPMINUD      X1, X15, X15
	VPSHUFD      $0x4e, X15, X1
	VPMINUD      X1, X15, X15
	VPSHUFD      $0xb1, X15, X1
	VPMINUD      X1, X15, X15
	VMOVD        X15, AX
	MOVL         AX, ret+64(FP)
	VZEROUPPER
	RET

// func mxcsr() uint32
TEXT ·mxcsr(SB), NOSPLIT, $8-4
	STMXCSR 0(SP)
	MOVL    0(SP), AX
	MOVL    AX, ret+0(FP)
	RET
