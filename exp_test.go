package simdnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// ulps is how far got lies from the exact value want, in units of the
// float32 spacing at want (2^-149, the denormal spacing, below the normal
// range): a correctly rounded result is within ½.
func ulps(got float32, want float64) float64 {
	if got != got || math.IsInf(float64(got), 0) {
		return math.Inf(1)
	}
	spacing := 0x1p-149
	if a := math.Abs(want); a >= 0x1p-126 {
		_, e := math.Frexp(a) // a = f·2^e, ½ ≤ f < 1
		spacing = math.Ldexp(1, e-24)
	}
	return math.Abs(float64(got)-want) / spacing
}

// Bounds of the exp every implementation's softmax uses, against the
// exact e^x: normal results within expULPs, results in the denormal
// range (where the 2^k scaling rounds once more) within expDenormalULPs
// of the denormal spacing.
const (
	expULPs         = 2
	expDenormalULPs = 1.5
)

// checkExp holds got = exp(xs) to the bounds: NaN gives NaN; a result
// past the float32 range +Inf, and any other input a finite value within
// the bound. It returns the worst error in ulps.
func checkExp(t *testing.T, xs, got []float32) (worst float64) {
	t.Helper()
	for i, x := range xs {
		want := math.Exp(float64(x))
		g := got[i]
		switch {
		case x != x:
			require.True(t, g != g, "exp(NaN) = %g", g)
			continue
		case math.IsInf(float64(float32(want)), 1):
			require.True(t, math.IsInf(float64(g), 1), "exp(%g) = %g (%#08x), want +Inf", x, g, math.Float32bits(g))
			continue
		}
		bound := float64(expULPs)
		if want < 0x1p-126 {
			bound = expDenormalULPs
		}
		u := ulps(g, want)
		if u > bound {
			t.Fatalf("exp(%g (%#08x)) = %g (%#08x), exact %g: %.2f ulp, bound %g", x, math.Float32bits(x), g, math.Float32bits(g), want, u, bound)
		}
		worst = max(worst, u)
	}
	return worst
}

// expEdges are the inputs where an exp goes wrong first: ±0, ±Inf, NaNs,
// the overflow threshold (ln MaxFloat32 ≈ 88.7228) and beyond, the end
// of the normal results (ln 2^-126 ≈ -87.3365), the denormal results down
// to the underflow threshold (ln 2^-149 ≈ -103.279, where results round
// to 0 below about -103.972), denormal and tiny inputs, the range
// reduction's boundaries (±ln 2 / 2) and the extremes.
var expEdges = []float32{
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0xffc00001), math.Float32frombits(0x7f800001),
	88.7, 88.72, 88.72283, 88.72284, 88.73, 89, 89.01, 89.5, 1e30, math.MaxFloat32,
	-87.3, -87.33, -87.33654, -87.33655, -87.34, -100, -103.27, -103.27893, -103.28,
	-103.97, -103.97208, -103.972084, -103.98, -104, -104.01, -104.5, -150, -200, -1e30, -math.MaxFloat32,
	1e-45, -1e-45, 1e-40, -1e-40, 1e-30, -1e-30,
	0.34657359, -0.34657359, 0.5, 1, -1, 10, -10,
}

// TestExp holds the vector exp of every implementation's softmax (the
// kernelSet's exp hook) to the exact e^x over the whole float32 range:
// every 509th bit pattern (both signs), a fine grid around 0 and the
// edges. Softmax itself only feeds it x ≤ 0, which the sweeps cover;
// this is the rest of the range, and NEON's or AVX-512's vector tails:
// every length 0 to 33 at every float offset and against guard pages
// writes exactly its slice, reads nothing past src, and gets every value
// right.
func TestExp(t *testing.T) {
	var whole, grid []float32
	for b := uint64(0); b < 1<<32; b += 509 {
		whole = append(whole, math.Float32frombits(uint32(b)))
	}
	for x := float32(-2); x <= 2; x += 1.0 / 4096 {
		grid = append(grid, x)
	}
	cases := []struct {
		name string
		xs   []float32
	}{
		{"edges", expEdges},
		{"around 0", grid},
		{"whole range", whole},
	}
	impltest.Run(t, func(t *testing.T) {
		exp := active().exp
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := make([]float32, len(c.xs))
				exp(got, c.xs)
				t.Logf("%d inputs, worst %.3f ulp", len(c.xs), checkExp(t, c.xs, got))
			})
		}
		t.Run("tails", func(t *testing.T) {
			r := rand.New(rand.NewPCG(9, 9))
			pls := testmem.Guards(t)
			for off := range 8 {
				pls = append(pls, &testmem.Offset{Off: off})
			}
			for _, pl := range pls {
				for n := range 34 {
					src, dst := pl.F32(0, n), pl.F32(1, n)
					for i := range src {
						src[i] = expEdges[r.IntN(len(expEdges))]
						if i%2 == 0 {
							src[i] = float32(r.Float64()*200 - 100)
						}
					}
					was := testmem.Clone(src)
					exp(dst, src)
					pl.Verify(t)
					require.Equal(t, fmt.Sprint(was), fmt.Sprint(src), "%s n=%d: exp changed src", pl.Name(), n)
					checkExp(t, src, dst)
				}
			}
		})
	})
}
