//go:build !purego

package byterows

import (
	"sync/atomic"
	"unsafe"

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

	nonZeroCols:          nonZeroColsNEON,
	dequantizeCols:       dequantizeColsNEON,
	dequantizePackedCols: dequantizePackedColsTable,
	nonZeroColsPacked:    noNonZeroColsPacked,
	colsNative:           true,

	entriesForward: neonEntries.forward,
	entriesGrad:    neonEntries.gradient,
	entriesFill:    entriesFillGeneric,
	entriesNative:  true,
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

func nonZeroColsNEON(cols []uint64, src []uint8, rows []int32, k int) {
	var buf [512]uint64 // 4 KiB: k up to 4096
	if len(rows) == 0 || k > 8*len(buf) {
		nonZeroColsWords(cols, src, rows, k)
		return
	}
	acc := buf[:(k+7)/8]
	neonOrRows((*uint8)(unsafe.Pointer(&acc[0])), &src[0], &rows[0], len(rows), k)
	colsOfBytes(cols, acc)
}

//go:noescape
func neonOrRows(acc *uint8, src *uint8, rows *int32, m, k int)

// dequantizeColsNEON gathers the columns run by run (neonDequantizeRuns).
func dequantizeColsNEON(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	var runs [2 * maxRuns]int32
	if len(dst) == 0 || !exactQuotients(&neonQuotients, div, quotientsNEON) {
		dequantizeColsTable(dst, src, rows, k, cols, div)
		return
	}
	nruns := colRuns(runs[:], cols)
	if nruns == 0 {
		dequantizeColsTable(dst, src, rows, k, cols, div)
		return
	}
	neonDequantizeRuns(&dst[0], &src[0], &rows[0], len(rows), k, &runs[0], nruns, div, 1/div, &dst[len(dst)-1])
}

//go:noescape
func neonDequantizeRuns(dst *float32, src *uint8, rows *int32, m, k int, runs *int32, nruns int, div, recip float32, last *float32)
