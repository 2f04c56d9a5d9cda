//go:build !purego

package impl

import "golang.org/x/sys/cpu"

// archImpls: arm64 builds hold the NEON assembly. Advanced SIMD is part
// of every arm64 CPU; the feature bit is read all the same, so that a
// kernel never runs where it cannot.
func archImpls() (compiled, supported [Count]bool) {
	compiled[NEON] = true
	supported[NEON] = cpu.ARM64.HasASIMD
	return compiled, supported
}

// archBF16: the NEON kernels have no bf16 instructions yet.
func archBF16() bool { return false }
