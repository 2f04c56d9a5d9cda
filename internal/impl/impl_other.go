//go:build purego || !(amd64 || arm64)

package impl

// archImpls: purego builds and architectures without assembly hold the
// reference only.
func archImpls() (compiled, supported [Count]bool) { return compiled, supported }

// archBF16: no assembly, no bf16 instructions.
func archBF16() bool { return false }
