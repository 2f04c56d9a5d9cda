//go:build !purego && (linux || darwin || freebsd || netbsd || openbsd)

package simdnn

import (
	"slices"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/testmem"
	"github.com/stretchr/testify/require"
)

// TestBF16TilesSweepAVX512: avx512 on a CPU without AVX512_BF16 runs the
// bf16 products on its float32 tiles. The CPU under test may have
// AVX512_BF16, so for the test's duration avx512's set takes the tiles
// path, and the bf16 kernels run the sweep's passes: offsets 0–7 (every
// m from 0 to 33 at one), guard pages on both sides, special values,
// then the hand-worked cases and operands reaching the denormals.
func TestBF16TilesSweepAVX512(t *testing.T) {
	if !slices.Contains(impl.Names(), "avx512") {
		t.Skip("this CPU does not run avx512")
	}
	prev := impl.Name(impl.Active())
	require.NoError(t, impl.Set("avx512"))
	t.Cleanup(func() { require.NoError(t, impl.Set(prev)) })
	saved := avx512Set
	t.Cleanup(func() { avx512Set = saved })
	avx512Set.denseForwardBF16 = denseForwardBF16AVX512Tiles
	avx512Set.denseBackwardBF16 = denseBackwardBF16AVX512Tiles
	avx512Set.bf16Native = false

	var kernels []testmem.Kernel[pass]
	for _, k := range sweepKernels {
		if strings.HasSuffix(k.Name, "BF16") {
			kernels = append(kernels, k)
		}
	}
	require.Len(t, kernels, 2)
	var passes []pass
	for off := range 8 {
		ms := fewRows
		if off == 3 {
			ms = sweep[:34]
		}
		passes = append(passes, pass{Placer: testmem.AtOffset(off), fill: testmem.Uniform, ms: ms})
	}
	passes = append(passes,
		pass{Placer: testmem.AtGuard(true), fill: testmem.Uniform, ms: fewRows},
		pass{Placer: testmem.AtGuard(false), fill: testmem.Uniform, ms: fewRows},
		pass{Placer: testmem.AtOffset(5), fill: testmem.Special(denseSpecials), ms: fewRows, specials: true})
	testmem.Sweep(t, kernels, passes...)
	t.Run("hand", func(t *testing.T) { bf16Hand(t, DenseForwardBF16) })
	t.Run("denormals", bf16Denormals)
}
