//go:build purego || !(amd64 || arm64)

package simdnn

// archImpls: purego builds and architectures without assembly run the
// reference only.
func archImpls() []implementation { return nil }
