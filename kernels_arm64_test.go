//go:build !purego

package simdnn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ulpDiff is |got − want| in units in the last place of want rounded to
// float32 (subnormal spacing below the normal range).
func ulpDiff(got float32, want float64) float64 {
	w := float32(want)
	ulp := math.Nextafter32(float32(math.Abs(float64(w))), float32(math.Inf(1))) - float32(math.Abs(float64(w)))
	if math.IsInf(float64(ulp), 0) {
		ulp = math.MaxFloat32 - math.Nextafter32(math.MaxFloat32, 0)
	}
	return math.Abs(float64(got)-want) / float64(ulp)
}

// TestExpNEON holds the softmax exp to 2 ulp of the float64 exp over the
// whole float32 range (every 16381st bit pattern of each sign, plus the
// edges), with NaN → NaN, −Inf → 0, +Inf and overflow → +Inf.
func TestExpNEON(t *testing.T) {
	var xs []float32
	for bits := uint64(0); bits < 1<<32; bits += 16381 {
		xs = append(xs, math.Float32frombits(uint32(bits)))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		88.72283, 88.72284, -87.33655, -103.27893, -103.97208, -104, -150, 1e-30, -1e-30,
		float32(math.NaN()), math.Float32frombits(0xffc00001))
	for len(xs)%4 != 0 {
		xs = append(xs, 0)
	}
	got := append([]float32(nil), xs...)
	expNEON(got)
	worst, worstX := 0.0, float32(0)
	for i, x := range xs {
		want := math.Exp(float64(x))
		switch {
		case x != x:
			require.True(t, got[i] != got[i], "exp(NaN) = %g", got[i])
			continue
		case math.IsInf(float64(float32(want)), 1):
			require.True(t, math.IsInf(float64(got[i]), 1), "exp(%g) = %g, want +Inf", x, got[i])
			continue
		}
		require.False(t, math.IsInf(float64(got[i]), 0) || got[i] != got[i], "exp(%g) = %g, want %g", x, got[i], want)
		if d := ulpDiff(got[i], want); d > worst {
			worst, worstX = d, x
		}
	}
	t.Logf("worst error %.3f ulp at x = %g (%#08x)", worst, worstX, math.Float32bits(worstX))
	assert.LessOrEqual(t, worst, 2.0, "exp(%g): %.3f ulp", worstX, worst)
}

// quotientConverters are the multiply-and-correct quotient kernels of
// this architecture, by implementation (TestQuotientCheck).
var quotientConverters = map[string]func(float32) [256]float32{"neon": quotientsNEON}
