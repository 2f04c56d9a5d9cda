package net

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
)

// blobs makes a synthetic classification set: rows points in dim
// dimensions around one random centre per class.
func blobs(seed uint64, rows, dim, classes int, spread float64) ([]float32, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, classes*dim)
	for i := range centres {
		centres[i] = r.NormFloat64()
	}
	x := make([]float32, rows*dim)
	y := make([]int32, rows)
	for i := range y {
		c := r.IntN(classes)
		y[i] = int32(c)
		for d := range dim {
			x[i*dim+d] = float32(centres[c*dim+d] + spread*r.NormFloat64())
		}
	}
	return x, y
}

// comparable replaces the NaNs that mark absent validation figures, which
// no equality check accepts, by -1.
func comparable(h History) History {
	out := append(History(nil), h...)
	for i := range out {
		if math.IsNaN(out[i].ValLoss) {
			out[i].ValLoss, out[i].ValAccuracy = -1, -1
		}
	}
	return out
}

func TestNewGlorot(t *testing.T) {
	m, err := New([]int{784, 15, 10}, 1)
	require.NoError(t, err)
	require.NoError(t, m.Validate())
	assert.Equal(t, 784*15+15+15*10+10, m.Params())
	for l, w := range m.W {
		limit := math.Sqrt(6 / float64(m.Sizes[l]+m.Sizes[l+1]))
		var sum, sq float64
		for _, v := range w {
			require.LessOrEqual(t, math.Abs(float64(v)), limit)
			sum += float64(v)
			sq += float64(v) * float64(v)
		}
		n := float64(len(w))
		// Uniform on ±limit: mean 0, variance limit²/3.
		assert.InDelta(t, 0, sum/n, 4*limit/math.Sqrt(3*n), "layer %d mean", l)
		assert.InDelta(t, limit*limit/3, sq/n, 0.1*limit*limit/3, "layer %d variance", l)
		assert.Equal(t, make([]float32, m.Sizes[l+1]), m.B[l], "biases start at zero")
	}
	again, _ := New([]int{784, 15, 10}, 1)
	assert.Equal(t, m, again, "same seed, same model")
	other, _ := New([]int{784, 15, 10}, 2)
	assert.NotEqual(t, m.W[0], other.W[0])

	for _, bad := range [][]int{nil, {5}, {5, 0, 3}, {-1, 3}} {
		_, err := New(bad, 1)
		assert.Error(t, err, "%v", bad)
	}
}

func TestTrainLearns(t *testing.T) {
	x, y := blobs(1, 2000, 20, 4, 0.5)
	m, err := New([]int{20, 16, 8, 4}, 3)
	require.NoError(t, err)
	loss0, acc0, err := m.Evaluate(FloatRows(x, y))
	require.NoError(t, err)
	var seen []EpochStats
	cfg := Config{Epochs: 10, BatchSize: 100, LR: 0.2, Seed: 1, OnEpoch: func(s EpochStats) error {
		seen = append(seen, s)
		return nil
	}}
	hist, err := Train(context.Background(), m, FloatRows(x, y), cfg)
	require.NoError(t, err)
	require.Len(t, hist, 10)
	assert.Equal(t, comparable(hist), comparable(seen))
	loss, acc, err := m.Evaluate(FloatRows(x, y))
	require.NoError(t, err)
	assert.Less(t, loss, loss0/4)
	assert.Greater(t, acc, 0.95)
	assert.Less(t, acc0, 0.6)
	assert.Less(t, hist[9].Loss, hist[0].Loss)
	assert.True(t, math.IsNaN(hist[0].ValLoss), "no validation data")
	pred, err := m.Predict(FloatRows(x, nil))
	require.NoError(t, err)
	right := 0
	for i := range pred {
		if pred[i] == y[i] {
			right++
		}
	}
	assert.InDelta(t, acc, float64(right)/float64(len(y)), 1e-12, "Predict agrees with Evaluate")
	p, err := m.Probabilities(FloatRows(x[:20*3], nil))
	require.NoError(t, err)
	for i := range 3 {
		var s float64
		for _, v := range p[i*4 : i*4+4] {
			s += float64(v)
		}
		assert.InDelta(t, 1, s, 1e-6)
	}
}

func TestMomentumTrains(t *testing.T) {
	x, y := blobs(2, 1000, 10, 3, 0.5)
	m, _ := New([]int{10, 8, 3}, 1)
	_, err := Train(context.Background(), m, FloatRows(x, y), Config{Epochs: 5, BatchSize: 50, LR: 0.05, Momentum: 0.9, Seed: 1})
	require.NoError(t, err)
	_, acc, err := m.Evaluate(FloatRows(x, y))
	require.NoError(t, err)
	assert.Greater(t, acc, 0.95)
}

// TestOptimizers: every optimizer, with and without weight decay, learns
// separable blobs, and gives bitwise the same weights on 1 and 3 threads.
// Optimizer "" is "sgd": with Momentum it is Keras' momentum either way.
func TestOptimizers(t *testing.T) {
	x, y := blobs(2, 1000, 10, 3, 0.5)
	data := FloatRows(x, y)
	run := func(cfg Config, threads int) *Model {
		m, _ := New([]int{10, 8, 3}, 1)
		cfg.Epochs, cfg.BatchSize, cfg.Seed, cfg.Threads = 5, 50, 1, threads
		_, err := Train(context.Background(), m, data, cfg)
		require.NoError(t, err)
		return m
	}
	same := func(a, b *Model) bool {
		for l := range a.W {
			for i := range a.W[l] {
				if math.Float32bits(a.W[l][i]) != math.Float32bits(b.W[l][i]) {
					return false
				}
			}
			for i := range a.B[l] {
				if math.Float32bits(a.B[l][i]) != math.Float32bits(b.B[l][i]) {
					return false
				}
			}
		}
		return true
	}
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"sgd", Config{Optimizer: SGD, LR: 0.1}},
		{"sgd, decay", Config{Optimizer: SGD, LR: 0.1, WeightDecay: 1e-3}},
		{"sgd, Keras momentum, decay", Config{Optimizer: SGD, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-3}},
		{"momentum", Config{Optimizer: Momentum, LR: 0.05}},
		{"momentum, decay", Config{Optimizer: Momentum, LR: 0.05, Momentum: 0.8, WeightDecay: 1e-3}},
		{"nesterov", Config{Optimizer: Nesterov, LR: 0.05, WeightDecay: 1e-3}},
		{"adam", Config{Optimizer: Adam, LR: 0.01}},
		{"adam, decay", Config{Optimizer: Adam, LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 1e-3}},
		{"adamw", Config{Optimizer: AdamW, LR: 0.01, WeightDecay: 0.01}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := run(c.cfg, 1)
			_, acc, err := m.Evaluate(data)
			require.NoError(t, err)
			assert.Greater(t, acc, 0.95)
			assert.True(t, same(m, run(c.cfg, 3)), "1 and 3 threads differ")
		})
	}
	keras := Config{LR: 0.05, Momentum: 0.9}
	sgd := keras
	sgd.Optimizer = SGD
	assert.True(t, same(run(keras, 2), run(sgd, 2)), `Optimizer "" and "sgd" differ`)
	torch := keras
	torch.Optimizer = Momentum
	assert.False(t, same(run(keras, 2), run(torch, 2)), "Keras' and torch's momentum agree")
}

// TestDeterministicAcrossThreads: the same seed gives bitwise-identical
// losses, accuracies and weights on 1, 2, 3 and 7 threads, with plain SGD
// and with momentum, on batches that end in a partial block and a last
// batch shorter than the others.
func TestDeterministicAcrossThreads(t *testing.T) {
	fx, fy := blobs(3, 3000, 30, 10, 1)
	px, py := pixels(3, 3000, 30, 10)
	for _, mu := range []float32{0, 0.5} {
		data := FloatRows(fx, fy)
		if mu != 0 {
			data = ByteRows(px, 255, py) // the byte path
		}
		var ref *Model
		var refHist History
		for _, threads := range []int{1, 2, 3, 7} {
			m, _ := New([]int{30, 17, 9, 10}, 5)
			hist, err := Train(context.Background(), m, data, Config{Epochs: 3, BatchSize: 700, LR: 0.1, Momentum: mu, Seed: 9, Threads: threads})
			require.NoError(t, err)
			hist = comparable(hist)
			for i := range hist {
				hist[i].Seconds = 0
			}
			if ref == nil {
				ref, refHist = m, hist
				continue
			}
			require.Equal(t, refHist, hist, "threads %d momentum %g", threads, mu)
			for l := range m.W {
				for i := range m.W[l] {
					require.Equal(t, math.Float32bits(ref.W[l][i]), math.Float32bits(m.W[l][i]), "threads %d momentum %g W[%d][%d]", threads, mu, l, i)
				}
				for i := range m.B[l] {
					require.Equal(t, math.Float32bits(ref.B[l][i]), math.Float32bits(m.B[l][i]), "threads %d momentum %g B[%d][%d]", threads, mu, l, i)
				}
			}
		}
	}
}

// TestPaddingIsExact: training with hidden layers padded to multiples of
// 8 inside the trainer changes nothing the caller sees. With the reference
// kernels the weights, losses and accuracies are bitwise those of the
// unpadded run; with every other implementation they agree closely (an
// assembly kernel may order its sums by the padded width). The padded
// units' weights stay exactly zero and the model keeps its shapes.
func TestPaddingIsExact(t *testing.T) {
	x, y := blobs(10, 2000, 30, 10, 1)
	vx, vy := blobs(11, 300, 30, 10, 1)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		cfg := Config{Epochs: 3, BatchSize: 300, LR: 0.1, Momentum: 0.3, Seed: 4, Threads: 2, Val: FloatRows(vx, vy)}
		runs := map[int]*Model{}
		hists := map[int]History{}
		for _, pad := range []int{1, 8} {
			m, _ := New([]int{30, 13, 7, 10}, 2)
			hist, err := train(context.Background(), m, FloatRows(x, y), cfg, pad)
			require.NoError(t, err)
			require.NoError(t, m.Validate(), "shapes unchanged")
			assert.Equal(t, []int{30, 13, 7, 10}, m.Sizes)
			for i := range hist {
				hist[i].Seconds = 0
			}
			runs[pad], hists[pad] = m, hist
		}
		if impl == "generic" {
			assert.Equal(t, hists[1], hists[8], impl)
			for l := range runs[1].W {
				for i := range runs[1].W[l] {
					require.Equal(t, math.Float32bits(runs[1].W[l][i]), math.Float32bits(runs[8].W[l][i]), "%s W[%d][%d]", impl, l, i)
				}
				assert.Equal(t, runs[1].B[l], runs[8].B[l], impl)
			}
			continue
		}
		for i := range hists[1] {
			assert.InEpsilon(t, hists[1][i].Loss, hists[8][i].Loss, 1e-3, "%s epoch %d", impl, i+1)
			assert.InEpsilon(t, hists[1][i].ValLoss, hists[8][i].ValLoss, 1e-3, "%s epoch %d", impl, i+1)
		}
	}

	// Inside the trainer: the padded units stay zero.
	m, _ := New([]int{30, 13, 7, 10}, 2)
	tr := newTrainer(m, Config{Epochs: 1, BatchSize: 300, LR: 0.1, Seed: 4, Threads: 2}, FloatRows(x, y), 8)
	defer tr.close()
	require.Equal(t, []int{30, 16, 8, 10}, tr.p.Sizes)
	for epoch := 1; epoch <= 2; epoch++ {
		_, _, err := tr.epoch(context.Background(), epoch)
		require.NoError(t, err)
	}
	for l := range tr.p.Layers() {
		in, out := m.Sizes[l], m.Sizes[l+1]
		pin, pout := tr.p.Sizes[l], tr.p.Sizes[l+1]
		for r := range pin {
			for c := range pout {
				v := tr.p.W[l][r*pout+c]
				if r < in && c < out {
					require.Equal(t, m.W[l][r*out+c], v, "W[%d] (%d,%d) synced", l, r, c)
				} else {
					require.Zero(t, math.Float32bits(v), "padded W[%d] (%d,%d)", l, r, c)
				}
			}
		}
		for c := range pout {
			if c >= out {
				require.Zero(t, math.Float32bits(tr.p.B[l][c]), "padded B[%d][%d]", l, c)
			}
		}
	}
	assert.Equal(t, []int{784, 16, 128, 64, 10}, TrainSizes([]int{784, 15, 128, 57, 10}))
	assert.Equal(t, []int{3, 5}, TrainSizes([]int{3, 5}), "inputs and classes are never padded")
	// No padding needed: the trainer trains the caller's model itself.
	m8, _ := New([]int{30, 16, 10}, 2)
	tr8 := newTrainer(m8, Config{Epochs: 1, BatchSize: 300, LR: 0.1, Seed: 4}, FloatRows(x, y), 8)
	tr8.close()
	assert.Same(t, m8, tr8.p)
}

// TestBatchGradient checks a whole training step against finite
// differences: after one step with lr the weights moved by −lr times the
// gradient of the batch's mean loss, which is computed here in float64
// from the model alone, through ReLU and softmax.
func TestBatchGradient(t *testing.T) {
	x, y := blobs(4, 300, 6, 3, 1)
	m, _ := New([]int{6, 5, 4, 3}, 7)
	for l := range m.B {
		for i := range m.B[l] {
			m.B[l][i] = 0.1 * float32(i%3)
		}
	}
	before := m.Clone()
	const lr = 1.0 / 1024
	for _, pad := range []int{1, 8} {
		m := before.Clone()
		tr := newTrainer(m, Config{Epochs: 1, BatchSize: 300, LR: lr, Seed: 1, Threads: 2}, FloatRows(x, y), pad)
		tr.step(0, 300) // perm is still the identity: the batch is every row
		tr.sync()
		tr.close()
		checkStep(t, x, y, before, m, lr)
	}
}

// checkStep asserts that after stepping before to m with lr on all the
// rows of x, m moved by −lr times the finite-difference gradient of the
// mean loss.
func checkStep(t *testing.T, x []float32, y []int32, before, m *Model, lr float64) {
	t.Helper()
	loss := func(mm *Model) float64 {
		var total float64
		in := before.Inputs()
		for i := range len(y) {
			a := make([]float64, in)
			for d := range a {
				a[d] = float64(x[i*in+d])
			}
			for l := range mm.Layers() {
				out := make([]float64, mm.Sizes[l+1])
				for j := range out {
					s := float64(mm.B[l][j])
					for p := range a {
						s += a[p] * float64(mm.W[l][p*len(out)+j])
					}
					if l < mm.Layers()-1 {
						s = math.Max(s, 0)
					}
					out[j] = s
				}
				a = out
			}
			mx := math.Inf(-1)
			for _, v := range a {
				mx = math.Max(mx, v)
			}
			var s float64
			for _, v := range a {
				s += math.Exp(v - mx)
			}
			total += mx + math.Log(s) - a[y[i]]
		}
		return total / float64(len(y))
	}
	probe := before.Clone()
	check := func(name string, params, moved, orig []float32) {
		for i := range params {
			const h = 1e-3
			params[i] = orig[i] + h
			lp := loss(probe)
			params[i] = orig[i] - h
			lm := loss(probe)
			params[i] = orig[i]
			numeric := (lp - lm) / (2 * h)
			step := float64(orig[i]-moved[i]) / lr
			assert.InDelta(t, numeric, step, 2e-3+1e-2*math.Abs(numeric), "%s[%d]", name, i)
		}
	}
	for l := range m.Layers() {
		check("W", probe.W[l], m.W[l], before.W[l])
		check("B", probe.B[l], m.B[l], before.B[l])
	}
}

// TestStepAllocatesNothing: a training step, and a whole epoch, allocate
// nothing, on any thread count, with and without momentum and padding.
func TestStepAllocatesNothing(t *testing.T) {
	fx, fy := blobs(5, 2048, 50, 10, 1)
	px, py := pixels(5, 2048, 50, 10)
	for _, threads := range []int{1, 2, 3} {
		for _, mu := range []float32{0, 0.9} {
			data := FloatRows(fx, fy)
			if threads != 2 {
				data = ByteRows(px, 255, py) // the byte path
			}
			for _, hidden := range []int{15, 16} {
				m, _ := New([]int{50, hidden, 10}, 1)
				cfg := Config{Epochs: 1, BatchSize: 1024, LR: 0.1, Momentum: mu, Seed: 1, Threads: threads}
				if hidden == 15 && mu == 0 {
					cfg.Optimizer, cfg.WeightDecay = Adam, 1e-4 // the update's other path
				}
				tr := newTrainer(m, cfg, data, PadMultiple)
				allocs := testing.AllocsPerRun(20, func() { tr.step(0, 1024); tr.step(1024, 1000) })
				assert.Zero(t, allocs, "step: threads %d momentum %g hidden %d", threads, mu, hidden)
				epoch := 0
				allocs = testing.AllocsPerRun(5, func() {
					epoch++
					_, _, err := tr.epoch(context.Background(), epoch)
					require.NoError(t, err)
				})
				assert.Zero(t, allocs, "epoch: threads %d momentum %g hidden %d", threads, mu, hidden)
				tr.close()
			}
		}
	}
}

func TestDivergence(t *testing.T) {
	x, y := blobs(6, 1000, 10, 3, 1)
	for i := range x {
		x[i] *= 1e4
	}
	for _, hidden := range []int{8, 7} { // 7 trains padded to 8
		m, _ := New([]int{10, hidden, 3}, 1)
		_, err := Train(context.Background(), m, FloatRows(x, y), Config{Epochs: 50, BatchSize: 100, LR: 1e6, Seed: 1})
		require.ErrorIs(t, err, ErrDiverged)
		assert.Regexp(t, `^net: training diverged at epoch \d+, batch \d+ of 10: loss is `, err.Error())
		require.NoError(t, m.Validate())
		for l := range m.W {
			for _, v := range m.W[l] {
				require.False(t, math.IsNaN(float64(v)), "hidden %d: the update that diverged was not applied", hidden)
			}
		}
	}
}

// TestCancel: a run cancelled in its second epoch stops after the batch in
// flight, and leaves the model with the weights of the end of the first
// epoch, the last one its history lists, bit for bit as a run of one epoch
// leaves them; padded (7 → 8) or not (8), on 1 and 2 threads.
func TestCancel(t *testing.T) {
	x, y := blobs(7, 1000, 10, 3, 1)
	for _, hidden := range []int{8, 7} {
		for _, threads := range []int{1, 2} {
			cfg := Config{Epochs: 5, BatchSize: 100, LR: 0.1, Seed: 1, Threads: threads}
			m, _ := New([]int{10, hidden, 3}, 1)
			ctx, cancel := context.WithCancel(context.Background())
			batches := 0
			var afterEpoch1 *Model
			c := cfg
			c.OnBatch = func(epoch, done, total int) {
				batches++
				if epoch == 2 && done == 3 {
					cancel()
				}
			}
			c.OnEpoch = func(EpochStats) error { afterEpoch1 = m.Clone(); return nil }
			hist, err := Train(ctx, m, FloatRows(x, y), c)
			require.ErrorIs(t, err, context.Canceled)
			assert.Len(t, hist, 1)
			assert.Equal(t, 13, batches, "stops after the batch in flight")
			assert.Equal(t, afterEpoch1, m, "hidden %d, %d threads: the cancelled epoch's batches reached the model", hidden, threads)

			ref, _ := New([]int{10, hidden, 3}, 1)
			one := cfg
			one.Epochs = 1
			_, err = Train(context.Background(), ref, FloatRows(x, y), one)
			require.NoError(t, err)
			assert.Equal(t, ref, m, "hidden %d, %d threads", hidden, threads)
		}
	}
}

func TestPatienceRestoresBest(t *testing.T) {
	x, y := blobs(8, 600, 10, 3, 2.5)
	vx, vy := blobs(8, 200, 10, 3, 2.5) // same centres, other noise: a noisy validation set
	m, _ := New([]int{10, 32, 3}, 1)
	bestLoss := math.Inf(1)
	hist, err := Train(context.Background(), m, FloatRows(x, y), Config{Epochs: 200, BatchSize: 20, LR: 0.5, Seed: 1, Val: FloatRows(vx, vy), Patience: 3,
		OnEpoch: func(s EpochStats) error {
			require.False(t, math.IsNaN(s.ValLoss))
			return nil
		}})
	require.NoError(t, err)
	require.Less(t, len(hist), 200, "early stopping stopped")
	for _, h := range hist {
		bestLoss = math.Min(bestLoss, h.ValLoss)
	}
	loss, _, err := m.Evaluate(FloatRows(vx, vy))
	require.NoError(t, err)
	assert.InDelta(t, bestLoss, loss, 1e-6, "the best epoch's weights are restored")
	assert.Less(t, bestLoss, hist[len(hist)-1].ValLoss)
}

func TestConfigErrors(t *testing.T) {
	x, y := blobs(9, 100, 4, 2, 1)
	m, _ := New([]int{4, 3, 2}, 1)
	good := Config{Epochs: 1, BatchSize: 10, LR: 0.1}
	cases := []struct {
		name string
		edit func(*Config)
		msg  string
	}{
		{"epochs", func(c *Config) { c.Epochs = 0 }, "net: Config.Epochs = 0, want > 0"},
		{"batch", func(c *Config) { c.BatchSize = -1 }, "net: Config.BatchSize = -1, want > 0"},
		{"batch too big", func(c *Config) { c.BatchSize = 101 }, "net: batch size 101 is larger than the 100 training rows"},
		{"epochs overflow", func(c *Config) { c.Epochs = math.MaxInt }, fmt.Sprintf("net: %d epochs of 10 batches: more batches than an int counts", math.MaxInt)},
		{"lr zero", func(c *Config) { c.LR = 0 }, "net: Config.LR = 0, want a finite number > 0"},
		{"lr NaN", func(c *Config) { c.LR = float32(math.NaN()) }, "net: Config.LR = NaN, want a finite number > 0"},
		{"lr Inf", func(c *Config) { c.LR = float32(math.Inf(1)) }, "net: Config.LR = +Inf, want a finite number > 0"},
		{"momentum", func(c *Config) { c.Momentum = 1 }, "net: Config.Momentum = 1, want in [0, 1)"},
		{"optimizer", func(c *Config) { c.Optimizer = "rmsprop" }, `net: Config.Optimizer = "rmsprop", want sgd, momentum, nesterov, adam or adamw`},
		{"momentum with adam", func(c *Config) { c.Optimizer = Adam; c.Momentum = 0.9 }, "net: Config.Momentum = 0.9, want 0 with adam (its betas are Beta1 and Beta2)"},
		{"beta1", func(c *Config) { c.Optimizer = Adam; c.Beta1 = 1 }, "net: Config.Beta1 = 1, want in [0, 1) (0: 0.9)"},
		{"beta2", func(c *Config) { c.Optimizer = AdamW; c.Beta2 = -0.5 }, "net: Config.Beta2 = -0.5, want in [0, 1) (0: 0.999)"},
		{"eps", func(c *Config) { c.Eps = float32(math.NaN()) }, "net: Config.Eps = NaN, want a finite number ≥ 0 (0: 1e-8)"},
		{"weight decay", func(c *Config) { c.WeightDecay = -1e-4 }, "net: Config.WeightDecay = -0.0001, want a finite number ≥ 0"},
		{"threads", func(c *Config) { c.Threads = 10000 }, "net: Config.Threads = 10000, want 0 (all cores) to 1024"},
		{"patience", func(c *Config) { c.Patience = 2 }, "net: Config.Patience = 2, want 0 without validation rows (Config.Val)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			_, err := Train(context.Background(), m, FloatRows(x, y), cfg)
			assert.EqualError(t, err, c.msg)
			if c.name != "batch too big" && c.name != "epochs overflow" { // checks that need the data
				assert.EqualError(t, cfg.Validate(), c.msg, "Validate and Train agree")
				var ce *ConfigError
				assert.ErrorAs(t, cfg.Validate(), &ce)
			}
		})
	}
	assert.NoError(t, good.Validate())
	_, err := Train(context.Background(), m, FloatRows(x[:7], y), good)
	assert.EqualError(t, err, "net: 7 input values are not a whole number of rows of 4")
	_, err = Train(context.Background(), m, FloatRows(x, y[:99]), good)
	assert.EqualError(t, err, "net: 100 rows of inputs but 99 labels")
	bad := append([]int32(nil), y...)
	bad[5] = 2
	_, err = Train(context.Background(), m, FloatRows(x, bad), good)
	assert.EqualError(t, err, "net: label 2 at row 5 is outside 0..1")
	// A NaN or infinite input is bad data, named, not a divergence.
	nan := append([]float32(nil), x...)
	nan[517%len(nan)] = float32(math.NaN())
	_, err = Train(context.Background(), m, FloatRows(nan, y), good)
	assert.EqualError(t, err, fmt.Sprintf("net: input value NaN at row %d, column %d: want a finite number", 517%len(nan)/4, 517%len(nan)%4))
	nan[517%len(nan)] = float32(math.Inf(-1))
	withVal := good
	withVal.Val = FloatRows(nan, y)
	_, err = Train(context.Background(), m, FloatRows(x, y), withVal)
	assert.EqualError(t, err, fmt.Sprintf("validation data: net: input value -Inf at row %d, column %d: want a finite number", 517%len(nan)/4, 517%len(nan)%4))
	broken := m.Clone()
	broken.W[1] = broken.W[1][:5]
	_, _, err = broken.Evaluate(FloatRows(x, y))
	assert.EqualError(t, err, "net: layer 1 weights hold 5 values, want 3×2")
	stop := errors.New("stop")
	cfg := good
	cfg.OnEpoch = func(EpochStats) error { return stop }
	_, err = Train(context.Background(), m, FloatRows(x, y), cfg)
	assert.ErrorIs(t, err, stop)
}

// TestPatienceRestoresBestOnCancel: with Patience set, a cancelled run
// also leaves the best epoch's weights in the model.
func TestPatienceRestoresBestOnCancel(t *testing.T) {
	x, y := blobs(8, 600, 10, 3, 2.5)
	vx, vy := blobs(8, 200, 10, 3, 2.5)
	m, _ := New([]int{10, 32, 3}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hist, err := Train(ctx, m, FloatRows(x, y), Config{Epochs: 200, BatchSize: 20, LR: 0.5, Seed: 1, Val: FloatRows(vx, vy), Patience: 100,
		OnBatch: func(epoch, done, total int) {
			if epoch == 6 && done == 5 {
				cancel()
			}
		}})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, hist, 5)
	bestLoss := math.Inf(1)
	for _, h := range hist {
		bestLoss = math.Min(bestLoss, h.ValLoss)
	}
	loss, _, err := m.Evaluate(FloatRows(vx, vy))
	require.NoError(t, err)
	assert.InDelta(t, bestLoss, loss, 1e-6, "the best epoch's weights, not those of the batch in flight")
}

func TestCopyFrom(t *testing.T) {
	a, err := New([]int{4, 3, 2}, 1)
	require.NoError(t, err)
	b, err := New([]int{4, 3, 2}, 2)
	require.NoError(t, err)
	a.CopyFrom(b)
	assert.Equal(t, b, a)
	// Other sizes are a programmer error, not a partial copy.
	c, err := New([]int{4, 5, 2}, 3)
	require.NoError(t, err)
	assert.PanicsWithValue(t, "net: Model.CopyFrom: src's sizes [4 5 2], want [4 3 2]", func() { a.CopyFrom(c) })
	d, err := New([]int{4, 3}, 3)
	require.NoError(t, err)
	assert.PanicsWithValue(t, "net: Model.CopyFrom: src's sizes [4 3], want [4 3 2]", func() { a.CopyFrom(d) })
}
