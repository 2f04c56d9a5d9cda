// Package simdnn holds the float32 kernels that train small dense networks:
// hand-written SIMD assembly (AVX2+FMA and AVX-512 on amd64, NEON on arm64)
// and a pure-Go reference that defines what every implementation computes.
//
// All matrices are flat, row-major []float32. x is m×k (m rows of k
// inputs), w is k×n (row p holds the n weights fed by input p, the layout
// of a Keras Dense kernel) and b has n entries. Any m, k, n ≥ 0 and any
// slice offsets are accepted. A slice of the wrong length, dimensions whose
// products overflow an int, and a dense kernel's output that overlaps
// another of its arguments are programmer errors: the kernel panics with
// a message naming the kernel, the arguments and the sizes, before any
// assembly runs. The float32 kernels never allocate, never start
// goroutines and are safe to call concurrently on disjoint outputs.
//
// The implementation in use is chosen at start-up (the best this CPU runs;
// the SIMDNN_IMPL environment variable overrides it) and can be switched
// with SetImpl. Each kernel call runs on the implementation active when it
// started; ActiveKernels binds the kernels to the implementation active
// now, so that a sequence of calls (a training run) stays on one whatever
// SetImpl does meanwhile. Build with -tags purego to leave out all
// assembly.
package simdnn

import (
	"fmt"
	"math"
	"math/bits"
	"unsafe"

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
	sgdTorch            func(w, b, g []float32, lr, mu, wd float32, nesterov bool)
	adam                func(w, m, v, g []float32, k adamStep)

	// exp sets dst[i] = e^src[i] (len(dst) = len(src), any length) with
	// the vector exp SoftmaxCrossEntropy uses: a test hook, so that tests
	// can hold that exp to math.Exp over the whole float32 range.
	exp func(dst, src []float32)

	// denseForwardBF16 and denseBackwardBF16 are the bf16 kernels
	// (bf16.go): with bf16Native the implementation's own instructions
	// for them on this CPU, else its float32 tiles (bf16_tiles.go) or
	// the reference.
	denseForwardBF16  func(y, x, w, b []float32, m, k, n int, relu bool)
	denseBackwardBF16 func(dw, db, dx, x, w, dy []float32, m, k, n int)
	bf16Native        bool
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

// Kernels is the kernels of one implementation. Its methods are the
// package's functions of the same names, on that implementation whatever
// SetImpl does later: a caller that makes several calls which must agree
// bit for bit (the steps of a training run, which implementations round
// differently) takes a Kernels once and calls through it. The zero
// Kernels is not usable: its methods panic, and its Impl is "".
type Kernels struct {
	set *kernelSet
	id  int
}

// must is ks's kernels; the zero Kernels panics, naming the method.
func (ks Kernels) must(method string) *kernelSet {
	if ks.set == nil {
		panic("simdnn.Kernels." + method + ": the zero Kernels; take one from ActiveKernels")
	}
	return ks.set
}

// ActiveKernels returns the kernels of the implementation active now.
func ActiveKernels() Kernels {
	id := impl.Active()
	return Kernels{set: sets[id], id: id}
}

// Impl names ks's implementation ("" for the zero Kernels).
func (ks Kernels) Impl() string {
	if ks.set == nil {
		return ""
	}
	return impl.Name(ks.id)
}

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
// implementation active when it started, and a Kernels keeps its own.
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

// checkDims panics unless each dimension (named by one letter of names)
// is ≥ 0 and the product of each two fits in an int: the lengths the
// kernel checks are such products, and one that wrapped around could
// match a short slice.
func checkDims(kernel, names string, dims ...int) {
	for i, d := range dims {
		if d < 0 {
			panic(fmt.Sprintf("simdnn.%s: %c = %d, want ≥ 0", kernel, names[i], d))
		}
	}
	for i, a := range dims {
		for j := i + 1; j < len(dims); j++ {
			if hi, lo := bits.Mul64(uint64(a), uint64(dims[j])); hi != 0 || lo > math.MaxInt {
				panic(fmt.Sprintf("simdnn.%s: %c·%c = %d·%d overflows int", kernel, names[i], names[j], a, dims[j]))
			}
		}
	}
}

// DenseForward computes y = x·w + b for x m×k, w k×n, b of n and y m×n,
// then y = max(y, 0) when relu is set (NaN and -0 pass through).
func DenseForward(y, x, w, b []float32, m, k, n int, relu bool) {
	ActiveKernels().DenseForward(y, x, w, b, m, k, n, relu)
}

// DenseForward is the package's DenseForward on ks's implementation.
func (ks Kernels) DenseForward(y, x, w, b []float32, m, k, n int, relu bool) {
	set := ks.must("DenseForward")
	if !checkForward("DenseForward", y, x, w, b, m, k, n) {
		return // nothing to write (m or n is 0, however large the other)
	}
	set.denseForward(y, x, w, b, m, k, n, relu)
}

// checkBackward panics unless the arguments fit a DenseBackward of
// m×k×n, and tells the race detector what the kernel reads and writes. It
// reports whether there is anything to write.
func checkBackward(kernel string, dw, db, dx, x, w, dy []float32, m, k, n int) bool {
	checkDims(kernel, "mkn", m, k, n)
	checkLen(kernel, "dw", len(dw), k*n)
	checkLen(kernel, "db", len(db), n)
	if dx != nil {
		checkLen(kernel, "dx", len(dx), m*k)
	}
	checkLen(kernel, "x", len(x), m*k)
	checkLen(kernel, "w", len(w), k*n)
	checkLen(kernel, "dy", len(dy), m*n)
	checkApart(kernel, []string{"dw", "db", "dx", "x", "w", "dy"}, 3, dw, db, dx, x, w, dy)
	race.Read(x)
	race.Read(w)
	race.Read(dy)
	race.Write(dw)
	race.Write(db)
	if dx != nil {
		race.Write(dx)
	}
	return len(dw)+len(db)+len(dx) > 0
}

// checkForward panics unless the arguments fit a DenseForward of m×k×n,
// and tells the race detector what the kernel reads and writes. It
// reports whether there is anything to write.
func checkForward(kernel string, y, x, w, b []float32, m, k, n int) bool {
	checkDims(kernel, "mkn", m, k, n)
	checkLen(kernel, "y", len(y), m*n)
	checkLen(kernel, "x", len(x), m*k)
	checkLen(kernel, "w", len(w), k*n)
	checkLen(kernel, "b", len(b), n)
	checkApart(kernel, []string{"y", "x", "w", "b"}, 1, y, x, w, b)
	race.Read(x)
	race.Read(w)
	race.Read(b)
	race.Write(y)
	return len(y) > 0
}

// checkApart panics when one of the first outs slices (the outputs)
// shares memory with any other: the kernels write their outputs while
// they read the inputs, so an output over an input gives results that
// differ from implementation to implementation.
func checkApart(kernel string, names []string, outs int, s ...[]float32) {
	for i := range outs {
		for j := range s {
			if j != i && overlap(s[i], s[j]) {
				panic(fmt.Sprintf("simdnn.%s: %s overlaps %s, want outputs apart from every other argument", kernel, names[i], names[j]))
			}
		}
	}
}

// overlap reports whether a and b share memory.
func overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+4*uintptr(len(b)) && b0 < a0+4*uintptr(len(a))
}

// DenseBackward computes dw = xᵀ·dy (k×n, overwritten), db = the column
// sums of dy (n) and, unless dx is nil, dx = dy·wᵀ (m×k), for x m×k, w k×n
// and dy m×n.
func DenseBackward(dw, db, dx, x, w, dy []float32, m, k, n int) {
	ActiveKernels().DenseBackward(dw, db, dx, x, w, dy, m, k, n)
}

// DenseBackward is the package's DenseBackward on ks's implementation.
func (ks Kernels) DenseBackward(dw, db, dx, x, w, dy []float32, m, k, n int) {
	set := ks.must("DenseBackward")
	if !checkBackward("DenseBackward", dw, db, dx, x, w, dy, m, k, n) {
		return
	}
	set.denseBackward(dw, db, dx, x, w, dy, m, k, n)
}

// ReLU sets x[i] = 0 wherever x[i] < 0, in place (NaN and -0 pass through).
func ReLU(x []float32) {
	ActiveKernels().ReLU(x)
}

// ReLU is the package's ReLU on ks's implementation.
func (ks Kernels) ReLU(x []float32) {
	race.Write(x)
	ks.must("ReLU").relu(x)
}

// ReLUBackward sets dy[i] = 0 wherever y[i] ≤ 0 (y is the layer's
// post-ReLU output; a NaN in y keeps its gradient).
func ReLUBackward(dy, y []float32) {
	ActiveKernels().ReLUBackward(dy, y)
}

// ReLUBackward is the package's ReLUBackward on ks's implementation.
func (ks Kernels) ReLUBackward(dy, y []float32) {
	checkLen("ReLUBackward", "y", len(y), len(dy))
	race.Read(y)
	race.Write(dy)
	ks.must("ReLUBackward").reluBackward(dy, y)
}

// SoftmaxCrossEntropy treats logits as m rows of n classes. Per row it
// computes p = softmax(logits) stably (the row maximum subtracted before
// exp), writes grad = (p − onehot(label)) / m (grad may alias logits) and
// returns loss = the mean over rows of −log p[label] and correct = the
// number of rows whose first arg-max is the label: the label's logit is
// greater than every earlier one and no smaller than every later one, so a
// row holding a NaN is never correct. m = 0 gives loss 0. Every label must
// lie in [0, n): one outside panics, naming its row.
func SoftmaxCrossEntropy(grad, logits []float32, labels []int32, m, n int) (loss float32, correct int) {
	return ActiveKernels().SoftmaxCrossEntropy(grad, logits, labels, m, n)
}

// SoftmaxCrossEntropy is the package's SoftmaxCrossEntropy on ks's implementation.
func (ks Kernels) SoftmaxCrossEntropy(grad, logits []float32, labels []int32, m, n int) (loss float32, correct int) {
	checkDims("SoftmaxCrossEntropy", "mn", m, n)
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
	return ks.must("SoftmaxCrossEntropy").softmaxCrossEntropy(grad, logits, labels, m, n)
}

// SGD computes w = w − lr·g with one rounding: w[i] is the exact
// w[i] − lr·g[i] rounded to the nearest float32 (ties to even), as a
// fused multiply-add gives it and as torch.optim.SGD's param.add_(grad,
// alpha=−lr) computes it on CPUs with FMA. With lr = −1 it is an exact
// sum: w += g.
func SGD(w, g []float32, lr float32) {
	ActiveKernels().SGD(w, g, lr)
}

// SGD is the package's SGD on ks's implementation.
func (ks Kernels) SGD(w, g []float32, lr float32) {
	checkLen("SGD", "g", len(g), len(w))
	race.Read(g)
	race.Write(w)
	ks.must("SGD").sgd(w, g, lr)
}

// SGDMomentum computes v = mu·v − lr·g, then w += v.
func SGDMomentum(w, v, g []float32, lr, mu float32) {
	ActiveKernels().SGDMomentum(w, v, g, lr, mu)
}

// SGDMomentum is the package's SGDMomentum on ks's implementation.
func (ks Kernels) SGDMomentum(w, v, g []float32, lr, mu float32) {
	checkLen("SGDMomentum", "v", len(v), len(w))
	checkLen("SGDMomentum", "g", len(g), len(w))
	race.Read(g)
	race.Write(v)
	race.Write(w)
	ks.must("SGDMomentum").sgdMomentum(w, v, g, lr, mu)
}

// The optimizers below follow PyTorch's definitions (torch.optim.SGD,
// Adam and AdamW as torch 1.13 computes them on a CPU with AVX2 and FMA,
// its single-tensor path, the default there): the same float32
// operations in the same order, each rounded where torch rounds it, so
// that they give torch's bits. "Rounded once" below means a fused
// multiply-add.

// SGDTorch is one step of torch.optim.SGD with momentum mu, dampening 0,
// weight decay wd and nesterov off, per element:
//
//	g' = g + wd·w (rounded once; skipped when wd = 0), b = mu·b + g' (the
//	product rounded, then the sum), w = w − lr·b (rounded once).
//
// b is the momentum buffer, zero before the first step (torch sets it to
// g' at the first step, which mu·0 + g' equals but for the sign of a
// zero). Unlike SGDMomentum (Keras: v = mu·v − lr·g), lr scales the
// buffer when it is applied, so the two agree only for a constant lr.
func SGDTorch(w, b, g []float32, lr, mu, wd float32) {
	ActiveKernels().SGDTorch(w, b, g, lr, mu, wd)
}

// SGDTorch is the package's SGDTorch on ks's implementation.
func (ks Kernels) SGDTorch(w, b, g []float32, lr, mu, wd float32) {
	ks.sgdTorch("SGDTorch", w, b, g, lr, mu, wd, false)
}

// SGDNesterov is one step of torch.optim.SGD with momentum mu, dampening
// 0, weight decay wd and nesterov on: SGDTorch's g' and b, then
//
//	w = w − lr·(g' + mu·b) (the sum g' + mu·b rounded once, then w rounded once).
func SGDNesterov(w, b, g []float32, lr, mu, wd float32) {
	ActiveKernels().SGDNesterov(w, b, g, lr, mu, wd)
}

// SGDNesterov is the package's SGDNesterov on ks's implementation.
func (ks Kernels) SGDNesterov(w, b, g []float32, lr, mu, wd float32) {
	ks.sgdTorch("SGDNesterov", w, b, g, lr, mu, wd, true)
}

func (ks Kernels) sgdTorch(kernel string, w, b, g []float32, lr, mu, wd float32, nesterov bool) {
	checkLen(kernel, "b", len(b), len(w))
	checkLen(kernel, "g", len(g), len(w))
	race.Read(g)
	race.Write(b)
	race.Write(w)
	ks.must(kernel).sgdTorch(w, b, g, lr, mu, wd, nesterov)
}

// adamStep holds the scalars of one Adam step, computed once per call in
// float64 from the float32 arguments and rounded to float32, as torch
// computes them in Python floats and hands them to its float32 kernels.
type adamStep struct {
	wd     float32 // Adam's weight decay, added to g; 0 skips it
	decay  float32 // AdamW's 1 − lr·wd, multiplied into w; 1 for Adam
	b1, c1 float32 // β1 and 1 − β1
	b2, c2 float32 // β2 and 1 − β2
	s2     float32 // √(1 − β2^step)
	eps    float32
	ns     float32 // −lr / (1 − β1^step)
}

// newAdamStep computes the scalars of step (≥ 1); decoupled is AdamW.
func newAdamStep(lr, beta1, beta2, eps, wd float32, step int, decoupled bool) adamStep {
	b1, b2 := float64(beta1), float64(beta2)
	k := adamStep{decay: 1, b1: beta1, c1: float32(1 - b1), b2: beta2, c2: float32(1 - b2), eps: eps,
		s2: float32(math.Sqrt(1 - math.Pow(b2, float64(step)))),
		ns: float32(-(float64(lr) / (1 - math.Pow(b1, float64(step)))))}
	if decoupled {
		k.decay = float32(1 - float64(lr)*float64(wd))
	} else {
		k.wd = wd
	}
	return k
}

// Adam is step number step (1, 2, …) of torch.optim.Adam with learning
// rate lr, betas (beta1, beta2), eps and weight decay wd, per element,
// with c1 = 1 − β1, c2 = 1 − β2, s2 = √(1 − β2^step) and
// ns = −lr/(1 − β1^step) computed in float64 and rounded to float32:
//
//	g' = g + wd·w (rounded once; skipped when wd = 0)
//	m = c1·g' + β1·m (the product β1·m rounded, then the rest once)
//	v = (c2·g')·g' + β2·v (c2·g' and β2·v rounded, then the rest once)
//	w = w + (ns·m) / (√v / s2 + eps) (every operation rounded)
//
// m and v are the moment estimates, zero before step 1. eps is added to
// √v/s2, as torch does, not to √v. sqrt and division are correctly
// rounded everywhere, so every implementation gives the reference's bits.
// A step below 1, like a slice of the wrong length, panics.
func Adam(w, m, v, g []float32, lr, beta1, beta2, eps, wd float32, step int) {
	ActiveKernels().Adam(w, m, v, g, lr, beta1, beta2, eps, wd, step)
}

// Adam is the package's Adam on ks's implementation.
func (ks Kernels) Adam(w, m, v, g []float32, lr, beta1, beta2, eps, wd float32, step int) {
	ks.adam("Adam", w, m, v, g, newAdamStep(lr, beta1, beta2, eps, wd, step, false), step)
}

// AdamW is step number step of torch.optim.AdamW: decoupled weight
// decay w = w·float32(1 − lr·wd) (the product rounded), then Adam's step
// without weight decay. torch's AdamW defaults to wd = 0.01; this kernel
// applies the wd it is given.
func AdamW(w, m, v, g []float32, lr, beta1, beta2, eps, wd float32, step int) {
	ActiveKernels().AdamW(w, m, v, g, lr, beta1, beta2, eps, wd, step)
}

// AdamW is the package's AdamW on ks's implementation.
func (ks Kernels) AdamW(w, m, v, g []float32, lr, beta1, beta2, eps, wd float32, step int) {
	ks.adam("AdamW", w, m, v, g, newAdamStep(lr, beta1, beta2, eps, wd, step, true), step)
}

func (ks Kernels) adam(kernel string, w, m, v, g []float32, k adamStep, step int) {
	if step < 1 {
		panic(fmt.Sprintf("simdnn.%s: step = %d, want ≥ 1", kernel, step))
	}
	checkLen(kernel, "m", len(m), len(w))
	checkLen(kernel, "v", len(v), len(w))
	checkLen(kernel, "g", len(g), len(w))
	race.Read(g)
	race.Write(m)
	race.Write(v)
	race.Write(w)
	ks.must(kernel).adam(w, m, v, g, k)
}
