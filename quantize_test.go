package simdnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// quantizeDivs are divisors Quantize is held to: MNIST's 255, the
// smallest, exact and inexact quotients, huge divisors whose quotients
// are denormal, and the largest float.
var quantizeDivs = []float32{255, 1, 3, 1.5, 7.25, 256, 1e6, 1e38, math.MaxFloat32}

// quantizeBad are values no byte's quotient is, x a quotient: each
// replaces one value in turn.
func quantizeBad(x, div float32) []float32 {
	return []float32{
		-x,
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Nextafter32(x, float32(math.Inf(1))), math.Nextafter32(x, float32(math.Inf(-1))),
		256 / div, 0.5 / div, 1e30, -1e-30, float32(math.Copysign(0, -1)),
	}
}

// compareQuantize turns n random bytes into their quotients by div (Go's
// division) in pl's memory, and checks that Quantize gives the bytes back;
// then, for each bad value at a random position (the last one included),
// that it reports false, as the reference does.
func compareQuantize(t testing.TB, pl placement, r *rand.Rand, n int, div float32) {
	t.Helper()
	want := make([]uint8, n)
	src, dst := pl.f32(0, n), pl.u8(1, n)
	for i := range src {
		want[i] = uint8(r.IntN(256))
		if i == n-1 {
			want[i] = 255
		}
		src[i] = float32(want[i]) / div
	}
	require.True(t, Quantize(dst, src, div), "%s %s n=%d div=%g: true quotients rejected", Impl(), pl.name(), n, div)
	pl.verify(t)
	for i := range dst {
		if dst[i] != want[i] {
			t.Fatalf("%s %s n=%d div=%g: dst[%d] = %d, want %d", Impl(), pl.name(), n, div, i, dst[i], want[i])
		}
	}
	if n == 0 {
		return
	}
	for j, bad := range quantizeBad(src[n-1], div) {
		at := n - 1
		if j%2 == 1 {
			at = r.IntN(n)
		}
		was := src[at]
		src[at] = bad
		if src[at] == was && math.Signbit(float64(bad)) == math.Signbit(float64(was)) {
			src[at] = was
			continue // not a change: -x of a NaN, say
		}
		ref := quantizeGeneric(make([]uint8, n), clone(src), div)
		got := Quantize(dst, src, div)
		pl.verify(t)
		require.False(t, ref, "reference: %g at %d of n=%d div=%g accepted", bad, at, n, div)
		require.False(t, got, "%s %s: %g (%#08x) at %d of n=%d div=%g accepted", Impl(), pl.name(), bad, math.Float32bits(bad), at, n, div)
		src[at] = was
	}
}

// runQuantizeSweep runs compareQuantize for every n from 0 to 299 and
// larger, each divisor in turn.
func runQuantizeSweep(t *testing.T, pl placement) {
	r := rand.New(rand.NewPCG(uint64(len(pl.name())), 96))
	for n := range 300 {
		compareQuantize(t, pl, r, n, quantizeDivs[n%len(quantizeDivs)])
	}
	for _, div := range quantizeDivs {
		compareQuantize(t, pl, r, 4099, div)
	}
}

// TestQuantizeSweep runs Quantize at offsets 0–7 on every implementation
// (TestQuantizeGuardPages puts it against guard pages).
func TestQuantizeSweep(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for off := range 8 {
			runQuantizeSweep(t, &offsetPlacement{off: off})
		}
	})
}

// TestQuantizeAgrees: on values that are mostly not quotients, Quantize
// reports what the reference reports, and where both accept, the bytes
// are the reference's.
func TestQuantizeAgrees(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 8))
		for n := range 200 {
			for _, div := range quantizeDivs {
				src := make([]float32, n)
				for i := range src {
					src[i] = float32(r.IntN(300)) / div
					if r.IntN(4*n+1) == 0 {
						fillSpecial(denseSpecials)(r, src[i:i+1])
					}
				}
				want, got := make([]uint8, n), make([]uint8, n)
				ok := quantizeGeneric(want, src, div)
				require.Equal(t, ok, Quantize(got, src, div), "%s n=%d div=%g", Impl(), n, div)
				if ok {
					require.Equal(t, want, got)
				}
			}
		}
	})
}

func TestQuantizePanics(t *testing.T) {
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"simdnn.Quantize: len(dst) = 2, want 3", func() { Quantize(make([]uint8, 2), make([]float32, 3), 255) }},
		{"simdnn.Quantize: div = 0.5, want finite and ≥ 1", func() { Quantize(nil, nil, 0.5) }},
		{"simdnn.Quantize: div = NaN, want finite and ≥ 1", func() { Quantize(nil, nil, float32(math.NaN())) }},
		{"simdnn.Quantize: div = +Inf, want finite and ≥ 1", func() { Quantize(nil, nil, float32(math.Inf(1))) }},
		{"simdnn.Quantize: div = -255, want finite and ≥ 1", func() { Quantize(nil, nil, -255) }},
	} {
		require.PanicsWithValue(t, c.want, c.f)
	}
	require.True(t, Quantize(nil, nil, 255))
}

func FuzzQuantize(f *testing.F) {
	f.Add(uint16(17), []byte{0, 0, 0x80, 0x3f})
	f.Add(uint16(300), []byte{0x81, 0x80, 0x80, 0x3b, 0, 0, 0xc0, 0x7f})
	f.Add(uint16(64), []byte{0, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, n uint16, data []byte) {
		N := int(n % 1000)
		src := make([]float32, N)
		bytesFiller(data, false)(rand.New(rand.NewPCG(2, 2)), src)
		want := make([]uint8, N)
		ok := quantizeGeneric(want, src, 255)
		forEachImplFuzz(t, func() {
			got := make([]uint8, N)
			if Quantize(got, src, 255) != ok {
				t.Fatalf("%s: Quantize disagrees with the reference (%v)", Impl(), ok)
			}
			if ok && string(got) != string(want) {
				t.Fatalf("%s: bytes differ", Impl())
			}
		})
	})
}
