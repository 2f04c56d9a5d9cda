package net

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/byterows"
)

// pixels makes blobs as bytes, to be read over 255 as MNIST's pixels are.
func pixels(seed uint64, rows, dim, classes int) ([]uint8, []int32) {
	x, y := blobs(seed, rows, dim, classes, 1)
	b := make([]uint8, len(x))
	for i, v := range x {
		b[i] = uint8(min(max(v*40+128, 0), 255))
	}
	return b, y
}

// sparsePixels is pixels with the bytes below 153 made 0: over half of
// them, as in MNIST, so that the trainer packs them where that pays.
func sparsePixels(seed uint64, rows, dim, classes int) ([]uint8, []int32) {
	x, y := pixels(seed, rows, dim, classes)
	for i, v := range x {
		if v < 153 {
			x[i] = 0
		}
	}
	return x, y
}

// floatsOf is bytes over div as float32, Go's division.
func floatsOf(b []uint8, div float32) []float32 {
	x := make([]float32, len(b))
	for i, v := range b {
		x[i] = float32(v) / div
	}
	return x
}

// TestByteRowsTrainSame: byte rows gathered packed (where the
// implementation expands packed rows in assembly) and plain, with the
// MNIST divisor and an odd one, train exactly as the float rows they
// stand for, on every implementation and on 1 and 2 threads.
func TestByteRowsTrainSame(t *testing.T) {
	b, y := sparsePixels(4, 2500, 40, 10)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		for _, div := range []float32{255, 7.3} {
			for _, threads := range []int{1, 2} {
				cfg := Config{Epochs: 2, BatchSize: 600, LR: 0.2, Seed: 3, Threads: threads}
				paths := []Rows{ByteRows(b, div, y), ByteRows(b, div, y), FloatRows(floatsOf(b, div), y)}
				var models [3]*Model
				var losses [3]float64
				for i, data := range paths {
					models[i], _ = New([]int{40, 15, 10}, 2)
					tr := newTrainer(models[i], cfg, data, PadMultiple)
					switch {
					case i == 2:
						require.Nil(t, tr.in.packed, "%s: float rows packed", impl)
					case byterows.PackedNative():
						require.NotNil(t, tr.in.packed, "%s: byte rows not packed", impl)
					default:
						require.Nil(t, tr.in.packed, "%s: packed without an assembly gather", impl)
					}
					if i == 1 {
						tr.in.close() // the plain bytes from here on (entries, where taken, stay)
					}
					for e := range cfg.Epochs {
						loss, _, err := tr.epoch(context.Background(), e+1)
						require.NoError(t, err)
						losses[i] = loss
					}
					tr.close()
				}
				for v := 1; v < 3; v++ {
					require.Equal(t, losses[v], losses[0], "%s div %g threads %d path %d", impl, div, threads, v)
					for l := range models[0].W {
						for i := range models[0].W[l] {
							require.Equal(t, math.Float32bits(models[v].W[l][i]), math.Float32bits(models[0].W[l][i]),
								"%s div %g threads %d path %d W[%d][%d]", impl, div, threads, v, l, i)
						}
					}
				}
			}
		}
	}
}

// TestByteRowsInference: Evaluate, Logits and Predict give the same
// results on byte rows as on the float rows they stand for, over several
// blocks and a partial one.
func TestByteRowsInference(t *testing.T) {
	b, y := pixels(6, 2*BlockRows+37, 12, 5)
	m, _ := New([]int{12, 9, 5}, 3)
	fl := FloatRows(floatsOf(b, 255), y)
	by := ByteRows(b, 255, y)
	l1, a1, err := m.Evaluate(fl)
	require.NoError(t, err)
	l2, a2, err := m.Evaluate(by)
	require.NoError(t, err)
	assert.Equal(t, l1, l2)
	assert.Equal(t, a1, a2)
	g1, err := m.Logits(fl)
	require.NoError(t, err)
	g2, err := m.Logits(ByteRows(b, 255, nil))
	require.NoError(t, err)
	assert.Equal(t, g1, g2)
	p1, err := m.Predict(fl)
	require.NoError(t, err)
	p2, err := m.Predict(by)
	require.NoError(t, err)
	assert.Equal(t, p1, p2)
}

// TestRowsErrors: sources that do not fit the model or the use are
// refused with an error that says what is wrong.
func TestRowsErrors(t *testing.T) {
	m, _ := New([]int{4, 3, 2}, 1)
	x := make([]float32, 4*10)
	b := make([]uint8, 4*10)
	y := make([]int32, 10)
	cfg := Config{Epochs: 1, BatchSize: 5, LR: 0.1}
	train := func(data Rows, cfg Config) error {
		_, err := Train(context.Background(), m, data, cfg)
		return err
	}
	for _, div := range []float32{0, -1, float32(math.NaN()), float32(math.Inf(1))} {
		assert.ErrorContains(t, train(ByteRows(b, div, y), cfg), "byte rows' divisor", "div %g", div)
	}
	assert.EqualError(t, train(FloatRows(x[:7], y), cfg), "net: 7 input values are not a whole number of rows of 4")
	assert.EqualError(t, train(ByteRows(b, 255, y[:9]), cfg), "net: 10 rows of inputs but 9 labels")
	assert.EqualError(t, train(FloatRows(x, nil), cfg), "net: 10 rows without labels")
	assert.EqualError(t, train(FloatRows(nil, nil), cfg), "net: no training rows")
	bad := append([]int32(nil), y...)
	bad[3] = 2
	assert.EqualError(t, train(ByteRows(b, 255, bad), cfg), "net: label 2 at row 3 is outside 0..1")
	noLabels := cfg
	noLabels.Val = FloatRows(x, nil)
	assert.EqualError(t, train(FloatRows(x, y), noLabels), "net: Config.Val = rows without labels, want labelled rows")
	badVal := cfg
	badVal.Val = ByteRows(b[:6], 255, y[:1])
	assert.ErrorContains(t, train(FloatRows(x, y), badVal), "validation data: net: 6 input values")
	_, _, err := m.Evaluate(FloatRows(x, nil))
	assert.EqualError(t, err, "net: 10 rows without labels")
	_, err = m.Predict(FloatRows(x, nil))
	assert.NoError(t, err, "Predict needs no labels")
}

// sparseBytes makes rows of k bytes, about half of them zero (as in
// images: packed they take about 5/8 of the plain bytes, so the trainer
// packs them where the gather runs packed rows natively), and labels.
func sparseBytes(seed uint64, rows, k, classes int) ([]uint8, []int32) {
	r := rand.New(rand.NewPCG(seed, 2))
	x := make([]uint8, rows*k)
	for i := range x {
		if r.IntN(2) == 0 {
			x[i] = uint8(1 + r.IntN(255))
		}
	}
	y := make([]int32, rows)
	for i := range y {
		y[i] = int32(r.IntN(classes))
	}
	return x, y
}
