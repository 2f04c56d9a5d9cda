//go:build !purego

package simdnn

// archImpls lists the arm64 assembly implementations, best first.
func archImpls() []implementation { return nil }
