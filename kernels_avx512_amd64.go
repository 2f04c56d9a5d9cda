//go:build !purego

package simdnn

import "unsafe"

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
}

// Tile flags, as in the assembly.
const (
	tileReLU = 1 // max(0, ·) on the result
	tileAcc  = 2 // add the old contents of C
)

// A tile computes C[r][q] = bias[q] + Σ_{s<steps} A(r, s)·B[s][q] for its
// rows r and the columns q set in masks; A(r, s) lies at a + r·aRow +
// s·aStep bytes, B and C rows are ldb and ldc bytes apart. See the .s file.
// The kinds name the four shapes: rows × vectors of 16 columns.
const (
	tileV1R16 = iota
	tileV1R1
	tileV4R6
	tileV4R1
)

// runTileAVX512 calls the tile of the given kind; direct calls, so that
// the //go:noescape of each stays visible and no argument escapes.
func runTileAVX512(kind int, c, a, b, bias *float32, steps, aStep, aRow, ldb, ldc int, masks uint64, flags, tiles int) {
	switch kind {
	case tileV1R16:
		avx512TileV1R16(c, a, b, bias, steps, aStep, aRow, ldb, ldc, masks, flags, tiles)
	case tileV1R1:
		avx512TileV1R1(c, a, b, bias, steps, aStep, aRow, ldb, ldc, masks, flags, tiles)
	case tileV4R6:
		avx512TileV4R6(c, a, b, bias, steps, aStep, aRow, ldb, ldc, masks, flags, tiles)
	default:
		avx512TileV4R1(c, a, b, bias, steps, aStep, aRow, ldb, ldc, masks, flags, tiles)
	}
}

//go:noescape
func avx512TileV1R16(c, a, b, bias *float32, steps, aStep, aRow, ldb, ldc int, masks uint64, flags, tiles int)

//go:noescape
func avx512TileV1R1(c, a, b, bias *float32, steps, aStep, aRow, ldb, ldc int, masks uint64, flags, tiles int)

//go:noescape
func avx512TileV4R6(c, a, b, bias *float32, steps, aStep, aRow, ldb, ldc int, masks uint64, flags, tiles int)

//go:noescape
func avx512TileV4R1(c, a, b, bias *float32, steps, aStep, aRow, ldb, ldc int, masks uint64, flags, tiles int)

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

// at returns &s[i], or the slice's data pointer when i is past its end
// (only for arguments the assembly will not dereference: zero steps).
func at(s []float32, i int) *float32 {
	if i < len(s) {
		return &s[i]
	}
	return unsafe.SliceData(s)
}

// gemmAVX512 computes, for r < rows and q < cols,
//
//	c[r*ldc+q] = bias[q] + Σ_{s<steps} a[r*aRow+s*aStep]·b[s*ldb+q]
//
// (bias nil meaning zeros) with strides in floats, then adds the old c
// when flags has tileAcc and applies ReLU when it has tileReLU. Columns go
// in blocks of 64 (four vectors, 6-row tiles) and a last block of at most
// 16 columns in one vector (16-row tiles, whose second 8-row group can
// start at any row from 0 to 8, so 8 to 16 rows are one tile). The rows a
// full tile cannot cover are redone by one tile ending at the last row
// (recomputing rows already written gives the same values), or row by row
// where that is impossible (too few rows, or tileAcc).
func gemmAVX512(c []float32, ldc int, a []float32, aRow, aStep int, b []float32, ldb int, bias []float32, rows, cols, steps, flags int) {
	var zeros [64]float32
	for q0 := 0; q0 < cols; q0 += 64 {
		width := min(64, cols-q0)
		masks := ^uint64(0) >> (64 - width)
		big, one, height, least := tileV4R6, tileV4R1, 6, 6
		if width <= 16 {
			big, one, height, least = tileV1R16, tileV1R1, 16, 8
		}
		biasq := &zeros[0]
		if bias != nil {
			biasq = &bias[q0]
		}
		bq := at(b, q0)
		// call runs tiles tiles of the given kind from row r down.
		call := func(kind, r, split, tiles int) {
			runTileAVX512(kind, &c[r*ldc+q0], at(a, r*aRow), bq, biasq, steps, aStep*4, aRow*4, ldb*4, ldc*4, masks, flags|split<<8, tiles)
		}
		full := rows / height
		if full > 0 {
			call(big, 0, 8, full)
		}
		switch r := full * height; {
		case r == rows:
		case flags&tileAcc == 0 && rows >= height:
			call(big, rows-height, 8, 1)
		case flags&tileAcc == 0 && rows >= least:
			call(big, 0, rows-8, 1) // V1R16 with fewer than 16 rows
		default:
			call(one, r, 0, rows-r)
		}
	}
}

func denseForwardAVX512(y, x, w, b []float32, m, k, n int, relu bool) {
	flags := 0
	if relu {
		flags = tileReLU
	}
	gemmAVX512(y, n, x, k, 1, w, n, b, m, n, k, flags)
}

// align64 returns s from its first element on a 64-byte boundary; s has
// 16 floats to spare.
func align64(s []float32) []float32 {
	off := int(uintptr(unsafe.Pointer(&s[0]))%64) / 4
	return s[(16-off)%16:]
}

// dxChunk is how many columns of dy (rows of the transposed w panel) one
// pass of dx takes; wider layers add later chunks onto dx.
const dxChunk = 128

func denseBackwardAVX512(dw, db, dx, x, w, dy []float32, m, k, n int) {
	// dw[p][j] = Σ_i x[i][p]·dy[i][j]: A(p, i) = x[i*k+p].
	gemmAVX512(dw, n, x, 1, k, dy, n, nil, k, n, m, 0)
	// db[j] = Σ_i 1·dy[i][j]: A is a single 1 with both strides 0.
	one := [1]float32{1}
	gemmAVX512(db, 0, one[:], 0, 0, dy, n, nil, 1, n, m, 0)
	if dx == nil || m == 0 || k == 0 {
		return
	}
	if n == 0 {
		clear(dx)
		return
	}
	// dx[i][p] = Σ_j dy[i][j]·w[p][j]: B is a panel of wᵀ on the stack,
	// sized to n so that a thin layer does not clear 32 KB per call.
	if n <= 16 {
		var buf [16*64 + 16]float32
		dxAVX512(dx, w, dy, m, k, n, align64(buf[:]))
	} else {
		var buf [dxChunk*64 + 16]float32
		dxAVX512(dx, w, dy, m, k, n, align64(buf[:]))
	}
}

// dxAVX512 computes dx = dy·wᵀ with B a panel of wᵀ (len(panel)/64 rows
// of 64), copied so its rows are contiguous; when n is larger than that,
// later chunks of dy's columns add onto dx.
func dxAVX512(dx, w, dy []float32, m, k, n int, panel []float32) {
	chunk := len(panel) / 64
	for p0 := 0; p0 < k; p0 += 64 {
		width := min(64, k-p0)
		for j0 := 0; j0 < n; j0 += chunk {
			steps := min(chunk, n-j0)
			for s := range steps {
				row := panel[s*64 : s*64+width]
				for q := range row {
					row[q] = w[(p0+q)*n+j0+s]
				}
			}
			flags := 0
			if j0 > 0 {
				flags = tileAcc
			}
			gemmAVX512(dx[p0:], k, dy[j0:], n, 1, panel, 64, nil, m, width, steps, flags)
		}
	}
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
