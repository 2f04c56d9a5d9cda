package net

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/memavail"
)

// blobPixels is rows of side×side byte images, each a disk of random
// bytes around a point that depends on the row's class: like MNIST, a
// block of rows leaves a border of columns zero in every row, wider or
// narrower from block to block.
func blobPixels(seed uint64, rows, side int) ([]uint8, []int32) {
	r := rand.New(rand.NewPCG(seed, 17))
	x := make([]uint8, rows*side*side)
	y := make([]int32, rows)
	for i := range rows {
		c := r.IntN(10)
		y[i] = int32(c)
		cx := float64(side)/2 + float64(c%5-2) + r.NormFloat64()
		cy := float64(side)/2 + float64(c/5*2-1) + r.NormFloat64()
		rad := float64(side) / 5 * (0.7 + 0.6*r.Float64())
		for py := range side {
			for px := range side {
				if dx, dy := float64(px)-cx, float64(py)-cy; dx*dx+dy*dy < rad*rad {
					x[i*side*side+py*side+px] = uint8(1 + r.IntN(255))
				}
			}
		}
	}
	return x, y
}

// trainPaths trains copies of m for cfg.Epochs epochs on b (bytes over
// 255): from packed byte rows where the implementation packs, from plain
// byte rows, both skipping zero columns, from plain byte rows with
// skipping off, and from the rows' entries (skipping every zero byte;
// in float32 only, else as the second). It returns the four models and
// epochs' losses, and whether the zero-column runs left columns out.
func trainPaths(t *testing.T, m *Model, b []uint8, y []int32, cfg Config) (models [4]*Model, losses [4][]float64, errs [4]error, skipped bool) {
	t.Helper()
	defer func(s, e int) { skipZeroCols, useEntries = s, e }(skipZeroCols, useEntries)
	for i := range 4 {
		skipZeroCols, useEntries = skipAlways, skipOff // the Go gathers too, where they are not assembly
		switch i {
		case 2:
			skipZeroCols = skipOff
		case 3:
			useEntries = skipAlways
		}
		models[i] = m.Clone()
		tr := newTrainer(models[i], cfg, ByteRows(b, 255, y), PadMultiple)
		require.Equal(t, i != 2, tr.skip)
		require.Equal(t, i == 3 && cfg.Precision != BF16, tr.in.entries != nil)
		if i == 1 {
			tr.in.close() // the plain bytes from here on
		}
		for e := range cfg.Epochs {
			loss, _, err := tr.epoch(context.Background(), e+1)
			losses[i] = append(losses[i], loss)
			if errs[i] = err; err != nil {
				break
			}
		}
		for _, ws := range tr.ws {
			n := 0
			for _, r := range ws.runs {
				n += r.n
			}
			skipped = skipped || (i < 2 && len(ws.runs) > 0 && n < m.Inputs())
		}
		tr.close()
	}
	return models, losses, errs, skipped
}

// requireSameModels fails unless every model's weights and biases have
// the bits of the first's.
func requireSameModels(t *testing.T, models []*Model, what string) {
	t.Helper()
	for v := 1; v < len(models); v++ {
		for l := range models[0].W {
			for _, s := range [][2][]float32{{models[v].W[l], models[0].W[l]}, {models[v].B[l], models[0].B[l]}} {
				for i := range s[0] {
					require.Equal(t, math.Float32bits(s[1][i]), math.Float32bits(s[0][i]), "%s: model %d, layer %d, value %d", what, v, l, i)
				}
			}
		}
	}
}

// TestZeroColumnsSkipExactly: training with the first layer's zero
// columns skipped, or every zero byte, gives the weights, biases and
// losses of training without,
// bit for bit, on every implementation, 1 to 3 threads, plain SGD with
// and without decay, Keras momentum, torch momentum and Nesterov, Adam
// and AdamW, a hidden layer padded or not, a partial block, and one
// block a step (whose first layer steps from the compact gradient).
func TestZeroColumnsSkipExactly(t *testing.T) {
	b, y := blobPixels(1, 1700, 28)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		for _, c := range []struct {
			sizes []int
			cfg   Config
		}{
			{[]int{784, 15, 10}, Config{Epochs: 2, BatchSize: 600, LR: 0.2, Seed: 3, Threads: 1}},
			{[]int{784, 16, 10}, Config{Epochs: 2, BatchSize: 1024, LR: 0.1, Momentum: 0.9, Seed: 4, Threads: 3}},
			{[]int{784, 20, 12, 10}, Config{Epochs: 1, BatchSize: 300, LR: 0.01, Optimizer: Adam, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7, Seed: 5, Threads: 2}},
			// One block a step: the first layer steps from the kept
			// gradient, but for plain SGD with decay.
			{[]int{784, 16, 10}, Config{Epochs: 1, BatchSize: 128, LR: 0.1, Momentum: 0.9, Seed: 6, Threads: 2}},
			{[]int{784, 15, 10}, Config{Epochs: 1, BatchSize: 200, LR: 0.2, WeightDecay: 1e-3, Seed: 7, Threads: 1}},
			{[]int{784, 15, 10}, Config{Epochs: 1, BatchSize: 256, LR: 0.05, Optimizer: Nesterov, Momentum: 0.9, WeightDecay: 1e-3, Seed: 8, Threads: 1}},
			{[]int{784, 20, 10}, Config{Epochs: 1, BatchSize: 100, LR: 0.01, Optimizer: AdamW, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7, WeightDecay: 0.01, Seed: 9, Threads: 2}},
			{[]int{784, 16, 10}, Config{Epochs: 1, BatchSize: 256, LR: 0.05, Optimizer: Momentum, Momentum: 0.9, WeightDecay: 1e-3, Seed: 10, Threads: 2}},
			{[]int{784, 15, 10}, Config{Epochs: 1, BatchSize: 150, LR: 0.01, Optimizer: Adam, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7, WeightDecay: 1e-3, Seed: 11, Threads: 1}},
		} {
			m, err := New(c.sizes, 7)
			require.NoError(t, err)
			models, losses, errs, skipped := trainPaths(t, m, b, y, c.cfg)
			what := fmt.Sprint(impl, " ", c.sizes)
			for i := range errs {
				require.NoError(t, errs[i], what)
			}
			require.True(t, skipped, "%s: no column was skipped", what)
			assert.Equal(t, losses[2], losses[0], what)
			assert.Equal(t, losses[2], losses[1], what)
			assert.Equal(t, losses[2], losses[3], what)
			requireSameModels(t, models[:], what)
			if c.cfg.BatchSize <= BlockRows {
				requireOneBlockKept(t, m, b, y, c.cfg, what)
			}
		}
	}
}

// requireOneBlockKept fails unless training m on the byte rows b with
// cfg (one block a step) ends with a step whose one block kept its
// first-layer gradient in compact form: the path that steps the first
// layer from it (trainer.update).
func requireOneBlockKept(t *testing.T, m *Model, b []uint8, y []int32, cfg Config, what string) {
	t.Helper()
	defer func(s, e int) { skipZeroCols, useEntries = s, e }(skipZeroCols, useEntries)
	skipZeroCols, useEntries = skipAlways, skipOff
	tr := newTrainer(m.Clone(), cfg, ByteRows(b, 255, y), PadMultiple)
	defer tr.close()
	_, _, err := tr.epoch(t.Context(), 1)
	require.NoError(t, err, what)
	require.True(t, tr.blocks == 1 && tr.grads[0].kept, "%s: the last step was not one block in compact form", what)
}

// TestZeroColumnsSkipEdges: the cases where leaving a zero term out would
// change a bit run in full, so that they too match training without
// skipping: an infinite weight in a column zero in every row (the loss
// turns NaN at the first step either way), a −0 bias, and input
// gradients that overflow to infinity through huge second-layer weights.
func TestZeroColumnsSkipEdges(t *testing.T) {
	b, y := blobPixels(2, 600, 28)
	cols := make([]uint64, byterows.ColWords(784))
	byterows.NonZeroCols(cols, b, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 784)
	require.Zero(t, cols[0]&1, "column 0 is not zero in the rows")
	cfg := Config{Epochs: 2, BatchSize: 300, LR: 0.2, Seed: 3, Threads: 1}
	defer func(s int) { skipZeroCols = s }(skipZeroCols)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		inf, err := New([]int{784, 16, 10}, 1)
		require.NoError(t, err)
		inf.W[0][3] = float32(math.Inf(1)) // column 0, unit 3
		models, _, errs, _ := trainPaths(t, inf, b, y, cfg)
		for i := range errs {
			require.ErrorIs(t, errs[i], ErrDiverged, impl)
		}
		requireSameModels(t, models[:], impl+" infinite weight")

		negZero, err := New([]int{784, 16, 10}, 1)
		require.NoError(t, err)
		negZero.B[0][5] = float32(math.Copysign(0, -1))
		skipZeroCols = skipAlways
		tr := newTrainer(negZero, cfg, ByteRows(b, 255, y), PadMultiple)
		tr.step(0, 300)
		assert.True(t, tr.skip, impl)
		assert.False(t, tr.skipStep, "%s: skipped with a −0 bias", impl)
		tr.close()
		skipZeroCols = skipNative
		models, losses, errs, _ := trainPaths(t, negZero, b, y, cfg)
		for i := range errs {
			require.NoError(t, errs[i], impl)
		}
		assert.Equal(t, losses[2], losses[0], impl)
		assert.Equal(t, losses[2], losses[3], impl)
		requireSameModels(t, models[:], impl+" −0 biases")

		// One hidden unit at 3.3e-38 and second-layer weights of ±3e38 give
		// logits of ±10 (a finite loss) and an input gradient of 6e38 for
		// each row of an even class: +Inf (the rows here are all even).
		var eb []uint8
		var ey []int32
		for i := range y {
			if y[i]%2 == 0 && len(ey) < 40 {
				eb, ey = append(eb, b[i*784:(i+1)*784]...), append(ey, y[i])
			}
		}
		huge, err := New([]int{784, 16, 10}, 1)
		require.NoError(t, err)
		clear(huge.W[0])
		clear(huge.B[0])
		huge.B[0][0] = 10 / 3e38
		for i := range huge.W[1] {
			huge.W[1][i] = 3e38 * float32(2*(i%2)-1)
		}
		models, _, errs, skipped := trainPaths(t, huge, eb, ey, Config{Epochs: 1, BatchSize: 1, LR: 0.2, Seed: 3, Threads: 1})
		require.True(t, skipped, impl)
		for i := range errs {
			require.ErrorIs(t, errs[i], ErrDiverged, impl)
		}
		requireSameModels(t, models[:], impl+" infinite input gradients")
	}
}

func TestSkipHelpers(t *testing.T) {
	cols := []uint64{0b1110_0110, 1 << 63}
	runs := keptRuns(nil, cols)
	require.Equal(t, []colRun{{1, 2, 0}, {5, 3, 2}, {127, 1, 5}}, runs)
	r := rand.New(rand.NewPCG(3, 3))
	for trial := range 200 {
		set := make([]uint64, 4)
		for i := range set {
			switch trial % 4 {
			case 0:
				set[i] = r.Uint64()
			case 1:
				set[i] = ^uint64(0) << r.IntN(64)
			case 2:
				set[i] = ^uint64(0)
			}
		}
		var want []colRun
		at := 0
		for c := range 256 {
			if set[c/64]>>(c%64)&1 == 0 {
				continue
			}
			if n := len(want); n > 0 && want[n-1].from+want[n-1].n == c {
				want[n-1].n++
			} else {
				want = append(want, colRun{from: c, n: 1, at: at})
			}
			at++
		}
		got := keptRuns(nil, set)
		if len(want) == 0 {
			require.Empty(t, got)
		} else {
			require.Equal(t, want, got, "%x", set)
		}
	}
	w := make([]float32, 128*2)
	for i := range w {
		w[i] = float32(i)
	}
	kept := make([]float32, 6*2)
	keptRows(kept, w, runs, 2)
	assert.Equal(t, []float32{2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 254, 255}, kept)
	for _, lo := range []int{0, 3, 100} {
		for _, first := range []bool{true, false} {
			sum := make([]float32, 2*128-lo-7)
			for i := range sum {
				sum[i] = 0.5
			}
			addKept(simdnn.ActiveKernels(), sum, kept, runs, 2, lo, first)
			for i := range sum {
				want := float32(0.5)
				if first {
					want = 0
				}
				if r := (lo + i) / 2; r == 1 || r == 2 || (r >= 5 && r <= 7) || r == 127 {
					want += w[lo+i]
				}
				require.Equal(t, want, sum[i], "lo %d, first %v, sum[%d]", lo, first, i)
			}
		}
	}

	s := make([]float32, 11)
	for off := range 3 {
		for i := off; i < len(s); i++ {
			assert.True(t, finite(s[off:]))
			for _, v := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
				s[i] = float32(v)
				assert.False(t, finite(s[off:]), "offset %d, value %d = %g", off, i, v)
			}
			s[i] = math.MaxFloat32
		}
	}
	assert.True(t, finite(nil))
	assert.True(t, noNegativeZero([]float32{0, 1, -1}))
	assert.False(t, noNegativeZero([]float32{0, float32(math.Copysign(0, -1))}))
}

// TestEntriesNeedRoom: a trainer whose process cannot have the rows'
// entries skips zero columns only, and trains to the same weights.
func TestEntriesNeedRoom(t *testing.T) {
	b, y := blobPixels(3, 600, 28)
	defer func(s, e int, r func() (memavail.Room, bool)) { skipZeroCols, useEntries, room = s, e, r }(skipZeroCols, useEntries, room)
	skipZeroCols, useEntries = skipAlways, skipAlways
	cfg := Config{Epochs: 1, BatchSize: 300, LR: 0.2, Seed: 3, Threads: 1}
	var models []*Model
	for _, bytes := range []uint64{1 << 40, 1 << 14} { // the entries take about 240 KB
		m, err := New([]int{784, 16, 10}, 1)
		require.NoError(t, err)
		room = func() (memavail.Room, bool) { return memavail.Room{Bytes: bytes, Source: "test"}, true }
		tr := newTrainer(m, cfg, ByteRows(b, 255, y), PadMultiple)
		require.True(t, tr.skip)
		require.Equal(t, bytes > 1<<20, tr.in.entries != nil, "room %d", bytes)
		_, _, err = tr.epoch(t.Context(), 1)
		require.NoError(t, err)
		tr.close()
		models = append(models, m)
	}
	requireSameModels(t, models, "with and without room for the entries")
}

// TestEntriesTinyGradients: output gradients of the first layer in the
// denormals (second-layer weights of about 1e-41) can make a weight
// gradient's term round to −0 where the next, zero term of the dense sum
// makes it +0 again; such blocks run in full (fitEntries), and a step's
// first-layer gradient from entries is the one without skipping, bit for
// bit, on every implementation.
func TestEntriesTinyGradients(t *testing.T) {
	b, y := blobPixels(4, 600, 28)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	defer func(s, e int) { skipZeroCols, useEntries = s, e }(skipZeroCols, useEntries)
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		m, err := New([]int{784, 16, 10}, 2)
		require.NoError(t, err)
		for i := range m.W[1] {
			m.W[1][i] *= 1e-41 / 0.4 // Glorot's ±0.4 to ±1e-41
		}
		var grads [2][]float32
		for i, mode := range []int{skipOff, skipAlways} {
			skipZeroCols, useEntries = mode, mode
			tr := newTrainer(m.Clone(), Config{Epochs: 1, BatchSize: 256, LR: 0.2, Seed: 5, Threads: 1}, ByteRows(b, 255, y), PadMultiple)
			require.Equal(t, i == 1, tr.in.entries != nil)
			for start := 0; start+256 <= 512; start += 256 {
				require.Equal(t, i == 1, tr.skip && !slices.Contains(tr.keeps, false), "%s: the step skips", impl)
				tr.step(start, 256) // one block a step: its gradient is the step's
				grads[i] = append(grads[i], tr.grads[0].dW[0]...)
			}
			tr.close()
		}
		for i := range grads[0] {
			require.Equal(t, math.Float32bits(grads[0][i]), math.Float32bits(grads[1][i]), "%s: gradient value %d", impl, i)
		}
	}
}
