// Package simdnn holds the float32 kernels that train small dense networks:
// hand-written SIMD assembly (AVX2+FMA and AVX-512 on amd64, NEON on arm64)
// and a pure-Go reference that defines what every implementation computes.
//
// All matrices are flat, row-major []float32. x is m×k (m rows of k
// inputs), w is k×n (row p holds the n weights fed by input p, the layout
// of a Keras Dense kernel) and b has n entries. Any m, k, n ≥ 0 and any
// slice offsets are accepted. A slice of the wrong length is a programmer error: the
// kernel panics with a message naming the kernel, the argument and both
// sizes, before any assembly runs. Kernels never allocate, never start
// goroutines and are safe to call concurrently on disjoint outputs.
//
// The implementation in use is chosen at start-up (the best this CPU runs;
// the SIMDNN_IMPL environment variable overrides it) and can be switched
// with SetImpl. Build with -tags purego to leave out all assembly.
package simdnn

import (
	"fmt"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/race"
)

// kernelSet is one implementation of every kernel. The exported wrappers
// check shapes, so entries may assume every length is right.
type kernelSet struct {
	denseForward        func(y, x, w, b []float32, m, k, n int, relu bool)
	denseBackward       func(dw, db, dx, x, w, dy []float32, m, k, n int)
	relu                func(x []float32)
	reluBackward        func(dy, y []float32)
	softmaxCrossEntropy func(grad, logits []float32, labels []int32, m, n int) (float32, int)
	sgd                 func(w, g []float32, lr float32)
	sgdMomentum         func(w, v, g []float32, lr, mu float32)

	// exp sets dst[i] = e^src[i] (len(dst) = len(src), any length) with
	// the vector exp SoftmaxCrossEntropy uses: a test hook, so that tests
	// can hold that exp to math.Exp over the whole float32 range.
	exp func(dst, src []float32)
}

// sets holds this package's kernels for every implementation the build
// holds (impl.Compiled), indexed by impl's IDs; the architecture files
// contribute theirs through archSets.
var sets = func() (s [impl.Count]*kernelSet) {
	archSets(&s)
	s[impl.Generic] = &genericSet
	return s
}()

// active is the implementation every kernel call dispatches to.
func active() *kernelSet { return sets[impl.Active()] }

// Impl names the active implementation: "avx512", "avx2", "neon" or
// "generic".
func Impl() string { return impl.Name(impl.Active()) }

// Impls lists the implementations this CPU can run, best first. The last
// is always "generic".
func Impls() []string { return impl.Names() }

// SetImpl makes the named implementation active, for these kernels and
// for every other part of simdnn with assembly. It fails, leaving the
// active one unchanged, when the name is unknown or the CPU cannot run it.
// Calls racing with kernels in flight are safe: each kernel call uses the
// implementation active when it started.
func SetImpl(name string) error {
	if err := impl.Set(name); err != nil {
		return fmt.Errorf("simdnn: %w", err)
	}
	return nil
}

// EnvError reports a SIMDNN_IMPL value naming an implementation that is
// unknown or unsupported here; the start-up choice was kept. It is nil
// when the variable is unset or was honoured.
func EnvError() error { return impl.EnvError() }

func checkLen(kernel, arg string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("simdnn.%s: len(%s) = %d, want %d", kernel, arg, got, want))
	}
}

func checkDims(kernel string, dims ...int) {
	names := [...]string{"m", "k", "n"}
	for i, d := range dims {
		if d < 0 {
			panic(fmt.Sprintf("simdnn.%s: %s = %d, want ≥ 0", kernel, names[i], d))
		}
	}
}

// DenseForward computes y = x·w + b for x m×k, w k×n, b of n and y m×n,
// then y = max(y, 0) when relu is set (NaN and -0 pass through).
func DenseForward(y, x, w, b []float32, m, k, n int, relu bool) {
	checkDims("DenseForward", m, k, n)
	checkLen("DenseForward", "y", len(y), m*n)
	checkLen("DenseForward", "x", len(x), m*k)
	checkLen("DenseForward", "w", len(w), k*n)
	checkLen("DenseForward", "b", len(b), n)
	race.Read(x)
	race.Read(w)
	race.Read(b)
	race.Write(y)
	active().denseForward(y, x, w, b, m, k, n, relu)
}

// DenseBackward computes dw = xᵀ·dy (k×n, overwritten), db = the column
// sums of dy (n) and, unless dx is nil, dx = dy·wᵀ (m×k), for x m×k, w k×n
// and dy m×n.
func DenseBackward(dw, db, dx, x, w, dy []float32, m, k, n int) {
	checkDims("DenseBackward", m, k, n)
	checkLen("DenseBackward", "dw", len(dw), k*n)
	checkLen("DenseBackward", "db", len(db), n)
	if dx != nil {
		checkLen("DenseBackward", "dx", len(dx), m*k)
	}
	checkLen("DenseBackward", "x", len(x), m*k)
	checkLen("DenseBackward", "w", len(w), k*n)
	checkLen("DenseBackward", "dy", len(dy), m*n)
	race.Read(x)
	race.Read(w)
	race.Read(dy)
	race.Write(dw)
	race.Write(db)
	race.Write(dx)
	active().denseBackward(dw, db, dx, x, w, dy, m, k, n)
}

// ReLU sets x[i] = 0 wherever x[i] < 0, in place (NaN and -0 pass through).
func ReLU(x []float32) {
	race.Write(x)
	active().relu(x)
}

// ReLUBackward sets dy[i] = 0 wherever y[i] ≤ 0 (y is the layer's
// post-ReLU output; a NaN in y keeps its gradient).
func ReLUBackward(dy, y []float32) {
	checkLen("ReLUBackward", "y", len(y), len(dy))
	race.Read(y)
	race.Write(dy)
	active().reluBackward(dy, y)
}

// SoftmaxCrossEntropy treats logits as m rows of n classes. Per row it
// computes p = softmax(logits) stably (the row maximum subtracted before
// exp), writes grad = (p − onehot(label)) / m (grad may alias logits) and
// returns loss = the mean over rows of −log p[label] and correct = the
// number of rows whose first arg-max is the label: the label's logit is
// greater than every earlier one and no smaller than every later one, so a
// row holding a NaN is never correct. m = 0 gives loss 0. Every label must
// lie in [0, n).
func SoftmaxCrossEntropy(grad, logits []float32, labels []int32, m, n int) (loss float32, correct int) {
	checkDims("SoftmaxCrossEntropy", m, n)
	checkLen("SoftmaxCrossEntropy", "grad", len(grad), m*n)
	checkLen("SoftmaxCrossEntropy", "logits", len(logits), m*n)
	checkLen("SoftmaxCrossEntropy", "labels", len(labels), m)
	for i, l := range labels {
		if l < 0 || int(l) >= n {
			panic(fmt.Sprintf("simdnn.SoftmaxCrossEntropy: labels[%d] = %d, want in [0, %d)", i, l, n))
		}
	}
	race.Read(logits)
	race.Read(labels)
	race.Write(grad)
	return active().softmaxCrossEntropy(grad, logits, labels, m, n)
}

// SGD computes w = w − lr·g with one rounding: w[i] is the exact
// w[i] − lr·g[i] rounded to the nearest float32 (ties to even), as a
// fused multiply-add gives it and as torch.optim.SGD's param.add_(grad,
// alpha=−lr) computes it on CPUs with FMA. With lr = −1 it is an exact
// sum: w += g.
func SGD(w, g []float32, lr float32) {
	checkLen("SGD", "g", len(g), len(w))
	race.Read(g)
	race.Write(w)
	active().sgd(w, g, lr)
}

// SGDMomentum computes v = mu·v − lr·g, then w += v.
func SGDMomentum(w, v, g []float32, lr, mu float32) {
	checkLen("SGDMomentum", "v", len(v), len(w))
	checkLen("SGDMomentum", "g", len(g), len(w))
	race.Read(g)
	race.Write(v)
	race.Write(w)
	active().sgdMomentum(w, v, g, lr, mu)
}
