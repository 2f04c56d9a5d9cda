//go:build (amd64 || arm64) && !purego

package byterows

// prefetchRows prefetches the rows of Prefetch into L2; m, k ≥ 1 and
// every row lies inside src.
func prefetchRows(src *uint8, rows *int32, m, k int) { asmPrefetchRows(src, rows, m, k) }

// prefetchSpans prefetches spans rows[0..m−1] of data into L2, span r
// data[off[r]<<shift:off[r+1]<<shift] (see Packed.Prefetch and
// Entries.Prefetch); m ≥ 1.
func prefetchSpans(data *uint8, off *uint32, rows *int32, m, shift int) {
	asmPrefetchSpans(data, off, rows, m, shift)
}

// asmPrefetchRows is prefetchRows in assembly (byterows_amd64.s,
// byterows_arm64.s).
//
//go:noescape
func asmPrefetchRows(src *uint8, rows *int32, m, k int)

// asmPrefetchSpans is prefetchSpans in assembly.
//
//go:noescape
func asmPrefetchSpans(data *uint8, off *uint32, rows *int32, m, shift int)
