// Package fused computes float32 fused multiply-adds in Go: the
// reference arithmetic of simdnn's kernels, whose assembly multiplies and
// adds with one rounding.
package fused

import "math"

// MulAdd32 returns a·b + c rounded once to float32 (nearest even), as a
// fused multiply-add instruction computes it. Go has none for float32:
// math.FMA rounds to float64, and the compiler fuses x·y + z on some
// architectures only. The product of two float32 values is exact in
// float64, so s = p + c is the exact sum rounded once to float64, and
// float32(s) is right unless s landed exactly on a tie between two
// float32 values while the exact sum did not (rounding is monotonic and
// every tie is a float64, so the exact sum and s lie on the same side of
// any other tie); then the sign of the exact sum's remainder e (Knuth's
// two-sum) picks the side.
func MulAdd32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	// The float32 ties are the float64 values whose low 29 bits are
	// 1<<28, in the range of normal float32 values; elsewhere (and for
	// subnormal float32 results) the slower test below decides.
	if u := math.Float64bits(s); u&(1<<29-1) != 1<<28 && u>>52&0x7ff >= 1023-126 {
		return float32(s)
	}
	f := float32(s)
	if float64(f) == s || s != s {
		return f
	}
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	if e == 0 {
		return f // s is the exact sum
	}
	lo, hi := f, f // the float32 values around s
	if Value(f) < s {
		hi = math.Nextafter32(f, float32(math.Inf(1)))
	} else {
		lo = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	if (Value(lo)+Value(hi))/2 != s {
		return f
	}
	if e > 0 {
		return hi
	}
	return lo
}

// Value is x as float64, with ±Inf standing for ±2^128, the value the
// float32 format would give the step above MaxFloat32: ties and rounding
// at the overflow threshold then follow the same rule as elsewhere.
func Value(x float32) float64 {
	if math.IsInf(float64(x), 0) {
		return math.Copysign(0x1p128, float64(x))
	}
	return float64(x)
}
