//go:build !purego

package simdnn

// archImpls lists the amd64 assembly implementations, best first.
func archImpls() []implementation {
	return []implementation{
		{set: &avx512Set, supported: avx512Supported},
	}
}
