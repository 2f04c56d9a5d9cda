//go:build !purego

package simdnn

import (
	"math"
	"unsafe"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the NEON implementation (kernels_arm64.s, gemm_arm64.s).
// internal/impl reads the CPU's feature bit.
func archSets(s *[impl.Count]*kernelSet) {
	s[impl.NEON] = &neonSet
}

// neonSet is the NEON implementation (kernels_arm64.s; the dense tiles in
// gemm_arm64.s).
var neonSet = kernelSet{
	denseForward:        denseForwardNEON,
	denseBackward:       denseBackwardNEON,
	relu:                neonReLU,
	reluBackward:        neonReLUBackward,
	softmaxCrossEntropy: softmaxCrossEntropyNEON,
	sgd:                 neonSGD,
	sgdMomentum:         neonSGDMomentum,
	sgdTorch:            neonSGDTorch,
	adam:                adamNEON,
	exp:                 expNEON,
	// The bf16 products: on the float32 tiles (bf16_tiles.go).
	denseForwardBF16:  denseForwardBF16NEON,
	denseBackwardBF16: denseBackwardBF16NEON,
}

// pairSteps would pair float32 rows for gemmPairs: arm64 has no bf16
// tiles.
func pairSteps(dst, src *float32, steps, n, lds, ldd int) {
	panic("simdnn: no bf16 tiles on arm64")
}

// gemmISAs are the tile sets of gemm.go by implementation, for the tile
// tests.
var gemmISAs = map[int]*gemmISA{impl.NEON: &neonGemm}

// The arm64 tile routines, as runTile's kinds.
const (
	tileNEON6x16 = iota
	tileNEON12x8
	tileNEON16x4
)

// neonGemm: 6×16 tiles for wide panels, 12×8 for a panel of 5–8 columns,
// 16×4 for 1–4 (every tile keeps 24 or 16 accumulators in registers and
// needs at most 17 loads for 16–24 FMLAs a step; gemm_arm64.s). NEON has
// no masked loads or stores, so partial panels and the rows below the
// whole tiles go through the driver's scratch tile.
//
// kc = 128 steps: a packed panel of B is at most 128 × 16 floats (8 KB)
// and the A values of one tile at most about 8 KB more (16 rows of 128
// floats; for xᵀ a cache line a step), so both stay in the smallest L1D
// the tiles meet (Cortex-A53's 32 KB) with half of it left for C and the
// next tile's A, and take a quarter or less of Neoverse N1/V2's (64 KB)
// and Apple M1's (128 KB). A larger kc there would only save the reload
// of the C tile at each block of steps (24 vector loads and stores per
// 128 × 24 FMLAs, under 2 %): gemmBlock.
//
// packRows = 12: packing copies each float of a panel once, and each
// 6-row tile does 1.5 FMLAs per float of B (a NEON vector holds 4), so
// two tiles' worth of rows already pay for contiguous panels whose rows
// share cache lines and pages.
var neonGemm = gemmISA{
	classes:    []tileClass{{kind: tileNEON6x16, rows: 6, cols: 16}, {kind: tileNEON12x8, rows: 12, cols: 8}, {kind: tileNEON16x4, rows: 16, cols: 4}},
	masked:     false,
	block:      gemmBlock,
	packRows:   12,
	vecMatCols: 4,
}

// neonGemm's vecMat refers to neonGemm itself.
func init() { neonGemm.vecMat = neonVecMatCols }

// neonVecMatCols is gemv.go's vecMat on NEON: the whole fours of columns
// in neonVecMat, the last 1–3 (NEON has no masked loads) through the
// tiles, which sum in the same order from the same y.
func neonVecMatCols(y, x, w *float32, k, n int) {
	nv := n &^ 3
	neonVecMat(y, x, w, k, nv, n)
	if nv < n {
		ys, xs, ws := unsafe.Slice(y, n), unsafe.Slice(x, k), unsafe.Slice(w, k*n)
		neonGemm.gemm(ys[nv:], n, xs, k, 1, ws[nv:], n, 1, ys[nv:], n, 1, n-nv, k, false)
	}
}

// func neonVecMat(y, x, w *float32, k, cols, ldw int): vecMat over the
// first cols columns (a multiple of 4) of w's rows, ldw floats apart
// (gemm_arm64.s).
//
//go:noescape
func neonVecMat(y, x, w *float32, k, cols, ldw int)

// runTile calls the tile routine of the given kind (gemm.go). The calls
// are direct so that each routine's //go:noescape stays visible: no
// argument escapes, and the driver's scratch stays where it is.
func runTile(kind int, c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int) {
	switch kind {
	case tileNEON6x16:
		neonTile6x16(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileNEON12x8:
		neonTile12x8(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	case tileNEON16x4:
		neonTile16x4(c, a, b, init, steps, aStep, aRow, ldb, ldc, ldi, masks, flags, tiles)
	default:
		panic("simdnn: unknown tile kind")
	}
}

// runPackT would call a transposing pack routine; NEON has none
// (neonGemm.packT is packGo), so the driver never calls it.
func runPackT(kind int, dst, src *float32, ks, groups, w, bq int) {
	panic("simdnn: no packing routine on arm64")
}

// runPackRows would call a routine copying whole panels of a B in rows;
// NEON has none (neonGemm.packR is packGo).
func runPackRows(kind int, dst, src *float32, rows, panels, width, lds, pstride int) {
	panic("simdnn: no packing routine on arm64")
}

//go:noescape
func neonTile6x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func neonTile12x8(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func neonTile16x4(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

// neonColumnSums sets db[j] = Σ_i dy[i·n + j] in order of i, for n ≥ 1.
//
//go:noescape
func neonColumnSums(db, dy *float32, m, n int)

// denseForwardNEON: y = b + x·w through the tiles, x's rows as A (row
// stride k, step 1) and w's rows as B.
func denseForwardNEON(y, x, w, b []float32, m, k, n int, relu bool) {
	denseForwardTiles(&neonGemm, y, x, w, b, m, k, n, relu)
}

// denseBackwardNEON: dw and dx through the tiles (denseBackwardTiles),
// db by column sums.
func denseBackwardNEON(dw, db, dx, x, w, dy []float32, m, k, n int) {
	denseBackwardTiles(&neonGemm, dw, dx, x, w, dy, m, k, n)
	if n > 0 {
		neonColumnSums(&db[0], unsafe.SliceData(dy), m, n)
	}
}

func denseForwardBF16NEON(y, x, w, b []float32, m, k, n int, relu bool) {
	bf16Forward(&neonGemm, y, x, w, b, m, k, n, relu)
}

func denseBackwardBF16NEON(dw, db, dx, x, w, dy []float32, m, k, n int) {
	bf16Backward(&neonGemm, neonColumnSums, dw, db, dx, x, w, dy, m, k, n)
}

// softmaxChunk is how many rows one neonSoftmaxRows call takes: their
// sums and offsets come back in arrays on the wrapper's stack.
const softmaxChunk = 64

// softmaxCrossEntropyNEON: the assembly does the max, the first-arg-max
// check, the exps, the sums and the gradient of every row; the per-row
// loss log(s) − (l[t] − max) takes one float64 log here, m of them
// against m·n exps, as in the reference.
func softmaxCrossEntropyNEON(grad, logits []float32, labels []int32, m, n int) (float32, int) {
	if m == 0 {
		return 0, 0
	}
	scale := 1 / float32(m)
	var total float32
	correct := 0
	var sums, offs [softmaxChunk]float32
	for i := 0; i < m; i += softmaxChunk {
		r := min(softmaxChunk, m-i)
		rows := grad[i*n : (i+r)*n]
		correct += neonSoftmaxRows(rows, logits[i*n:(i+r)*n], labels[i:i+r], sums[:r], offs[:r], n, scale)
		for j := range r {
			total += float32(math.Log(float64(sums[j]))) - offs[j]
		}
	}
	return total * scale, correct
}

//go:noescape
func neonSoftmaxRows(grad, logits []float32, labels []int32, sums, offs []float32, n int, scale float32) int

// expNEON runs neonExp, which works in place on whole vectors of four,
// on a copy of src in dst; the last len(src) % 4 values go through it in
// a vector on the stack, zero-padded, so that nothing past either slice
// is read or written.
func expNEON(dst, src []float32) {
	copy(dst, src)
	whole := len(dst) &^ 3
	neonExp(dst[:whole])
	if tail := dst[whole:]; len(tail) > 0 {
		var v [4]float32
		copy(v[:], tail)
		neonExp(v[:])
		copy(tail, v[:])
	}
}

// neonExp sets x = e^x in place with the exp of neonSoftmaxRows (EXP);
// len(x) must be a multiple of 4.
//
//go:noescape
func neonExp(x []float32)

//go:noescape
func neonReLU(x []float32)

//go:noescape
func neonReLUBackward(dy, y []float32)

//go:noescape
func neonSGD(w, g []float32, lr float32)

//go:noescape
func neonSGDMomentum(w, v, g []float32, lr, mu float32)

//go:noescape
func neonSGDTorch(w, b, g []float32, lr, mu, wd float32, nesterov bool)

//go:noescape
func neonAdam(w, m, v, g []float32, wd, decay, b1, c1, b2, c2, s2, eps, ns float32)

func adamNEON(w, m, v, g []float32, k adamStep) {
	neonAdam(w, m, v, g, k.wd, k.decay, k.b1, k.c1, k.b2, k.c2, k.s2, k.eps, k.ns)
}

// roundRows is roundRowsGo (bf16_tiles.go) with the whole vectors of
// four in neonRoundBF16 and the last 0–3 columns of each row in Go (NEON
// has no masked loads). dst and src are sliced from the first row's first
// element, and hold rows whole rows.
func roundRows(dst, src []float32, rows, n, nsrc, ldd, lds int, swap bool, lo uint32) uint32 {
	nv := nsrc &^ 3
	if nv > 0 {
		_, _ = dst[(rows-1)*ldd+nv-1], src[(rows-1)*lds+nv-1] // (rows ≥ 1)
		lo = min(lo, neonRoundBF16(&dst[0], &src[0], rows, nv, ldd, lds, swap))
	}
	if nv < n {
		lo = roundRowsGo(dst[nv:], src[nv:], rows, n-nv, nsrc-nv, ldd, lds, swap, lo)
	}
	return lo
}

//go:noescape
func neonRoundBF16(dst, src *float32, rows, n, ldd, lds int, swap bool) uint32

// bf16MinExp is the least sum of the biased exponents of the smallest
// non-zero rounded operands for which the float32 tiles give the bf16
// sums (bf16_tiles.go): on arm64, whose FPCR.FZ flushes results tiny
// before rounding, ea + eb ≥ −136, every product a multiple of 2^-150.
const bf16MinExp = 2*127 - 136

// fpcr returns FPCR (for the tests: the tiles' flushing mode must not
// outlive them, bf16_tiles.go).
//
//go:noescape
func fpcr() uint64

// floatMode is FPCR, for the tests (bf16_tiles.go).
func floatMode() uint64 { return fpcr() }
