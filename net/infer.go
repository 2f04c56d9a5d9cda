package net

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn"
)

// inference is one thread's buffers for running blocks of rows through a
// model: the layers' outputs, and the gathered rows of byte data; and the
// kernels it runs them with.
type inference struct {
	k   simdnn.Kernels
	act [][]float32 // act[l]: BlockRows × Sizes[l+1], post-activation outputs
	x   []float32   // BlockRows × inputs, byte rows converted
	idx []int32     // BlockRows row numbers
}

func newInference(m *Model, k simdnn.Kernels) *inference {
	in := &inference{k: k, x: make([]float32, BlockRows*m.Inputs()), idx: make([]int32, BlockRows)}
	for l := range m.Layers() {
		in.act = append(in.act, make([]float32, BlockRows*m.Sizes[l+1]))
	}
	return in
}

// forward runs rows rows of x (at most BlockRows) through m with the
// kernels k and returns the logits, which live in act.
func forward(k simdnn.Kernels, m *Model, act [][]float32, x []float32, rows int) []float32 {
	a := x
	last := m.Layers() - 1
	for l := range m.Layers() {
		out := act[l][:rows*m.Sizes[l+1]]
		k.DenseForward(out, a, m.W[l], m.B[l], rows, m.Sizes[l], m.Sizes[l+1], l < last)
		a = out
	}
	return a
}

// blocks runs m over every row of data (rows of them) a block at a time,
// handing each block's first row and logits to f.
func (in *inference) blocks(m *Model, data Rows, rows int, f func(lo int, logits []float32)) {
	k := m.Inputs()
	for lo := 0; lo < rows; lo += BlockRows {
		n := min(BlockRows, rows-lo)
		f(lo, forward(in.k, m, in.act, data.block(lo, n, k, in.x, in.idx), n))
	}
}

// evaluate returns the mean loss and the accuracy of m on data, which has
// rows > 0 labelled rows.
func (in *inference) evaluate(m *Model, data Rows, rows int) (float64, float64) {
	var lossSum float64
	correct := 0
	in.blocks(m, data, rows, func(lo int, logits []float32) {
		n := len(logits) / m.Classes()
		loss, c := in.k.SoftmaxCrossEntropy(logits, logits, data.labels[lo:lo+n], n, m.Classes())
		lossSum += float64(loss) * float64(n)
		correct += c
	})
	return lossSum / float64(rows), float64(correct) / float64(rows)
}

// Evaluate returns the mean cross-entropy loss and the accuracy of m on
// data, whose rows must have labels.
func (m *Model) Evaluate(data Rows) (loss, accuracy float64, err error) {
	if err := m.Validate(); err != nil {
		return 0, 0, err
	}
	rows, err := data.check(m, true)
	if err != nil {
		return 0, 0, err
	}
	if rows == 0 {
		return 0, 0, fmt.Errorf("net: no rows to evaluate")
	}
	loss, accuracy = newInference(m, simdnn.ActiveKernels()).evaluate(m, data, rows)
	return loss, accuracy, nil
}

// Logits returns m's outputs before the softmax for every row of data:
// Classes() values per row. Labels, if any, are checked but not used.
func (m *Model) Logits(data Rows) ([]float32, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	rows, err := data.check(m, false)
	if err != nil {
		return nil, err
	}
	c := m.Classes()
	out := make([]float32, rows*c)
	newInference(m, simdnn.ActiveKernels()).blocks(m, data, rows, func(lo int, logits []float32) {
		copy(out[lo*c:], logits)
	})
	return out, nil
}

// Probabilities returns, for every row of data, the softmax of m's
// logits: Classes() probabilities per row.
func (m *Model) Probabilities(data Rows) ([]float32, error) {
	logits, err := m.Logits(data)
	if err != nil {
		return nil, err
	}
	c := m.Classes()
	for i := 0; i < len(logits); i += c {
		softmax(logits[i : i+c])
	}
	return logits, nil
}

// softmax replaces a row of logits by its probabilities.
func softmax(row []float32) {
	mx := row[0]
	for _, v := range row[1:] {
		mx = max(mx, v)
	}
	var s float64
	for j, v := range row {
		e := math.Exp(float64(v - mx))
		row[j] = float32(e)
		s += e
	}
	for j := range row {
		row[j] = float32(float64(row[j]) / s)
	}
}

// Predict returns the class m gives every row of data: the first arg-max
// of its logits.
func (m *Model) Predict(data Rows) ([]int32, error) {
	logits, err := m.Logits(data)
	if err != nil {
		return nil, err
	}
	c := m.Classes()
	out := make([]int32, len(logits)/c)
	for i := range out {
		row := logits[i*c : i*c+c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = int32(best)
	}
	return out, nil
}
