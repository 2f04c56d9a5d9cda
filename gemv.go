//go:build !purego && (amd64 || arm64)

package simdnn

// The vector–matrix form of DenseForward: with one row of x (m = 1, a
// single sample), a tile fills one row of its registers and walks w in
// blocks of columns; an ISA with vecMat streams w once, in order:
//
//	vecMat(y, x, w, k, n): y[j] = fma(x[r], w[r·n + j], y[j]) for
//	                       r = 0, 1, …, k−1 in turn, j < n,
//
// y holding the bias, k, n ≥ 1: the tiles' sums in their order, so the
// row's outputs are the same bits as in any batch.

// gemv computes DenseForward through g's vecMat when x is one row of
// at least vecMatCols outputs, and reports whether it did.
func (g *gemmISA) gemv(y, x, w, b []float32, m, k, n int, relu bool) bool {
	if m != 1 || g.vecMat == nil || n < max(g.vecMatCols, 1) {
		return false
	}
	copy(y, b)
	if k > 0 {
		g.vecMat(&y[0], &x[0], &w[0], k, n)
	}
	if relu {
		reluGeneric(y)
	}
	return true
}
