//go:build !purego

package simdnn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ulpDiff is the number of float32 values between a and b (0 when both
// are NaN; MaxInt when only one is, or their signs differ and they are
// not both zero).
func ulpDiff(a, b float32) int {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt
	}
	if a == b {
		return 0
	}
	ia, ib := int64(math.Float32bits(a)), int64(math.Float32bits(b))
	if (ia < 0x80000000) != (ib < 0x80000000) {
		if a == 0 && b == 0 {
			return 0
		}
		return math.MaxInt
	}
	if ia > ib {
		return int(ia - ib)
	}
	return int(ib - ia)
}

// TestExpAVX2 holds the vector exp of the AVX2 softmax to math.Exp
// rounded to float32 across the whole float32 range: every 127th bit
// pattern of both signs plus the edges (overflow, the denormal results,
// ±0, ±Inf, NaN), at most 2 ulp apart (denormal and zero results count
// ulps of the denormal spacing; a result that overflows must be +Inf).
// Softmax itself only feeds it x ≤ 0, which the sweeps cover; this is the
// rest of the range.
func TestExpAVX2(t *testing.T) {
	if !cpuSupportsAVX2() {
		require.NotContains(t, required(), "avx2", "SIMDNN_REQUIRE names avx2 but this CPU lacks AVX2+FMA3")
		t.Skip("no AVX2+FMA3 on this CPU")
	}
	worst, worstX, count := 0, float32(0), 0
	check := func(xs []float32) {
		got := make([]float32, len(xs))
		expAVX2(got, xs)
		for i, x := range xs {
			want := float32(math.Exp(float64(x)))
			d := ulpDiff(got[i], want)
			if d > worst {
				worst, worstX = d, x
			}
			if d > 2 {
				require.Failf(t, "exp out of tolerance", "exp(%g) = %g (%#08x), math.Exp %g (%#08x): %d ulp",
					x, got[i], math.Float32bits(got[i]), want, math.Float32bits(want), d)
			}
		}
		count += len(xs)
	}
	check([]float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		88.72283, 88.72284, 88.7, 89, 89.5, -87.33654, -87.3, -100, -103.27893, -103.97208, -103.972084, -104, -104.5, -200,
		1e-45, -1e-45, 1e-40, 0.34657359, -0.34657359, 0.5, 1, -1, 10, -10, math.MaxFloat32, -math.MaxFloat32})
	xs := make([]float32, 0, 1<<16)
	for b := uint64(0); b < 1<<32; b += 509 {
		xs = append(xs, math.Float32frombits(uint32(b)))
		if len(xs) == cap(xs) {
			check(xs)
			xs = xs[:0]
		}
	}
	check(xs)
	t.Logf("%d inputs, worst %d ulp at x = %g", count, worst, worstX)
	// Tails: every length up to 20 writes exactly its slice.
	src := []float32{-3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0, 1, 2, 3}
	for n := range 21 {
		buf := make([]float32, n+2)
		for i := range buf {
			buf[i] = -7
		}
		expAVX2(buf[1:n+1], src[:n])
		assert.Equal(t, float32(-7), buf[0])
		assert.Equal(t, float32(-7), buf[n+1], "n = %d", n)
		for i, x := range src[:n] {
			assert.LessOrEqual(t, ulpDiff(buf[1+i], float32(math.Exp(float64(x)))), 1, "n = %d, x = %g", n, x)
		}
	}
}

// TestSafeSteps: the steps safeSteps allows load the partial column
// tile's whole vector inside B, and one step more would not (or every
// step is allowed).
func TestSafeSteps(t *testing.T) {
	for cols := 1; cols <= 40; cols++ {
		for bs := 0; bs <= 40; bs += 3 {
			for steps := 0; steps <= 6; steps++ {
				for extra := 0; extra <= 20; extra += 5 {
					blen := max(0, (steps-1)*bs+cols) + extra // B just holds every element read
					got := safeSteps(blen, bs, cols, steps)
					tail := cols % 16
					if tail == 0 {
						assert.Equal(t, steps, got, "no partial tile")
						continue
					}
					width := 16
					if tail <= 8 {
						width = 8
					}
					fits := func(s int) bool { return s*bs+cols-tail+width <= blen }
					for s := range got {
						assert.True(t, fits(s), "blen %d bs %d cols %d steps %d: step %d of %d overreads", blen, bs, cols, steps, s, got)
					}
					if got < steps {
						assert.False(t, fits(got), "blen %d bs %d cols %d steps %d: step %d would fit too", blen, bs, cols, steps, got)
					}
				}
			}
		}
	}
}

// quotientConverters are the multiply-and-correct quotient kernels of
// this architecture, by implementation (TestQuotientCheck).
var quotientConverters = map[string]func(float32) [256]float32{"avx2": quotientsAVX2, "avx512": quotientsAVX512}
