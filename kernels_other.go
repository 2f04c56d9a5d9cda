//go:build purego || !(amd64 || arm64)

package simdnn

import "github.com/simdnn/simdnn/internal/impl"

// archImpls: purego builds and architectures without assembly run the
// reference only.
func archSets(*[impl.Count]*kernelSet) {}
