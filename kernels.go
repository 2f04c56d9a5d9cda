// Package simdnn holds the float32 kernels that train small dense networks:
// hand-written SIMD assembly (AVX2+FMA and AVX-512 on amd64, NEON on arm64)
// and a pure-Go reference that defines what every implementation computes.
//
// All matrices are flat, row-major []float32 (DequantizeRows also reads a
// byte matrix, []uint8, through row indices, []int32). x is m×k (m rows
// of k inputs), w is k×n (row p holds the n weights fed by input p, the
// layout of a Keras Dense kernel) and b has n entries. Any m, k, n ≥ 0 and any slice offsets
// are accepted. A slice of the wrong length is a programmer error: the
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
	"math"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
)

// kernelSet is one implementation of every kernel. The exported wrappers
// check shapes, so entries may assume every length is right.
type kernelSet struct {
	name           string
	denseForward   func(y, x, w, b []float32, m, k, n int, relu bool)
	denseBackward  func(dw, db, dx, x, w, dy []float32, m, k, n int)
	relu           func(x []float32)
	reluBackward   func(dy, y []float32)
	softmaxXent    func(grad, logits []float32, labels []int32, m, n int) (float32, int)
	sgd            func(w, g []float32, lr float32)
	sgdMomentum    func(w, v, g []float32, lr, mu float32)
	dequantizeRows func(dst []float32, src []uint8, rows []int32, k int, div float32)
	quantize       func(dst []uint8, src []float32, div float32) bool
	// dequantizePacked is PackedRows.Dequantize; packedNative says it
	// is assembly of the set's own (PackedNative).
	dequantizePacked func(dst []float32, p *PackedRows, rows []int32, div float32)
	packedNative     bool
	// nonZeroRows and packRows are PackRows' two passes (packed.go).
	nonZeroRows func(counts []uint32, src []uint8, k int)
	packRows    func(data []uint8, off []uint32, src []uint8, k int)
}

// implementation is one entry of the dispatch table.
type implementation struct {
	set       *kernelSet
	supported func() bool // does this CPU run it?
}

// table lists every implementation compiled in, best first; the
// architecture files contribute theirs through archImpls and the
// reference comes last.
var table = append(archImpls(), implementation{set: &genericSet, supported: func() bool { return true }})

// active is the implementation every kernel call dispatches to.
var active atomic.Pointer[kernelSet]

// envError records a SIMDNN_IMPL value that could not be honoured.
var envError error

func init() {
	set, err := choose(os.Getenv("SIMDNN_IMPL"))
	active.Store(set)
	envError = err
}

// choose picks the start-up implementation: the one named by env (the
// value of SIMDNN_IMPL) when set and supported, else the best supported.
// It reports a name it could not honour.
func choose(env string) (*kernelSet, error) {
	best := &genericSet
	for _, im := range table {
		if im.supported() {
			best = im.set
			break
		}
	}
	if env == "" {
		return best, nil
	}
	for _, im := range table {
		if im.set.name == env {
			if !im.supported() {
				return best, fmt.Errorf("SIMDNN_IMPL: implementation %q is not supported by this CPU (available: %v)", env, Impls())
			}
			return im.set, nil
		}
	}
	return best, fmt.Errorf("SIMDNN_IMPL: %w", unknownImpl(env))
}

// Impl names the active implementation: "avx512", "avx2", "neon" or
// "generic".
func Impl() string { return active.Load().name }

// Impls lists the implementations this CPU can run, best first. The last
// is always "generic".
func Impls() []string {
	var names []string
	for _, im := range table {
		if im.supported() {
			names = append(names, im.set.name)
		}
	}
	return names
}

// SetImpl makes the named implementation active. It fails, leaving the
// active one unchanged, when the name is unknown or the CPU cannot run it.
// Calls racing with kernels in flight are safe: each kernel call uses the
// implementation active when it started.
func SetImpl(name string) error {
	for _, im := range table {
		if im.set.name != name {
			continue
		}
		if !im.supported() {
			return fmt.Errorf("simdnn: implementation %q is not supported by this CPU (available: %v)", name, Impls())
		}
		active.Store(im.set)
		return nil
	}
	return fmt.Errorf("simdnn: %w", unknownImpl(name))
}

// allNames lists the implementations simdnn has on some architecture.
var allNames = []string{"avx512", "avx2", "neon", "generic"}

// unknownImpl explains why name is not in this program's table.
func unknownImpl(name string) error {
	if slices.Contains(allNames, name) {
		return fmt.Errorf("implementation %q is not built into this program (GOARCH=%s%s; available: %v)",
			name, runtime.GOARCH, pureGoNote, Impls())
	}
	return fmt.Errorf("unknown implementation %q (available: %v)", name, Impls())
}

// EnvError reports a SIMDNN_IMPL value naming an implementation that is
// unknown or unsupported here; the start-up choice was kept. It is nil
// when the variable is unset or was honoured.
func EnvError() error { return envError }

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
	raceRead(x)
	raceRead(w)
	raceRead(b)
	raceWrite(y)
	active.Load().denseForward(y, x, w, b, m, k, n, relu)
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
	raceRead(x)
	raceRead(w)
	raceRead(dy)
	raceWrite(dw)
	raceWrite(db)
	raceWrite(dx)
	active.Load().denseBackward(dw, db, dx, x, w, dy, m, k, n)
}

// ReLU sets x[i] = 0 wherever x[i] < 0, in place (NaN and -0 pass through).
func ReLU(x []float32) {
	raceWrite(x)
	active.Load().relu(x)
}

// ReLUBackward sets dy[i] = 0 wherever y[i] ≤ 0 (y is the layer's
// post-ReLU output; a NaN in y keeps its gradient).
func ReLUBackward(dy, y []float32) {
	checkLen("ReLUBackward", "y", len(y), len(dy))
	raceRead(y)
	raceWrite(dy)
	active.Load().reluBackward(dy, y)
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
	raceRead(logits)
	raceRead(labels)
	raceWrite(grad)
	return active.Load().softmaxXent(grad, logits, labels, m, n)
}

// SGD computes w -= lr·g.
func SGD(w, g []float32, lr float32) {
	checkLen("SGD", "g", len(g), len(w))
	raceRead(g)
	raceWrite(w)
	active.Load().sgd(w, g, lr)
}

// SGDMomentum computes v = mu·v − lr·g, then w += v.
func SGDMomentum(w, v, g []float32, lr, mu float32) {
	checkLen("SGDMomentum", "v", len(v), len(w))
	checkLen("SGDMomentum", "g", len(g), len(w))
	raceRead(g)
	raceWrite(v)
	raceWrite(w)
	active.Load().sgdMomentum(w, v, g, lr, mu)
}

// PackedNative reports whether the active implementation runs
// PackedRows.Dequantize in assembly of its own (avx512). The others run
// it as a Go loop, slower than DequantizeRows on the plain bytes: a
// trainer on those keeps the plain bytes.
func PackedNative() bool { return active.Load().packedNative }

// PrefetchRows asks the CPU to start loading rows rows[i] of src (rows of
// k bytes) into its second-level cache, so that a DequantizeRows of those
// rows soon after finds them there instead of in DRAM. It returns at once
// and changes nothing a program can observe; it does not depend on the
// active implementation, and purego builds and architectures without
// assembly do nothing. Every rows[i] must select a whole row of src.
func PrefetchRows(src []uint8, rows []int32, k int) {
	checkRows("PrefetchRows", len(src), rows, k)
	raceRead(rows)
	if k > 0 && len(rows) > 0 {
		prefetchRows(&src[0], &rows[0], len(rows), k)
	}
}

// checkRows panics unless every rows[i] selects a whole row of k bytes of
// a source of n bytes.
func checkRows(kernel string, n int, rows []int32, k int) {
	checkDims(kernel, len(rows), k)
	for i, r := range rows {
		if r < 0 || (k > 0 && int(r) >= n/k) {
			panic(fmt.Sprintf("simdnn.%s: rows[%d] = %d, want in [0, %d)", kernel, i, r, n/max(k, 1)))
		}
	}
}

// Quantize undoes DequantizeRows: it sets dst[i] to the byte b with
// float32(b) / div == src[i] bit for bit and reports whether every src[i]
// is such a quotient; when one is not (-0, NaN, a value between two
// bytes' or past 255's), it reports false and dst holds bytes of no
// meaning. The divisor must be finite and at least 1, where every byte
// has a quotient of its own. MNIST's pixels, float32(p) / 255, come back
// as their bytes, which a trainer then gathers with DequantizeRows.
func Quantize(dst []uint8, src []float32, div float32) bool {
	checkLen("Quantize", "dst", len(dst), len(src))
	if !(div >= 1) || math.IsInf(float64(div), 1) {
		panic(fmt.Sprintf("simdnn.Quantize: div = %g, want finite and ≥ 1", div))
	}
	raceRead(src)
	raceWrite(dst)
	return active.Load().quantize(dst, src, div)
}

// DequantizeRows gathers rows of bytes into float32: src holds rows of k
// bytes, and row i of dst (m×k for m = len(rows)) becomes row rows[i] of
// src divided by div, dst[i·k+j] = float32(src[rows[i]·k+j]) / div, each
// quotient rounded as Go's float32 division rounds it. Data stored as
// float32(b)/255 (MNIST's pixels) comes back bit for bit from its bytes, at
// a quarter of the memory traffic; the x86 assembly prefetches the rows
// ahead.
// Every rows[i] must select a whole row of src.
func DequantizeRows(dst []float32, src []uint8, rows []int32, k int, div float32) {
	checkDims("DequantizeRows", len(rows), k)
	checkLen("DequantizeRows", "dst", len(dst), len(rows)*k)
	checkRows("DequantizeRows", len(src), rows, k)
	raceRead(rows)
	raceWrite(dst)
	if raceEnabled {
		for _, r := range rows {
			raceRead(src[int(r)*k : int(r)*k+k])
		}
	}
	active.Load().dequantizeRows(dst, src, rows, k, div)
}
