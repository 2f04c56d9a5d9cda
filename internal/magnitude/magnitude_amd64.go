//go:build !purego

package magnitude

import "github.com/simdnn/simdnn/internal/impl"

// archSets: AVX2 and AVX-512 run the AVX2 routine (magnitude_amd64.s),
// which keeps up with the memory the values come from.
func archSets(s *[impl.Count]*set) {
	s[impl.AVX2] = &avx2Set
	s[impl.AVX512] = &avx512Set
}

var avx2Set = set{within: avx2Within}

var avx512Set = set{within: avx2Within}

//go:noescape
func avx2Within(s []float32, lo, hi uint32) bool
