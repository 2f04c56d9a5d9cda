//go:build !purego && (amd64 || arm64)

package simdnn

import (
	"math"
	"unsafe"
)

// The bf16 products on float32 tiles, for an implementation without bf16
// instructions (avx2, neon, avx512 on a CPU without AVX512_BF16).
//
// A pair of steps of the definition (bf16.go) is two fused multiply-adds,
// the second step first, each result flushed to a zero of its sign when
// tiny, after the partial sum was flushed when denormal. A float32
// tile computes exactly that when given the operands rounded to bf16
// (RoundBF16) with the two steps of each pair swapped (an odd sum's 0·0
// first in its last pair), and when its fused multiply-adds flush as the
// definition does. The tiles run with the CPU's flushing mode on
// (gemmFlush: each tile routine sets it and resets it to Go's, so that
// no Go code runs under it), and without the matrix–vector routines:
//
//   - amd64, MXCSR's DAZ and FTZ: a denormal input is taken as a zero of
//     its sign, and a result tiny after rounding (to 24 bits with an
//     unbounded exponent) becomes one: the definition's flushes, for any
//     operands.
//   - arm64, FPCR.FZ: the same for inputs, but Arm flushes a result that
//     is tiny before rounding, so an exact result from 2^-126 − 2^-151 to
//     below 2^-126 would become 0, where the definition rounds it to
//     2^-126. No exact result lies there when each is a multiple of
//     2^-150: every float32 is, and a product is when ea + eb ≥ −136, ea
//     and eb the exponents of the smallest non-zero rounded operands of A
//     and of B (a non-zero bf16 of at least 2^e is a multiple of
//     2^(e−7)). A product whose operands fall below that runs the
//     reference; a network in training is far inside it (MNIST's pixels
//     are at least 2^-8; a softmax gradient of 2^-119 against
//     activations of 2^-15 still passes).
//
// A sum of no steps is its initial value as given, unflushed: those run
// the reference (which only copies it).

// expOf returns the biased exponent of the smallest non-zero magnitude
// from lo, the running minimum of magnitude bits − 1 (0 wraps to the
// top), or 255 when there was none.
func expOf(lo uint32) int {
	if lo == math.MaxUint32 {
		return 255 // no non-zero operand: no product to bound
	}
	return int((lo + 1) >> 23)
}

// roundRowsGo is roundRows in Go: for r < rows and i < n it sets
// dst[r·ldd + i] = RoundBF16(v(i)), v(i) being src[r·lds + i] for i <
// nsrc and 0 past it (n is nsrc or nsrc + 1), with swap (n even) the two
// of each pair (2t, 2t + 1) swapped, and returns the least of lo and
// each |dst[…]|'s bits − 1, unsigned (so that zeros leave lo as it is).
func roundRowsGo(dst, src []float32, rows, n, nsrc, ldd, lds int, swap bool, lo uint32) uint32 {
	for r := range rows {
		out, in := dst[r*ldd:r*ldd+n], src[r*lds:r*lds+nsrc]
		for i := range out {
			j := i
			if swap {
				j ^= 1
			}
			var u uint32
			if j < nsrc {
				u = roundBits(math.Float32bits(in[j]))
			}
			lo = min(lo, u&0x7fffffff-1)
			out[i] = math.Float32frombits(u)
		}
	}
	return lo
}

// roundSwapRows writes rows 0… rows−1 of src (n floats each, lds apart)
// rounded to bf16 into dst (n apart) with the rows of each pair swapped:
// dst row 2t is src row 2t + 1, dst row 2t + 1 src row 2t, and when rows
// is odd dst row rows − 1 is zeros and dst row rows src row rows − 1.
// It returns the biased exponent of the smallest non-zero value written
// (255 when there is none).
func roundSwapRows(dst, src []float32, rows, n, lds int) int {
	lo := uint32(math.MaxUint32)
	if n == 0 {
		return expOf(lo)
	}
	if pairs := rows / 2; pairs > 0 {
		lo = roundRows(dst[n:], src, pairs, n, n, 2*n, 2*lds, false, lo)
		lo = roundRows(dst, src[lds:], pairs, n, n, 2*n, 2*lds, false, lo)
	}
	if r := rows - 1; rows%2 == 1 {
		clear(dst[r*n : r*n+n])
		lo = roundRows(dst[(r+1)*n:], src[r*lds:], 1, n, n, n, lds, false, lo)
	}
	return expOf(lo)
}

// roundSwapCols writes rows 0… rows−1 of src (n floats each, lds apart)
// rounded to bf16 into dst, n + n%2 apart, with the columns of each pair
// swapped: dst column 2t is src column 2t + 1, and when n is odd dst
// column n − 1 is 0 and dst column n src column n − 1. It returns what
// roundSwapRows does.
func roundSwapCols(dst, src []float32, rows, n, lds int) int {
	lo := uint32(math.MaxUint32)
	if n > 0 && rows > 0 {
		np := n + n%2
		lo = roundRows(dst, src, rows, np, n, np, lds, true, lo)
	}
	return expOf(lo)
}

// denseForwardBF16Tiles computes DenseForwardBF16 on g's float32 tiles
// and reports whether it could (k ≥ 1, and the bound above on arm64);
// when not, y is unchanged.
func denseForwardBF16Tiles(g *gemmISA, y, x, w, b []float32, m, k, n int, relu bool) bool {
	if k == 0 {
		return false
	}
	kp := k + k%2
	s := getPairBuf(m*kp, kp*n)
	defer putPairBuf(s)
	if roundSwapCols(s.a, x, m, k, k)+roundSwapRows(s.b, w, k, n, n) < bf16MinExp {
		return false
	}
	g.gemmFlush(y, n, s.a, kp, 1, s.b, n, 1, b, 0, m, n, kp, relu)
	return true
}

// weightGradBF16Tiles computes DenseBackwardBF16's dw = xᵀ·dy on g's
// float32 tiles, over the rows of each pair swapped, and reports whether
// it could (the bound above on arm64); when not, dw may hold anything.
func weightGradBF16Tiles(g *gemmISA, dw, x, dy []float32, m, k, n int) bool {
	mp := m + m%2
	s := getPairBuf(mp*k, mp*n)
	defer putPairBuf(s)
	if roundSwapRows(s.a, x, m, k, k)+roundSwapRows(s.b, dy, m, n, n) < bf16MinExp {
		return false
	}
	g.gemmFlush(dw, n, s.a, 1, k, s.b, n, 1, nil, 0, k, n, mp, false)
	return true
}

// inputGradBF16Tiles is weightGradBF16Tiles for dx = dy·wᵀ, over the
// columns of each pair swapped.
func inputGradBF16Tiles(g *gemmISA, dx, w, dy []float32, m, k, n int) bool {
	np := n + n%2
	s := getPairBuf(m*np, k*np)
	defer putPairBuf(s)
	if roundSwapCols(s.a, dy, m, n, n)+roundSwapCols(s.b, w, k, n, n) < bf16MinExp {
		return false
	}
	g.gemmFlush(dx, k, s.a, np, 1, s.b, 1, np, nil, 0, m, k, np, false)
	return true
}

// bf16Forward is DenseForwardBF16 on an implementation without bf16
// instructions: g's float32 tiles where they can, else the reference.
func bf16Forward(g *gemmISA, y, x, w, b []float32, m, k, n int, relu bool) {
	if !denseForwardBF16Tiles(g, y, x, w, b, m, k, n, relu) {
		denseForwardBF16Generic(y, x, w, b, m, k, n, relu)
	}
}

// bf16Backward is DenseBackwardBF16 as bf16Forward is DenseForwardBF16,
// each product on its own, with colSums the implementation's db (n ≥ 1).
func bf16Backward(g *gemmISA, colSums func(db, dy *float32, m, n int), dw, db, dx, x, w, dy []float32, m, k, n int) {
	if !weightGradBF16Tiles(g, dw, x, dy, m, k, n) {
		weightGradBF16Generic(dw, x, dy, m, k, n)
	}
	if dx != nil && !inputGradBF16Tiles(g, dx, w, dy, m, k, n) {
		inputGradBF16Generic(dx, w, dy, m, k, n)
	}
	if n > 0 {
		colSums(&db[0], unsafe.SliceData(dy), m, n)
	}
}
