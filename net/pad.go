package net

import "slices"

// PadMultiple is the width hidden layers are padded to inside the
// trainer: a hidden layer of n units trains as one of n rounded up to a
// multiple of PadMultiple, so the kernels run on whole SIMD vectors. The
// extra units have zero weights in and out and zero biases; their
// pre-activation is exactly 0, ReLU keeps them at 0, their gradients are
// exactly 0, so they stay 0 and every real unit computes what it would
// without them (for finite inputs: a non-finite input makes 0·x a NaN, and
// such an input turns the weights NaN in either case). Model.W and Model.B
// keep their shapes: the trainer copies the real units back after every
// epoch.
const PadMultiple = 8

// padded returns m with every hidden layer widened to a multiple of
// multiple by units whose weights and biases are zero, or m itself when
// no layer widens.
func padded(m *Model, multiple int) *Model {
	sizes := padSizes(m.Sizes, multiple)
	if slices.Equal(sizes, m.Sizes) {
		return m
	}
	p := &Model{Sizes: sizes}
	for l := range m.Layers() {
		p.W = append(p.W, make([]float32, sizes[l]*sizes[l+1]))
		p.B = append(p.B, make([]float32, sizes[l+1]))
	}
	copyUnits(p, m)
	return p
}

// TrainSizes returns the layer sizes Train computes with for a model of
// the given sizes: every hidden layer padded to a multiple of PadMultiple.
// The kernels run at these widths.
func TrainSizes(sizes []int) []int { return padSizes(sizes, PadMultiple) }

// padSizes returns sizes with every hidden width rounded up to a multiple
// of multiple.
func padSizes(sizes []int, multiple int) []int {
	out := append([]int(nil), sizes...)
	for l := 1; l < len(out)-1; l++ {
		out[l] = (out[l] + multiple - 1) / multiple * multiple
	}
	return out
}

// copyUnits copies the weights and biases of the units dst and src have
// in common: for each layer, the leading rows and columns of the smaller.
func copyUnits(dst, src *Model) {
	for l := range dst.Layers() {
		in, out := min(dst.Sizes[l], src.Sizes[l]), min(dst.Sizes[l+1], src.Sizes[l+1])
		dn, sn := dst.Sizes[l+1], src.Sizes[l+1]
		for r := range in {
			copy(dst.W[l][r*dn:r*dn+out], src.W[l][r*sn:r*sn+out])
		}
		copy(dst.B[l][:out], src.B[l][:out])
	}
}
