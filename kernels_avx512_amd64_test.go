//go:build !purego

package simdnn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestKernelsDoNotAllocate: the contract says no allocation; the avx512
// wrappers keep their scratch (the zero bias, dx's transposed w panel) on
// the stack.
func TestKernelsDoNotAllocate(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 1))
		m, k, n := 33, 200, 130
		x, w, b, y := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
		dw, db, dx := randSlice(r, k*n), randSlice(r, n), randSlice(r, m*k)
		labels := randLabels(r, m, n)
		allocs := testing.AllocsPerRun(3, func() {
			DenseForward(y, x, w, b, m, k, n, true)
			DenseBackward(dw, db, dx, x, w, y, m, k, n)
			ReLU(y)
			ReLUBackward(y, y)
			SoftmaxCrossEntropy(y, y, labels, m, n)
			SGD(w, dw, 0.1)
			SGDMomentum(w, dw, dw, 0.1, 0.9)
		})
		assert.Zero(t, allocs)
	})
}
