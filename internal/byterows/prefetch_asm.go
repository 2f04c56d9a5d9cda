//go:build (amd64 || arm64) && !purego

package byterows

// prefetchRows prefetches the rows of Prefetch into L2; m, k ≥ 1 and
// every row lies inside src.
func prefetchRows(src *uint8, rows *int32, m, k int) { asmPrefetchRows(src, rows, m, k) }

// prefetchPacked prefetches packed rows rows[0..m−1] into L2 (see
// Packed.Prefetch); m ≥ 1.
func prefetchPacked(data *uint8, off *uint32, rows *int32, m int) {
	asmPrefetchPacked(data, off, rows, m)
}

// asmPrefetchRows is prefetchRows in assembly (byterows_amd64.s,
// byterows_arm64.s).
//
//go:noescape
func asmPrefetchRows(src *uint8, rows *int32, m, k int)

// asmPrefetchPacked is prefetchPacked in assembly.
//
//go:noescape
func asmPrefetchPacked(data *uint8, off *uint32, rows *int32, m int)
