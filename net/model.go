// Package net trains small multi-layer perceptrons on float32 data with the
// simdnn kernels: ReLU hidden layers, a softmax output trained with
// categorical cross-entropy, and mini-batch SGD (plain, Keras' momentum,
// torch's momentum or Nesterov) or Adam and AdamW, as Config.Optimizer
// picks.
//
// Training is deterministic: a batch is cut into fixed blocks of BlockRows
// rows whatever the thread count, each block's gradients are computed on
// its own, and the blocks are reduced in order, so a run is bitwise
// identical for the same seed on any number of threads. The package prints
// nothing; progress reaches the caller through callbacks.
package net

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Model is an MLP: Sizes[0] inputs, then one dense layer per further entry
// (ReLU on every layer but the last, whose outputs are the logits of a
// softmax). W[l] is Sizes[l]×Sizes[l+1], row-major, the layout of a Keras
// Dense kernel; B[l] has Sizes[l+1] entries.
type Model struct {
	Sizes []int
	W, B  [][]float32
}

// New makes a model with the given layer sizes (input width first, class
// count last), Glorot-uniform weights (Keras' default: uniform in ±√(6 /
// (fan_in + fan_out))) drawn from seed, and zero biases. A model that
// cannot fit in the memory the process can have is refused with a
// *MemoryError before any weight is allocated.
func New(sizes []int, seed uint64) (*Model, error) {
	if err := checkSizes(sizes); err != nil {
		return nil, err
	}
	if err := fits("a model "+sizeList(sizes), modelNeed(sizes)); err != nil {
		return nil, err
	}
	m := &Model{Sizes: append([]int(nil), sizes...)}
	r := rand.New(rand.NewPCG(seed, 0x676c6f726f74)) // "glorot"
	for l := range len(sizes) - 1 {
		in, out := sizes[l], sizes[l+1]
		limit := math.Sqrt(6 / float64(in+out))
		w := make([]float32, in*out)
		for i := range w {
			w[i] = float32((r.Float64()*2 - 1) * limit)
		}
		m.W = append(m.W, w)
		m.B = append(m.B, make([]float32, out))
	}
	return m, nil
}

// Layers is the number of dense layers.
func (m *Model) Layers() int { return len(m.Sizes) - 1 }

// Inputs is the input width.
func (m *Model) Inputs() int { return m.Sizes[0] }

// Classes is the output width.
func (m *Model) Classes() int { return m.Sizes[len(m.Sizes)-1] }

// Params is the number of trainable parameters.
func (m *Model) Params() int {
	n := 0
	for l := range m.Layers() {
		n += len(m.W[l]) + len(m.B[l])
	}
	return n
}

// checkSizes reports layer sizes no model can have: fewer than two, one
// not positive, or a layer whose weights and bias (in·out + out values)
// would not fit in an int.
func checkSizes(sizes []int) error {
	if len(sizes) < 2 {
		return fmt.Errorf("net: %d layer sizes, want at least 2 (inputs and classes)", len(sizes))
	}
	for i, s := range sizes {
		if s <= 0 {
			return fmt.Errorf("net: layer size %d is %d, want > 0", i, s)
		}
	}
	for l := range len(sizes) - 1 {
		if in, out := sizes[l], sizes[l+1]; in >= math.MaxInt/out {
			return fmt.Errorf("net: layer %d is %d×%d, more weights than an int counts", l, in, out)
		}
	}
	return nil
}

// Validate checks that the weights and biases have the shapes Sizes gives
// (a nil m is an error too).
func (m *Model) Validate() error {
	if m == nil {
		return errors.New("net: nil model")
	}
	if err := checkSizes(m.Sizes); err != nil {
		return err
	}
	if len(m.W) != m.Layers() || len(m.B) != m.Layers() {
		return fmt.Errorf("net: model has %d weight and %d bias tensors for %d layers", len(m.W), len(m.B), m.Layers())
	}
	for l := range m.Layers() {
		in, out := m.Sizes[l], m.Sizes[l+1]
		if len(m.W[l]) != in*out {
			return fmt.Errorf("net: layer %d weights hold %d values, want %d×%d", l, len(m.W[l]), in, out)
		}
		if len(m.B[l]) != out {
			return fmt.Errorf("net: layer %d bias holds %d values, want %d", l, len(m.B[l]), out)
		}
	}
	return nil
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := &Model{Sizes: append([]int(nil), m.Sizes...)}
	for l := range m.Layers() {
		c.W = append(c.W, append([]float32(nil), m.W[l]...))
		c.B = append(c.B, append([]float32(nil), m.B[l]...))
	}
	return c
}

// CopyFrom overwrites m's parameters with src's, which must have the same
// sizes: other sizes panic, naming both.
func (m *Model) CopyFrom(src *Model) {
	if !slices.Equal(m.Sizes, src.Sizes) {
		panic(fmt.Sprintf("net: Model.CopyFrom: src's sizes %v, want %v", src.Sizes, m.Sizes))
	}
	for l := range m.Layers() {
		copy(m.W[l], src.W[l])
		copy(m.B[l], src.B[l])
	}
}

// checkData validates a data set against the model.
func (m *Model) checkData(x []float32, labels []int32) (int, error) {
	in := m.Inputs()
	if len(x)%in != 0 {
		return 0, fmt.Errorf("net: %d input values are not a whole number of rows of %d", len(x), in)
	}
	rows := len(x) / in
	if labels != nil {
		if len(labels) != rows {
			return 0, fmt.Errorf("net: %d rows of inputs but %d labels", rows, len(labels))
		}
		for i, l := range labels {
			if l < 0 || int(l) >= m.Classes() {
				return 0, fmt.Errorf("net: label %d at row %d is outside 0..%d", l, i, m.Classes()-1)
			}
		}
	}
	return rows, nil
}

// ErrDiverged is wrapped by the error training returns when the loss
// becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")
