//go:build (!amd64 && !arm64) || purego

package simdnn

// prefetchRows does nothing where there is no assembly.
func prefetchRows(src *uint8, rows *int32, m, k int) {}

// prefetchPacked does nothing where there is no assembly.
func prefetchPacked(data *uint8, off *uint32, rows *int32, m int) {}
