package simdnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bf16Specials are DenseForwardBF16's edge values: those of the float32
// kernels, values that round up, down and to even in bf16, the largest
// that round to a finite value and the smallest that overflow, and
// float32 denormals, which the operands and the sums flush.
var bf16Specials = append([]float32{
	math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000), // ties: down, up
	math.Float32frombits(0x3f80ffff), math.Float32frombits(0x7f7f7fff), math.Float32frombits(0x7f7f8000),
	math.Float32frombits(0x00800000), math.Float32frombits(0x807fffff), 1e-38, 3e-20, -3e-20,
}, denseSpecials...)

func compareDenseForwardBF16(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, relu bool) {
	t.Helper()
	x, w, b, y := pl.F32(0, m*k), pl.F32(1, k*n), pl.F32(2, n), pl.F32(3, m*n)
	fill(r, x)
	fill(r, w)
	fill(r, b)
	fill(r, y)
	want := make([]float32, m*n)
	denseForwardBF16Generic(want, testmem.Clone(x), testmem.Clone(w), testmem.Clone(b), m, k, n, relu)
	DenseForwardBF16(y, x, w, b, m, k, n, relu)
	pl.Verify(t)
	for i, got := range y {
		if !testmem.SameBits(got, want[i]) {
			t.Fatalf("%s %s DenseForwardBF16 m=%d k=%d n=%d relu=%v: y[%d][%d] = %g (%#08x), reference %g (%#08x)",
				Impl(), pl.Name(), m, k, n, relu, i/n, i%n, got, math.Float32bits(got), want[i], math.Float32bits(want[i]))
		}
	}
}

func compareDenseBackwardBF16(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, withDx bool) {
	t.Helper()
	x, w, dy := pl.F32(0, m*k), pl.F32(1, k*n), pl.F32(2, m*n)
	dw, db := pl.F32(3, k*n), pl.F32(4, n)
	var dx, wantDx []float32
	if withDx {
		dx, wantDx = pl.F32(5, m*k), make([]float32, m*k)
		fill(r, dx)
	}
	for _, s := range [][]float32{x, w, dy, dw, db} {
		fill(r, s)
	}
	wantDw, wantDb := make([]float32, k*n), make([]float32, n)
	denseBackwardBF16Generic(wantDw, wantDb, wantDx, testmem.Clone(x), testmem.Clone(w), testmem.Clone(dy), m, k, n)
	DenseBackwardBF16(dw, db, dx, x, w, dy, m, k, n)
	pl.Verify(t)
	for _, c := range []struct {
		name      string
		got, want []float32
		cols      int
	}{{"dw", dw, wantDw, n}, {"db", db, wantDb, n}, {"dx", dx, wantDx, k}} {
		for i, got := range c.got {
			if !testmem.SameBits(got, c.want[i]) {
				t.Fatalf("%s %s DenseBackwardBF16 m=%d k=%d n=%d: %s[%d][%d] = %g (%#08x), reference %g (%#08x)",
					Impl(), pl.Name(), m, k, n, c.name, i/c.cols, i%c.cols, got, math.Float32bits(got), c.want[i], math.Float32bits(c.want[i]))
			}
		}
	}
}

// TestBF16Native: avx512 runs the bf16 kernels in its own instructions
// where the CPU has AVX512_BF16 (SIMDNN_REQUIRE naming bf16 makes
// TestRequiredImplsPresent demand it); the others run them on their
// float32 tiles (bf16_tiles.go) or, generic, as the reference.
func TestBF16Native(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		ks := ActiveKernels()
		if ks.Impl() == "avx512" && impl.BF16() {
			assert.True(t, ks.BF16Native())
		} else {
			assert.False(t, ks.BF16Native(), "only avx512 with AVX512_BF16 has bf16 instructions here")
		}
	})
	assert.False(t, Kernels{set: &genericSet}.BF16Native())
}

// TestRoundBF16 holds the rounding to its definition: every float32 whose
// upper half is given, with low halves at and around the tie.
func TestRoundBF16(t *testing.T) {
	for hi := range uint32(1 << 16) {
		for _, lo := range []uint32{0, 1, 0x7fff, 0x8000, 0x8001, 0xffff} {
			u := hi<<16 | lo
			x := math.Float32frombits(u)
			got := RoundBF16(x)
			require.Zero(t, math.Float32bits(got)&0xffff)
			switch {
			case x != x: // quieted, sign and upper payload kept
				require.Equal(t, u&^0xffff|0x400000, math.Float32bits(got), "%#08x", u)
			case u&0x7f800000 == 0:
				require.Equal(t, u&0x80000000, math.Float32bits(got), "%#08x", u)
			default:
				// The nearer of the two bf16 values around x, ties to even.
				down := math.Float32frombits(u &^ 0xffff)       // toward 0
				up := math.Float32frombits(u&^0xffff + 0x10000) // away from 0
				want := down
				d, e := math.Abs(float64(x)-float64(down)), math.Abs(f32val(up)-float64(x))
				if e < d || (e == d && (u>>16)&1 == 1) {
					want = up
				}
				require.Equal(t, math.Float32bits(want), math.Float32bits(got), "%#08x", u)
			}
		}
	}
}

// TestBF16Hand checks the arithmetic's definition on cases worked by
// hand: the order of a pair, the flushes, the padding of an odd sum.
func TestBF16Hand(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) { bf16Hand(t, DenseForwardBF16) })
	t.Run("reference", func(t *testing.T) { bf16Hand(t, denseForwardBF16Generic) })
}

// bf16Hand works the cases of TestBF16Hand through forward.
func bf16Hand(t *testing.T, forward func(y, x, w, b []float32, m, k, n int, relu bool)) {
	run := func(x, w []float32, b float32) float32 {
		y := []float32{7}
		forward(y, x, w, []float32{b}, 1, len(x), 1, false)
		return y[0]
	}
	// 1 + 2^-9 is not a bf16 value: it rounds to 1 (tie to even).
	assert.Equal(t, float32(1), run([]float32{1 + 0x1p-8}, []float32{1}, 0))
	// The second product of a pair is added first: from 2^30,
	// 2^30 − 2^30 + 1 = 1, while 2^30 + 1 − 2^30 = 0 in float32.
	big := float32(0x1p30)
	assert.Equal(t, float32(1), run([]float32{1, -big}, []float32{1, 1}, big))
	assert.Equal(t, float32(0), run([]float32{-big, 1}, []float32{1, 1}, big))
	// A denormal bias is flushed once a pair is added; with no steps
	// it stays.
	den := math.Float32frombits(5)
	assert.Equal(t, uint32(0), math.Float32bits(run([]float32{0}, []float32{0}, den)))
	assert.Equal(t, uint32(5), math.Float32bits(run(nil, nil, den)))
	// A denormal sum is flushed: 2^-63 · 2^-64 = 2^-127.
	assert.Equal(t, uint32(0x80000000), math.Float32bits(run([]float32{-0x1p-63}, []float32{0x1p-64}, 0)))
	// The sum between the two steps of a pair is flushed: 2^-127 (the
	// second product) becomes 0 before 2^-126 is added.
	assert.Equal(t, uint32(0x00800000), math.Float32bits(run([]float32{0x1p-63, 0x1p-64}, []float32{0x1p-63, 0x1p-63}, 0)))
	// Tininess is judged after rounding to 24 bits with an unbounded
	// exponent, as x86 does: 2^-126 − 2^-150 rounds up to 2^-126 among
	// float32's denormals, but is tiny and becomes +0 …
	assert.Equal(t, uint32(0), math.Float32bits(run([]float32{0x1p-75}, []float32{-0x1p-75}, 0x1p-126)))
	// … while 2^-126 − 2^-151, a tie, rounds to 2^-126 either way.
	assert.Equal(t, uint32(0x00800000), math.Float32bits(run([]float32{0x1p-75}, []float32{-0x1p-76}, 0x1p-126)))
	// Arm flushes a result tiny before rounding: 2^-126 − 2^-151 exactly,
	// from operands whose exponents sum to −137, one below neon's bound
	// for its float32 tiles (bf16_tiles.go), where they would give 0.
	assert.Equal(t, uint32(0x00800000), math.Float32bits(run([]float32{0x1.02p-68}, []float32{-0x1.02p-69}, 0x1p-126+4160*0x1p-149)))
	// A denormal product added to a normal sum is not: 2^-125 + 2^-127.
	assert.Equal(t, uint32(0x01200000), math.Float32bits(run([]float32{0, 0x1p-64}, []float32{1, 0x1p-63}, 0x1p-125)))
	// An odd sum ends with +0·+0: −0 becomes +0.
	assert.Equal(t, uint32(0), math.Float32bits(run([]float32{-1}, []float32{0}, float32(math.Copysign(0, -1)))))
	// −0 + (−1·0) + (−0·1) stays −0 with an even number of steps.
	assert.Equal(t, uint32(0x80000000), math.Float32bits(run([]float32{float32(math.Copysign(0, -1)), -1}, []float32{1, 0}, float32(math.Copysign(0, -1)))))
}

// TestBF16MNISTShapes runs the bf16 kernels at the trainer's shapes.
func TestBF16MNISTShapes(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 8))
		pl := &testmem.Offset{Off: 3}
		for _, s := range [][3]int{{1024, 784, 15}, {256, 784, 128}, {256, 128, 10}, {255, 783, 129}, {100, 1000, 300}} {
			compareDenseForwardBF16(t, pl, r, testmem.Uniform, s[0], s[1], s[2], true)
			compareDenseBackwardBF16(t, pl, r, testmem.Uniform, s[0], s[1], s[2], true)
		}
	})
}

// TestBF16RowTiles runs the bf16 kernels where the driver sends the rows
// below the whole tiles to the one-row tile in groups of four: 1–11 rows
// left under 6-row and 12-row tiles, in blocks of steps after the first
// (more than 128 pairs), where init is C.
func TestBF16RowTiles(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 9))
		pl := &testmem.Offset{Off: 1}
		for _, m := range []int{1, 2, 3, 4, 5, 10, 11, 16, 17, 23} {
			for _, n := range []int{64, 30, 100} {
				compareDenseForwardBF16(t, pl, r, testmem.Uniform, m, 300, n, m%2 == 0)
				compareDenseBackwardBF16(t, pl, r, testmem.Uniform, m, 300, n, true)
			}
		}
	})
}

// TestBF16Denormals runs the bf16 kernels of every implementation (avx512
// with AVX512_BF16 in its own instructions) on operands whose products
// and sums reach into and cancel across the denormals, biases denormal
// among them, and holds them to the reference bit for bit: the flushes,
// and tininess judged after rounding, on the hardware that defines them.
func TestBF16Denormals(t *testing.T) {
	impltest.RunAsm(t, bf16Denormals)
}

// bf16Denormals runs TestBF16Denormals's cases on the active
// implementation.
func bf16Denormals(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	pl := &testmem.Offset{Off: 1}
	// Shapes whose x (m·k), b (n) and the others differ in length, by
	// which the filler tells them apart.
	for _, s := range [][3]int{{64, 96, 80}, {33, 17, 65}, {2, 40, 33}, {40, 33, 1}} {
		for _, e := range [][2]int{{-56, -56}, {-75, -75}, {-60, -90}, {-90, -90}} {
			near := func(r *rand.Rand, v []float32, ex int) {
				for i := range v {
					v[i] = float32(math.Ldexp(float64(1+r.IntN(128))/128, ex+r.IntN(4)))
					if r.IntN(2) == 0 {
						v[i] = -v[i]
					}
				}
			}
			fill := func(r *rand.Rand, v []float32) {
				switch len(v) {
				case s[0] * s[1]: // x
					near(r, v, e[0])
				case s[2]: // b
					near(r, v, -128)
				default: // w, dy, and outputs to be overwritten
					near(r, v, e[1])
				}
			}
			compareDenseForwardBF16(t, pl, r, fill, s[0], s[1], s[2], false)
			compareDenseBackwardBF16(t, pl, r, fill, s[0], s[1], s[2], true)
		}
	}
}
