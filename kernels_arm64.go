//go:build !purego

package simdnn

import "golang.org/x/sys/cpu"

// archImpls lists the arm64 assembly implementations, best first. NEON
// (Advanced SIMD) is part of every arm64 CPU; the feature bit is read all
// the same so that a kernel never runs where it cannot.
func archImpls() []implementation {
	return []implementation{{set: &neonSet, supported: func() bool { return cpu.ARM64.HasASIMD }}}
}

// neonSet is the NEON implementation (kernels_arm64.s).
var neonSet = kernelSet{
	name:          "neon",
	denseForward:  neonDenseForward,
	denseBackward: denseBackwardGeneric,
	relu:          reluNEON,
	reluBackward:  reluBackwardNEON,
	softmaxXent:   softmaxCrossEntropyGeneric,
	sgd:           sgdNEON,
	sgdMomentum:   sgdMomentumNEON,
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
