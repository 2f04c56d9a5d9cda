//go:build amd64 && !purego && (linux || darwin || freebsd || netbsd || openbsd)

package simdnn

import (
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
