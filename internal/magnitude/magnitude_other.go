//go:build purego || !(amd64 || arm64)

package magnitude

import "github.com/simdnn/simdnn/internal/impl"

// archSets: purego builds and architectures without assembly run the
// reference only.
func archSets(*[impl.Count]*set) {}
