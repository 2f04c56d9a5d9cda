package net

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/race"
)

// refLogits is inference as it was defined before the Predictor: on one
// thread, the rows of x (float32) a block of BlockRows at a time through
// the dense kernels, every buffer new.
func refLogits(m *Model, x []float32) []float32 {
	k, c := m.Inputs(), m.Classes()
	rows := len(x) / k
	out := make([]float32, 0, rows*c)
	for lo := 0; lo < rows; lo += BlockRows {
		n := min(BlockRows, rows-lo)
		a := x[lo*k : (lo+n)*k]
		for l := range m.Layers() {
			y := make([]float32, n*m.Sizes[l+1])
			simdnn.DenseForward(y, a, m.W[l], m.B[l], n, m.Sizes[l], m.Sizes[l+1], l < m.Layers()-1)
			a = y
		}
		out = append(out, a...)
	}
	return out
}

// refEvaluate is Evaluate as refLogits: each block's loss weighted by its
// rows, summed in block order.
func refEvaluate(m *Model, x []float32, labels []int32) (float64, float64) {
	c := m.Classes()
	logits := refLogits(m, x)
	var lossSum float64
	correct := 0
	for lo := 0; lo < len(labels); lo += BlockRows {
		n := min(BlockRows, len(labels)-lo)
		block := logits[lo*c : (lo+n)*c]
		loss, right := simdnn.SoftmaxCrossEntropy(block, block, labels[lo:lo+n], n, c)
		lossSum += float64(loss) * float64(n)
		correct += right
	}
	return lossSum / float64(len(labels)), float64(correct) / float64(len(labels))
}

// refProbabilities and refPredict derive the other results from refLogits.
func refProbabilities(m *Model, x []float32) []float32 {
	p := refLogits(m, x)
	for i := 0; i < len(p); i += m.Classes() {
		softmax(p[i : i+m.Classes()])
	}
	return p
}

func refPredict(m *Model, x []float32) []int32 {
	logits := refLogits(m, x)
	out := make([]int32, len(logits)/m.Classes())
	argmax(out, logits, m.Classes())
	return out
}

// bitsOf is s as its bit patterns, for comparisons that are exact.
func bitsOf(s []float32) []uint32 {
	out := make([]uint32, len(s))
	for i, v := range s {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestPredictorMatchesReference: a Predictor's logits, probabilities,
// classes, loss and accuracy are bitwise the reference's on 1, 2 and 3
// threads, on float and byte rows, for row counts around the block size,
// for every implementation; Model's methods give the same; a Predictor
// appends after what dst holds, and one Predictor serves calls of any
// size in any order.
func TestPredictorMatchesReference(t *testing.T) {
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	const most = 3*BlockRows + 37
	b, y := pixels(8, most, 40, 10)
	x := floatsOf(b, 255)
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		for _, sizes := range [][]int{{40, 15, 10}, {40, 13, 7, 10}} {
			m, err := New(sizes, 5)
			require.NoError(t, err)
			for l := range m.B {
				for i := range m.B[l] {
					m.B[l][i] = float32(i%3) * 0.1 // biases that are not all zero
				}
			}
			preds := map[int]*Predictor{}
			for _, threads := range []int{1, 2, 3} {
				preds[threads], err = NewPredictor(m, threads)
				require.NoError(t, err)
			}
			for _, rows := range []int{1, 2, BlockRows - 1, BlockRows, BlockRows + 1, 2 * BlockRows, most, 5} {
				xr, br, yr := x[:rows*40], b[:rows*40], y[:rows]
				wantL := bitsOf(refLogits(m, xr))
				wantP := bitsOf(refProbabilities(m, xr))
				wantC := refPredict(m, xr)
				wantLoss, wantAcc := refEvaluate(m, xr, yr)
				for _, threads := range []int{1, 2, 3} {
					p := preds[threads]
					for _, kind := range []string{"float", "byte"} {
						data := FloatRows(xr, yr)
						if kind == "byte" {
							data = ByteRows(br, 255, yr)
						}
						name := fmt.Sprintf("%s %v, %d rows, %d threads, %s rows", impl, sizes, rows, threads, kind)
						prefix := []float32{-1, 2}
						l, err := p.Logits(prefix, data)
						require.NoError(t, err, name)
						assert.Equal(t, bitsOf(prefix), bitsOf(l[:2]), "%s: dst's values kept", name)
						assert.Equal(t, wantL, bitsOf(l[2:]), "%s: logits", name)
						pr, err := p.Probabilities(nil, data)
						require.NoError(t, err, name)
						assert.Equal(t, wantP, bitsOf(pr), "%s: probabilities", name)
						c, err := p.Predict([]int32{7}, data)
						require.NoError(t, err, name)
						assert.Equal(t, append([]int32{7}, wantC...), c, "%s: classes", name)
						loss, acc, err := p.Evaluate(data)
						require.NoError(t, err, name)
						assert.Equal(t, math.Float64bits(wantLoss), math.Float64bits(loss), "%s: loss %g, want %g", name, loss, wantLoss)
						assert.Equal(t, wantAcc, acc, "%s: accuracy", name)
					}
				}
				name := fmt.Sprintf("%s %v, %d rows: Model's methods", impl, sizes, rows)
				l, err := m.Logits(ByteRows(br, 255, nil))
				require.NoError(t, err, name)
				assert.Equal(t, wantL, bitsOf(l), name)
				pr, err := m.Probabilities(FloatRows(xr, nil))
				require.NoError(t, err, name)
				assert.Equal(t, wantP, bitsOf(pr), name)
				c, err := m.Predict(FloatRows(xr, nil))
				require.NoError(t, err, name)
				assert.Equal(t, wantC, c, name)
				loss, acc, err := m.Evaluate(ByteRows(br, 255, yr))
				require.NoError(t, err, name)
				assert.Equal(t, math.Float64bits(wantLoss), math.Float64bits(loss), name)
				assert.Equal(t, wantAcc, acc, name)
			}
		}
	}
}

// TestPredictorNoRows: no rows give empty results, not nil ones, from
// Model's methods, and dst unchanged from a Predictor.
func TestPredictorNoRows(t *testing.T) {
	m, _ := New([]int{4, 3, 2}, 1)
	l, err := m.Logits(FloatRows(nil, nil))
	require.NoError(t, err)
	assert.NotNil(t, l)
	assert.Empty(t, l)
	c, err := m.Predict(ByteRows(nil, 255, nil))
	require.NoError(t, err)
	assert.NotNil(t, c)
	assert.Empty(t, c)
	p, err := NewPredictor(m, 2)
	require.NoError(t, err)
	pr, err := p.Probabilities([]float32{1}, FloatRows(nil, nil))
	require.NoError(t, err)
	assert.Equal(t, []float32{1}, pr)
}

// TestPredictorAllocatesNothing: after its first call, a Predictor's
// calls of 1 row and of 10000 rows (40 blocks) allocate nothing, on 1, 2
// and 3 threads, float and byte rows, for every method. The rows are
// narrow, so that the test stays quick under emulation: the buffers
// depend on the row count, not on the values.
func TestPredictorAllocatesNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	const rows, in = 10000, 24
	b, y := pixels(9, rows, in, 10)
	x := floatsOf(b, 255)
	m, err := New([]int{in, 15, 10}, 1)
	require.NoError(t, err)
	for _, threads := range []int{1, 2, 3} {
		p, err := NewPredictor(m, threads)
		require.NoError(t, err)
		for _, n := range []int{1, rows} {
			for _, data := range []Rows{FloatRows(x[:n*in], y[:n]), ByteRows(b[:n*in], 255, y[:n])} {
				kind := "float"
				if data.bytes != nil {
					kind = "byte"
				}
				name := fmt.Sprintf("%d threads, %d rows, %s rows", threads, n, kind)
				var values []float32
				var classes []int32
				for _, c := range []struct {
					method string
					call   func() error
				}{
					{"Logits", func() (err error) { values, err = p.Logits(values[:0], data); return err }},
					{"Probabilities", func() (err error) { values, err = p.Probabilities(values[:0], data); return err }},
					{"Predict", func() (err error) { classes, err = p.Predict(classes[:0], data); return err }},
					{"Evaluate", func() (err error) { _, _, err = p.Evaluate(data); return err }},
				} {
					require.NoError(t, c.call(), "%s: %s", name, c.method) // the first call sizes the buffers
					allocs := testing.AllocsPerRun(5, func() {
						if err := c.call(); err != nil {
							panic(err)
						}
					})
					assert.Zero(t, allocs, "%s: %s", name, c.method)
				}
			}
		}
	}
}

// TestPredictorErrors: rows that do not fit the model or the use, a bad
// thread count and a model changed or broken after NewPredictor are
// refused with errors, not panics, and dst comes back unchanged.
func TestPredictorErrors(t *testing.T) {
	m, _ := New([]int{4, 3, 2}, 1)
	x := make([]float32, 4*10)
	b := make([]uint8, 4*10)
	y := make([]int32, 10)
	_, err := NewPredictor(m, -1)
	assert.EqualError(t, err, "net: predictor threads = -1, want 0 (GOMAXPROCS) to 1024")
	_, err = NewPredictor(m, math.MaxInt) // refused, not a make of that many workspaces
	assert.EqualError(t, err, fmt.Sprintf("net: predictor threads = %d, want 0 (GOMAXPROCS) to 1024", math.MaxInt))
	_, err = NewPredictor(&Model{Sizes: []int{4, 3, 2}}, 1)
	assert.EqualError(t, err, "net: model has 0 weight and 0 bias tensors for 2 layers")
	p, err := NewPredictor(m, 2)
	require.NoError(t, err)
	dst := []float32{1, 2}
	classes := []int32{3}
	check := func(data Rows, want string) {
		t.Helper()
		got, err := p.Logits(dst, data)
		assert.EqualError(t, err, want, "Logits")
		assert.Equal(t, []float32{1, 2}, got, "Logits' dst")
		got, err = p.Probabilities(dst, data)
		assert.EqualError(t, err, want, "Probabilities")
		assert.Equal(t, []float32{1, 2}, got, "Probabilities' dst")
		c, err := p.Predict(classes, data)
		assert.EqualError(t, err, want, "Predict")
		assert.Equal(t, []int32{3}, c, "Predict's dst")
		if data.labels != nil {
			_, _, err = p.Evaluate(data)
			assert.EqualError(t, err, want, "Evaluate")
		}
	}
	check(FloatRows(x[:7], nil), "net: 7 input values are not a whole number of rows of 4")
	check(ByteRows(b[:9], 255, y), "net: 9 input values are not a whole number of rows of 4")
	for _, div := range []float32{0, -1, float32(math.NaN()), float32(math.Inf(1))} {
		check(ByteRows(b, div, y), fmt.Sprintf("net: byte rows' divisor = %g, want a finite number > 0", div))
	}
	check(ByteRows(b, 1e-45, y), fmt.Sprintf("net: byte rows' divisor = 1e-45: the byte 255 would stand for +Inf, want one of at least %g", 255/math.MaxFloat32))
	check(FloatRows(x, y[:9]), "net: 10 rows of inputs but 9 labels")
	bad := slices.Clone(y)
	bad[3] = 2
	check(ByteRows(b, 255, bad), "net: label 2 at row 3 is outside 0..1")
	_, _, err = p.Evaluate(FloatRows(x, nil))
	assert.EqualError(t, err, "net: 10 rows without labels")
	_, _, err = p.Evaluate(FloatRows(nil, nil))
	assert.EqualError(t, err, "net: no rows to evaluate")

	// The model changed under the predictor.
	wide, _ := New([]int{4, 5, 2}, 1)
	m.Sizes, m.W, m.B = wide.Sizes, wide.W, wide.B
	check(FloatRows(x, y), "net: the model is 4-5-2, its predictor was made for 4-3-2")
	m.W = m.W[:1]
	check(FloatRows(x, y), "net: model has 1 weight and 2 bias tensors for 2 layers")
}

// TestPredictorSeesTraining: a Predictor reads the model's weights in
// every call, so after training it predicts with the trained weights.
func TestPredictorSeesTraining(t *testing.T) {
	x, y := blobs(12, 600, 20, 4, 0.5)
	m, _ := New([]int{20, 8, 4}, 3)
	p, err := NewPredictor(m, 2)
	require.NoError(t, err)
	before, _, err := p.Evaluate(FloatRows(x, y))
	require.NoError(t, err)
	_, err = Train(context.Background(), m, FloatRows(x, y), Config{Epochs: 5, BatchSize: 100, LR: 0.2, Seed: 1})
	require.NoError(t, err)
	after, acc, err := p.Evaluate(FloatRows(x, y))
	require.NoError(t, err)
	assert.Less(t, after, before/2, "loss before training %g, after %g", before, after)
	assert.Greater(t, acc, 0.9)
	got, err := p.Logits(nil, FloatRows(x, nil))
	require.NoError(t, err)
	assert.Equal(t, bitsOf(refLogits(m, x)), bitsOf(got))
}

// TestPredictorsShareModel: Predictors on one model used by goroutines at
// the same time, each on 2 threads, give the reference's results (run
// with -race, this checks the sharing and the threads of one call).
func TestPredictorsShareModel(t *testing.T) {
	b, _ := pixels(13, 3*BlockRows+5, 30, 6)
	m, _ := New([]int{30, 12, 6}, 2)
	want := refPredict(m, floatsOf(b, 255))
	var wg sync.WaitGroup
	got := make([][]int32, 4)
	errs := make([]error, len(got))
	for g := range got {
		wg.Go(func() {
			p, err := NewPredictor(m, 2)
			if err != nil {
				errs[g] = err
				return
			}
			for range 3 {
				if got[g], err = p.Predict(got[g][:0], ByteRows(b, 255, nil)); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for g := range got {
		require.NoError(t, errs[g], "goroutine %d", g)
		assert.Equal(t, want, got[g], "goroutine %d", g)
	}
}

// TestMoreCoresThanMaxThreads: with GOMAXPROCS past MaxThreads, Threads
// 0 takes MaxThreads: in a Predictor, and in Train, whose batch of 1025
// blocks would use more threads, and whose validation rows take a
// Predictor of as many.
func TestMoreCoresThanMaxThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(MaxThreads + 76))
	m, err := New([]int{1, 1, 2}, 1)
	require.NoError(t, err)
	p, err := NewPredictor(m, 0)
	require.NoError(t, err)
	assert.Equal(t, MaxThreads, p.Threads())
	rows := (MaxThreads + 1) * BlockRows
	x, y := make([]float32, rows), make([]int32, rows)
	for i := range x {
		x[i], y[i] = float32(i%3), int32(i%2)
	}
	cfg := Config{Epochs: 1, BatchSize: rows, LR: 0.1, Val: FloatRows(x[:10], y[:10])}
	before := runtime.NumGoroutine()
	_, err = Train(context.Background(), m, FloatRows(x, y), cfg)
	require.NoError(t, err)
	// The helpers exit after Train returns: wait for them, so that the
	// tests after this one count goroutines from a settled state.
	for deadline := time.Now().Add(time.Minute); runtime.NumGoroutine() > before; {
		require.True(t, time.Now().Before(deadline), "%d goroutines a minute after Train, %d before", runtime.NumGoroutine(), before)
		time.Sleep(10 * time.Millisecond)
	}
}
