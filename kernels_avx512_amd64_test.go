//go:build !purego

package simdnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKernelsDoNotAllocate: the contract says no allocation; the avx512
// wrappers keep their scratch (the zero bias, dx's transposed w panel) on
// the stack.
func TestKernelsDoNotAllocate(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 1))
		m, k, n := 33, 200, 130
		x, w, b, y := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
		dw, db, dx := randSlice(r, k*n), randSlice(r, n), randSlice(r, m*k)
		labels := randLabels(r, m, n)
		pixels, rows := make([]uint8, 3*n), []int32{2, 0}
		pixels[5], pixels[2*n+7] = 9, 200
		packed, err := PackRows(pixels, n)
		require.NoError(t, err)
		q255, qMax := make([]float32, 2*n), make([]float32, 2*n)
		for i := range q255 {
			q255[i], qMax[i] = float32(i%256)/255, float32(i%256)/math.MaxFloat32
		}
		require.True(t, Quantize(pixels[:2*n], q255, 255))
		require.True(t, Quantize(pixels[:2*n], qMax, math.MaxFloat32))
		allocs := testing.AllocsPerRun(3, func() {
			DenseForward(y, x, w, b, m, k, n, true)
			DenseBackward(dw, db, dx, x, w, y, m, k, n)
			ReLU(y)
			ReLUBackward(y, y)
			SoftmaxCrossEntropy(y, y, labels, m, n)
			SGD(w, dw, 0.1)
			SGDMomentum(w, dw, dw, 0.1, 0.9)
			// Two divisors in turn: each call redoes the quotient check.
			DequantizeRows(y[:2*n], pixels, rows, n, 255)
			DequantizeRows(y[:2*n], pixels, rows, n, 3)
			PrefetchRows(pixels, rows, n)
			// The assembly, then the table for a divisor it cannot
			// divide exactly, each over a whole run of true quotients.
			Quantize(pixels[:2*n], q255[:2*n], 255)
			Quantize(pixels[:2*n], qMax[:2*n], math.MaxFloat32)
			packed.Dequantize(y[:2*n], rows, 255)
			packed.Dequantize(y[:2*n], rows, 3)
			packed.Prefetch(rows)
		})
		assert.Zero(t, allocs)
	})
}

// TestAVX512Exp holds the softmax's vector exp to math.Exp rounded to
// float32 over the whole float32 range: every 4099th bit pattern, both
// signs, plus the edges (±0, denormals, the underflow and overflow
// thresholds, ±Inf, NaN). Normal results must be within 2 ulp; results in
// the denormal range, where the 2^k scaling rounds once more, within one
// ulp of the smallest normal's spacing, 2^-149.
func TestAVX512Exp(t *testing.T) {
	if !avx512Supported() {
		require.NotContains(t, required(), "avx512", "SIMDNN_REQUIRE names avx512 but this CPU lacks it")
		t.Skip("no AVX-512 on this CPU: avx512Exp cannot run")
	}
	var src []float32
	for b := uint64(0); b < 1<<32; b += 4099 {
		src = append(src, math.Float32frombits(uint32(b)))
	}
	src = append(src, 0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-40, -1e-40,
		-87.33, -87.34, -103.27, -103.28, -103.97, -103.98, -104, -104.01, -150, 88.72, 88.73, 89, 89.01, 1e30, -1e30,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	for x := float32(-2); x <= 2; x += 1.0 / 4096 {
		src = append(src, x)
	}
	dst := make([]float32, len(src))
	avx512Exp(&dst[0], &src[0], len(src))
	worst := 0.0
	for i, x := range src {
		want := float32(math.Exp(float64(x)))
		got := dst[i]
		switch {
		case x != x:
			assert.True(t, got != got, "exp(NaN) = %g", got)
			continue
		case math.IsInf(float64(want), 1):
			assert.Equal(t, want, got, "exp(%g)", x)
			continue
		case want < 0x1p-126: // denormal or 0
			assert.InDelta(t, float64(want), float64(got), 0x1p-149, "exp(%g) in the denormal range", x)
			continue
		}
		ulp := math.Abs(float64(got)-float64(want)) / float64(math.Nextafter32(want, float32(math.Inf(1)))-want)
		worst = max(worst, ulp)
		if ulp > 2 {
			t.Fatalf("exp(%g) = %g (%#08x), want %g (%#08x): %.1f ulp", x, got, math.Float32bits(got), want, math.Float32bits(want), ulp)
		}
	}
	t.Logf("%d inputs, worst %.2f ulp", len(src), worst)
}
