//go:build !purego

package impl

import "github.com/klauspost/cpuid/v2"

// archImpls: amd64 builds hold the AVX-512 and AVX2 assembly. AVX-512's
// kernels use AVX512F (ZMM, opmasks, VSCALEFPS, VGETEXP/VGETMANT), FMA3,
// BMI2 (BZHI) and POPCNT; AVX2's need FMA3 too. cpuid also checks that
// the OS saves the YMM, ZMM and opmask state.
func archImpls() (compiled, supported [Count]bool) {
	compiled[AVX512], compiled[AVX2] = true, true
	supported[AVX512] = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.FMA3, cpuid.BMI2, cpuid.POPCNT)
	supported[AVX2] = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
	return compiled, supported
}

// archBF16: AVX-512's kernels have bf16 instructions of their own where
// the CPU has AVX512_BF16 (VCVTNE2PS2BF16, VDPBF16PS) and AVX512BW
// (VPERMW, which pairs two rows' bf16).
func archBF16() bool {
	return compiled[AVX512] && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512BF16)
}
