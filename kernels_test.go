package simdnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

const eps32 = 1.0 / (1 << 23) // float32 machine epsilon

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

func randLabels(r *rand.Rand, m, n int) []int32 {
	l := make([]int32, m)
	for i := range l {
		l[i] = int32(r.IntN(n))
	}
	return l
}

// dense64 is the independent float64 oracle for DenseForward: it returns
// y and, per element, Σ|terms| (the scale of the rounding error a float32
// sum of those terms may carry).
func dense64(x, w, b []float32, m, k, n int, relu bool) (y, mag []float64) {
	y = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := range m {
		for j := range n {
			s, a := float64(b[j]), math.Abs(float64(b[j]))
			for p := range k {
				t := float64(x[i*k+p]) * float64(w[p*n+j])
				s += t
				a += math.Abs(t)
			}
			if relu && s < 0 {
				s = 0
			}
			y[i*n+j], mag[i*n+j] = s, a
		}
	}
	return y, mag
}

// sumTol bounds the error of a float32 sum of k terms whose magnitudes add
// to mag, against the exact sum: each of the k additions (or fused
// multiply-adds) rounds once, by at most eps32/2 of a partial sum no larger
// than mag; we allow k+2 roundings and a factor two for the order of
// summation an implementation chooses.
func sumTol(k int, mag float64) float64 {
	return float64(k+2) * eps32 * mag
}

func TestDenseForwardHand(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		// x 2×3, w 3×2: y = x·w + b, worked by hand.
		x := []float32{1, 2, 3, -1, 0, 2}
		w := []float32{1, -1, 0.5, 2, -2, 1}
		b := []float32{0.25, -10}
		y := make([]float32, 4)
		DenseForward(y, x, w, b, 2, 3, 2, false)
		assert.Equal(t, []float32{1 + 1 - 6 + 0.25, -1 + 4 + 3 - 10, -1 - 4 + 0.25, 1 + 2 - 10}, y)
		DenseForward(y, x, w, b, 2, 3, 2, true)
		assert.Equal(t, []float32{0, 0, 0, 0}, y)
		b[1] = 10
		DenseForward(y, x, w, b, 2, 3, 2, true)
		assert.Equal(t, []float32{0, 16, 0, 13}, y)
	})
}

func TestDenseForwardOracle(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, c := range [][3]int{{1, 1, 1}, {3, 5, 7}, {16, 784, 15}, {64, 15, 10}, {9, 100, 33}, {5, 0, 4}, {0, 4, 5}} {
			m, k, n := c[0], c[1], c[2]
			for _, relu := range []bool{false, true} {
				x, w, b := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n)
				y := make([]float32, m*n)
				DenseForward(y, x, w, b, m, k, n, relu)
				want, mag := dense64(x, w, b, m, k, n, relu)
				for i := range y {
					require.InDelta(t, want[i], float64(y[i]), sumTol(k, mag[i])+1e-30, "shape %v relu %v y[%d]", c, relu, i)
				}
			}
		}
	})
}

func TestDenseBackwardOracle(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, c := range [][3]int{{1, 1, 1}, {3, 5, 7}, {32, 784, 15}, {64, 15, 10}, {9, 100, 33}, {5, 0, 4}, {0, 4, 5}, {4, 3, 0}} {
			m, k, n := c[0], c[1], c[2]
			x, w, dy := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, m*n)
			dw, db, dx := randSlice(r, k*n), randSlice(r, n), randSlice(r, m*k) // garbage: must be overwritten
			DenseBackward(dw, db, dx, x, w, dy, m, k, n)
			for p := range k {
				for j := range n {
					var s, a float64
					for i := range m {
						s += float64(x[i*k+p]) * float64(dy[i*n+j])
						a += math.Abs(float64(x[i*k+p]) * float64(dy[i*n+j]))
					}
					require.InDelta(t, s, float64(dw[p*n+j]), sumTol(m, a)+1e-30, "shape %v dw[%d][%d]", c, p, j)
				}
			}
			for j := range n {
				var s, a float64
				for i := range m {
					s += float64(dy[i*n+j])
					a += math.Abs(float64(dy[i*n+j]))
				}
				require.InDelta(t, s, float64(db[j]), sumTol(m, a)+1e-30, "shape %v db[%d]", c, j)
			}
			for i := range m {
				for p := range k {
					var s, a float64
					for j := range n {
						s += float64(dy[i*n+j]) * float64(w[p*n+j])
						a += math.Abs(float64(dy[i*n+j]) * float64(w[p*n+j]))
					}
					require.InDelta(t, s, float64(dx[i*k+p]), sumTol(n, a)+1e-30, "shape %v dx[%d][%d]", c, i, p)
				}
			}
			// dx == nil skips the input gradient and still gives dw, db.
			dw2, db2 := make([]float32, k*n), make([]float32, n)
			DenseBackward(dw2, db2, nil, x, w, dy, m, k, n)
			assert.Equal(t, dw, dw2)
			assert.Equal(t, db, db2)
		}
	})
}

// TestDenseBackwardFiniteDifference checks DenseBackward's math, not just
// its arithmetic: for L = Σ c ⊙ (x·w + b) the central differences of L in
// every w, b and x entry must match dw, db and dx computed with dy = c.
func TestDenseBackwardFiniteDifference(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		m, k, n := 4, 6, 5
		x, w, b, c := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
		loss := func() float64 {
			y, _ := dense64(x, w, b, m, k, n, false)
			var l float64
			for i := range y {
				l += float64(c[i]) * y[i]
			}
			return l
		}
		numeric := func(v []float32, i int) float64 {
			const h = 1.0 / 64 // exact in float32; L is linear in v[i]
			old := v[i]
			v[i] = old + h
			lp := loss()
			v[i] = old - h
			lm := loss()
			v[i] = old
			return (lp - lm) / (2 * h)
		}
		dw, db, dx := make([]float32, k*n), make([]float32, n), make([]float32, m*k)
		DenseBackward(dw, db, dx, x, w, c, m, k, n)
		for i := range w {
			assert.InDelta(t, numeric(w, i), float64(dw[i]), 1e-5, "dw[%d]", i)
		}
		for i := range b {
			assert.InDelta(t, numeric(b, i), float64(db[i]), 1e-5, "db[%d]", i)
		}
		for i := range x {
			assert.InDelta(t, numeric(x, i), float64(dx[i]), 1e-5, "dx[%d]", i)
		}
	})
}

// xent64 is the float64 oracle for softmax cross-entropy: mean loss and
// the gradient of that mean with respect to each logit.
func xent64(logits []float32, labels []int32, m, n int) (float64, []float64) {
	grad := make([]float64, m*n)
	var total float64
	for i := range m {
		row := logits[i*n : i*n+n]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
		t := labels[i]
		total += mx + math.Log(s) - float64(row[t])
		for j, v := range row {
			p := math.Exp(float64(v)-mx) / s
			if j == int(t) {
				p--
			}
			grad[i*n+j] = p / float64(m)
		}
	}
	return total / float64(m), grad
}

func TestSoftmaxCrossEntropyHand(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		// Two equal logits: p = ½ each, loss = log 2; the first arg-max wins ties.
		logits := []float32{3, 3, 0, 1000, 1000, 1000}
		grad := make([]float32, 6)
		loss, correct := SoftmaxCrossEntropy(grad[:2], logits[:2], []int32{0}, 1, 2)
		assert.InDelta(t, math.Ln2, float64(loss), 1e-6)
		assert.Equal(t, 1, correct)
		assert.InDeltaSlice(t, []float32{-0.5, 0.5}, grad[:2], 1e-6)
		loss, correct = SoftmaxCrossEntropy(grad[:2], logits[:2], []int32{1}, 1, 2)
		assert.InDelta(t, math.Ln2, float64(loss), 1e-6)
		assert.Equal(t, 0, correct, "label 1 is not the first arg-max of a tie")
		// Huge equal logits stay finite: p = ⅓ each.
		loss, correct = SoftmaxCrossEntropy(grad[:3], logits[3:], []int32{2}, 1, 3)
		assert.InDelta(t, math.Log(3), float64(loss), 1e-6)
		assert.Equal(t, 0, correct)
		assert.InDeltaSlice(t, []float32{1. / 3, 1. / 3, -2. / 3}, grad[:3], 1e-6)
		// m = 0.
		loss, correct = SoftmaxCrossEntropy(nil, nil, nil, 0, 10)
		assert.Equal(t, float32(0), loss)
		assert.Equal(t, 0, correct)
	})
}

func TestSoftmaxCrossEntropyOracle(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, c := range [][2]int{{1, 1}, {1, 10}, {7, 3}, {1024, 10}, {33, 17}, {5, 100}} {
			m, n := c[0], c[1]
			for _, scale := range []float32{1, 30, 1e30} {
				logits := randSlice(r, m*n)
				for i := range logits {
					logits[i] *= scale
				}
				labels := randLabels(r, m, n)
				want, wantGrad := xent64(logits, labels, m, n)
				grad := make([]float32, m*n)
				loss, correct := SoftmaxCrossEntropy(grad, logits, labels, m, n)
				require.InDelta(t, want, float64(loss), 1e-5*math.Max(1, math.Abs(want)), "shape %v scale %g", c, scale)
				for i, g := range grad {
					require.InDelta(t, wantGrad[i], float64(g), 1e-6/float64(m)+1e-6*math.Abs(wantGrad[i]), "shape %v scale %g grad[%d]", c, scale, i)
				}
				wantCorrect := 0
				for i := range m {
					best := 0
					for j := 1; j < n; j++ {
						if logits[i*n+j] > logits[i*n+best] {
							best = j
						}
					}
					if best == int(labels[i]) {
						wantCorrect++
					}
				}
				require.Equal(t, wantCorrect, correct, "shape %v scale %g", c, scale)
				// grad may alias logits.
				loss2, correct2 := SoftmaxCrossEntropy(logits, logits, labels, m, n)
				require.Equal(t, loss, loss2)
				require.Equal(t, correct, correct2)
				require.Equal(t, grad, logits)
			}
		}
	})
}

// TestSoftmaxCrossEntropyFiniteDifference: the returned gradient is the
// derivative of the returned mean loss, checked by central differences of
// the float64 loss in every logit.
func TestSoftmaxCrossEntropyFiniteDifference(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		m, n := 3, 7
		logits := randSlice(r, m*n)
		for i := range logits {
			logits[i] *= 4
		}
		labels := randLabels(r, m, n)
		grad := make([]float32, m*n)
		SoftmaxCrossEntropy(grad, logits, labels, m, n)
		for i := range logits {
			const h = 1.0 / 256
			old := logits[i]
			logits[i] = old + h
			lp, _ := xent64(logits, labels, m, n)
			logits[i] = old - h
			lm, _ := xent64(logits, labels, m, n)
			logits[i] = old
			assert.InDelta(t, (lp-lm)/(2*h), float64(grad[i]), 1e-5, "grad[%d]", i)
		}
	})
}

// TestSoftmaxCrossEntropyRows: a call on m rows is m calls on one row
// each, bit for bit: the rows' losses added in order of rows, then scaled
// by 1/m, and each row's gradient scaled by 1/m. An implementation that
// takes its rows' logarithms or 1/s several at a time (avx2, avx512) must
// still give each row its own, and add them in order (the tolerance of
// the comparison with the reference would pass a sum in another order).
func TestSoftmaxCrossEntropyRows(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for range 400 {
			m, n := 1+r.IntN(40), 1+r.IntN(40)
			logits := make([]float32, m*n)
			for i := range logits {
				logits[i] = float32(r.NormFloat64() * math.Exp(r.Float64()*8))
			}
			labels := randLabels(r, m, n)
			grad := make([]float32, m*n)
			loss, correct := SoftmaxCrossEntropy(grad, logits, labels, m, n)
			scale := 1 / float32(m)
			var total float32
			count := 0
			g := make([]float32, n)
			for i := range m {
				l, c := SoftmaxCrossEntropy(g, logits[i*n:i*n+n], labels[i:i+1], 1, n)
				total += l
				count += c
				for j, v := range g {
					if got, want := grad[i*n+j], v*scale; !testmem.SameBits(got, want) {
						t.Fatalf("m=%d n=%d: grad[%d][%d] = %g (%#08x), the row alone %g (%#08x)", m, n, i, j, got, math.Float32bits(got), want, math.Float32bits(want))
					}
				}
			}
			if want := total * scale; !testmem.SameBits(loss, want) || correct != count {
				t.Fatalf("m=%d n=%d: loss %g (%#08x), correct %d; the rows alone %g (%#08x), %d", m, n, loss, math.Float32bits(loss), correct, want, math.Float32bits(want), count)
			}
		}
	})
}

func TestElementwiseOracle(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range []int{0, 1, 7, 8, 9, 33, 1000} {
			x := randSlice(r, n)
			y := append([]float32(nil), x...)
			ReLU(y)
			for i := range x {
				assert.Equal(t, float32(math.Max(float64(x[i]), 0)), y[i])
			}
			dy := randSlice(r, n)
			g := append([]float32(nil), dy...)
			ReLUBackward(g, x)
			for i := range x {
				if x[i] <= 0 {
					assert.Equal(t, float32(0), g[i])
				} else {
					assert.Equal(t, dy[i], g[i])
				}
			}
			w, gr := randSlice(r, n), randSlice(r, n)
			w1 := append([]float32(nil), w...)
			SGD(w1, gr, 0.2)
			for i := range w {
				want := float64(w[i]) - 0.2*float64(gr[i])
				assert.InDelta(t, want, float64(w1[i]), 2*eps32*(math.Abs(float64(w[i]))+0.2*math.Abs(float64(gr[i]))))
			}
			v := randSlice(r, n)
			w2, v2 := append([]float32(nil), w...), append([]float32(nil), v...)
			SGDMomentum(w2, v2, gr, 0.1, 0.9)
			for i := range w {
				wantV := 0.9*float64(v[i]) - 0.1*float64(gr[i])
				assert.InDelta(t, wantV, float64(v2[i]), 2*eps32*(0.9*math.Abs(float64(v[i]))+0.1*math.Abs(float64(gr[i]))))
				assert.InDelta(t, float64(w[i])+float64(v2[i]), float64(w2[i]), eps32*math.Abs(float64(w[i])+float64(v2[i]))+1e-30)
			}
		}
	})
}

func TestLengthPanics(t *testing.T) {
	f := make([]float32, 100)
	l := make([]int32, 10)
	testmem.Panics(t, map[string]func(){
		"simdnn.DenseForward: len(y) = 5, want 6": func() { DenseForward(f[:5], f[:6], f[:9], f[:3], 2, 3, 3, false) },
		"simdnn.DenseForward: len(x) = 7, want 6": func() { DenseForward(f[:6], f[:7], f[:9], f[:3], 2, 3, 3, false) },
		"simdnn.DenseForward: len(w) = 8, want 9": func() { DenseForward(f[:6], f[:6], f[:8], f[:3], 2, 3, 3, false) },
		"simdnn.DenseForward: len(b) = 2, want 3": func() { DenseForward(f[:6], f[:6], f[:9], f[:2], 2, 3, 3, false) },
		"simdnn.DenseForward: m = -1, want ≥ 0":   func() { DenseForward(nil, nil, nil, nil, -1, 0, 0, false) },
		// m·n wraps around to 4 = len(y): refused before any assembly runs.
		fmt.Sprintf("simdnn.DenseForward: m·k = %d·4 overflows int", math.MaxInt/4+1): func() { DenseForward(f[:4], f[:4], f[:16], f[:4], math.MaxInt/4+1, 4, 4, false) },
		fmt.Sprintf("simdnn.DenseBackward: k·n = 3·%d overflows int", math.MaxInt/3+1): func() {
			DenseBackward(f[:1], f[:1], nil, f[:3], f[:1], f[:1], 1, 3, math.MaxInt/3+1)
		},
		"simdnn.SoftmaxCrossEntropy: n = -1, want ≥ 0": func() { SoftmaxCrossEntropy(nil, nil, nil, 0, -1) },
		// An output over another argument: each implementation would give
		// other results.
		"simdnn.DenseForward: y overlaps x, want outputs apart from every other argument": func() { DenseForward(f[:6], f[:6], f[10:19], f[20:23], 2, 3, 3, false) },
		"simdnn.DenseForward: y overlaps b, want outputs apart from every other argument": func() { DenseForward(f[:6], f[10:16], f[20:29], f[5:8], 2, 3, 3, false) },
		"simdnn.DenseBackward: dw overlaps dy, want outputs apart from every other argument": func() {
			DenseBackward(f[:9], f[10:13], nil, f[20:26], f[30:39], f[8:14], 2, 3, 3)
		},
		"simdnn.DenseBackward: dw overlaps db, want outputs apart from every other argument": func() {
			DenseBackward(f[:9], f[8:11], nil, f[20:26], f[30:39], f[40:46], 2, 3, 3)
		},
		"simdnn.DenseBackwardBF16: dx overlaps x, want outputs apart from every other argument": func() {
			DenseBackwardBF16(f[:9], f[10:13], f[20:26], f[20:26], f[30:39], f[40:46], 2, 3, 3)
		},
		"simdnn.Kernels.DenseForward: the zero Kernels; take one from ActiveKernels": func() { Kernels{}.DenseForward(f[:6], f[10:16], f[20:29], f[30:33], 2, 3, 3, false) },
		"simdnn.Kernels.SGDNesterov: the zero Kernels; take one from ActiveKernels":  func() { Kernels{}.SGDNesterov(f[:5], f[10:15], f[20:25], 1, 0.9, 0) },
		"simdnn.Kernels.BF16Native: the zero Kernels; take one from ActiveKernels":   func() { Kernels{}.BF16Native() },
		// Also where there is nothing to write.
		"simdnn.Kernels.DenseBackward: the zero Kernels; take one from ActiveKernels": func() { Kernels{}.DenseBackward(nil, nil, nil, nil, nil, nil, 3, 0, 0) },
		fmt.Sprintf("simdnn.SoftmaxCrossEntropy: m·n = %d·4 overflows int", math.MaxInt/4+1): func() {
			SoftmaxCrossEntropy(f[:0], f[:0], nil, math.MaxInt/4+1, 4)
		},
		"simdnn.DenseBackward: len(dw) = 8, want 9":             func() { DenseBackward(f[:8], f[:3], f[:6], f[:6], f[:9], f[:6], 2, 3, 3) },
		"simdnn.DenseBackward: len(db) = 4, want 3":             func() { DenseBackward(f[:9], f[:4], f[:6], f[:6], f[:9], f[:6], 2, 3, 3) },
		"simdnn.DenseBackward: len(dx) = 5, want 6":             func() { DenseBackward(f[:9], f[:3], f[:5], f[:6], f[:9], f[:6], 2, 3, 3) },
		"simdnn.DenseBackward: len(x) = 5, want 6":              func() { DenseBackward(f[:9], f[:3], nil, f[:5], f[:9], f[:6], 2, 3, 3) },
		"simdnn.DenseBackward: len(w) = 10, want 9":             func() { DenseBackward(f[:9], f[:3], nil, f[:6], f[:10], f[:6], 2, 3, 3) },
		"simdnn.DenseBackward: len(dy) = 7, want 6":             func() { DenseBackward(f[:9], f[:3], nil, f[:6], f[:9], f[:7], 2, 3, 3) },
		"simdnn.DenseForwardBF16: len(w) = 8, want 9":           func() { DenseForwardBF16(f[:6], f[:6], f[:8], f[:3], 2, 3, 3, false) },
		"simdnn.DenseForwardBF16: k = -2, want ≥ 0":             func() { DenseForwardBF16(nil, nil, nil, nil, 0, -2, 0, false) },
		"simdnn.DenseBackwardBF16: len(dx) = 5, want 6":         func() { DenseBackwardBF16(f[:9], f[:3], f[:5], f[:6], f[:9], f[:6], 2, 3, 3) },
		"simdnn.DenseBackwardBF16: len(dy) = 7, want 6":         func() { DenseBackwardBF16(f[:9], f[:3], nil, f[:6], f[:9], f[:7], 2, 3, 3) },
		"simdnn.ReLUBackward: len(y) = 4, want 3":               func() { ReLUBackward(f[:3], f[:4]) },
		"simdnn.SoftmaxCrossEntropy: len(grad) = 19, want 20":   func() { SoftmaxCrossEntropy(f[:19], f[:20], l[:2], 2, 10) },
		"simdnn.SoftmaxCrossEntropy: len(logits) = 21, want 20": func() { SoftmaxCrossEntropy(f[:20], f[:21], l[:2], 2, 10) },
		"simdnn.SoftmaxCrossEntropy: len(labels) = 3, want 2":   func() { SoftmaxCrossEntropy(f[:20], f[:20], l[:3], 2, 10) },
		"simdnn.SoftmaxCrossEntropy: labels[1] = 10, want in [0, 10)": func() {
			SoftmaxCrossEntropy(f[:20], f[:20], []int32{0, 10}, 2, 10)
		},
		"simdnn.SGD: len(g) = 4, want 5":         func() { SGD(f[:5], f[:4], 1) },
		"simdnn.SGDMomentum: len(v) = 4, want 5": func() { SGDMomentum(f[:5], f[:4], f[:5], 1, 0.9) },
		"simdnn.SGDMomentum: len(g) = 6, want 5": func() { SGDMomentum(f[:5], f[:5], f[:6], 1, 0.9) },
		"simdnn.SGDTorch: len(b) = 4, want 5":    func() { SGDTorch(f[:5], f[:4], f[:5], 1, 0.9, 0) },
		"simdnn.SGDNesterov: len(g) = 6, want 5": func() { SGDNesterov(f[:5], f[:5], f[:6], 1, 0.9, 0) },
		"simdnn.Adam: len(m) = 4, want 5":        func() { Adam(f[:5], f[:4], f[:5], f[:5], 1, 0.9, 0.999, 1e-8, 0, 1) },
		"simdnn.Adam: len(v) = 6, want 5":        func() { Adam(f[:5], f[:5], f[:6], f[:5], 1, 0.9, 0.999, 1e-8, 0, 1) },
		"simdnn.AdamW: len(g) = 3, want 5":       func() { AdamW(f[:5], f[:5], f[:5], f[:3], 1, 0.9, 0.999, 1e-8, 0, 1) },
		"simdnn.AdamW: step = 0, want ≥ 1":       func() { AdamW(f[:5], f[:5], f[:5], f[:5], 1, 0.9, 0.999, 1e-8, 0, 0) },
	})
}

// TestNothingToWrite: with no output (m or n zero), a kernel returns at
// once, however large the other dimension, on every implementation;
// adjacent slices that do not overlap are fine; the zero Kernels names no
// implementation.
func TestNothingToWrite(t *testing.T) {
	assert.Equal(t, "", Kernels{}.Impl())
	impltest.Run(t, func(t *testing.T) {
		ks := ActiveKernels()
		done := make(chan struct{})
		go func() {
			defer close(done)
			ks.DenseForward(nil, nil, nil, nil, math.MaxInt, 0, 0, true)
			ks.DenseForwardBF16(nil, nil, nil, nil, math.MaxInt, 0, 0, true)
			ks.DenseBackward(nil, nil, nil, nil, nil, nil, math.MaxInt, 0, 0)
			ks.DenseBackwardBF16(nil, nil, []float32{}, nil, nil, nil, math.MaxInt, 0, 0)
			ks.DenseForward(nil, nil, nil, nil, 0, math.MaxInt, 0, false)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute): // 2⁶³ rows at a nanosecond each: centuries
			t.Fatal("a call with nothing to write did not return")
		}
		f := make([]float32, 30)
		ks.DenseForward(f[:6], f[6:12], f[12:21], f[21:24], 2, 3, 3, false) // back to back, apart
	})
}
