//go:build !purego && (amd64 || arm64)

package simdnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bf16Near fills s with bf16 values of random sign and significand whose
// exponents lie from e to e + 6, one in four zero.
func bf16Near(r *rand.Rand, s []float32, e int) {
	for i := range s {
		if r.IntN(4) == 0 {
			s[i] = 0
			continue
		}
		v := float32(math.Ldexp(1+float64(r.IntN(128))/128, e+r.IntN(7)))
		if r.IntN(2) == 0 {
			v = -v
		}
		s[i] = v
	}
}

// TestBF16OnTilesBound runs the bf16 products on each implementation's
// float32 tiles (bf16_tiles.go) with operands whose smallest exponents
// sum to −112 down to −180, so that products and sums reach into and
// cancel across the denormals the definition flushes, and holds them to
// the reference bit for bit: on amd64 always (MXCSR's DAZ and FTZ), on
// arm64 down to the bound of −136 (FPCR.FZ), below which the tiles must
// refuse and bf16Forward and bf16Backward run the reference. The mode is
// the tiles' own: after them Go code runs in Go's.
func TestBF16OnTilesBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	mode := floatMode()
	tiny := float32(0x1p-70) // (a variable: tiny·tiny is computed at run time)
	for id, g := range gemmISAs {
		if !slices.Contains(impl.Names(), impl.Name(id)) {
			continue
		}
		t.Run(impl.Name(id), func(t *testing.T) {
			// The flushing mode is the tiles' own: Go code runs in Go's.
			goMode := func(after string) {
				t.Helper()
				require.Equal(t, mode, floatMode(), "the CPU's floating-point mode after %s", after)
				require.Equal(t, float32(0x1p-140), tiny*tiny, "a denormal product in Go after %s", after)
			}
			for _, s := range [][3]int{{1, 1, 1}, {3, 5, 7}, {8, 33, 17}, {17, 64, 40}, {40, 129, 3}, {7, 300, 66}, {1, 70, 40}, {40, 70, 1}} {
				m, k, n := s[0], s[1], s[2]
				for _, sum := range []int{-112, -136, -137, -150, -180} {
					for _, shift := range []int{0, 20, -20} {
						ea := sum/2 + shift
						eb := sum - ea
						taken := runtime.GOARCH == "amd64" || ea+eb >= -136
						what := fmt.Sprintf("%v ea=%d eb=%d", s, ea, eb)
						x, w, b, dy := make([]float32, m*k), make([]float32, k*n), make([]float32, n), make([]float32, m*n)
						w2 := make([]float32, k*n)
						bf16Near(r, x, ea)
						bf16Near(r, w, eb)
						bf16Near(r, dy, eb)
						bf16Near(r, w2, ea)
						bf16Near(r, b, -130)                           // denormal biases among them
						x[r.IntN(len(x))] = float32(math.Ldexp(1, ea)) // the exponents themselves present
						w[r.IntN(len(w))] = float32(math.Ldexp(-1, eb))
						dy[r.IntN(len(dy))] = float32(math.Ldexp(1, eb))
						w2[r.IntN(len(w2))] = float32(math.Ldexp(1, ea))

						want := make([]float32, m*n)
						denseForwardBF16Generic(want, x, w, b, m, k, n, false)
						y := make([]float32, m*n)
						require.Equal(t, taken, denseForwardBF16Tiles(g, y, x, w, b, m, k, n, false), "forward %s: tiles taken", what)
						goMode("forward " + what)
						if taken {
							sameAll(t, "forward tiles y "+what, y, want)
						}
						bf16Forward(g, y, x, w, b, m, k, n, false)
						sameAll(t, "bf16Forward y "+what, y, want)

						// Backward: dw's operands x and dy, dx's dy and w2,
						// each pair at the exponents.
						wdw, wdb, wdx := make([]float32, k*n), make([]float32, n), make([]float32, m*k)
						denseBackwardBF16Generic(wdw, wdb, wdx, x, w2, dy, m, k, n)
						dw, db, dx := make([]float32, k*n), make([]float32, n), make([]float32, m*k)
						require.Equal(t, taken, weightGradBF16Tiles(g, dw, x, dy, m, k, n), "dw %s: tiles taken", what)
						goMode("dw " + what)
						require.Equal(t, taken, inputGradBF16Tiles(g, dx, w2, dy, m, k, n), "dx %s: tiles taken", what)
						goMode("dx " + what)
						if taken {
							sameAll(t, "tiles dw "+what, dw, wdw)
							sameAll(t, "tiles dx "+what, dx, wdx)
						}
						bf16Backward(g, goColumnSums, dw, db, dx, x, w2, dy, m, k, n)
						sameAll(t, "bf16Backward dw "+what, dw, wdw)
						sameAll(t, "bf16Backward db "+what, db, wdb)
						sameAll(t, "bf16Backward dx "+what, dx, wdx)
					}
				}
			}
		})
	}
}

// goColumnSums is bf16Backward's colSums in Go (the reference's).
func goColumnSums(db, dy *float32, m, n int) {
	columnSumsGeneric(unsafe.Slice(db, n), unsafe.Slice(dy, m*n), m, n)
}

// TestBF16OnTilesTakesTraining: on operands like a network's in training
// the float32 tiles always run, so that the speed of a bf16 run without
// bf16 instructions is theirs, not the reference's: uniform in ±[2^-15,
// 1), then with a confident network's output layer's softmax gradient of
// 2^-119 among them (on arm64 the bound, −136, lies just below).
func TestBF16OnTilesTakesTraining(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for id, g := range gemmISAs {
		if !slices.Contains(impl.Names(), impl.Name(id)) {
			continue
		}
		for _, s := range [][3]int{{4, 1, 3}, {1, 784, 15}, {255, 783, 129}, {128, 128, 10}} {
			m, k, n := s[0], s[1], s[2]
			x, w, b, dy := make([]float32, m*k), make([]float32, k*n), make([]float32, n), make([]float32, m*n)
			for _, v := range [][]float32{x, w, b, dy} {
				for i := range v {
					v[i] = float32(math.Copysign(max(r.Float64(), 0x1p-15), r.Float64()-0.5)) // ±[2^-15, 1)
				}
			}
			for range 2 {
				assert.True(t, denseForwardBF16Tiles(g, make([]float32, m*n), x, w, b, m, k, n, true), "%s forward %v", impl.Name(id), s)
				assert.True(t, weightGradBF16Tiles(g, make([]float32, k*n), x, dy, m, k, n), "%s dw %v", impl.Name(id), s)
				assert.True(t, inputGradBF16Tiles(g, make([]float32, m*k), w, dy, m, k, n), "%s dx %v", impl.Name(id), s)
				x[0], dy[0] = 0x1p-15, 0x1p-119 // then confident
			}
		}
	}
}

// needRounding skips t on an amd64 CPU without AVX2, which cannot run
// avx2RoundBF16 (nor any implementation that calls it).
func needRounding(t *testing.T) {
	if runtime.GOARCH == "amd64" && !slices.Contains(impl.Names(), "avx2") {
		t.Skip("avx2RoundBF16 needs AVX2, which this CPU lacks")
	}
}

// TestRoundSwap holds roundSwapRows and roundSwapCols to their
// definitions, written out with RoundBF16, on 0–5 rows of 1–19 values.
func TestRoundSwap(t *testing.T) {
	needRounding(t)
	r := rand.New(rand.NewPCG(9, 9))
	for rows := range 6 {
		for n := 1; n < 20; n++ {
			lds := n + 1
			src := make([]float32, rows*lds)
			for i := range src {
				src[i] = float32(r.NormFloat64())
			}
			rp, np := rows+rows%2, n+n%2
			wantR, wantC := make([]float32, rp*n), make([]float32, rows*np)
			for i := range rows {
				for j := range n {
					v := RoundBF16(src[i*lds+j])
					d, c := i^1, j^1
					if rows%2 == 1 && i == rows-1 {
						d = i + 1
					}
					if n%2 == 1 && j == n-1 {
						c = j + 1
					}
					wantR[d*n+j], wantC[i*np+c] = v, v
				}
			}
			gotR, gotC := make([]float32, rp*n), make([]float32, rows*np)
			for i := range gotR {
				gotR[i] = 5 // the pad row must be cleared
			}
			roundSwapRows(gotR, src, rows, n, lds)
			roundSwapCols(gotC, src, rows, n, lds)
			require.Equal(t, wantR, gotR, "roundSwapRows rows=%d n=%d", rows, n)
			require.Equal(t, wantC, gotC, "roundSwapCols rows=%d n=%d", rows, n)
		}
	}
}
