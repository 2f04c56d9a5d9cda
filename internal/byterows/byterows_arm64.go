//go:build !purego

package byterows

import (
	"sync/atomic"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the NEON gather of plain rows (byterows_arm64.s); packed rows
// take the Go table loop and are packed in Go.
func archSets(s *[impl.Count]*set) {
	s[impl.NEON] = &neonSet
}

var neonSet = set{
	dequantize:       dequantizeNEON,
	dequantizePacked: dequantizePackedTable,
	nonZeroRows:      nonZeroRowsGeneric,
	packRows:         packRowsGeneric,

	nonZeroCols:          nonZeroColsWords,
	dequantizeCols:       dequantizeColsTable,
	dequantizePackedCols: dequantizePackedColsTable,
	nonZeroColsPacked:    noNonZeroColsPacked,
}

// neonQuotients caches exactQuotients for neonDequantizeRows.
var neonQuotients atomic.Uint64

// quotientsNEON runs neonDequantizeRows on every byte value.
func quotientsNEON(div float32) (q [256]float32) {
	row := int32(0)
	neonDequantizeRows(&q[0], &allBytes[0], &row, 1, len(allBytes), div, 1/div)
	return q
}

func dequantizeNEON(dst []float32, src []uint8, rows []int32, k int, div float32) {
	if len(dst) == 0 {
		return
	}
	if !exactQuotients(&neonQuotients, div, quotientsNEON) {
		dequantizeRowsTable(dst, src, rows, k, div)
		return
	}
	neonDequantizeRows(&dst[0], &src[0], &rows[0], len(rows), k, div, 1/div)
}

//go:noescape
func neonDequantizeRows(dst *float32, src *uint8, rows *int32, m, k int, div, recip float32)
