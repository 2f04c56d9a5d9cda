//go:build !purego

package simdnn

import (
	"unsafe"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the amd64 assembly implementations (kernels_amd64.s,
// kernels_avx512_amd64.s). internal/impl says which the CPU runs.
func archSets(s *[impl.Count]*kernelSet) {
	s[impl.AVX512] = &avx512Set
	s[impl.AVX2] = &avx2Set
}

// gemmISAs are the tile sets of gemm.go by implementation, for the tile
// tests.
var gemmISAs = map[int]*gemmISA{impl.AVX512: &avx512Gemm}

// The amd64 tile routines, as runTile's kinds.
const (
	tileAVX512x6x64 = iota
	tileAVX512x12x32
	tileAVX512x16x16
	tileAVX512x1x64
	tileAVX512x8x16
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
	default:
		panic("simdnn: unknown tile kind")
	}
}

// The amd64 packing routines for a transposed B, as runPackT's kinds
// (after packGo, the driver's own loop).
const (
	packAVX512 = packGo + 1 + iota
)

// runPackT calls the packing routine of the given kind, directly (see
// runTile).
func runPackT(kind int, dst, src *float32, ks, groups, w, bq int) {
	switch kind {
	case packAVX512:
		avx512PackT(dst, src, ks, groups, w, bq)
	default:
		panic("simdnn: unknown packing kind")
	}
}

// avx2Set is the AVX2+FMA3 implementation (kernels_amd64.s).
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
}

// avx2Gemm is the one matrix-multiply loop behind DenseForward and
// DenseBackward. For r < rows and c < cols it sets
//
//	C[r·ldc + c] = I[r·ldi + c] + Σ_{s<steps} A[r·rs + s·as] · B[s·bs + c]
//
// summing in order of s, where I is init (a zero matrix when init is nil;
// ldi = 0 repeats one row, as a bias) and C is then clamped at 0 (NaN and
// -0 kept) when relu is set. All strides count float32 elements. It
// writes no element and reads no element of A, I outside those the
// formula names; of B it reads, in its first safe steps, the whole 16 (or
// 8) floats of the last, partial column tile, which must lie inside B's
// slice (see safeSteps); the lanes past cols only feed lanes never stored.
//
//go:noescape
func avx2Gemm(c *float32, ldc int, a *float32, rs, as int, b *float32, bs int, init *float32, ldi int, rows, cols, steps, safe int, relu bool)

// safeSteps is avx2Gemm's safe argument for a B slice of blen floats:
// how many of the first steps may load the partial column tile's whole
// vector width (16 floats for 9–15 columns, 8 for 1–8) and stay inside B.
func safeSteps(blen, bs, cols, steps int) int {
	tail := cols % 16
	if tail == 0 {
		return steps // no partial tile
	}
	width := 16
	if tail <= 8 {
		width = 8
	}
	last := blen - (cols - tail) - width // last start index that fits
	if last < 0 {
		return 0
	}
	if bs == 0 {
		return steps
	}
	return min(steps, last/bs+1)
}

// ptr is the address of s's first element, or nil: the assembly reads
// none of an empty slice.
func ptr(s []float32) *float32 { return unsafe.SliceData(s) }

// denseForwardAVX2: y = b + x·w with x's rows as A (row stride k, step 1)
// and w's rows as B.
func denseForwardAVX2(y, x, w, b []float32, m, k, n int, relu bool) {
	avx2Gemm(ptr(y), n, ptr(x), k, 1, ptr(w), n, ptr(b), 0, m, n, k, safeSteps(len(w), n, n, k), relu)
}

// dxSteps is how many columns of dy (rows of wᵀ) one pass of the dx
// product takes; it sizes the transposed panel of w on the stack.
const dxSteps = 64

// denseBackwardAVX2 runs three products through avx2Gemm:
//   - dw = xᵀ·dy: the rows of dw are columns of x (A row stride 1, step k),
//     B = dy; 6 rows of dw stay in registers over all m rows of dy.
//   - db = 1·dy: one row whose A is the constant 1 (stride 0).
//   - dx = dy·wᵀ: per panel of 16 columns of dx, the 16 matching rows of w
//     are transposed into a stack panel (≤ dxSteps × 16) that serves as B
//     (its rows are 16 floats wide, so every step's load is safe); when
//     n > dxSteps the later panels accumulate onto dx (init = dx).
func denseBackwardAVX2(dw, db, dx, x, w, dy []float32, m, k, n int) {
	safe := safeSteps(len(dy), n, n, m)
	avx2Gemm(ptr(dw), n, ptr(x), 1, k, ptr(dy), n, nil, 0, k, n, m, safe, false)
	one := float32(1) // the A operand of db = Σ_i 1·dy[i]; stays on the stack
	avx2Gemm(ptr(db), n, &one, 0, 0, ptr(dy), n, nil, 0, 1, n, m, safe, false)
	if dx == nil {
		return
	}
	if n == 0 {
		clear(dx)
		return
	}
	if m == 0 {
		return
	}
	var panel [dxSteps * 16]float32
	for p0 := 0; p0 < k; p0 += 16 {
		cols := min(16, k-p0)
		for j0 := 0; j0 < n; j0 += dxSteps {
			steps := min(dxSteps, n-j0)
			transposePanel(&panel, w[p0*n+j0:], n, cols, steps)
			var init *float32
			if j0 > 0 {
				init = &dx[p0]
			}
			avx2Gemm(&dx[p0], k, &dy[j0], n, 1, &panel[0], 16, init, k, m, cols, steps, steps, false)
		}
	}
}

// transposePanel sets panel[j·16 + c] = w[c·n + j] for c < cols, j < steps.
func transposePanel(panel *[dxSteps * 16]float32, w []float32, n, cols, steps int) {
	for c := range cols {
		row := w[c*n : c*n+steps]
		for j, v := range row {
			panel[j*16+c] = v
		}
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
