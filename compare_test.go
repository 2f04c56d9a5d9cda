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
	"slices"
	"testing"
	"unsafe"
)

// sentinel fills the floats around each slice a placement hands out; a
// kernel that writes outside its output changes one of them.
const sentinel = 0x7fc0dead

// placement hands out slices for a kernel call and, after it, checks that
// nothing outside them changed.
type placement interface {
	f32(role, n int) []float32
	i32(role, n int) []int32
	u8(role, n int) []uint8
	verify(t testing.TB)
	name() string
}

// offsetPlacement puts slice number role at a float offset of
// (off+role)%8 from a 32-byte boundary, with 16 sentinel floats on each
// side.
type offsetPlacement struct {
	off   int
	spans [][]uint32 // whole buffers, sentinels included
	lens  []int
	offs  []int
}

func (p *offsetPlacement) name() string { return fmt.Sprintf("offset%d", p.off) }

func (p *offsetPlacement) words(role, n int) []uint32 {
	const pad = 16
	off := (p.off + role) % 8
	buf := make([]uint32, n+2*pad+8+8)
	base := int(uintptr(unsafe.Pointer(&buf[0]))%32) / 4 // floats past a 32-byte boundary
	start := pad + (8-base)%8 + off
	for i := range buf {
		buf[i] = sentinel
	}
	p.spans = append(p.spans, buf)
	p.lens = append(p.lens, n)
	p.offs = append(p.offs, start)
	return buf[start : start+n : start+n]
}

func (p *offsetPlacement) f32(role, n int) []float32 {
	w := p.words(role, n)
	if n == 0 {
		return []float32{}
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&w[0])), n)
}

func (p *offsetPlacement) i32(role, n int) []int32 {
	w := p.words(role, n)
	if n == 0 {
		return []int32{}
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&w[0])), n)
}

// u8 puts n bytes at a byte offset of (off+role)%8 past a word boundary
// of a words slice: odd addresses included.
func (p *offsetPlacement) u8(role, n int) []uint8 {
	bo := (p.off + role) % 8
	w := p.words(role, (bo+n+3)/4)
	if n == 0 {
		return []uint8{}
	}
	return unsafe.Slice((*uint8)(unsafe.Pointer(&w[0])), len(w)*4)[bo : bo+n : bo+n]
}

func (p *offsetPlacement) verify(t testing.TB) {
	t.Helper()
	for s, buf := range p.spans {
		for i, v := range buf {
			if (i < p.offs[s] || i >= p.offs[s]+p.lens[s]) && v != sentinel {
				t.Fatalf("%s: slice %d (len %d): word %d outside it changed to %#x", p.name(), s, p.lens[s], i-p.offs[s], v)
			}
		}
	}
	p.spans, p.lens, p.offs = p.spans[:0], p.lens[:0], p.offs[:0]
}

// fill writes values into s: uniform in [-1, 1], or with special values
// mixed in when special is set.
type filler func(r *rand.Rand, s []float32)

func fillUniform(r *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
}

// denseSpecials are values a dense kernel must treat like the reference.
// Magnitudes stay below 2^60 so that no product or sum of up to 2^8 of
// them overflows, where fused and unfused arithmetic could disagree.
var denseSpecials = []float32{
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.Copysign(0, -1)), 0, 1e-40, -1e-42, 1e18, -1e18, 1e-30,
}

func fillSpecial(specials []float32) filler {
	return func(r *rand.Rand, s []float32) {
		for i := range s {
			if r.IntN(8) == 0 {
				s[i] = specials[r.IntN(len(specials))]
			} else {
				s[i] = float32(r.Float64()*2 - 1)
			}
		}
	}
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

func clone[T any](s []T) []T { return append(make([]T, 0, len(s)), s...) }

// tiny is the absolute slack for results made of denormal products, which
// fused and unfused arithmetic round differently.
const tiny = 0x1p-140

func compareDenseForward(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, relu bool) {
	t.Helper()
	x, w, b, y := pl.f32(0, m*k), pl.f32(1, k*n), pl.f32(2, n), pl.f32(3, m*n)
	fill(r, x)
	fill(r, w)
	fill(r, b)
	fill(r, y) // garbage: must be overwritten
	want := make([]float32, m*n)
	genericSet.denseForward(want, clone(x), clone(w), clone(b), m, k, n, relu)
	DenseForward(y, x, w, b, m, k, n, relu)
	pl.verify(t)
	for i := range m {
		for j := range n {
			mag := math.Abs(float64(b[j]))
			for p := range k {
				mag += math.Abs(float64(x[i*k+p]) * float64(w[p*n+j]))
			}
			if got, ref := y[i*n+j], want[i*n+j]; !agree(got, ref, 2*sumTol(k, mag)+tiny) {
				t.Fatalf("%s %s DenseForward m=%d k=%d n=%d relu=%v: y[%d][%d] = %g (%#08x), reference %g (%#08x)",
					Impl(), pl.name(), m, k, n, relu, i, j, got, math.Float32bits(got), ref, math.Float32bits(ref))
			}
		}
	}
}

func compareDenseBackward(t testing.TB, pl placement, r *rand.Rand, fill filler, m, k, n int, withDx bool) {
	t.Helper()
	x, w, dy := pl.f32(0, m*k), pl.f32(1, k*n), pl.f32(2, m*n)
	dw, db := pl.f32(3, k*n), pl.f32(4, n)
	var dx []float32
	if withDx {
		dx = pl.f32(5, m*k)
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
	genericSet.denseBackward(wantDw, wantDb, wantDx, clone(x), clone(w), clone(dy), m, k, n)
	DenseBackward(dw, db, dx, x, w, dy, m, k, n)
	pl.verify(t)
	fail := func(what string, i, j int, got, ref float32) {
		t.Fatalf("%s %s DenseBackward m=%d k=%d n=%d: %s[%d][%d] = %g (%#08x), reference %g (%#08x)",
			Impl(), pl.name(), m, k, n, what, i, j, got, math.Float32bits(got), ref, math.Float32bits(ref))
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
	logits, labels := pl.f32(0, m*n), pl.i32(1, m)
	fill(r, logits)
	for i := range labels {
		labels[i] = int32(r.IntN(n))
	}
	grad := logits
	if !alias {
		grad = pl.f32(2, m*n)
		fill(r, grad)
	}
	in := clone(logits)
	want := make([]float32, m*n)
	wantLoss, wantCorrect := genericSet.softmaxXent(want, clone(in), clone(labels), m, n)
	loss, correct := SoftmaxCrossEntropy(grad, logits, labels, m, n)
	pl.verify(t)
	where := fmt.Sprintf("%s %s SoftmaxCrossEntropy m=%d n=%d alias=%v", Impl(), pl.name(), m, n, alias)
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

func compareElementwise(t testing.TB, pl placement, r *rand.Rand, fill filler, n int) {
	t.Helper()
	where := fmt.Sprintf("%s %s n=%d", Impl(), pl.name(), n)
	// ReLU and ReLUBackward are exact: bit for bit.
	x := pl.f32(0, n)
	fill(r, x)
	want := clone(x)
	genericSet.relu(want)
	ReLU(x)
	pl.verify(t)
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(want[i]) && !(x[i] != x[i] && want[i] != want[i]) {
			t.Fatalf("%s ReLU: x[%d] = %g, reference %g", where, i, x[i], want[i])
		}
	}
	dy, y := pl.f32(0, n), pl.f32(1, n)
	fill(r, dy)
	fill(r, y)
	want = clone(dy)
	genericSet.reluBackward(want, clone(y))
	ReLUBackward(dy, y)
	pl.verify(t)
	for i := range dy {
		if math.Float32bits(dy[i]) != math.Float32bits(want[i]) && !(dy[i] != dy[i] && want[i] != want[i]) {
			t.Fatalf("%s ReLUBackward: dy[%d] = %g, reference %g (y = %g)", where, i, dy[i], want[i], y[i])
		}
	}
	// SGD and SGDMomentum may fuse the multiply-add: one rounding of slack.
	w, g := pl.f32(0, n), pl.f32(1, n)
	fill(r, w)
	fill(r, g)
	lr := float32(r.Float64())
	wantW := clone(w)
	genericSet.sgd(wantW, clone(g), lr)
	w0 := clone(w)
	SGD(w, g, lr)
	pl.verify(t)
	for i := range w {
		tol := 2*eps32*(math.Abs(float64(w0[i]))+math.Abs(float64(lr*g[i]))) + tiny
		if !agree(w[i], wantW[i], tol) {
			t.Fatalf("%s SGD: w[%d] = %g, reference %g", where, i, w[i], wantW[i])
		}
	}
	w, v, g := pl.f32(0, n), pl.f32(1, n), pl.f32(2, n)
	fill(r, w)
	fill(r, v)
	fill(r, g)
	mu := float32(r.Float64())
	wantW, wantV := clone(w), clone(v)
	genericSet.sgdMomentum(wantW, wantV, clone(g), lr, mu)
	w0, v0 := clone(w), clone(v)
	SGDMomentum(w, v, g, lr, mu)
	pl.verify(t)
	for i := range w {
		vtol := 2*eps32*(math.Abs(float64(mu*v0[i]))+math.Abs(float64(lr*g[i]))) + tiny
		if !agree(v[i], wantV[i], vtol) {
			t.Fatalf("%s SGDMomentum: v[%d] = %g, reference %g", where, i, v[i], wantV[i])
		}
		wtol := vtol + 2*eps32*(math.Abs(float64(w0[i]))+math.Abs(float64(v[i]))) + tiny
		if !agree(w[i], wantW[i], wtol) {
			t.Fatalf("%s SGDMomentum: w[%d] = %g, reference %g", where, i, w[i], wantW[i])
		}
	}
}

// dequantizeDivs are the divisors DequantizeRows is held to: MNIST's 255,
// exact and inexact quotients, overflow, denormals, zeros, NaN and ±Inf.
var dequantizeDivs = []float32{255, 1, 3, 0.1, -7, 1e-40, 1e-44, 3e-39, 1e38, 3.4e38,
	0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}

// compareDequantize holds DequantizeRows to the reference bit for bit (a
// NaN matches any NaN; both divide once, correctly rounded) on m rows of
// k gathered from a source of srcRows rows: the last row first, then rows
// in order, repeated and at random. The source counts through every byte
// value.
func compareDequantize(t testing.TB, pl placement, r *rand.Rand, m, k, srcRows int, div float32) {
	t.Helper()
	src, dst, rows := pl.u8(0, srcRows*k), pl.f32(1, m*k), pl.i32(2, m)
	off := r.IntN(256)
	for i := range src {
		src[i] = uint8(i + off)
	}
	pickRows(r, rows, srcRows)
	for i := range dst {
		dst[i] = fromBits(sentinel)
	}
	want := make([]float32, m*k)
	genericSet.dequantizeRows(want, clone(src), clone(rows), k, div)
	srcWas, rowsWas := clone(src), clone(rows)
	PrefetchRows(src, rows, k) // against guard pages too: must touch nothing outside the rows
	if !slices.Equal(src, srcWas) || !slices.Equal(rows, rowsWas) {
		t.Fatalf("%s m=%d k=%d: PrefetchRows changed its arguments", pl.name(), m, k)
	}
	DequantizeRows(dst, src, rows, k, div)
	pl.verify(t)
	for i := range dst {
		if !sameBits(dst[i], want[i]) {
			t.Fatalf("%s %s m=%d k=%d: DequantizeRows(/ %g): dst[%d] = %g, reference %g", Impl(), pl.name(), m, k, div, i, dst[i], want[i])
		}
	}
}

// sameBits: got is want bit for bit, or both are NaN (of any payload).
func sameBits(got, want float32) bool {
	return math.Float32bits(got) == math.Float32bits(want) || (got != got && want != want)
}

// pickRows fills rows, a gather's row list from srcRows rows: the last row
// first, then rows in order, repeated and at random.
func pickRows(r *rand.Rand, rows []int32, srcRows int) {
	for i := range rows {
		switch {
		case i == 0:
			rows[i] = int32(srcRows - 1)
		case i%3 == 1:
			rows[i] = int32(i % srcRows)
		default:
			rows[i] = int32(r.IntN(srcRows))
		}
	}
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
// full blocks, while k and n still take every value.
var fewRows = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33}

// runSweep calls each kernel's comparison over every shape with m in ms and
// k, n from 0 to 33, and the larger sizes in one dimension at a time.
func runSweep(t *testing.T, pl placement, fill filler, ms []int) {
	r := rand.New(rand.NewPCG(uint64(len(pl.name())), 99))
	small := sweep[:34]
	for _, m := range ms {
		for _, k := range small {
			for _, n := range small {
				compareDenseForward(t, pl, r, fill, m, k, n, (m+k+n)%2 == 0)
				compareDenseBackward(t, pl, r, fill, m, k, n, (m+k+n)%3 != 0)
			}
		}
	}
	for _, big := range sweep[34:] {
		for _, small := range []int{0, 1, 7, 15, 17} {
			for _, s := range [][3]int{{big, small, 10}, {small, big, 15}, {10, small, big}} {
				compareDenseForward(t, pl, r, fill, s[0], s[1], s[2], true)
				compareDenseBackward(t, pl, r, fill, s[0], s[1], s[2], true)
			}
		}
	}
	for _, m := range sweep {
		for _, n := range sweep[1:] {
			if m*n <= 1<<14 {
				compareSoftmaxXent(t, pl, r, fill, m, n, (m+n)%2 == 0)
			}
		}
	}
	for n := range 300 {
		compareElementwise(t, pl, r, fill, n)
	}
	for _, m := range ms {
		for k := range 150 {
			// 255 (the trainer's divisor, the assembly's fast path) on
			// every shape, and another divisor in turn.
			compareDequantize(t, pl, r, m, k, m%5+1, 255)
			compareDequantize(t, pl, r, m, k, m%5+1, dequantizeDivs[(m+k)%len(dequantizeDivs)])
		}
	}
	compareElementwise(t, pl, r, fill, 4099)
	for _, div := range dequantizeDivs {
		compareDequantize(t, pl, r, 9, 784, 20, div)
		compareDequantize(t, pl, r, 1, 4099, 1, div)
	}
}

// TestSweepOffsets runs every kernel on every shape with slices at float
// offsets 0–7 from a 32-byte boundary and guard values around them.
func TestSweepOffsets(t *testing.T) {
	forEachAsmImpl(t, func(t *testing.T) {
		for off := range 8 {
			ms := fewRows
			if off == 3 {
				ms = sweep[:34] // every m from 0 to 33 once
			}
			runSweep(t, &offsetPlacement{off: off}, fillUniform, ms)
		}
	})
}

// TestSweepSpecials runs the sweep with NaN, ±Inf, -0, denormals and large
// values mixed into every input.
func TestSweepSpecials(t *testing.T) {
	forEachAsmImpl(t, func(t *testing.T) {
		runSweep(t, &offsetPlacement{off: 5}, fillSpecial(denseSpecials), fewRows)
		r := rand.New(rand.NewPCG(5, 5))
		for _, m := range sweep[:20] {
			for _, n := range sweep[1:] {
				compareSoftmaxXent(t, &offsetPlacement{off: m % 8}, r, fillSpecial(xentSpecials), m, n, n%2 == 0)
			}
		}
	})
}

// TestMNISTShapes runs the kernels at the tutorial's shapes and one large
// shape.
func TestMNISTShapes(t *testing.T) {
	forEachAsmImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 7))
		pl := &offsetPlacement{off: 1}
		for _, s := range [][3]int{{1024, 784, 15}, {1024, 15, 10}, {1000, 784, 16}, {256, 784, 128}, {256, 128, 10}, {100, 1000, 300}} {
			compareDenseForward(t, pl, r, fillUniform, s[0], s[1], s[2], true)
			compareDenseBackward(t, pl, r, fillUniform, s[0], s[1], s[2], true)
		}
		compareSoftmaxXent(t, pl, r, fillUniform, 1024, 10, true)
		compareElementwise(t, pl, r, fillUniform, 1024*128)
		compareDequantize(t, pl, r, 128, 784, 1000, 255)
	})
}

func fromBits(b uint32) float32 { return math.Float32frombits(b) }
