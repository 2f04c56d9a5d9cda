package simdnn

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// exactFMA32 is a·b + c rounded once to float32, computed exactly with
// math/big (NaN and infinities as IEEE 754's fusedMultiplyAdd has them).
func exactFMA32(a, b, c float32) float32 {
	fa, fb, fc := float64(a), float64(b), float64(c)
	if math.IsNaN(fa) || math.IsNaN(fb) || math.IsNaN(fc) || math.IsInf(fa, 0) || math.IsInf(fb, 0) || math.IsInf(fc, 0) {
		return float32(fa*fb + fc) // exact products; float64 handles the specials the same way
	}
	p := new(big.Float).SetPrec(1000).Mul(big.NewFloat(fa), big.NewFloat(fb))
	s := new(big.Float).SetPrec(1000).Add(p, big.NewFloat(fc))
	if s.Sign() == 0 {
		return float32(fa*fb + fc) // the sign of an exact zero
	}
	f, _ := s.Float32()
	return f
}

// TestFMA32 holds the reference's fused multiply-add to an exact one over
// random values of every magnitude, denormals and overflow included, and
// over sums built to fall within 2^-30 of a float32 tie, where rounding to
// float64 first would land on the tie and round the wrong way.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	any32 := func() float32 {
		for {
			if f := math.Float32frombits(r.Uint32()); !math.IsNaN(float64(f)) {
				return f
			}
		}
	}
	check := func(a, b, c float32) {
		t.Helper()
		want, got := exactFMA32(a, b, c), fma32(a, b, c)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#08x), want %g (%#08x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-45, -1e-45, 1e-38, math.MaxFloat32, -math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0x1p-75, 0x1p64}
	for _, a := range specials {
		for _, b := range specials {
			for _, c := range specials {
				check(a, b, c)
			}
		}
	}
	for range 200000 {
		check(any32(), any32(), any32())
		// Products near c's magnitude, so that the sum cancels or carries.
		a := any32()
		b := float32(math.Ldexp(float64(1+r.Float32()), r.IntN(60)-30))
		check(a, b, any32())
		c := any32()
		check(a, b, float32(float64(a)*float64(b)*(1+r.Float64()*1e-6)))
		// Near-ties: p = ±half an ulp of c · (1 − 2^-30), c odd or even.
		_, e := math.Frexp(float64(c))
		half := math.Ldexp(1, max(e-25, -150))
		sa := float32(math.Copysign((1+0x1p-15)*half, float64(r.IntN(2)*2-1)))
		check(sa, 1-0x1p-15, c)
		check(sa, -(1 - 0x1p-15), c)
		check(sa*(1+0x1p-15), 1-0x1p-15, c) // a tie plus ~2^-45
	}
	assert.Equal(t, float32(1+0x1p-23), fma32((1+0x1p-15)*0x1p-24, 1-0x1p-15, 1+0x1p-23), "below a tie, c odd")
}
