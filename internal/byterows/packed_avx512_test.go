//go:build amd64 && !purego && (linux || darwin || freebsd || netbsd || openbsd)

package byterows

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// runAVX512 runs f as subtest avx512 with that implementation active, or
// skips t where the CPU lacks AVX-512 and SIMDNN_REQUIRE does not name it.
func runAVX512(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if !slices.Contains(impl.Names(), "avx512") {
		require.NotContains(t, impltest.Required(), "avx512", "SIMDNN_REQUIRE names avx512 but this CPU lacks it")
		t.Skip("no AVX-512 on this CPU")
	}
	prev := impl.Name(impl.Active())
	defer func() { require.NoError(t, impl.Set(prev)) }()
	require.NoError(t, impl.Set("avx512"))
	t.Run("avx512", f)
}

// TestPackedNarrowAVX512 runs the avx512 packing and gather as on a CPU
// without AVX512 VBMI2: the gather 16 bytes at a time (VPEXPANDD) and the
// packing in Go, at an odd offset and against guard pages. The sweep
// itself runs the 64-byte path where the CPU has it.
func TestPackedNarrowAVX512(t *testing.T) {
	defer func(w bool) { avx512Wide = w }(avx512Wide)
	avx512Wide = false
	runAVX512(t, func(t *testing.T) {
		testmem.Sweep(t, []testmem.Kernel[pass]{packedKernel},
			pass{Placer: testmem.AtOffset(3), ms: fewRows},
			pass{Placer: testmem.AtGuard(true), ms: fewRows},
			pass{Placer: testmem.AtGuard(false), ms: fewRows})
	})
}

// TestPackedAssemblyStaysInside: the avx512 gather and packer keep inside
// the packed bytes even when masks and offsets disagree with the bytes —
// the caller of PackWith changed its memory, or a source changed while
// it was packed. The packed bytes end flush against a guard page; every
// mask of every row is set (each row then claims k non-zero bytes it does
// not have) before the gather, and a source with no zeros is packed at the
// offsets of one that is mostly zeros. Nothing is asserted of the values;
// a fault fails the test.
func TestPackedAssemblyStaysInside(t *testing.T) {
	defer func(w bool) { avx512Wide = w }(avx512Wide)
	wides := map[string]bool{"narrow": false, "wide": avx512Wide}
	runAVX512(t, func(t *testing.T) {
		for name, wide := range wides {
			avx512Wide = wide
			t.Run(name, func(t *testing.T) {
				for _, k := range []int{1, 15, 16, 17, 63, 64, 65, 100, 784} {
					const n = 9
					sparse := make([]uint8, n*k)
					for i := 0; i < len(sparse); i += 7 {
						sparse[i] = 3
					}
					g := testmem.NewGuard(t, true)
					p, err := PackWith(sparse, k, func(n int) []uint8 { return g.U8(0, n) })
					require.NoError(t, err)
					for r := range n {
						masks, _ := p.row(int32(r))
						for i := range masks {
							masks[i] = 0xff
						}
					}
					rows := []int32{n - 1, 0, 4, n - 1}
					p.Dequantize(make([]float32, len(rows)*k), rows, 255)
					if wide {
						dense := bytes.Repeat([]uint8{9}, n*k)
						packRowsAVX512(p.data, p.off, dense, k)
					}
				}
			})
		}
	})
}

// TestKeptPathAVX512: avx512DequantizeKept takes the rows whose non-zero
// bytes all lie in the column set (the trainer's sets, and all columns)
// and refuses the first row with one outside; the sweep holds both
// outcomes' values to the reference.
func TestKeptPathAVX512(t *testing.T) {
	if !avx512Wide {
		t.Skip("no AVX512 VBMI2 here")
	}
	src := make([]uint8, 3*130)
	for i := range src {
		if i%7 == 0 || i%130 > 120 {
			src[i] = uint8(i)
		}
	}
	p, err := Pack(src, 130)
	require.NoError(t, err)
	rows := []int32{2, 0, 1}
	cols := make([]uint64, ColWords(130))
	dst := make([]float32, 3*130)
	p.NonZeroCols(cols, rows)
	n := CountCols(cols)
	require.True(t, avx512DequantizeKept(&dst[0], &p.data[0], &p.off[0], &rows[0], 3, 130, &cols[0], 255, 1.0/255))
	cols[0] &^= 1 << 7 // column 7 is not zero in row 0
	require.False(t, avx512DequantizeKept(&dst[0], &p.data[0], &p.off[0], &rows[0], 3, 130, &cols[0], 255, 1.0/255))
	require.Equal(t, n-1, CountCols(cols))
	for i := range cols {
		cols[i] = ^uint64(0)
	}
	cols[2] = 1<<2 - 1
	require.True(t, avx512DequantizeKept(&dst[0], &p.data[0], &p.off[0], &rows[0], 3, 130, &cols[0], 255, 1.0/255))
}
