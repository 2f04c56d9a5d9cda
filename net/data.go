package net

import (
	"fmt"
	"math"
)

// Rows is a source of input rows for training, evaluation or prediction,
// and says what it holds: float32 values (FloatRows) or bytes standing
// for byte/div (ByteRows), with a label per row where the use needs one.
// The trainer gathers rows from it as they are: byte rows stay bytes, a
// quarter of the memory and of the memory traffic, and come out as the
// same float32 values bit for bit. The zero Rows holds no rows. The slices
// are the caller's and must not change while a call that uses them runs.
type Rows struct {
	floats []float32
	bytes  []uint8
	div    float32
	labels []int32
}

// FloatRows is rows of float32 inputs, one after another, each as wide as
// the model's input, with their labels (nil where none are needed).
func FloatRows(x []float32, labels []int32) Rows {
	return Rows{floats: x, labels: labels}
}

// ByteRows is rows of byte inputs: the model sees byte b as float32(b) /
// div, rounded as Go's float32 division rounds it. MNIST's pixels are such
// bytes with div 255 (mnist.PixelDiv). div must be finite and large
// enough that 255/div is finite (about 7.5e-37 and up).
func ByteRows(x []uint8, div float32, labels []int32) Rows {
	return Rows{bytes: x, div: div, labels: labels}
}

// Labels is the rows' labels, nil when there are none.
func (r Rows) Labels() []int32 { return r.labels }

// values is the number of input values.
func (r Rows) values() int { return max(len(r.floats), len(r.bytes)) }

// empty reports a source without rows.
func (r Rows) empty() bool { return r.values() == 0 && len(r.labels) == 0 }

// check validates r as the rows of m's inputs and returns their number;
// labels says whether every row needs a label (they are checked whenever
// present).
func (r Rows) check(m *Model, labels bool) (int, error) {
	if r.floats != nil && r.bytes != nil {
		return 0, fmt.Errorf("net: rows hold both float32 values and bytes")
	}
	if r.bytes != nil && !(r.div > 0 && !math.IsInf(float64(r.div), 0)) {
		return 0, fmt.Errorf("net: byte rows' divisor = %g, want a finite number > 0", r.div)
	}
	if r.bytes != nil && math.IsInf(float64(float32(255)/r.div), 0) {
		return 0, fmt.Errorf("net: byte rows' divisor = %g: the byte 255 would stand for +Inf, want one of at least %g", r.div, 255/math.MaxFloat32)
	}
	in := m.Inputs()
	if r.values()%in != 0 {
		return 0, fmt.Errorf("net: %d input values are not a whole number of rows of %d", r.values(), in)
	}
	rows := r.values() / in
	if labels && r.labels == nil && rows > 0 {
		return 0, fmt.Errorf("net: %d rows without labels", rows)
	}
	if r.labels != nil {
		if len(r.labels) != rows {
			return 0, fmt.Errorf("net: %d rows of inputs but %d labels", rows, len(r.labels))
		}
		for i, l := range r.labels {
			if l < 0 || int(l) >= m.Classes() {
				return 0, fmt.Errorf("net: label %d at row %d is outside 0..%d", l, i, m.Classes()-1)
			}
		}
	}
	return rows, nil
}

// checkFinite reports the first value of float rows of in values each
// that is NaN or infinite, by row and column. Training on one turns every
// loss it reaches NaN, which Train would report as divergence, naming no
// row.
func (r Rows) checkFinite(in int) error {
	if finite(r.floats) {
		return nil
	}
	for i, v := range r.floats {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("net: input value %g at row %d, column %d: want a finite number", v, i/in, i%in)
		}
	}
	return nil
}

// block returns rows lo to lo+n−1 (of k values each) as float32: the
// caller's values themselves for float rows, else the bytes converted into
// buf (at least n·k long), with idx (at least n long) as scratch.
func (r Rows) block(lo, n, k int, buf []float32, idx []int32) []float32 {
	if r.bytes == nil {
		return r.floats[lo*k : (lo+n)*k]
	}
	idx = idx[:n]
	for i := range idx {
		idx[i] = int32(lo + i)
	}
	x := buf[:n*k]
	dequantize(x, r.bytes, idx, k, r.div)
	return x
}
