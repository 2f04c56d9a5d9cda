package net

import "github.com/simdnn/simdnn"

// products are a run's kernels with its dense products: float32's, or
// with bf16 set simdnn's bf16 kernels (Config.Precision).
type products struct {
	simdnn.Kernels
	bf16 bool
}

// dense is DenseForward in the run's precision.
func (p products) dense(y, x, w, b []float32, m, k, n int, relu bool) {
	if p.bf16 {
		p.DenseForwardBF16(y, x, w, b, m, k, n, relu)
	} else {
		p.DenseForward(y, x, w, b, m, k, n, relu)
	}
}

// denseBackward is DenseBackward in the run's precision.
func (p products) denseBackward(dw, db, dx, x, w, dy []float32, m, k, n int) {
	if p.bf16 {
		p.DenseBackwardBF16(dw, db, dx, x, w, dy, m, k, n)
	} else {
		p.DenseBackward(dw, db, dx, x, w, dy, m, k, n)
	}
}
