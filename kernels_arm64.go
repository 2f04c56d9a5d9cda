//go:build !purego

package simdnn

import (
	"math"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the NEON implementation (kernels_arm64.s). internal/impl
// reads the CPU's feature bit.
func archSets(s *[impl.Count]*kernelSet) {
	s[impl.NEON] = &neonSet
}

// neonSet is the NEON implementation (kernels_arm64.s).
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
}

// denseForwardNEON runs the assembly on every shape with at least one
// whole vector of columns; rows narrower than four floats (n < 4) take
// the reference loop.
func denseForwardNEON(y, x, w, b []float32, m, k, n int, relu bool) {
	switch {
	case m == 0:
	case n < 4:
		denseForwardGeneric(y, x, w, b, m, k, n, relu)
	default:
		neonDenseForward(y, x, w, b, m, k, n, relu)
	}
}

// denseBackwardNEON: dw and db in assembly when the block of 4 inputs × 4
// columns fits (k ≥ 4, n ≥ 4), dx in assembly for every shape.
func denseBackwardNEON(dw, db, dx, x, w, dy []float32, m, k, n int) {
	if k < 4 || n < 4 {
		denseBackwardGeneric(dw, db, nil, x, w, dy, m, k, n)
	} else {
		neonDenseBackwardDw(dw, x, dy, m, k, n)
		neonColumnSums(db, dy, m, n)
	}
	if dx != nil && m > 0 && k > 0 {
		neonDenseBackwardDx(dx, w, dy, m, k, n)
	}
}

//go:noescape
func neonDenseBackwardDw(dw, x, dy []float32, m, k, n int)

//go:noescape
func neonColumnSums(db, dy []float32, m, n int)

//go:noescape
func neonDenseBackwardDx(dx, w, dy []float32, m, k, n int)

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
func neonDenseForward(y, x, w, b []float32, m, k, n int, relu bool)

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
