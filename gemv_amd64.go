//go:build !purego

package simdnn

// func avx512VecMat(y, x, w *float32, k, n int): gemv.go's vecMat.
//
//go:noescape
func avx512VecMat(y, x, w *float32, k, n int)

// func avx2VecMat(y, x, w *float32, k, n int): gemv.go's vecMat.
//
//go:noescape
func avx2VecMat(y, x, w *float32, k, n int)

// func avx512RowDots(y, x, w *float32, m, k int): gemv.go's rowDots.
//
//go:noescape
func avx512RowDots(y, x, w *float32, m, k int)

// func avx2RowDots(y, x, w *float32, m, k int): gemv.go's rowDots.
//
//go:noescape
func avx2RowDots(y, x, w *float32, m, k int)
