//go:build amd64 && !purego && (linux || darwin || freebsd || netbsd || openbsd)

package simdnn

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPackedNarrowAVX512 runs the avx512 packing and gather as on a CPU
// without AVX512 VBMI2: the gather 16 bytes at a time (VPEXPANDD) and the
// packing in Go. The sweep itself runs the 64-byte path where the CPU has
// it.
func TestPackedNarrowAVX512(t *testing.T) {
	if !avx512Supported() {
		require.NotContains(t, required(), "avx512", "SIMDNN_REQUIRE names avx512 but this CPU lacks it")
		t.Skip("no AVX-512 on this CPU")
	}
	defer func(w bool) { avx512Wide = w }(avx512Wide)
	avx512Wide = false
	runImpls(t, []string{"avx512"}, func(t *testing.T) {
		runPackedSweep(t, &offsetPlacement{off: 3}, fewRows)
		for _, atEnd := range []bool{true, false} {
			runPackedSweep(t, newGuardPlacement(t, atEnd), fewRows)
		}
	})
}

// TestPackedAssemblyStaysInside: the avx512 gather and packer keep inside
// the packed bytes even when masks and offsets disagree with the bytes —
// the caller of PackRowsWith changed its memory, or a source changed while
// it was packed. The packed bytes end flush against a guard page; every
// mask of every row is set (each row then claims k non-zero bytes it does
// not have) before the gather, and a source with no zeros is packed at the
// offsets of one that is mostly zeros. Nothing is asserted of the values;
// a fault fails the test.
func TestPackedAssemblyStaysInside(t *testing.T) {
	if !avx512Supported() {
		t.Skip("no AVX-512 on this CPU")
	}
	defer func(w bool) { avx512Wide = w }(avx512Wide)
	for _, wide := range []bool{false, avx512Wide} {
		avx512Wide = wide
		runImpls(t, []string{"avx512"}, func(t *testing.T) {
			for _, k := range []int{1, 15, 16, 17, 63, 64, 65, 100, 784} {
				const n = 9
				sparse := make([]uint8, n*k)
				for i := 0; i < len(sparse); i += 7 {
					sparse[i] = 3
				}
				g := newGuardPlacement(t, true)
				p, err := PackRowsWith(sparse, k, func(n int) []uint8 { return g.u8(0, n) })
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
}
