package simdnn

import (
	"math"

	"github.com/simdnn/simdnn/internal/fused"
)

// genericSet is the pure-Go reference: the definition of correct. Its loops
// are kept simple on purpose; every other implementation is tested against
// them.
var genericSet = kernelSet{
	denseForward:        denseForwardGeneric,
	denseBackward:       denseBackwardGeneric,
	relu:                reluGeneric,
	reluBackward:        reluBackwardGeneric,
	softmaxCrossEntropy: softmaxCrossEntropyGeneric,
	sgd:                 sgdGeneric,
	sgdMomentum:         sgdMomentumGeneric,
	sgdTorch:            sgdTorchGeneric,
	adam:                adamGeneric,
	exp:                 expGeneric,
	denseForwardBF16:    denseForwardBF16Generic,
	denseBackwardBF16:   denseBackwardBF16Generic,
}

// denseForwardGeneric: y[i][j] = b[j] + Σ_p x[i][p]·w[p][j], summed in
// order of p; then y[i][j] = 0 where relu and y[i][j] < 0.
func denseForwardGeneric(y, x, w, b []float32, m, k, n int, relu bool) {
	for i := range m {
		yr := y[i*n : i*n+n]
		copy(yr, b)
		for p := range k {
			xv := x[i*k+p]
			wr := w[p*n : p*n+n]
			for j := range yr {
				yr[j] += xv * wr[j]
			}
		}
		if relu {
			reluGeneric(yr)
		}
	}
}

// denseBackwardGeneric: dw[p][j] = Σ_i x[i][p]·dy[i][j] and
// db[j] = Σ_i dy[i][j], summed in order of i; dx[i][p] = Σ_j dy[i][j]·w[p][j],
// summed in order of j.
func denseBackwardGeneric(dw, db, dx, x, w, dy []float32, m, k, n int) {
	clear(dw)
	columnSumsGeneric(db, dy, m, n)
	for i := range m {
		dyr := dy[i*n : i*n+n]
		for p := range k {
			xv := x[i*k+p]
			dwr := dw[p*n : p*n+n]
			for j, g := range dyr {
				dwr[j] += xv * g
			}
		}
	}
	if dx == nil {
		return
	}
	for i := range m {
		dyr := dy[i*n : i*n+n]
		for p := range k {
			wr := w[p*n : p*n+n]
			var s float32
			for j, g := range dyr {
				s += g * wr[j]
			}
			dx[i*k+p] = s
		}
	}
}

// columnSumsGeneric: db[j] = Σ_i dy[i][j], summed in order of i.
func columnSumsGeneric(db, dy []float32, m, n int) {
	clear(db)
	for i := range m {
		for j, g := range dy[i*n : i*n+n] {
			db[j] += g
		}
	}
}

// reluGeneric: x[i] = 0 where x[i] < 0.
func reluGeneric(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

// reluBackwardGeneric: dy[i] = 0 where y[i] ≤ 0.
func reluBackwardGeneric(dy, y []float32) {
	for i, v := range y {
		if v <= 0 {
			dy[i] = 0
		}
	}
}

// softmaxCrossEntropyGeneric, per row r of n logits with label t:
// mx = the first element, replaced by any later one greater than it;
// e[j] = exp(r[j] − mx) (float64 exp rounded to float32); s = Σ_j e[j] in
// order; grad[j] = (e[j]·(1/s) − [j = t]) · (1/m); the row's loss is
// log(s) − (r[t] − mx) (log in float64, rounded to float32), summed over
// rows in order and multiplied by 1/m.
func softmaxCrossEntropyGeneric(grad, logits []float32, labels []int32, m, n int) (float32, int) {
	if m == 0 {
		return 0, 0
	}
	var total float32
	correct := 0
	scale := 1 / float32(m)
	for i := range m {
		row := logits[i*n : i*n+n]
		g := grad[i*n : i*n+n]
		t := int(labels[i])
		lt := row[t]
		mx := row[0]
		for _, v := range row[1:] {
			if v > mx {
				mx = v
			}
		}
		good := true
		for j, v := range row {
			if (j < t && !(lt > v)) || (j > t && !(lt >= v)) {
				good = false
			}
		}
		if good && lt == lt {
			correct++
		}
		var s float32
		for j, v := range row {
			e := float32(math.Exp(float64(v - mx)))
			g[j] = e
			s += e
		}
		total += float32(math.Log(float64(s))) - (lt - mx)
		inv := 1 / s
		for j := range g {
			p := float32(g[j] * inv) // rounded: no fused multiply-subtract below (arm64)
			if j == t {
				p--
			}
			g[j] = p * scale
		}
	}
	return total * scale, correct
}

// expGeneric: dst[i] = e^src[i], float64 exp rounded to float32, as
// softmaxCrossEntropyGeneric computes it.
func expGeneric(dst, src []float32) {
	for i, x := range src {
		dst[i] = float32(math.Exp(float64(x)))
	}
}

// sgdGeneric: w[i] = fma32(−lr, g[i], w[i]), one rounding.
func sgdGeneric(w, g []float32, lr float32) {
	for i := range w {
		w[i] = fma32(-lr, g[i], w[i])
	}
}

// sgdMomentumGeneric: v[i] = mu·v[i] − lr·g[i]; w[i] += v[i].
func sgdMomentumGeneric(w, v, g []float32, lr, mu float32) {
	for i := range w {
		v[i] = mu*v[i] - lr*g[i]
		w[i] += v[i]
	}
}

// sgdTorchGeneric, per element: g' = fma32(wd, w, g) unless wd = 0;
// b = float32(b·mu) + g'; u = fma32(mu, b, g') with nesterov, else b;
// w = fma32(−lr, u, w). The explicit float32 conversions keep the
// compiler from fusing a product into the sum that follows it.
func sgdTorchGeneric(w, b, g []float32, lr, mu, wd float32, nesterov bool) {
	for i := range w {
		gi := g[i]
		if wd != 0 {
			gi = fma32(wd, w[i], gi)
		}
		bi := float32(b[i]*mu) + gi
		u := bi
		if nesterov {
			u = fma32(mu, bi, gi)
		}
		b[i] = bi
		w[i] = fma32(-lr, u, w[i])
	}
}

// adamGeneric, per element: g' = fma32(wd, w, g) unless wd = 0;
// m = fma32(c1, g', float32(m·b1)); v = fma32(float32(c2·g'), g', float32(v·b2));
// d = float32(√v)/s2 + eps; w = float32(w·decay) + float32(ns·m)/d. The
// square root is float64's rounded to float32, which is the correctly
// rounded float32 square root.
func adamGeneric(w, m, v, g []float32, k adamStep) {
	for i := range w {
		gi := g[i]
		if k.wd != 0 {
			gi = fma32(k.wd, w[i], gi)
		}
		mi := fma32(k.c1, gi, float32(m[i]*k.b1))
		vi := fma32(float32(k.c2*gi), gi, float32(v[i]*k.b2))
		d := float32(math.Sqrt(float64(vi)))/k.s2 + k.eps
		w[i] = float32(w[i]*k.decay) + float32(k.ns*mi)/d
		m[i], v[i] = mi, vi
	}
}

// fma32 returns a·b + c rounded once to float32 (nearest even), as a
// fused multiply-add instruction computes it (fused.MulAdd32).
func fma32(a, b, c float32) float32 { return fused.MulAdd32(a, b, c) }

// f32val is x as float64, with ±Inf standing for ±2^128 (fused.Value).
func f32val(x float32) float64 { return fused.Value(x) }
