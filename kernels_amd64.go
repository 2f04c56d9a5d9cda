//go:build !purego

package simdnn

import (
	"unsafe"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the amd64 assembly implementations (kernels_amd64.s and
// gemm_avx2_amd64.s, kernels_avx512_amd64.s and gemm_avx512_amd64.s).
// internal/impl says which the CPU runs.
func archSets(s *[impl.Count]*kernelSet) {
	s[impl.AVX512] = &avx512Set
	s[impl.AVX2] = &avx2Set
}

// gemmISAs are the tile sets of gemm.go by implementation, for the tile
// tests.
var gemmISAs = map[int]*gemmISA{impl.AVX512: &avx512Gemm, impl.AVX2: &avx2Gemm}

// The amd64 tile routines, as runTile's kinds.
const (
	tileAVX512x6x64 = iota
	tileAVX512x12x32
	tileAVX512x16x16
	tileAVX512x1x64
	tileAVX512x8x16
	tileAVX2x6x16
	tileAVX2x12x8
	tileAVX2x1x16
	tileAVX512BF16x6x64
	tileAVX512BF16x12x32
	tileAVX512BF16x16x16
	tileAVX512BF16x8x16
	tileAVX512BF16x1x64
)

// runTile calls the tile routine of the given kind (gemm.go). The calls
// are direct so that each routine's //go:noescape stays visible: no
// argument escapes, and the driver's scratch stays where it is.
func runTile(kind int, c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int) {
	switch kind {
	case tileAVX512x6x64:
		avx512Tile6x64(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512x12x32:
		avx512Tile12x32(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512x16x16:
		avx512Tile16x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512x8x16:
		avx512Tile8x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512x1x64:
		avx512Tile1x64(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX2x6x16:
		avx2Tile6x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX2x12x8:
		avx2Tile12x8(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX2x1x16:
		avx2Tile1x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512BF16x6x64:
		avx512BF16Tile6x64(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512BF16x12x32:
		avx512BF16Tile12x32(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512BF16x16x16:
		avx512BF16Tile16x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512BF16x8x16:
		avx512BF16Tile8x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileAVX512BF16x1x64:
		avx512BF16Tile1x64(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	default:
		panic("simdnn: unknown tile kind")
	}
}

// The amd64 packing routines, as runPackT's kinds (a transposed B) and
// runPackRows's (avx2's whole panels of a B in rows), after packGo, the
// driver's own loops.
const (
	packAVX512 = packGo + 1 + iota
	packAVX2
)

// runPackT calls the packing routine of the given kind, directly (see
// runTile).
func runPackT(kind int, dst, src *float32, ks, groups, w, bq int) {
	switch kind {
	case packAVX512:
		avx512PackT(dst, src, ks, groups, w, bq)
	case packAVX2:
		avx2PackT(dst, src, ks, groups, w, bq)
	default:
		panic("simdnn: unknown packing kind")
	}
}

// runPackRows calls the routine of the given kind that copies whole
// panels of a B in rows (packAVX2: avx2PackRows; the driver's packR).
func runPackRows(kind int, dst, src *float32, rows, panels, width, lds, pstride int) {
	switch kind {
	case packAVX2:
		avx2PackRows(dst, src, rows, panels, width, lds, pstride)
	default:
		panic("simdnn: unknown packing kind")
	}
}

// pairSteps pairs float32 rows for gemmPairs (avx512PairSteps).
func pairSteps(dst, src *float32, steps, n, lds, ldd int) {
	avx512PairSteps(dst, src, steps, n, lds, ldd)
}

// avx2Set is the AVX2+FMA3 implementation (kernels_amd64.s; the dense
// kernels' tiles in gemm_avx2_amd64.s).
var avx2Set = kernelSet{
	denseForward:        denseForwardAVX2,
	denseBackward:       denseBackwardAVX2,
	relu:                avx2ReLU,
	reluBackward:        avx2ReLUBackward,
	softmaxCrossEntropy: softmaxCrossEntropyAVX2,
	sgd:                 avx2SGD,
	sgdMomentum:         avx2SGDMomentum,
	sgdTorch:            avx2SGDTorch,
	adam:                adamAVX2,
	exp:                 avx2Exp,
	// The bf16 products: on the float32 tiles (bf16_tiles.go).
	denseForwardBF16:  denseForwardBF16AVX2,
	denseBackwardBF16: denseBackwardBF16AVX2,
}

// avx2Gemm: 6×16 tiles (12 accumulators, the most that 16 YMM registers
// hold beside B's two vectors and a broadcast) for wide panels and, as
// one panel, a rest of 9–15 columns (narrow layers' n = 10 and 15): each
// row of A is read once, and its two overlapping halves need no mask.
// 12×8 tiles take a rest of 1–8 columns with VMASKMOVPS, so B is read in
// place and no row goes through the scratch tile. B is packed from 128
// rows up: below that the copy costs more than strided reads of B do.
var avx2Gemm = gemmISA{
	classes:  []tileClass{{kind: tileAVX2x6x16, rows: 6, cols: 16}, {kind: tileAVX2x12x8, rows: 12, cols: 8}},
	oneRest:  true,
	masked:   true,
	packT:    packAVX2,
	packR:    packAVX2,
	rowKind:  tileAVX2x1x16,
	packRows: 128,
	// A in rows (x, dy) goes in blocks of 96 rows of 384 steps (144 KB)
	// and B's of 384 × 256 (384 KB): a third as many passes over C as
	// gemmBlock makes, whose loads and stores miss L2 on the large shapes.
	// A transposed (xᵀ for dw) keeps gemmBlock: each step of a tile's rows
	// lies on a line of its own, and 384 of them and the panel of B
	// (24 KB) would not share L1.
	block:   blocking{kc: 384, mc: 96, nc: 256},
	blockAT: gemmBlock,
	dxT:     true,
	// Below 16 columns the one-row tile does as well or better: vecMat's
	// masked loads of w take FMA slots on Zen 5 (1×784×15: 19.6 GFLOP/s
	// in the tile, 13.8 in vecMat; 1×784×8: 10.7, 11.0; 1×784×17: 8.2,
	// 16.1).
	vecMat:     avx2VecMat,
	vecMatCols: 16,
	rowDots:    avx2RowDotsSets,
	rowLanes:   8,
}

//go:noescape
func avx2Tile6x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx2Tile12x8(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx2Tile1x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

// avx2PackRows copies whole panels of a B in rows: dst[p·pstride + s·width
// + q] = src[s·lds + p·width + q] for s < rows, p < panels and q < width
// (a multiple of 8; rows, panels ≥ 1; strides in floats).
//
//go:noescape
func avx2PackRows(dst, src *float32, rows, panels, width, lds, pstride int)

// avx2PackT packs 16·groups columns of a transposed B into a panel w
// floats wide: dst[s·w + q] = src[q·bq + s] for s < ks, a multiple of 16.
//
//go:noescape
func avx2PackT(dst, src *float32, ks, groups, w, bq int)

// avx2ColumnSums sets db[j] = Σ_i dy[i·n + j] in order of i.
//
//go:noescape
func avx2ColumnSums(db, dy *float32, m, n int)

// ptr is the address of s's first element, or nil: the assembly reads
// none of an empty slice.
func ptr(s []float32) *float32 { return unsafe.SliceData(s) }

func denseForwardAVX2(y, x, w, b []float32, m, k, n int, relu bool) {
	denseForwardTiles(&avx2Gemm, y, x, w, b, m, k, n, relu)
}

func denseForwardBF16AVX2(y, x, w, b []float32, m, k, n int, relu bool) {
	bf16Forward(&avx2Gemm, y, x, w, b, m, k, n, relu)
}

func denseBackwardBF16AVX2(dw, db, dx, x, w, dy []float32, m, k, n int) {
	bf16Backward(&avx2Gemm, avx2ColumnSums, dw, db, dx, x, w, dy, m, k, n)
}

func denseBackwardAVX2(dw, db, dx, x, w, dy []float32, m, k, n int) {
	denseBackwardTiles(&avx2Gemm, dw, dx, x, w, dy, m, k, n)
	if n > 0 {
		avx2ColumnSums(&db[0], ptr(dy), m, n)
	}
}

//go:noescape
func avx2ReLU(x []float32)

//go:noescape
func avx2ReLUBackward(dy, y []float32)

//go:noescape
func avx2SGD(w, g []float32, lr float32)

//go:noescape
func avx2SGDMomentum(w, v, g []float32, lr, mu float32)

//go:noescape
func avx2SGDTorch(w, b, g []float32, lr, mu, wd float32, nesterov bool)

//go:noescape
func avx2Adam(w, m, v, g []float32, wd, decay, b1, c1, b2, c2, s2, eps, ns float32)

func adamAVX2(w, m, v, g []float32, k adamStep) {
	avx2Adam(w, m, v, g, k.wd, k.decay, k.b1, k.c1, k.b2, k.c2, k.s2, k.eps, k.ns)
}

// avx2SoftmaxXent does every row of SoftmaxCrossEntropy in one call; scale
// is 1/m, m ≥ 1.
//
//go:noescape
func avx2SoftmaxXent(grad, logits []float32, labels []int32, m, n int, scale float32) (loss float32, correct int)

func softmaxCrossEntropyAVX2(grad, logits []float32, labels []int32, m, n int) (float32, int) {
	if m == 0 {
		return 0, 0
	}
	return avx2SoftmaxXent(grad, logits, labels, m, n, 1/float32(m))
}

// avx2Exp sets dst[i] = e^src[i] with the vector exp SoftmaxCrossEntropy
// uses; it exists so tests can hold that exp to math.Exp over the whole
// float32 range. len(dst) must equal len(src).
//
//go:noescape
func avx2Exp(dst, src []float32)

// roundRows is roundRowsGo (bf16_tiles.go) in avx2RoundBF16: every CPU
// that runs avx2 or avx512 has AVX2. dst and src are sliced from the
// first row's first element, and hold rows whole rows.
func roundRows(dst, src []float32, rows, n, nsrc, ldd, lds int, swap bool, lo uint32) uint32 {
	_, _ = dst[(rows-1)*ldd+n-1], src[(rows-1)*lds+nsrc-1] // (rows, n, nsrc ≥ 1)
	return min(lo, avx2RoundBF16(&dst[0], &src[0], rows, n, nsrc, ldd, lds, swap))
}

//go:noescape
func avx2RoundBF16(dst, src *float32, rows, n, nsrc, ldd, lds int, swap bool) uint32

// bf16MinExp is the least sum of the biased exponents of the smallest
// non-zero rounded operands for which the float32 tiles give the bf16
// sums (bf16_tiles.go): on amd64, with MXCSR's DAZ and FTZ on, any.
const bf16MinExp = 0

// mxcsr returns MXCSR (for the tests: the tiles' flushing mode must not
// outlive them, bf16_tiles.go).
//
//go:noescape
func mxcsr() uint32

// floatMode is MXCSR's control bits, for the tests (bf16_tiles.go).
func floatMode() uint64 { return uint64(mxcsr() &^ 0x3f) }
