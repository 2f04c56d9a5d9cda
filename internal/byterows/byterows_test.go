package byterows

import (
	"math"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// TestRequiredImplsPresent fails a run that SIMDNN_REQUIRE says must test
// an implementation this build and CPU do not offer (as does every test
// that runs per implementation).
func TestRequiredImplsPresent(t *testing.T) { impltest.CheckRequired(t) }

// TestSets: sets holds a complete gather for exactly the implementations
// the build holds, each its own.
func TestSets(t *testing.T) {
	impltest.CheckSets(t, sets)
}

// TestSetImplSwitchesByterows: simdnn.SetImpl switches this package too,
// one registry for all: the gather in use is the named implementation's.
func TestSetImplSwitchesByterows(t *testing.T) {
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, name := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(name))
		id := -1
		for i := range impl.Count {
			if impl.Name(i) == name {
				id = i
			}
		}
		require.GreaterOrEqual(t, id, 0, name)
		assert.Same(t, sets[id], active(), "after simdnn.SetImpl(%q)", name)
		assert.Equal(t, name == "avx512", PackedNative(), "after simdnn.SetImpl(%q)", name)
	}
}

// TestDequantizeHand: two rows of four bytes gathered by hand, plain and
// packed, over 255 and over 2 (exact halves).
func TestDequantizeHand(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		src := []uint8{0, 255, 51, 3, 128, 1, 0, 254}
		rows := []int32{1, 0, 1}
		p, err := Pack(src, 4)
		require.NoError(t, err)
		for _, c := range []struct {
			div  float32
			want []float32
		}{
			{255, []float32{128. / 255, 1. / 255, 0, 254. / 255, 0, 1, 0.2, 3. / 255, 128. / 255, 1. / 255, 0, 254. / 255}},
			{2, []float32{64, 0.5, 0, 127, 0, 127.5, 25.5, 1.5, 64, 0.5, 0, 127}},
		} {
			dst := make([]float32, 12)
			Dequantize(dst, src, rows, 4, c.div)
			assert.Equal(t, c.want, dst, "Dequantize / %g", c.div)
			clear(dst)
			p.Dequantize(dst, rows, c.div)
			assert.Equal(t, c.want, dst, "Packed.Dequantize / %g", c.div)
		}
		// No rows, and rows of no bytes.
		Dequantize(nil, src, nil, 4, 255)
		Dequantize([]float32{}, nil, []int32{0, 0}, 0, 255)
		Prefetch(src, nil, 4)
		Prefetch(nil, []int32{0}, 0)
	})
}

// TestArgumentPanics: wrong arguments panic with a message that names
// the function, the argument and both values.
func TestArgumentPanics(t *testing.T) {
	f := make([]float32, 100)
	l := make([]int32, 10)
	p, err := Pack(make([]uint8, 6), 3)
	require.NoError(t, err)
	testmem.Panics(t, map[string]func(){
		"byterows.Dequantize: len(dst) = 5, want 6":          func() { Dequantize(f[:5], make([]uint8, 9), l[:2], 3, 255) },
		"byterows.Dequantize: rows[1] = 3, want in [0, 3)":   func() { Dequantize(f[:6], make([]uint8, 9), []int32{2, 3}, 3, 255) },
		"byterows.Dequantize: rows[0] = -1, want in [0, 3)":  func() { Dequantize(f[:3], make([]uint8, 10), []int32{-1}, 3, 255) },
		"byterows.Prefetch: rows[0] = 3, want in [0, 3)":     func() { Prefetch(make([]uint8, 9), []int32{3}, 3) },
		"byterows.Prefetch: rows[0] = 3, want in [0, 0)":     func() { Prefetch(make([]uint8, 9), []int32{3}, 1<<(bits.UintSize-2)) },
		"byterows.Dequantize: rows[0] = 0, want in [0, 0)":   func() { Dequantize(nil, make([]uint8, 9), []int32{0, 0, 0, 0}, 1<<(bits.UintSize-2), 255) },
		"byterows.Prefetch: k = -2, want ≥ 0":                func() { Prefetch(nil, nil, -2) },
		"byterows.Dequantize: k = -1, want ≥ 0":              func() { Dequantize(nil, nil, nil, -1, 255) },
		"byterows.Pack: 6 bytes are not rows of k = 0 bytes": func() { Pack(make([]uint8, 6), 0) },
		"byterows.Pack: 7 bytes are not rows of k = 3 bytes": func() { Pack(make([]uint8, 7), 3) },
		"byterows.PackWith: alloc(68) returned 10 bytes": func() {
			PackWith(make([]uint8, 6), 3, func(int) []uint8 { return make([]uint8, 10) })
		},
		"byterows.Packed.Dequantize: len(dst) = 5, want 6":        func() { p.Dequantize(make([]float32, 5), []int32{0, 1}, 255) },
		"byterows.Packed.Dequantize: rows[1] = 2, want in [0, 2)": func() { p.Dequantize(make([]float32, 6), []int32{0, 2}, 255) },
		"byterows.Packed.Prefetch: rows[0] = -1, want in [0, 2)":  func() { p.Prefetch([]int32{-1}) },
	})
}

// TestKernelsDoNotAllocate: the gathers allocate nothing on any
// implementation, the quotient check (redone for each new divisor), the
// table paths (a divisor the assembly cannot serve exactly, and calls
// large enough for a table) and the prefetches included.
func TestKernelsDoNotAllocate(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		const k = 784
		src, rows := make([]uint8, 3*k), []int32{2, 0, 2}
		src[5], src[2*k+7], src[2*k+k-1] = 9, 200, 255
		p, err := Pack(src, k)
		require.NoError(t, err)
		dst := make([]float32, len(rows)*k)
		gathers := map[string]func(){
			"Dequantize":        func() { Dequantize(dst, src, rows, k, 255); Dequantize(dst, src, rows, k, 3) },
			"Dequantize-table":  func() { Dequantize(dst, src, rows, k, 1e-40); Dequantize(dst, src, rows, k, 255) },
			"Dequantize-small":  func() { Dequantize(dst[:k], src, rows[:1], k, math.MaxFloat32) },
			"Prefetch":          func() { Prefetch(src, rows, k) },
			"Packed.Dequantize": func() { p.Dequantize(dst, rows, 255); p.Dequantize(dst, rows, 3) },
			"Packed-table":      func() { p.Dequantize(dst, rows, 1e-40); p.Dequantize(dst, rows, 255) },
			"Packed.Prefetch":   func() { p.Prefetch(rows) },
		}
		for name, f := range gathers {
			assert.Zero(t, testing.AllocsPerRun(3, f), "%s %s allocates", implName(), name)
		}
	})
}
