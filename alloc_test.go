package simdnn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/simdnn/simdnn/internal/impltest"
)

// TestKernelsDoNotAllocate: the contract says no allocation, on every
// implementation: the dense kernels' driver (gemm.go) keeps its packed
// panels in a pool, neon its per-row sums on the stack. The shape is past
// every block size, with tails in every dimension.
func TestKernelsDoNotAllocate(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 1))
		m, k, n := 33, 200, 130
		x, w, b, y := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
		dw, db, dx := randSlice(r, k*n), randSlice(r, n), randSlice(r, m*k)
		v, v2 := randSlice(r, k*n), randSlice(r, k*n)
		labels := randLabels(r, m, n)
		e := active().exp
		kernels := map[string]func(){
			"DenseForward":        func() { DenseForward(y, x, w, b, m, k, n, true) },
			"DenseBackward":       func() { DenseBackward(dw, db, dx, x, w, y, m, k, n) },
			"DenseBackward-nodx":  func() { DenseBackward(dw, db, nil, x, w, y, m, k, n) },
			"DenseForwardBF16":    func() { DenseForwardBF16(y, x, w, b, m, k, n, true) },
			"DenseBackwardBF16":   func() { DenseBackwardBF16(dw, db, dx, x, w, y, m, k, n) },
			"ReLU":                func() { ReLU(y) },
			"ReLUBackward":        func() { ReLUBackward(y, x[:m*n]) },
			"SoftmaxCrossEntropy": func() { SoftmaxCrossEntropy(y, y, labels, m, n) },
			"SGD":                 func() { SGD(w, dw, 0.1) },
			"SGDMomentum":         func() { SGDMomentum(w, v, dw, 0.1, 0.9) },
			"SGDTorch":            func() { SGDTorch(w, v, dw, 0.1, 0.9, 1e-4) },
			"SGDNesterov":         func() { SGDNesterov(w, v, dw, 0.1, 0.9, 1e-4) },
			"Adam":                func() { Adam(w, v, v2, dw, 1e-3, 0.9, 0.999, 1e-8, 1e-4, 7) },
			"AdamW":               func() { AdamW(w, v, v2, dw, 1e-3, 0.9, 0.999, 1e-8, 1e-2, 7) },
			"exp":                 func() { e(y[:m*n-1], x[:m*n-1]) },
		}
		for name, f := range kernels {
			assert.Zero(t, testing.AllocsPerRun(3, f), "%s %s allocates", Impl(), name)
		}
	})
}
