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
// the second step first, each result flushed when denormal, after the
// partial sum was flushed when denormal. Where no partial sum can be
// denormal the flushes never act, and the pair is exactly what a float32
// tile does with two steps: so the float32 tiles compute the bf16 sums
// bit for bit when given the operands rounded to bf16 (RoundBF16) with
// the two steps of each pair swapped, and the 0·0 that ends an odd sum
// placed first in its pair.
//
// No partial sum is denormal when every product and every initial value
// is a multiple of 2^-126. A non-zero bf16 of magnitude at least 2^e is
// a multiple of 2^(e−7) (8 significant bits), so a product of two
// operands of at least 2^ea and 2^eb is a multiple of 2^(ea+eb−14), and
// a float32 of at least 2^-103 a multiple of 2^-126. Sums of multiples of
// 2^-126 are multiples of 2^-126, and so are they rounded to float32:
// below 2^-102 they need at most 24 significant bits and are exact, above
// it float32's spacing is itself a multiple of 2^-126. A partial sum is
// then 0 or at least 2^-126 in magnitude, never denormal (infinities and
// NaN are not flushed either). So the tiles run when
//
//	ea + eb ≥ −112   (ea, eb: the exponents of the smallest non-zero
//	                  rounded operands of A and of B)
//
// and every initial value (the bias) is 0, at least 2^-103 in magnitude,
// infinite or NaN; otherwise the call runs the reference. The operands of
// a network in training lie far above these bounds (MNIST's pixels are at
// least 2^-8; a gradient of 2^-60 against weights of 2^-40 still passes).

// minExp is the smallest biased exponent ea + eb may reach: with E the
// biased exponents (e = E − 127), ea + eb ≥ −112 is Ea + Eb ≥ 142.
const minExp = 2*127 - 112

// minInit is the bits of 2^-103, the smallest magnitude of a non-zero
// initial value the tiles take.
const minInit = (127 - 103) << 23

// roundBits is the bits of RoundBF16(math.Float32frombits(u)).
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

// initFits reports whether every value of s is 0, at least 2^-103 in
// magnitude, infinite or NaN.
func initFits(s []float32) bool {
	for _, v := range s {
		if a := math.Float32bits(v) & 0x7fffffff; a != 0 && a < minInit {
			return false
		}
	}
	return true
}

// denseForwardBF16Tiles computes DenseForwardBF16 on g's float32 tiles
// and reports whether it could (the bounds above); when not, y is
// unchanged.
func denseForwardBF16Tiles(g *gemmISA, y, x, w, b []float32, m, k, n int, relu bool) bool {
	if !initFits(b) {
		return false
	}
	kp := k + k%2
	s := getPairBuf(m*kp, kp*n)
	defer putPairBuf(s)
	if roundSwapCols(s.a, x, m, k, k)+roundSwapRows(s.b, w, k, n, n) < minExp {
		return false
	}
	denseForwardTiles(g, y, s.a, s.b, b, m, kp, n, relu)
	return true
}

// denseBackwardBF16Tiles computes DenseBackwardBF16's dw and dx on g's
// float32 tiles (dw = xᵀ·dy over the rows of each pair swapped, dx =
// dy·wᵀ over the columns) and reports whether it could; when not, dw
// and dx may hold anything.
func denseBackwardBF16Tiles(g *gemmISA, dw, dx, x, w, dy []float32, m, k, n int) bool {
	mp := m + m%2
	s := getPairBuf(mp*k, mp*n)
	defer putPairBuf(s)
	if roundSwapRows(s.a, x, m, k, k)+roundSwapRows(s.b, dy, m, n, n) < minExp {
		return false
	}
	g.gemm(dw, n, s.a, 1, k, s.b, n, 1, nil, 0, k, n, mp, false)
	if dx == nil {
		return true
	}
	np := n + n%2
	s.size(m*np, k*np)
	if roundSwapCols(s.a, dy, m, n, n)+roundSwapCols(s.b, w, k, n, n) < minExp {
		return false
	}
	g.gemm(dx, k, s.a, np, 1, s.b, 1, np, nil, 0, m, k, np, false)
	return true
}

// bf16Forward is DenseForwardBF16 on an implementation without bf16
// instructions: g's float32 tiles where the bounds above hold, else the
// reference.
func bf16Forward(g *gemmISA, y, x, w, b []float32, m, k, n int, relu bool) {
	if !denseForwardBF16Tiles(g, y, x, w, b, m, k, n, relu) {
		denseForwardBF16Generic(y, x, w, b, m, k, n, relu)
	}
}

// bf16Backward is DenseBackwardBF16 as bf16Forward is DenseForwardBF16,
// with colSums the implementation's db (n ≥ 1).
func bf16Backward(g *gemmISA, colSums func(db, dy *float32, m, n int), dw, db, dx, x, w, dy []float32, m, k, n int) {
	if !denseBackwardBF16Tiles(g, dw, dx, x, w, dy, m, k, n) {
		denseBackwardBF16Generic(dw, db, dx, x, w, dy, m, k, n)
		return
	}
	if n > 0 {
		colSums(&db[0], unsafe.SliceData(dy), m, n)
	}
}
