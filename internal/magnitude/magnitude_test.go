package magnitude

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// within is Within's definition, a value at a time.
func within(s []float32, lo, hi uint32) bool {
	for _, v := range s {
		if a := math.Float32bits(v) &^ (1 << 31); a != 0 && (a < lo || a >= hi) {
			return false
		}
	}
	return true
}

// bounds are the trainer's: finite, finite in bf16, fit for bf16
// skipping; and the extremes.
var bounds = [][2]uint32{{0, 0x7f800000}, {0, 0x7f7f8000}, {0x12800000, 0x7f7f8000}, {1, 2}, {0, 1 << 31}, {0x3f800000, 0x3f800001}}

// near returns a value whose magnitude's bits lie within 2 of lo, of hi,
// or of a special (0, the smallest denormal, ∞, a NaN), signed at random.
func near(r *rand.Rand, b [2]uint32) float32 {
	at := []uint32{b[0], b[1], 0, 1, 0x7f800000, 0x7fc00000, 0x7fffffff}[r.IntN(7)]
	a := (at + uint32(r.IntN(5)) - 2) &^ (1 << 31)
	return math.Float32frombits(a | uint32(r.IntN(2))<<31)
}

// pick returns a value near the bounds b that passes, or fails, and
// whether it found one.
func pick(r *rand.Rand, b [2]uint32, pass bool) (float32, bool) {
	for range 1000 {
		if v := near(r, b); within([]float32{v}, b[0], b[1]) == pass {
			return v, true
		}
	}
	return 0, false
}

// TestWithin holds Within to its definition on every implementation,
// lengths 0–80 and some longer, every float offset within 32 bytes and
// against guard pages: on random slices of values near the bounds, and on
// passing slices with one failing value at each position (every lane of
// the unrolled loop, the single vectors and the masked tail).
func TestWithin(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		places := testmem.Guards(t)
		for off := range 8 {
			places = append(places, &testmem.Offset{Off: off})
		}
		r := rand.New(rand.NewPCG(1, 2))
		sizes := []int{100, 127, 128, 129, 1000, 4099}
		for n := range 81 {
			sizes = append(sizes, n)
		}
		for _, pl := range places {
			for _, n := range sizes {
				for _, b := range bounds {
					s := pl.F32(0, n)
					for i := range s {
						s[i] = near(r, b)
					}
					require.Equal(t, within(s, b[0], b[1]), Within(s, b[0], b[1]), "%s n=%d %#x", pl.Name(), n, b)
					// Passing values, then one failure at each place.
					for i := range s {
						s[i], _ = pick(r, b, true)
					}
					require.True(t, Within(s, b[0], b[1]), "%s n=%d %#x", pl.Name(), n, b)
					for i := range s {
						if n > 130 && i%61 != 0 && i < n-70 {
							continue // the long slices' tails, and a sample
						}
						v, ok := pick(r, b, false)
						if !ok {
							break // bounds every value passes
						}
						v, s[i] = s[i], v
						require.False(t, Within(s, b[0], b[1]), "%s n=%d %#x: %g at %d", pl.Name(), n, b, s[i], i)
						s[i] = v
					}
					pl.Verify(t)
				}
			}
		}
	})
}

// TestWithinAllBits: random bits and random bounds.
func TestWithinAllBits(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		s := make([]float32, 37)
		for range 20000 {
			for i := range s {
				s[i] = math.Float32frombits(r.Uint32())
			}
			lo := r.Uint32() >> 1
			hi := lo + r.Uint32N(1<<31-lo) + 1
			require.Equal(t, within(s, lo, hi), Within(s, lo, hi), "%#x %#x", lo, hi)
		}
	})
}

func TestWithinPanics(t *testing.T) {
	testmem.Panics(t, map[string]func(){
		"magnitude.Within: bounds [0x2, 0x1) want lo ≤ hi, 0 < hi ≤ 2^31":        func() { Within(nil, 2, 1) },
		"magnitude.Within: bounds [0x0, 0x0) want lo ≤ hi, 0 < hi ≤ 2^31":        func() { Within(nil, 0, 0) },
		"magnitude.Within: bounds [0x0, 0x80000001) want lo ≤ hi, 0 < hi ≤ 2^31": func() { Within(nil, 0, 1<<31+1) },
	})
}

func TestSets(t *testing.T) {
	impltest.CheckSets(t, sets)
}
