//go:build !purego

package simdnn

import (
	"math"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// archImpls lists the arm64 assembly implementations, best first. NEON
// (Advanced SIMD) is part of every arm64 CPU; the feature bit is read all
// the same so that a kernel never runs where it cannot.
func archImpls() []implementation {
	return []implementation{{set: &neonSet, supported: func() bool { return cpu.ARM64.HasASIMD }}}
}

// neonSet is the NEON implementation (kernels_arm64.s).
var neonSet = kernelSet{
	name:             "neon",
	denseForward:     neonDenseForward,
	denseBackward:    neonDenseBackward,
	relu:             reluNEON,
	reluBackward:     reluBackwardNEON,
	softmaxXent:      neonSoftmaxCrossEntropy,
	sgd:              sgdNEON,
	sgdMomentum:      sgdMomentumNEON,
	dequantizeRows:   dequantizeRowsNEONGo,
	quantize:         quantizeNEONGo,
	dequantizePacked: dequantizePackedTable,
	nonZeroRows:      nonZeroRowsGeneric,
	packRows:         packRowsGeneric,
}

// neonDenseForward runs the assembly on every shape with at least one
// whole vector of columns; rows narrower than four floats (n < 4) take
// the reference loop.
func neonDenseForward(y, x, w, b []float32, m, k, n int, relu bool) {
	switch {
	case m == 0:
	case n < 4:
		denseForwardGeneric(y, x, w, b, m, k, n, relu)
	default:
		denseForwardNEON(y, x, w, b, m, k, n, relu)
	}
}

// neonDenseBackward: dw and db in assembly when the block of 4 inputs × 4
// columns fits (k ≥ 4, n ≥ 4), dx in assembly for every shape.
func neonDenseBackward(dw, db, dx, x, w, dy []float32, m, k, n int) {
	if k < 4 || n < 4 {
		denseBackwardGeneric(dw, db, nil, x, w, dy, m, k, n)
	} else {
		denseBackwardDwNEON(dw, x, dy, m, k, n)
		columnSumsNEON(db, dy, m, n)
	}
	if dx != nil && m > 0 && k > 0 {
		denseBackwardDxNEON(dx, w, dy, m, k, n)
	}
}

//go:noescape
func denseBackwardDwNEON(dw, x, dy []float32, m, k, n int)

//go:noescape
func columnSumsNEON(db, dy []float32, m, n int)

//go:noescape
func denseBackwardDxNEON(dx, w, dy []float32, m, k, n int)

// softmaxChunk is how many rows one softmaxRowsNEON call takes: their
// sums and offsets come back in arrays on the wrapper's stack.
const softmaxChunk = 64

// neonSoftmaxCrossEntropy: the assembly does the max, the first-arg-max
// check, the exps, the sums and the gradient of every row; the per-row
// loss log(s) − (l[t] − max) takes one float64 log here, m of them
// against m·n exps, as in the reference.
func neonSoftmaxCrossEntropy(grad, logits []float32, labels []int32, m, n int) (float32, int) {
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
		correct += softmaxRowsNEON(rows, logits[i*n:(i+r)*n], labels[i:i+r], sums[:r], offs[:r], n, scale)
		for j := range r {
			total += float32(math.Log(float64(sums[j]))) - offs[j]
		}
	}
	return total * scale, correct
}

//go:noescape
func softmaxRowsNEON(grad, logits []float32, labels []int32, sums, offs []float32, n int, scale float32) int

//go:noescape
func expNEON(x []float32)

//go:noescape
func denseForwardNEON(y, x, w, b []float32, m, k, n int, relu bool)

//go:noescape
func reluNEON(x []float32)

//go:noescape
func reluBackwardNEON(dy, y []float32)

//go:noescape
func sgdNEON(w, g []float32, lr float32)

//go:noescape
func sgdMomentumNEON(w, v, g []float32, lr, mu float32)

//go:noescape
func dequantizeRowsNEON(dst *float32, src *uint8, rows *int32, m, k int, div, recip float32)

// quotientsNEON runs dequantizeRowsNEON on every byte value.
func quotientsNEON(div float32) (q [256]float32) {
	row := int32(0)
	dequantizeRowsNEON(&q[0], &allBytes[0], &row, 1, len(allBytes), div, 1/div)
	return q
}

// neonQuotients caches exactQuotients for dequantizeRowsNEON.
var neonQuotients atomic.Uint64

// quantizeNEONGo runs quantizeNEON 16 values at a time (quantizeWith).
func quantizeNEONGo(dst []uint8, src []float32, div float32) bool {
	return quantizeWith(dst, src, div, 16, exactQuotients(&neonQuotients, div, quotientsNEON), quantizeNEON)
}

//go:noescape
func quantizeNEON(dst *uint8, src *float32, n int, div, recip float32) (ok bool)

func dequantizeRowsNEONGo(dst []float32, src []uint8, rows []int32, k int, div float32) {
	if len(dst) == 0 {
		return
	}
	if !exactQuotients(&neonQuotients, div, quotientsNEON) {
		dequantizeRowsTable(dst, src, rows, k, div)
		return
	}
	dequantizeRowsNEON(&dst[0], &src[0], &rows[0], len(rows), k, div, 1/div)
}
