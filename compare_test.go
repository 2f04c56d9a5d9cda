package simdnn

// The tests in this file hold every implementation to the reference: the
// active implementation runs on inputs placed in memory chosen by a
// placement (odd offsets with guard values around every slice, or flush
// against a PROT_NONE page) and must agree with genericSet run on copies of
// the same inputs in ordinary memory.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// placement is where a comparison puts its slices (internal/testmem).
type placement = testmem.Placement

// filler writes a kernel's input values.
type filler = testmem.Filler

// denseSpecials are values a dense kernel must treat like the reference.
// Magnitudes stay below 2^60 so that no product or sum of up to 2^8 of
// them overflows, where fused and unfused arithmetic could disagree.
var denseSpecials = []float32{
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.Copysign(0, -1)), 0, 1e-40, -1e-42, 1e18, -1e18, 1e-30,
}

// agree reports whether got matches the reference want: NaN with NaN, an
// infinity with the same infinity, finite values within tol.
func agree(got, want float32, tol float64) bool {
	switch {
	case want != want:
		return got != got
	case math.IsInf(float64(want), 0):
		return got == want
	case got != got || math.IsInf(float64(got), 0):
		return false
	}
	return math.Abs(float64(got)-float64(want)) <= tol
}

// tiny is the absolute slack for results made of denormal products, which
// fused and unfused arithmetic round differently.
const tiny = 0x1p-140

func compareDenseForward(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, relu bool) {
	t.Helper()
	x, w, b, y := pl.F32(0, m*k), pl.F32(1, k*n), pl.F32(2, n), pl.F32(3, m*n)
	fill(r, x)
	fill(r, w)
	fill(r, b)
	fill(r, y) // garbage: must be overwritten
	want := make([]float32, m*n)
	genericSet.denseForward(want, testmem.Clone(x), testmem.Clone(w), testmem.Clone(b), m, k, n, relu)
	DenseForward(y, x, w, b, m, k, n, relu)
	pl.Verify(t)
	for i := range m {
		for j := range n {
			mag := math.Abs(float64(b[j]))
			for p := range k {
				mag += math.Abs(float64(x[i*k+p]) * float64(w[p*n+j]))
			}
			if got, ref := y[i*n+j], want[i*n+j]; !agree(got, ref, 2*sumTol(k, mag)+tiny) {
				t.Fatalf("%s %s DenseForward m=%d k=%d n=%d relu=%v: y[%d][%d] = %g (%#08x), reference %g (%#08x)",
					Impl(), pl.Name(), m, k, n, relu, i, j, got, math.Float32bits(got), ref, math.Float32bits(ref))
			}
		}
	}
}

func compareDenseBackward(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, withDx bool) {
	t.Helper()
	x, w, dy := pl.F32(0, m*k), pl.F32(1, k*n), pl.F32(2, m*n)
	dw, db := pl.F32(3, k*n), pl.F32(4, n)
	var dx []float32
	if withDx {
		dx = pl.F32(5, m*k)
		fill(r, dx)
	}
	for _, s := range [][]float32{x, w, dy, dw, db} {
		fill(r, s)
	}
	wantDw, wantDb := make([]float32, k*n), make([]float32, n)
	var wantDx []float32
	if withDx {
		wantDx = make([]float32, m*k)
	}
	genericSet.denseBackward(wantDw, wantDb, wantDx, testmem.Clone(x), testmem.Clone(w), testmem.Clone(dy), m, k, n)
	DenseBackward(dw, db, dx, x, w, dy, m, k, n)
	pl.Verify(t)
	fail := func(what string, i, j int, got, ref float32) {
		t.Fatalf("%s %s DenseBackward m=%d k=%d n=%d: %s[%d][%d] = %g (%#08x), reference %g (%#08x)",
			Impl(), pl.Name(), m, k, n, what, i, j, got, math.Float32bits(got), ref, math.Float32bits(ref))
	}
	for p := range k {
		for j := range n {
			var mag float64
			for i := range m {
				mag += math.Abs(float64(x[i*k+p]) * float64(dy[i*n+j]))
			}
			if !agree(dw[p*n+j], wantDw[p*n+j], 2*sumTol(m, mag)+tiny) {
				fail("dw", p, j, dw[p*n+j], wantDw[p*n+j])
			}
		}
	}
	for j := range n {
		var mag float64
		for i := range m {
			mag += math.Abs(float64(dy[i*n+j]))
		}
		if !agree(db[j], wantDb[j], 2*sumTol(m, mag)+tiny) {
			fail("db", 0, j, db[j], wantDb[j])
		}
	}
	for i := range len(dx) / max(k, 1) {
		for p := range k {
			var mag float64
			for j := range n {
				mag += math.Abs(float64(dy[i*n+j]) * float64(w[p*n+j]))
			}
			if !agree(dx[i*k+p], wantDx[i*k+p], 2*sumTol(n, mag)+tiny) {
				fail("dx", i, p, dx[i*k+p], wantDx[i*k+p])
			}
		}
	}
}

// xentSpecials reach the edges of softmax: infinities, NaN, logits so large
// that exp overflows without the max subtracted, denormals and -0.
var xentSpecials = []float32{
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	1e30, -1e30, 3e38, -3e38, 88.8, -104, 1e-40, float32(math.Copysign(0, -1)),
}

func compareSoftmaxXent(t testing.TB, pl placement, r *rand.Rand, fill filler, m, n int, alias bool) {
	t.Helper()
	logits, labels := pl.F32(0, m*n), pl.I32(1, m)
	fill(r, logits)
	for i := range labels {
		labels[i] = int32(r.IntN(n))
	}
	grad := logits
	if !alias {
		grad = pl.F32(2, m*n)
		fill(r, grad)
	}
	in := testmem.Clone(logits)
	want := make([]float32, m*n)
	wantLoss, wantCorrect := genericSet.softmaxCrossEntropy(want, testmem.Clone(in), testmem.Clone(labels), m, n)
	loss, correct := SoftmaxCrossEntropy(grad, logits, labels, m, n)
	pl.Verify(t)
	where := fmt.Sprintf("%s %s SoftmaxCrossEntropy m=%d n=%d alias=%v", Impl(), pl.Name(), m, n, alias)
	if correct != wantCorrect {
		t.Fatalf("%s: correct = %d, reference %d", where, correct, wantCorrect)
	}
	// Each row's loss log(s) − (l[t] − max) carries a few ulp of those two
	// terms; the rows are then summed.
	var mag float64
	for i := range m {
		mx := float32(math.Inf(-1))
		for _, v := range in[i*n : i*n+n] {
			mx = max(mx, v)
		}
		mag += math.Log(float64(n)) + math.Abs(float64(in[i*n+int(labels[i])]-mx)) + 1
	}
	if m > 0 {
		mag /= float64(m)
	}
	if !agree(loss, wantLoss, float64(m+n+16)*eps32*mag) {
		t.Fatalf("%s: loss = %g, reference %g", where, loss, wantLoss)
	}
	// p = e/s carries the error of a few-ulp exp and of a sum of n terms;
	// at the label p − 1 is rounded once more at its own magnitude (about
	// 1), which no error bound on p covers, so one rounding of the result
	// is allowed too.
	for i := range m {
		for j := range n {
			ref := want[i*n+j]
			p := float64(ref) * float64(m)
			if j == int(labels[i]) {
				p++
			}
			tol := (float64(n+16)*eps32*math.Abs(p)+0x1p-120)/float64(m) + eps32*math.Abs(float64(ref))
			if got := grad[i*n+j]; !agree(got, ref, tol) {
				t.Fatalf("%s: grad[%d][%d] = %g (%#08x), reference %g (%#08x); row %v label %d",
					where, i, j, got, math.Float32bits(got), ref, math.Float32bits(ref), in[i*n:i*n+n], labels[i])
			}
		}
	}
}

// compareReLU holds ReLU to the reference bit for bit (a NaN matches any
// NaN).
func compareReLU(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	x := pl.F32(0, n)
	fill(r, x)
	want := testmem.Clone(x)
	genericSet.relu(want)
	ReLU(x)
	pl.Verify(t)
	for i := range x {
		if !testmem.SameBits(x[i], want[i]) {
			t.Fatalf("%s %s ReLU n=%d: x[%d] = %g, reference %g", Impl(), pl.Name(), n, i, x[i], want[i])
		}
	}
}

// compareReLUBackward holds ReLUBackward to the reference bit for bit.
func compareReLUBackward(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	dy, y := pl.F32(0, n), pl.F32(1, n)
	fill(r, dy)
	fill(r, y)
	want := testmem.Clone(dy)
	genericSet.reluBackward(want, testmem.Clone(y))
	ReLUBackward(dy, y)
	pl.Verify(t)
	for i := range dy {
		if !testmem.SameBits(dy[i], want[i]) {
			t.Fatalf("%s %s ReLUBackward n=%d: dy[%d] = %g, reference %g (y = %g)", Impl(), pl.Name(), n, i, dy[i], want[i], y[i])
		}
	}
}

// compareSGD holds SGD to the reference bit for bit: both round
// w − lr·g once.
func compareSGD(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	w, g := pl.F32(0, n), pl.F32(1, n)
	fill(r, w)
	fill(r, g)
	lr := float32(r.Float64())
	wantW := testmem.Clone(w)
	genericSet.sgd(wantW, testmem.Clone(g), lr)
	w0 := testmem.Clone(w)
	SGD(w, g, lr)
	pl.Verify(t)
	for i := range w {
		if !testmem.SameBits(w[i], wantW[i]) {
			t.Fatalf("%s %s SGD n=%d: w[%d] = %g (%#08x), reference %g (%#08x); w %g, g %g, lr %g",
				Impl(), pl.Name(), n, i, w[i], math.Float32bits(w[i]), wantW[i], math.Float32bits(wantW[i]), w0[i], g[i], lr)
		}
	}
}

// compareSGDMomentum holds SGDMomentum to the reference, with a rounding
// of slack for each fused multiply-add.
func compareSGDMomentum(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	w, v, g := pl.F32(0, n), pl.F32(1, n), pl.F32(2, n)
	fill(r, w)
	fill(r, v)
	fill(r, g)
	lr, mu := float32(r.Float64()), float32(r.Float64())
	wantW, wantV := testmem.Clone(w), testmem.Clone(v)
	genericSet.sgdMomentum(wantW, wantV, testmem.Clone(g), lr, mu)
	w0, v0 := testmem.Clone(w), testmem.Clone(v)
	SGDMomentum(w, v, g, lr, mu)
	pl.Verify(t)
	for i := range w {
		vtol := 2*eps32*(math.Abs(float64(mu*v0[i]))+math.Abs(float64(lr*g[i]))) + tiny
		if !agree(v[i], wantV[i], vtol) {
			t.Fatalf("%s %s SGDMomentum n=%d: v[%d] = %g, reference %g", Impl(), pl.Name(), n, i, v[i], wantV[i])
		}
		wtol := vtol + 2*eps32*(math.Abs(float64(w0[i]))+math.Abs(float64(v[i]))) + tiny
		if !agree(w[i], wantW[i], wtol) {
			t.Fatalf("%s %s SGDMomentum n=%d: w[%d] = %g, reference %g", Impl(), pl.Name(), n, i, w[i], wantW[i])
		}
	}
}

// optimizerScalar is a hyperparameter for the optimizer comparisons: 0
// one time in three (weight decay, whose 0 switches a term off), else
// uniform in [0, scale).
func optimizerScalar(r *rand.Rand, scale float64) float32 {
	if r.IntN(3) == 0 {
		return 0
	}
	return float32(r.Float64() * scale)
}

// compareSGDTorch holds SGDTorch (nesterov false) or SGDNesterov to the
// reference bit for bit: every operation is an IEEE one on both sides.
func compareSGDTorch(t testing.TB, pl placement, r *rand.Rand, fill filler, n int, nesterov bool) {
	t.Helper()
	w, b, g := pl.F32(0, n), pl.F32(1, n), pl.F32(2, n)
	fill(r, w)
	fill(r, b)
	fill(r, g)
	lr, mu, wd := float32(r.Float64()), float32(r.Float64()), optimizerScalar(r, 0.5)
	wantW, wantB := testmem.Clone(w), testmem.Clone(b)
	genericSet.sgdTorch(wantW, wantB, testmem.Clone(g), lr, mu, wd, nesterov)
	w0, b0 := testmem.Clone(w), testmem.Clone(b)
	name := "SGDTorch"
	if nesterov {
		name = "SGDNesterov"
		SGDNesterov(w, b, g, lr, mu, wd)
	} else {
		SGDTorch(w, b, g, lr, mu, wd)
	}
	pl.Verify(t)
	for i := range w {
		if !testmem.SameBits(b[i], wantB[i]) || !testmem.SameBits(w[i], wantW[i]) {
			t.Fatalf("%s %s %s n=%d lr=%g mu=%g wd=%g: [%d] w %g → %g (%#08x), reference %g (%#08x); b %g → %g, reference %g; g %g",
				Impl(), pl.Name(), name, n, lr, mu, wd, i, w0[i], w[i], math.Float32bits(w[i]), wantW[i], math.Float32bits(wantW[i]),
				b0[i], b[i], wantB[i], g[i])
		}
	}
}

func compareSGDNesterov(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	compareSGDTorch(t, pl, r, fill, n, true)
}

func compareSGDTorchPlain(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	compareSGDTorch(t, pl, r, fill, n, false)
}

// compareAdam holds Adam, or AdamW when decoupled, to the reference bit
// for bit: sqrt and division are correctly rounded everywhere. v holds
// magnitudes from 1 down to 2^-40, so that eps matters in some lanes.
func compareAdam(t testing.TB, pl placement, r *rand.Rand, fill filler, n int, decoupled bool) {
	t.Helper()
	w, m, v, g := pl.F32(0, n), pl.F32(1, n), pl.F32(2, n), pl.F32(3, n)
	fill(r, w)
	fill(r, m)
	fill(r, v)
	fill(r, g)
	for i := range v {
		v[i] = float32(math.Ldexp(math.Abs(float64(v[i])), -r.IntN(41)))
	}
	lr, beta1, beta2 := float32(r.Float64()*0.1), float32(r.Float64()), float32(r.Float64())
	eps := [...]float32{1e-8, 0, 1e-3, float32(r.Float64())}[r.IntN(4)]
	wd, step := optimizerScalar(r, 0.5), 1+r.IntN(1000)
	wantW, wantM, wantV := testmem.Clone(w), testmem.Clone(m), testmem.Clone(v)
	genericSet.adam(wantW, wantM, wantV, testmem.Clone(g), newAdamStep(lr, beta1, beta2, eps, wd, step, decoupled))
	w0 := testmem.Clone(w)
	name := "Adam"
	if decoupled {
		name = "AdamW"
		AdamW(w, m, v, g, lr, beta1, beta2, eps, wd, step)
	} else {
		Adam(w, m, v, g, lr, beta1, beta2, eps, wd, step)
	}
	pl.Verify(t)
	for i := range w {
		if !testmem.SameBits(w[i], wantW[i]) || !testmem.SameBits(m[i], wantM[i]) || !testmem.SameBits(v[i], wantV[i]) {
			t.Fatalf("%s %s %s n=%d lr=%g betas=%g,%g eps=%g wd=%g step=%d: [%d] w %g → %g (%#08x), reference %g (%#08x); m %g, reference %g; v %g, reference %g; g %g",
				Impl(), pl.Name(), name, n, lr, beta1, beta2, eps, wd, step, i, w0[i], w[i], math.Float32bits(w[i]), wantW[i], math.Float32bits(wantW[i]),
				m[i], wantM[i], v[i], wantV[i], g[i])
		}
	}
}

func compareAdamCoupled(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	compareAdam(t, pl, r, fill, n, false)
}

func compareAdamW(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	compareAdam(t, pl, r, fill, n, true)
}

// elementwiseCompares are the comparisons of every elementwise kernel,
// for the tests that run them all at one size.
var elementwiseCompares = []func(testing.TB, placement, *rand.Rand, filler, int){
	compareReLU, compareReLUBackward, compareSGD, compareSGDMomentum,
	compareSGDTorchPlain, compareSGDNesterov, compareAdamCoupled, compareAdamW,
}

// sweep is the size list every kernel is run over: every size from 0 to 33,
// then sizes around multiples of the vector widths and the MNIST widths.
var sweep = func() []int {
	s := make([]int, 0, 48)
	for i := range 34 {
		s = append(s, i)
	}
	return append(s, 47, 48, 63, 64, 65, 100, 127, 128, 129, 784)
}()

// fewRows is the row counts of the lighter sweeps: the kernels block over
// rows, so these cover every remainder of blocks up to 8 rows and some
// full blocks (32: the last of avx512's thirty-two rows in the lanes of
// the matrix–vector form ending where x does), while k and n still take
// every value.
var fewRows = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 32, 33}

// pass is one run of the sweep: where the slices go, the input values
// and the row counts m of the dense kernels.
type pass struct {
	testmem.Placer
	fill filler
	ms   []int
	// xentSpecials adds the softmax's own edge values (TestSweepSpecials).
	xentSpecials bool
	// specials: the pass fills with special values, and the bf16 kernels
	// take theirs (bf16Specials).
	specials bool
}

// elementwise runs compare over every length from 0 to 299 and 4099.
func elementwise(compare func(t testing.TB, pl placement, r *rand.Rand, fill filler, n int)) func(*testing.T, placement, *rand.Rand, pass) {
	return func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		for n := range 300 {
			compare(t, pl, r, p.fill, n)
		}
		compare(t, pl, r, p.fill, 4099)
	}
}

// sweepKernels are the kernels of the sweep with their comparisons over
// all shapes: m from the pass's row counts with k, n from 0 to 33, and
// the larger sizes in one dimension at a time.
var sweepKernels = []testmem.Kernel[pass]{
	{Name: "DenseForward", Run: func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		for _, m := range p.ms {
			for _, k := range sweep[:34] {
				for _, n := range sweep[:34] {
					compareDenseForward(t, pl, r, p.fill, m, k, n, (m+k+n)%2 == 0)
				}
			}
		}
		for _, s := range bigShapes() {
			compareDenseForward(t, pl, r, p.fill, s[0], s[1], s[2], true)
		}
	}},
	// The matrix–vector forms (gemv.go): one row, and one output, over
	// every size of the sweep in the other two dimensions.
	{Name: "DenseForwardGemv", Run: func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		for _, a := range sweep {
			for _, c := range sweep {
				compareDenseForward(t, pl, r, p.fill, 1, a, c, (a+c)%2 == 0)
				compareDenseForward(t, pl, r, p.fill, a, c, 1, (a+c)%2 == 1)
			}
		}
	}},
	{Name: "DenseBackward", Run: func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		for _, m := range p.ms {
			for _, k := range sweep[:34] {
				for _, n := range sweep[:34] {
					compareDenseBackward(t, pl, r, p.fill, m, k, n, (m+k+n)%3 != 0)
				}
			}
		}
		for _, s := range bigShapes() {
			compareDenseBackward(t, pl, r, p.fill, s[0], s[1], s[2], true)
		}
	}},
	{Name: "DenseForwardBF16", Run: bf16Sweep(compareDenseForwardBF16, func(m, k, n int) bool { return (m+k+n)%2 == 0 })},
	{Name: "DenseBackwardBF16", Run: bf16Sweep(compareDenseBackwardBF16, func(m, k, n int) bool { return (m+k+n)%3 != 0 })},
	{Name: "SoftmaxCrossEntropy", Run: func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		for _, m := range sweep {
			for _, n := range sweep[1:] {
				if m*n <= 1<<14 {
					compareSoftmaxXent(t, pl, r, p.fill, m, n, (m+n)%2 == 0)
				}
			}
		}
		if !p.xentSpecials {
			return
		}
		for _, m := range sweep[:20] {
			for _, n := range sweep[1:] {
				compareSoftmaxXent(t, &testmem.Offset{Off: m % 8}, r, testmem.Special(xentSpecials), m, n, n%2 == 0)
			}
		}
	}},
	{Name: "ReLU", Run: elementwise(compareReLU)},
	{Name: "ReLUBackward", Run: elementwise(compareReLUBackward)},
	{Name: "SGD", Run: elementwise(compareSGD)},
	{Name: "SGDMomentum", Run: elementwise(compareSGDMomentum)},
	{Name: "SGDTorch", Run: elementwise(compareSGDTorchPlain)},
	{Name: "SGDNesterov", Run: elementwise(compareSGDNesterov)},
	{Name: "Adam", Run: elementwise(compareAdamCoupled)},
	{Name: "AdamW", Run: elementwise(compareAdamW)},
}

// bf16Sweep runs a bf16 comparison over the dense kernels' shapes (flag
// its relu or withDx), with bf16Specials in the specials pass, on every
// implementation but the reference itself (a purego build's only one):
// those with bf16 instructions, and those that run the products on their
// float32 tiles (bf16_tiles.go) or, where that is not exact, the
// reference.
func bf16Sweep(compare func(testing.TB, placement, *rand.Rand, filler, int, int, int, bool), flag func(m, k, n int) bool) func(*testing.T, placement, *rand.Rand, pass) {
	return func(t *testing.T, pl placement, r *rand.Rand, p pass) {
		if ActiveKernels().Impl() == impl.Name(impl.Generic) {
			return
		}
		fill := p.fill
		if p.specials {
			fill = testmem.Special(bf16Specials)
		}
		for _, m := range p.ms {
			for _, k := range sweep[:34] {
				for _, n := range sweep[:34] {
					compare(t, pl, r, fill, m, k, n, flag(m, k, n))
				}
			}
		}
		for _, s := range bigShapes() {
			compare(t, pl, r, fill, s[0], s[1], s[2], true)
		}
	}
}

// bigShapes are the dense shapes with one dimension past 33: m×k×n.
func bigShapes() [][3]int {
	var shapes [][3]int
	for _, big := range sweep[34:] {
		for _, small := range []int{0, 1, 7, 15, 17} {
			shapes = append(shapes, [3]int{big, small, 10}, [3]int{small, big, 15}, [3]int{10, small, big})
		}
	}
	return shapes
}

// runSweep runs the sweep's kernels over the passes on every
// implementation but the reference (impltest.RunAsm), each kernel a
// subtest of each implementation's (testmem.Sweep).
func runSweep(t *testing.T, passes ...pass) {
	impltest.RunAsm(t, func(t *testing.T) { testmem.Sweep(t, sweepKernels, passes...) })
}

// TestSweepOffsets runs every kernel on every shape with slices at float
// offsets 0–7 from a 32-byte boundary and guard values around them.
func TestSweepOffsets(t *testing.T) {
	var passes []pass
	for off := range 8 {
		ms := fewRows
		if off == 3 {
			ms = sweep[:34] // every m from 0 to 33 once
		}
		passes = append(passes, pass{Placer: testmem.AtOffset(off), fill: testmem.Uniform, ms: ms})
	}
	runSweep(t, passes...)
}

// TestSweepSpecials runs the sweep with NaN, ±Inf, -0, denormals and large
// values mixed into every input, and the softmax over its own edge values
// (exp overflow without the max subtracted, huge and tiny logits) at
// every offset: one placement's pass over all the assembly.
func TestSweepSpecials(t *testing.T) {
	runSweep(t, pass{Placer: testmem.AtOffset(5), fill: testmem.Special(denseSpecials), ms: fewRows, xentSpecials: true, specials: true})
}

// TestMNISTShapes runs the kernels at the tutorial's shapes and some
// large ones.
func TestMNISTShapes(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 7))
		pl := &testmem.Offset{Off: 1}
		for _, s := range [][3]int{{1024, 784, 15}, {1024, 15, 10}, {1000, 784, 16}, {256, 784, 128}, {256, 128, 10}, {100, 1000, 300}} {
			compareDenseForward(t, pl, r, testmem.Uniform, s[0], s[1], s[2], true)
			compareDenseBackward(t, pl, r, testmem.Uniform, s[0], s[1], s[2], true)
		}
		compareSoftmaxXent(t, pl, r, testmem.Uniform, 1024, 10, true)
		for _, compare := range elementwiseCompares {
			compare(t, pl, r, testmem.Uniform, 1024*128)
		}
	})
}
