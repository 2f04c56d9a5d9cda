//go:build (amd64 || arm64) && !purego

package byterows

import (
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
)

// TestQuotientCheck: the multiply-and-correct quotient of each assembly
// Dequantize is exact on all 256 bytes for ordinary divisors (255 above
// all: the trainer's), and the check that guards it fails where it must
// (zero, overflowing reciprocals, infinities), so those divisors take the
// table path.
func TestQuotientCheck(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		name := implName()
		if name == "generic" {
			t.Skip("no assembly on this CPU: no quotients to check")
		}
		convert, ok := quotientConverters[name]
		require.True(t, ok, "%s has no quotient converter in quotientConverters", name)
		var cache atomic.Uint64
		for _, div := range []float32{255, 1, 3, 7, 10, 0.1, 127, -7, 1e-30, 1e30} {
			assert.True(t, exactQuotients(&cache, div, convert), "%s: divisor %g not exact", name, div)
			assert.True(t, exactQuotients(&cache, div, convert), "%s: divisor %g, cached", name, div)
		}
		for _, div := range []float32{0, float32(math.Copysign(0, -1)), 1e-40, float32(math.Inf(1)), float32(math.Inf(-1))} {
			assert.False(t, exactQuotients(&cache, div, convert), "%s: divisor %g passed", name, div)
			assert.False(t, exactQuotients(&cache, div, convert), "%s: divisor %g passed, cached", name, div)
		}
		// A converter that is off in one byte fails the check.
		off := func(div float32) [256]float32 {
			q := convert(div)
			q[200] = math.Nextafter32(q[200], 0)
			return q
		}
		assert.False(t, exactQuotients(new(atomic.Uint64), 255, off), "%s: a wrong quotient passed", name)
	})
}
