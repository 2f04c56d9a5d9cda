//go:build (amd64 || arm64) && !purego

package simdnn

// prefetchRows prefetches the rows of PrefetchRows into L2; m, k ≥ 1 and
// every row lies inside src. Assembly in prefetch_amd64.s and
// prefetch_arm64.s.
//
//go:noescape
func prefetchRows(src *uint8, rows *int32, m, k int)

// prefetchPacked prefetches packed rows rows[0..m−1] into L2 (see
// PackedRows.Prefetch); m ≥ 1.
//
//go:noescape
func prefetchPacked(data *uint8, off *uint32, rows *int32, m int)
