//go:build !purego

package magnitude

import "github.com/simdnn/simdnn/internal/impl"

// archSets: NEON runs the reference, whose word-at-a-time test keeps up
// with the trainer on arm64 (the bf16 kernels there are the reference too).
func archSets(s *[impl.Count]*set) {
	s[impl.NEON] = &neonSet
}

var neonSet = set{within: withinGeneric}
