//go:build !purego

package simdnn

import "github.com/simdnn/simdnn/internal/impl"

// avx512Set runs the kernels in kernels_avx512_amd64.s: ZMM registers,
// opmask registers for every tail.
var avx512Set = kernelSet{
	denseForward:        denseForwardAVX512,
	denseBackward:       denseBackwardAVX512,
	relu:                reluAVX512,
	reluBackward:        reluBackwardAVX512,
	softmaxCrossEntropy: softmaxCrossEntropyAVX512,
	sgd:                 sgdAVX512,
	sgdMomentum:         sgdMomentumAVX512,
	sgdTorch:            sgdTorchAVX512,
	adam:                adamAVX512,
	exp:                 expAVX512,
	// The bf16 products: on the float32 tiles (bf16_tiles.go), replaced
	// at start-up where the CPU has AVX512_BF16.
	denseForwardBF16:  denseForwardBF16AVX512Tiles,
	denseBackwardBF16: denseBackwardBF16AVX512Tiles,
}

// avx512Gemm: 6×64 tiles for wide panels, 12×32 for a panel of 17–32
// columns (or a second-to-last one), 16×16 and its half 8×16 for narrow
// layers, 1×64 for the rows below those (four at a time); opmask
// registers cover every partial panel. B is read in place below 128
// rows, as on avx2: fewer rows than that do not repay the copy
// (64×4096×1000 forward 72 → 81 GFLOP/s, 32×2048×2048 54 → 73,
// 24×784×128 85 → 114, on a Zen 5 class CPU).
var avx512Gemm = gemmISA{
	classes: []tileClass{
		{kind: tileAVX512x6x64, rows: 6, cols: 64},
		{kind: tileAVX512x12x32, rows: 12, cols: 32},
		{kind: tileAVX512x16x16, rows: 16, cols: 16, halfKind: tileAVX512x8x16, halfRows: 8},
	},
	masked:     true,
	packT:      packAVX512,
	rowKind:    tileAVX512x1x64,
	block:      gemmBlock,
	packRows:   128,
	vecMat:     avx512VecMat,
	vecMatCols: 1,
	rowDots:    avx512RowDotsSets,
	rowLanes:   16,
}

// avx512BF16Gemm is avx512Gemm with the bf16 tiles: the same shapes, each
// step a pair of steps whose operands are 32-bit words holding two bf16
// (avx512PairRows, avx512PairSteps), the first step in the low half; the
// driver moves those words as it moves floats.
var avx512BF16Gemm = func() gemmISA {
	g := avx512Gemm
	g.classes = []tileClass{
		{kind: tileAVX512BF16x6x64, rows: 6, cols: 64},
		{kind: tileAVX512BF16x12x32, rows: 12, cols: 32},
		{kind: tileAVX512BF16x16x16, rows: 16, cols: 16, halfKind: tileAVX512BF16x8x16, halfRows: 8},
	}
	g.rowKind = tileAVX512BF16x1x64
	g.vecMat, g.rowDots = nil, nil // (float32 routines; the bf16 products pair their operands)
	return g
}()

// The bf16 kernels run on avx512 where the CPU has AVX512_BF16.
func init() {
	if impl.BF16() {
		avx512Set.denseForwardBF16 = denseForwardBF16AVX512
		avx512Set.denseBackwardBF16 = denseBackwardBF16AVX512
		avx512Set.bf16Native = true
	}
}

// denseForwardBF16AVX512: y = xp·wp + b over k2 = ⌈k/2⌉ pairs of steps,
// xp (m×k2) the pairs of each row of x, wp (k2×n) the pairs of rows 2t,
// 2t + 1 of w, made as the driver packs w.
func denseForwardBF16AVX512(y, x, w, b []float32, m, k, n int, relu bool) {
	k2 := (k + 1) / 2
	s := getPairBuf(m*k2, 0)
	avx512PairRows(ptr(s.a), ptr(x), m, k, k2, k)
	avx512BF16Gemm.gemmPairs(y, n, s.a, k2, 1, w, n, k, b, 0, m, n, relu)
	putPairBuf(s)
}

// denseBackwardBF16AVX512: dw = xqᵀ·dyq over m2 = ⌈m/2⌉ pairs of rows
// (xq, dyq the pairs of rows 2t, 2t + 1 of x and dy; dyq made as the
// driver packs dy); dx = dyp·wpᵀ over n2 = ⌈n/2⌉ pairs of columns (dyp,
// wp the pairs of each row of dy and w).
func denseBackwardBF16AVX512(dw, db, dx, x, w, dy []float32, m, k, n int) {
	m2 := (m + 1) / 2
	s := getPairBuf(m2*k, 0)
	avx512PairSteps(ptr(s.a), ptr(x), m, k, k, k)
	avx512BF16Gemm.gemmPairs(dw, n, s.a, 1, k, dy, n, m, nil, 0, k, n, false)
	if dx != nil {
		n2 := (n + 1) / 2
		s.size(m*n2, k*n2)
		avx512PairRows(ptr(s.a), ptr(dy), m, n, n2, n)
		avx512PairRows(ptr(s.b), ptr(w), k, n, n2, n)
		avx512BF16Gemm.gemm(dx, k, s.a, n2, 1, s.b, 1, n2, nil, 0, m, k, n2, false)
	}
	putPairBuf(s)
	if n > 0 {
		avx512ColumnSums(&db[0], ptr(dy), m, n)
	}
}

// func avx512PairRows(dst, src *float32, rows, n, ldd, lds int)
// For r < rows: the n floats at src[r·lds…] become ⌈n/2⌉ words at
// dst[r·ldd…], two bf16 each, the first in the low half (0 in the high
// half of the last word when n is odd).
//
//go:noescape
func avx512PairRows(dst, src *float32, rows, n, ldd, lds int)

// func avx512PairSteps(dst, src *float32, steps, n, lds, ldd int)
// For t < ⌈steps/2⌉, q < n: dst[t·ldd + q] is the word of
// src[2t·lds + q] (low half) and src[(2t+1)·lds + q] (high half; 0 past
// steps).
//
//go:noescape
func avx512PairSteps(dst, src *float32, steps, n, lds, ldd int)

//go:noescape
func avx512BF16Tile6x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512BF16Tile12x32(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512BF16Tile16x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512BF16Tile8x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512BF16Tile1x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512Tile6x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512Tile12x32(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512Tile16x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512Tile8x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

//go:noescape
func avx512Tile1x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

// avx512PackT packs 16·groups columns of a transposed B into a panel w
// floats wide: dst[s·w + q] = src[q·bq + s] for s < ks, a multiple of 16.
//
//go:noescape
func avx512PackT(dst, src *float32, ks, groups, w, bq int)

// avx512ColumnSums sets db[j] = Σ_i dy[i·n + j] in order of i.
//
//go:noescape
func avx512ColumnSums(db, dy *float32, m, n int)

//go:noescape
func avx512ReLU(x *float32, n int)

//go:noescape
func avx512ReLUBackward(dy, y *float32, n int)

//go:noescape
func avx512SGD(w, gr *float32, n int, lr float32)

//go:noescape
func avx512SGDMomentum(w, v, gr *float32, n int, lr, mu float32)

//go:noescape
func avx512SGDTorch(w, b, gr *float32, n int, lr, mu, wd float32, nesterov bool)

//go:noescape
func avx512Adam(w, m, v, gr *float32, n int, wd, decay, b1, c1, b2, c2, s2, eps, ns float32)

// avx512Exp sets dst[i] = e^src[i] for i < n with SoftmaxCrossEntropy's
// vector exp, so tests can hold it to math.Exp.
//
//go:noescape
func avx512Exp(dst, src *float32, n int)

//go:noescape
func avx512SoftmaxXent(grad, logits *float32, labels *int32, m, n int, scale float32) (total float32, correct int)

func denseForwardAVX512(y, x, w, b []float32, m, k, n int, relu bool) {
	denseForwardTiles(&avx512Gemm, y, x, w, b, m, k, n, relu)
}

func denseBackwardAVX512(dw, db, dx, x, w, dy []float32, m, k, n int) {
	denseBackwardTiles(&avx512Gemm, dw, dx, x, w, dy, m, k, n)
	if n > 0 {
		avx512ColumnSums(&db[0], ptr(dy), m, n)
	}
}

func denseForwardBF16AVX512Tiles(y, x, w, b []float32, m, k, n int, relu bool) {
	bf16Forward(&avx512Gemm, y, x, w, b, m, k, n, relu)
}

func denseBackwardBF16AVX512Tiles(dw, db, dx, x, w, dy []float32, m, k, n int) {
	bf16Backward(&avx512Gemm, avx512ColumnSums, dw, db, dx, x, w, dy, m, k, n)
}

func reluAVX512(x []float32) {
	if len(x) > 0 {
		avx512ReLU(&x[0], len(x))
	}
}

func reluBackwardAVX512(dy, y []float32) {
	if len(dy) > 0 {
		avx512ReLUBackward(&dy[0], &y[0], len(dy))
	}
}

func sgdAVX512(w, g []float32, lr float32) {
	if len(w) > 0 {
		avx512SGD(&w[0], &g[0], len(w), lr)
	}
}

func sgdMomentumAVX512(w, v, g []float32, lr, mu float32) {
	if len(w) > 0 {
		avx512SGDMomentum(&w[0], &v[0], &g[0], len(w), lr, mu)
	}
}

func sgdTorchAVX512(w, b, g []float32, lr, mu, wd float32, nesterov bool) {
	if len(w) > 0 {
		avx512SGDTorch(&w[0], &b[0], &g[0], len(w), lr, mu, wd, nesterov)
	}
}

func adamAVX512(w, m, v, g []float32, k adamStep) {
	if len(w) > 0 {
		avx512Adam(&w[0], &m[0], &v[0], &g[0], len(w), k.wd, k.decay, k.b1, k.c1, k.b2, k.c2, k.s2, k.eps, k.ns)
	}
}

func expAVX512(dst, src []float32) {
	if len(src) > 0 {
		avx512Exp(&dst[0], &src[0], len(src))
	}
}

func softmaxCrossEntropyAVX512(grad, logits []float32, labels []int32, m, n int) (float32, int) {
	if m == 0 {
		return 0, 0
	}
	scale := 1 / float32(m)
	total, correct := avx512SoftmaxXent(&grad[0], &logits[0], &labels[0], m, n, scale)
	return total * scale, correct
}
