//go:build !purego

package simdnn

import "unsafe"

// func avx512VecMat(y, x, w *float32, k, n int): gemv.go's vecMat.
//
//go:noescape
func avx512VecMat(y, x, w *float32, k, n int)

// func avx2VecMat(y, x, w *float32, k, n int): gemv.go's vecMat.
//
//go:noescape
func avx2VecMat(y, x, w *float32, k, n int)

// func avx512RowDots(y, x, w *float32, m, k int): gemv.go's rowDots,
// thirty-two rows at a time while there are as many.
//
//go:noescape
func avx512RowDots(y, x, w *float32, m, k int)

// func avx2RowDots(y, x, w *float32, m, k int): gemv.go's rowDots.
//
//go:noescape
func avx2RowDots(y, x, w *float32, m, k int)

// avx2RowDotsSets is avx2RowDots, taking the rows eight at a time where
// sixteen rows k floats apart would crowd into a few of L1's 64 sets (k a
// multiple of 512 or near one: sixteen such rows of x thrash an 8-way
// set, eight fit), sixteen at a time otherwise (kernels_amd64.s).
func avx2RowDotsSets(y, x, w *float32, m, k int) { rowDotsSets(avx2RowDots, 16, 8, y, x, w, m, k) }

// avx512RowDotsSets is avx512RowDots, taking the rows sixteen at a time
// where sixteen rows k floats apart crowd into a few of L1's 64 sets
// (crowdedRows): thirty-two such rows thrash a 12-way set (4096×4096×1
// forward 13–15 → 11 GFLOP/s on Zen 5), sixteen less so.
func avx512RowDotsSets(y, x, w *float32, m, k int) { rowDotsSets(avx512RowDots, 32, 16, y, x, w, m, k) }

// rowDotsSets runs rowDots on m rows at once where they do not crowd L1's
// sets (crowdedRows) or are fewer than most, which is the most the
// routine takes at a time; else on fewer rows a call (m is a multiple of
// fewer).
func rowDotsSets(rowDots func(y, x, w *float32, m, k int), most, fewer int, y, x, w *float32, m, k int) {
	if m < most || !crowdedRows(k) {
		rowDots(y, x, w, m, k)
		return
	}
	for i := 0; i < m; i += fewer {
		rowDots((*float32)(unsafe.Add(unsafe.Pointer(y), 4*i)), (*float32)(unsafe.Add(unsafe.Pointer(x), 4*i*k)), w, fewer, k)
	}
}
