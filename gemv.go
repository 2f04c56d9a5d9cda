//go:build !purego && (amd64 || arm64)

package simdnn

// The matrix–vector forms of DenseForward. With one row of x (m = 1, a
// single sample) a tile fills one row of its registers and walks w in
// blocks of columns; with one output (n = 1) it fills one lane. An ISA
// with these routines streams the large operand once, in order:
//
//	vecMat(y, x, w, k, n):  y[j] = fma(x[r], w[r·n + j], y[j]) for
//	                        r = 0, 1, …, k−1 in turn, j < n;
//	rowDots(y, x, w, m, k): y[i] = fma(x[i·k + p], w[p], y[i]) for
//	                        p = 0, 1, …, k−1 in turn, i < m (a multiple
//	                        of rowLanes: rows in the lanes of a vector);
//
// y holding the bias, k, n, m ≥ 1: the tiles' sums in their order, so
// that a row's outputs are the same bits alone, in any batch, and on any
// implementation.

// gemv computes DenseForward through g's matrix–vector routines when the
// shape is one they take, and reports whether it did.
func (g *gemmISA) gemv(y, x, w, b []float32, m, k, n int, relu bool) bool {
	switch {
	case k == 0 || m == 0 || n == 0:
		return false
	case n == 1 && g.rowDots != nil && m >= g.rowLanes:
		mr := m - m%g.rowLanes
		for i := range y[:mr] {
			y[i] = b[0]
		}
		g.rowDots(&y[0], &x[0], &w[0], mr, k)
		if relu {
			reluGeneric(y[:mr])
		}
		if mr < m {
			denseForwardTiles(g, y[mr:], x[mr*k:], w, b, m-mr, k, n, relu)
		}
	case m == 1 && g.vecMat != nil && n >= g.vecMatCols:
		copy(y, b)
		g.vecMat(&y[0], &x[0], &w[0], k, n)
		if relu {
			reluGeneric(y)
		}
	default:
		return false
	}
	return true
}
