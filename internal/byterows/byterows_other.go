//go:build purego || !(amd64 || arm64)

package byterows

import "github.com/simdnn/simdnn/internal/impl"

// archSets: purego builds and architectures without assembly run the
// reference only.
func archSets(*[impl.Count]*set) {}

// prefetchRows does nothing where there is no assembly.
func prefetchRows(src *uint8, rows *int32, m, k int) {}

// prefetchSpans does nothing where there is no assembly.
func prefetchSpans(data *uint8, off *uint32, rows *int32, m, shift int) {}
