package simdnn

import "math"

// The bf16 dense kernels take the operands of every product in bfloat16
// (the upper half of a float32: 8 exponent bits, 8 significant bits) and
// add the products in float32. This file defines exactly what they
// compute, in the terms of AVX512_BF16's VCVTNE2PS2BF16 and VDPBF16PS, so
// that every implementation gives the same bits:
//
//   - An operand x becomes RoundBF16(x): round to nearest, ties to even;
//     a NaN stays a NaN (quieted), a denormal becomes a zero of its sign.
//   - The steps of a sum go in pairs, (0, 1), (2, 3), …; a sum of odd
//     length has a last pair whose second product is 0·0. Per pair the
//     partial sum s, when denormal, is first taken as a zero of its sign;
//     then s = a₁·b₁ + s and s = a₀·b₀ + s (the second of the pair first),
//     each a fused multiply-add rounded to nearest even whose result
//     becomes a zero of its sign when tiny: when it lies below 2^-126 in
//     magnitude once rounded to 24 significant bits with an unbounded
//     exponent (x86 detects tininess after rounding). That is every
//     denormal result, and an exact result from 2^-126 − 2^-150 to below
//     2^-126 − 2^-151, which rounds up to 2^-126 among float32's
//     denormals but stays below it with an unbounded exponent.
//   - A sum of no steps is its initial value as given (a bias or 0).
//
// Each step is one fused multiply-add, so a product is never rounded on
// its own: only the order and the flushes above shape the result, not
// the layouts or the blocking of the assembly.

// RoundBF16 returns x rounded to bfloat16, as a float32 (its low 16 bits
// zero): the value the bf16 kernels use for an operand x.
func RoundBF16(x float32) float32 { return math.Float32frombits(uint32(bf16Bits(x)) << 16) }

// bf16Bits is x rounded to bfloat16 (VCVTNE2PS2BF16): a NaN keeps its
// sign and upper payload and is quieted, a denormal becomes a zero of its
// sign, any other value rounds to nearest, ties to even (overflowing to
// ±Inf).
func bf16Bits(x float32) uint16 { return uint16(roundBits(math.Float32bits(x)) >> 16) }

// roundBits is the bits of RoundBF16(math.Float32frombits(u)), without
// branches (the float32 tiles' operands in Go, bf16_tiles.go).
func roundBits(u uint32) uint32 {
	a := u & 0x7fffffff
	r := (u + 0x7fff + (u>>16)&1) &^ 0xffff
	if a > 0x7f800000 { // NaN: quieted, the upper payload kept
		r = (u | 0x400000) &^ 0xffff
	}
	if a < 0x00800000 { // denormal or zero: a zero of its sign
		r = u & 0x80000000
	}
	return r
}

// flushDenormal returns a denormal x as a zero of its sign, any other x
// as it is.
func flushDenormal(x float32) float32 {
	if u := math.Float32bits(x); u&0x7f800000 == 0 {
		return math.Float32frombits(u & 0x80000000)
	}
	return x
}

// bf16Pair adds one pair of products to s as VDPBF16PS does: a0, b0 the
// first step's operands, a1, b1 the second's (0 past the end of an odd
// sum), all already rounded to bfloat16.
func bf16Pair(s, a0, b0, a1, b1 float32) float32 {
	s = flushDenormal(s)
	return bf16Step(a0, b0, bf16Step(a1, b1, s))
}

// tinyBelow is where tininess ends: exact results of smaller magnitude
// round, with an unbounded exponent, to below 2^-126 (its own ties go
// up, to 2^-126, an even significand).
const tinyBelow = 0x1p-126 - 0x1p-151

// bf16Step is one fused step of a pair: a·b + s rounded to nearest even,
// a zero of its sign when tiny (the comment at the top). s is 0 or
// normal and a, b are bfloat16 values, so when the result rounds to
// ±2^-126 the exact a·b + s is near enough to it to be exact in float64
// (a·b has 16 significant bits, s 24, and the exact sum lies within
// 2^-150 of 2^-126) or, when a·b is too small for that, far from
// tinyBelow, which no rounding of it then crosses.
func bf16Step(a, b, s float32) float32 {
	r := fma32(a, b, s)
	switch u := math.Float32bits(r) & 0x7fffffff; {
	case u < 0x00800000:
		return flushDenormal(r)
	case u == 0x00800000 && math.Abs(float64(a)*float64(b)+float64(s)) < tinyBelow:
		return math.Float32frombits(math.Float32bits(r) & 0x80000000)
	}
	return r
}

// bf16Dot returns init plus the k products a(p)·b(p), p < k, summed in
// pairs as the bf16 kernels sum them.
func bf16Dot(init float32, k int, a, b func(p int) float32) float32 {
	s := init
	for p := 0; p < k; p += 2 {
		var a1, b1 float32
		if p+1 < k {
			a1, b1 = RoundBF16(a(p+1)), RoundBF16(b(p+1))
		}
		s = bf16Pair(s, RoundBF16(a(p)), RoundBF16(b(p)), a1, b1)
	}
	return s
}

// denseForwardBF16Generic is the reference of DenseForwardBF16.
func denseForwardBF16Generic(y, x, w, b []float32, m, k, n int, relu bool) {
	for i := range m {
		for j := range n {
			y[i*n+j] = bf16Dot(b[j], k, func(p int) float32 { return x[i*k+p] }, func(p int) float32 { return w[p*n+j] })
		}
		if relu {
			reluGeneric(y[i*n : i*n+n])
		}
	}
}

// denseBackwardBF16Generic is the reference of DenseBackwardBF16.
func denseBackwardBF16Generic(dw, db, dx, x, w, dy []float32, m, k, n int) {
	columnSumsGeneric(db, dy, m, n)
	weightGradBF16Generic(dw, x, dy, m, k, n)
	if dx != nil {
		inputGradBF16Generic(dx, w, dy, m, k, n)
	}
}

// weightGradBF16Generic is the reference of DenseBackwardBF16's dw.
func weightGradBF16Generic(dw, x, dy []float32, m, k, n int) {
	for p := range k {
		for j := range n {
			dw[p*n+j] = bf16Dot(0, m, func(i int) float32 { return x[i*k+p] }, func(i int) float32 { return dy[i*n+j] })
		}
	}
}

// inputGradBF16Generic is the reference of DenseBackwardBF16's dx.
func inputGradBF16Generic(dx, w, dy []float32, m, k, n int) {
	for i := range m {
		for p := range k {
			dx[i*k+p] = bf16Dot(0, n, func(j int) float32 { return dy[i*n+j] }, func(j int) float32 { return w[p*n+j] })
		}
	}
}

// DenseForwardBF16 is DenseForward with the product's operands in
// bfloat16: y = RoundBF16(x)·RoundBF16(w) + b, the sums in float32 as the
// comment at the top of bf16.go defines them (the same bits on every
// implementation), then y = max(y, 0) when relu is set. The rounded
// operands go to buffers kept between calls while they take at most 4
// MiB; a call on larger operands allocates them (DenseBackwardBF16 the
// same).
func DenseForwardBF16(y, x, w, b []float32, m, k, n int, relu bool) {
	ActiveKernels().DenseForwardBF16(y, x, w, b, m, k, n, relu)
}

// DenseForwardBF16 is the package's DenseForwardBF16 on ks's
// implementation.
func (ks Kernels) DenseForwardBF16(y, x, w, b []float32, m, k, n int, relu bool) {
	set := ks.must("DenseForwardBF16")
	if !checkForward("DenseForwardBF16", y, x, w, b, m, k, n) {
		return
	}
	set.denseForwardBF16(y, x, w, b, m, k, n, relu)
}

// DenseBackwardBF16 is DenseBackward with the operands of dw = xᵀ·dy and
// dx = dy·wᵀ in bfloat16, summed as DenseForwardBF16's; db is the column
// sums of dy in float32, as DenseBackward computes them.
func DenseBackwardBF16(dw, db, dx, x, w, dy []float32, m, k, n int) {
	ActiveKernels().DenseBackwardBF16(dw, db, dx, x, w, dy, m, k, n)
}

// DenseBackwardBF16 is the package's DenseBackwardBF16 on ks's
// implementation.
func (ks Kernels) DenseBackwardBF16(dw, db, dx, x, w, dy []float32, m, k, n int) {
	set := ks.must("DenseBackwardBF16")
	if !checkBackward("DenseBackwardBF16", dw, db, dx, x, w, dy, m, k, n) {
		return
	}
	set.denseBackwardBF16(dw, db, dx, x, w, dy, m, k, n)
}

// BF16Native reports whether ks runs the bf16 kernels in instructions of
// their own (AVX512_BF16 on avx512). avx2, neon and avx512 without
// AVX512_BF16 run them on their float32 tiles (bf16_tiles.go; on avx2
// at 0.55–0.95× the float32 kernels' speed on wide layers, less on
// narrow ones); generic runs the reference, in Go, many times slower.
func (ks Kernels) BF16Native() bool { return ks.must("BF16Native").bf16Native }

// pairBuf holds a bf16 kernel's operands: as words of two bf16 (each
// implementation with bf16 instructions fills them its own way), or
// rounded to bf16 as float32 for the float32 tiles (bf16_tiles.go). Kept
// in pairBufs, so that a warm call allocates nothing.
type pairBuf struct{ a, b []float32 }

var pairBufs = make(chan *pairBuf, 64)

// getPairBuf returns a pairBuf with a of na words and b of nb.
func getPairBuf(na, nb int) *pairBuf {
	var s *pairBuf
	select {
	case s = <-pairBufs:
	default:
		s = new(pairBuf)
	}
	s.size(na, nb)
	return s
}

// size makes a na words long and b nb, growing them when needed.
func (s *pairBuf) size(na, nb int) {
	if cap(s.a) < na {
		s.a = make([]float32, na)
	}
	if cap(s.b) < nb {
		s.b = make([]float32, nb)
	}
	s.a, s.b = s.a[:na], s.b[:nb]
}

// putPairBuf keeps s for the next call, unless it holds more than 4 MiB
// (a call on large matrices: let the collector have it).
func putPairBuf(s *pairBuf) {
	if cap(s.a)+cap(s.b) > 1<<20 {
		return
	}
	select {
	case pairBufs <- s:
	default:
	}
}
