//go:build (!amd64 && !arm64) || purego

package simdnn

// prefetchRows does nothing where there is no assembly.
func prefetchRows(src *uint8, rows *int32, m, k int) {}
