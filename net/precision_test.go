package net

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
)

// TestBF16Training: training in bf16 gives the same weights, biases and
// losses bit for bit with zero columns skipped in pairs or not, on every
// implementation (those without bf16 instructions run the reference
// kernels), and differs from float32 training, so the precision reached
// the kernels. (Implementations differ in their float32 kernels, the
// softmax's exp among them, so whole runs differ between them in bf16 as
// in float32; the bf16 kernels themselves agree bit for bit.)
func TestBF16Training(t *testing.T) {
	b, y := blobPixels(5, 700, 28)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, c := range []struct {
		sizes []int
		cfg   Config
	}{
		{[]int{784, 15, 10}, Config{Epochs: 1, BatchSize: 300, LR: 0.2, Seed: 3, Threads: 2}},
		{[]int{784, 20, 12, 10}, Config{Epochs: 1, BatchSize: 256, LR: 0.01, Optimizer: Adam, Seed: 5, Threads: 1}},
	} {
		m, err := New(c.sizes, 7)
		require.NoError(t, err)
		for _, impl := range simdnn.Impls() {
			require.NoError(t, simdnn.SetImpl(impl))
			cfg := c.cfg
			cfg.Precision = BF16
			models, l, errs, skipped := trainPaths(t, m, b, y, cfg)
			what := fmt.Sprint(impl, " ", c.sizes)
			for i := range errs {
				require.NoError(t, errs[i], what)
			}
			require.True(t, skipped, "%s: no column was skipped", what)
			assert.Equal(t, l[2], l[0], what)
			assert.Equal(t, l[2], l[1], what)
			requireSameModels(t, models[:], what+" bf16, skipping or not")

			cfg.Precision = FP32
			fp32 := m.Clone()
			tr := newTrainer(fp32, cfg, ByteRows(b, 255, y), PadMultiple)
			for e := range cfg.Epochs {
				_, _, err := tr.epoch(t.Context(), e+1)
				require.NoError(t, err)
			}
			tr.close()
			assert.NotEqual(t, fp32.W[0], models[0].W[0], "%s: bf16 and fp32 trained the same weights", what)
		}
	}
}

// TestBF16SkipEdges: first-layer weights or biases too small for
// skipping in bf16 (a product or sum could be denormal, which the bf16
// kernels flush, possibly to −0) make the step run in full, and the
// results match training without skipping.
func TestBF16SkipEdges(t *testing.T) {
	b, y := blobPixels(6, 600, 28)
	cfg := Config{Epochs: 1, BatchSize: 300, LR: 0.2, Seed: 3, Threads: 1, Precision: BF16}
	defer func(s int) { skipZeroCols = s }(skipZeroCols)
	for _, set := range []func(m *Model){
		func(m *Model) { m.W[0][3*16+2] = -1e-35 },
		func(m *Model) { m.B[0][4] = 2e-39 },
		func(m *Model) { m.W[0][5] = 3.397e38 }, // rounds to a bf16 infinity
	} {
		m, err := New([]int{784, 16, 10}, 1)
		require.NoError(t, err)
		set(m)
		skipZeroCols = skipAlways
		tr := newTrainer(m.Clone(), cfg, ByteRows(b, 255, y), PadMultiple)
		tr.step(0, 300)
		assert.True(t, tr.skip)
		assert.False(t, tr.skipStep, "skipped with first-layer parameters unfit for it")
		tr.close()
		models, losses, _, _ := trainPaths(t, m, b, y, cfg)
		assert.Equal(t, losses[2], losses[0])
		requireSameModels(t, models[:], "bf16 edge")
	}
}

func TestBF16SkipHelpers(t *testing.T) {
	cols := []uint64{0b0100_1000_0001, 1<<63 | 1<<2}
	pairCols(cols, 128)
	assert.Equal(t, []uint64{0b1100_1100_0011, 3<<62 | 3<<2}, cols)
	odd := []uint64{1 << 4, 1 << 0}
	pairCols(odd, 65) // column 64 is the last, alone
	assert.Equal(t, []uint64{3 << 4, 1}, odd)

	assert.True(t, fitBF16([]float32{0, float32(math.Copysign(0, -1)), 0x1p-90, -1, 3.38e38}))
	for _, v := range []float32{0x1p-91, -1e-30, 1e-45, 3.4e38, float32(math.Inf(-1)), float32(math.NaN())} {
		assert.False(t, fitBF16([]float32{1, v}), "%g", v)
	}
	r := rand.New(rand.NewPCG(9, 9))
	for range 2000 {
		s := make([]float32, 1+r.IntN(9))
		for i := range s {
			s[i] = math.Float32frombits(r.Uint32() | 0x7f000000&-uint32(r.IntN(2)))
		}
		want := true
		for _, v := range s {
			f := simdnn.RoundBF16(v)
			want = want && !math.IsInf(float64(f), 0) && f == f
		}
		off := r.IntN(2) // odd and even addresses
		buf := make([]float32, len(s)+1)
		copy(buf[off:], s)
		require.Equal(t, want, bf16Finite(buf[off:off+len(s)]), "%v", s)

		// fitBF16 against its definition, on values around its bounds.
		fit := true
		for i := range s {
			switch r.IntN(4) {
			case 0:
				s[i] = float32(math.Copysign(0, float64(r.IntN(2)*2-1)))
			case 1:
				s[i] = math.Float32frombits(0x12800000 + uint32(r.IntN(5)) - 2)
			case 2:
				s[i] = math.Float32frombits(0x7f7f8000 + uint32(r.IntN(5)) - 2)
			}
			if r.IntN(2) == 0 {
				s[i] = -s[i]
			}
			a := math.Abs(float64(s[i]))
			fit = fit && (a == 0 || a >= 0x1p-90 && !math.IsInf(float64(simdnn.RoundBF16(s[i])), 0) && a == a)
		}
		copy(buf[off:], s)
		require.Equal(t, fit, fitBF16(buf[off:off+len(s)]), "%v", s)
	}
}

// TestBF16SkipBlock: in bf16 a block's first-layer outputs with zero
// columns skipped in pairs are those without skipping, bit for bit (the
// next products round them to bf16 again, so a difference of an ulp
// could leave the weights and losses alone), and so are its weight and
// bias gradients of the second layer.
func TestBF16SkipBlock(t *testing.T) {
	b, y := blobPixels(7, 600, 28)
	defer func(s int) { skipZeroCols = s }(skipZeroCols)
	skipZeroCols = skipAlways
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		m, err := New([]int{784, 32, 10}, 3)
		require.NoError(t, err)
		tr := newTrainer(m, Config{Epochs: 1, BatchSize: 256, LR: 0.1, Seed: 1, Threads: 1, Precision: BF16}, ByteRows(b, 255, y), PadMultiple)
		tr.batchRows = 256
		ws, g := tr.ws[0], tr.grads[0]
		run := func(skip bool) [][]float32 {
			tr.skipStep = skip
			tr.block(ws, g, tr.perm[:256])
			require.Equal(t, skip, g.kept, impl)
			return [][]float32{slices.Clone(ws.act[0][:256*32]), slices.Clone(g.dW[1]), slices.Clone(g.dB[1]), slices.Clone(g.dB[0])}
		}
		full, skipped := run(false), run(true)
		for i := range full {
			for j := range full[i] {
				require.Equal(t, math.Float32bits(full[i][j]), math.Float32bits(skipped[i][j]), "%s: slice %d, value %d", impl, i, j)
			}
		}
		tr.close()
	}
}

// TestBF16SkipDivisor: bf16 skips zero columns only on byte rows whose
// divisor is at most 2^22 (fitBF16); float32 on any.
func TestBF16SkipDivisor(t *testing.T) {
	b, y := blobPixels(9, 20, 28)
	defer func(s int) { skipZeroCols = s }(skipZeroCols)
	skipZeroCols = skipAlways
	m, err := New([]int{784, 16, 10}, 1)
	require.NoError(t, err)
	for _, c := range []struct {
		div  float32
		prec Precision
		skip bool
	}{{255, BF16, true}, {1 << 22, BF16, true}, {1 << 23, BF16, false}, {1 << 23, FP32, true}} {
		tr := newTrainer(m.Clone(), Config{Epochs: 1, BatchSize: 10, LR: 0.1, Seed: 1, Threads: 1, Precision: c.prec}, ByteRows(b, c.div, y), PadMultiple)
		assert.Equal(t, c.skip, tr.skip, "divisor %g, %s", c.div, c.prec)
		tr.close()
	}
}

// TestSkippedZero: a block's output gradient holding values finite in
// float32 that round to a bf16 infinity, with column sums that stay
// finite. Skipping would give the skipped columns 0 where the whole
// product gives NaN; skippedZero sees it in the first row of the kept
// columns' bf16 gradient, on every implementation, and lets a gradient
// without such values pass.
func TestSkippedZero(t *testing.T) {
	const rows, kept, n = 5, 3, 4
	x := make([]float32, rows*kept) // byte values, zeros among them
	for i := range x {
		x[i] = float32(i%3) / 255
	}
	dy := make([]float32, rows*n)
	for i := range dy {
		dy[i] = float32(i%7) - 3
	}
	dw, db, w := make([]float32, kept*n), make([]float32, n), make([]float32, kept*n)
	big := math.Float32frombits(0x7f7f8000) // rounds to bf16 +∞
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		k := simdnn.ActiveKernels()
		for _, c := range []struct {
			v    float32
			want bool
		}{{math.Float32frombits(0x7f7f7fff), true}, {big, false}} {
			dy[1*n+2], dy[3*n+2] = c.v, -c.v // column 2 sums to 0
			p := products{Kernels: k, bf16: true}
			p.denseBackward(dw, db, nil, x, w, dy, rows, kept, n)
			require.True(t, finite(db), impl)
			assert.Equal(t, c.want, skippedZero(true, db, dw, dy), "%s %g", impl, c.v)
			assert.Equal(t, c.want, skippedZero(true, db, nil, dy), "%s %g, no column kept", impl, c.v)
			assert.True(t, skippedZero(false, db, dw, dy), "%s %g fp32", impl, c.v)
		}
		dy[0] = float32(math.NaN())
		p := products{Kernels: k}
		p.denseBackward(dw, db, nil, x, w, dy, rows, kept, n)
		assert.False(t, skippedZero(false, db, dw, dy), impl)
		dy[0] = 0
	}
}
