//go:build !purego

package byterows

import (
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/internal/impl"
)

// archSets: the AVX2 and AVX-512 gathers (byterows_amd64.s).
func archSets(s *[impl.Count]*set) {
	s[impl.AVX2] = &avx2Set
	s[impl.AVX512] = &avx512Set
}

// avx2Set gathers plain rows in assembly; packed rows take the Go table
// loop and are packed in Go.
var avx2Set = set{
	dequantize:       dequantizeAVX2,
	dequantizePacked: dequantizePackedTable,
	nonZeroRows:      nonZeroRowsGeneric,
	packRows:         packRowsGeneric,

	nonZeroCols:          nonZeroColsAVX2,
	dequantizeCols:       dequantizeColsAVX2,
	dequantizePackedCols: dequantizePackedColsTable,
	nonZeroColsPacked:    noNonZeroColsPacked,
	colsNative:           true,

	entriesForward: avx2Entries.forward,
	entriesGrad:    avx2Entries.gradient,
	entriesFill:    entriesFillAVX2,
	entriesNative:  true,
}

// avx512Set gathers plain and packed rows in assembly, and packs in
// assembly where the CPU has the byte instructions (avx512Wide).
var avx512Set = set{
	dequantize:       dequantizeAVX512,
	dequantizePacked: dequantizePackedAVX512,
	packedNative:     true,
	nonZeroRows:      nonZeroRowsAVX512,
	packRows:         packRowsAVX512,

	nonZeroCols:          nonZeroColsAVX2,
	dequantizeCols:       dequantizeColsAVX512,
	dequantizePackedCols: dequantizePackedColsAVX512,
	nonZeroColsPacked:    nonZeroColsPackedAVX512,
	colsNative:           avx512Wide,

	entriesForward: avx2Entries.forward,
	entriesGrad:    avx2Entries.gradient,
	entriesFill:    entriesFillAVX2,
	entriesNative:  true,
}

// avx2Quotients and avx512Quotients cache exactQuotients for the two
// assembly gathers.
var avx2Quotients, avx512Quotients atomic.Uint64

// quotientsAVX2 runs avx2DequantizeRows on every byte value.
func quotientsAVX2(div float32) (q [256]float32) {
	row := [1]int32{}
	avx2DequantizeRows(q[:], allBytes[:], row[:], len(allBytes), div, 1/div)
	return q
}

func dequantizeAVX2(dst []float32, src []uint8, rows []int32, k int, div float32) {
	if !exactQuotients(&avx2Quotients, div, quotientsAVX2) {
		dequantizeRowsTable(dst, src, rows, k, div)
		return
	}
	avx2DequantizeRows(dst, src, rows, k, div, 1/div)
}

//go:noescape
func avx2DequantizeRows(dst []float32, src []uint8, rows []int32, k int, div, recip float32)

// quotientsAVX512 runs avx512DequantizeRows on every byte value.
func quotientsAVX512(div float32) (q [256]float32) {
	row := int32(0)
	avx512DequantizeRows(&q[0], &allBytes[0], &row, 1, len(allBytes), div, 1/div)
	return q
}

func dequantizeAVX512(dst []float32, src []uint8, rows []int32, k int, div float32) {
	if len(dst) == 0 {
		return
	}
	if !exactQuotients(&avx512Quotients, div, quotientsAVX512) {
		dequantizeRowsTable(dst, src, rows, k, div)
		return
	}
	avx512DequantizeRows(&dst[0], &src[0], &rows[0], len(rows), k, div, 1/div)
}

//go:noescape
func avx512DequantizeRows(dst *float32, src *uint8, rows *int32, m, k int, div, recip float32)

func dequantizePackedAVX512(dst []float32, p *Packed, rows []int32, div float32) {
	if len(dst) == 0 {
		return
	}
	if !exactQuotients(&avx512Quotients, div, quotientsAVX512) {
		dequantizePackedTable(dst, p, rows, div)
		return
	}
	avx512DequantizePacked(&dst[0], &p.data[0], &p.off[0], &rows[0], len(rows), p.k, div, 1/div, avx512Wide)
}

//go:noescape
func avx512DequantizePacked(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, div, recip float32, wide bool)

func nonZeroRowsAVX512(counts []uint32, src []uint8, k int) {
	if !avx512Wide {
		nonZeroRowsGeneric(counts, src, k)
		return
	}
	avx512NonZeroRows(&counts[0], &src[0], len(counts), k)
}

//go:noescape
func avx512NonZeroRows(counts *uint32, src *uint8, rows, k int)

func packRowsAVX512(data []uint8, off []uint32, src []uint8, k int) {
	if !avx512Wide {
		packRowsGeneric(data, off, src, k)
		return
	}
	avx512PackRows(&data[0], &off[0], &src[0], len(off)-1, k)
}

//go:noescape
func avx512PackRows(data *uint8, off *uint32, src *uint8, rows, k int)

// avx512Wide: the CPU has AVX512 VBMI2 (VPEXPANDB, VPCOMPRESSB), VBMI
// (VPERMB), BW (VMOVDQU8, VPTESTMB, 64-bit masks) and VL (a masked X
// store), so avx512DequantizePacked expands 64 bytes at a time and the
// packing runs in assembly. Every CPU with VBMI2 has the others, but a
// virtual machine may hide any of them. A variable, so that a test can
// run the narrow paths.
var avx512Wide = cpuid.CPU.Supports(cpuid.AVX512VBMI2, cpuid.AVX512VBMI, cpuid.AVX512BW, cpuid.AVX512VL)

func dequantizeColsAVX512(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	if len(dst) == 0 {
		return
	}
	if !avx512Wide {
		dequantizeColsAVX2(dst, src, rows, k, cols, div)
		return
	}
	if !exactQuotients(&avx512Quotients, div, quotientsAVX512) {
		dequantizeColsTable(dst, src, rows, k, cols, div)
		return
	}
	avx512DequantizeCols(&dst[0], &src[0], &rows[0], len(rows), k, &cols[0], div, 1/div)
}

//go:noescape
func avx512DequantizeCols(dst *float32, src *uint8, rows *int32, m, k int, cols *uint64, div, recip float32)

func dequantizePackedColsAVX512(dst []float32, p *Packed, rows []int32, cols []uint64, div float32) {
	if len(dst) == 0 {
		return
	}
	if !avx512Wide || !exactQuotients(&avx512Quotients, div, quotientsAVX512) {
		dequantizePackedColsTable(dst, p, rows, cols, div)
		return
	}
	if !avx512DequantizeKept(&dst[0], &p.data[0], &p.off[0], &rows[0], len(rows), p.k, &cols[0], div, 1/div) {
		avx512DequantizePackedCols(&dst[0], &p.data[0], &p.off[0], &rows[0], len(rows), p.k, &cols[0], div, 1/div)
	}
}

//go:noescape
func avx512DequantizeKept(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, cols *uint64, div, recip float32) bool

//go:noescape
func avx512DequantizePackedCols(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, cols *uint64, div, recip float32)

func nonZeroColsPackedAVX512(cols []uint64, p *Packed, rows []int32) bool {
	nm := packedMasks(p.k)
	if !avx512Wide || nm > 128 {
		return false
	}
	avx512NonZeroColsPacked(&cols[0], &p.data[0], &p.off[0], &rows[0], len(rows), nm)
	return true
}

//go:noescape
func avx512NonZeroColsPacked(cols *uint64, data *uint8, off *uint32, rows *int32, m, nm int)

func nonZeroColsAVX2(cols []uint64, src []uint8, rows []int32, k int) {
	var buf [512]uint64 // 4 KiB: k up to 4096
	if len(rows) == 0 || k > 8*len(buf) {
		nonZeroColsWords(cols, src, rows, k)
		return
	}
	acc := buf[:(k+7)/8]
	avx2OrRows((*uint8)(unsafe.Pointer(&acc[0])), &src[0], &rows[0], len(rows), k)
	colsOfBytes(cols, acc)
}

//go:noescape
func avx2OrRows(acc *uint8, src *uint8, rows *int32, m, k int)

// dequantizeColsAVX2 gathers the columns in chunks of 8 planned once
// (colChunks, avx2DequantizeChunks) for every row but the last, and run
// by run (avx2DequantizeRuns) for the last row and where no plan is made
// (one row, fewer than 8 columns, a short run within 8 bytes of the row's
// end, more than maxChunks chunks); sets of more than maxRuns runs go to
// the table.
func dequantizeColsAVX2(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	var runs [2 * maxRuns]int32
	if len(dst) == 0 || !exactQuotients(&avx2Quotients, div, quotientsAVX2) {
		dequantizeColsTable(dst, src, rows, k, cols, div)
		return
	}
	nruns := colRuns(runs[:], cols)
	if nruns == 0 {
		dequantizeColsTable(dst, src, rows, k, cols, div)
		return
	}
	// The chunks take every row but the last, whose 8 or more floats take
	// the spill of the row before.
	if m, kept := len(rows), len(dst)/len(rows); m > 1 && kept >= 8 {
		var chunks [2 * maxChunks]int32
		if n := colChunks(chunks[:], runs[:2*nruns], k); n > 0 {
			avx2DequantizeChunks(&dst[0], &src[0], &rows[0], m-1, k, &chunks[0], n, kept, div, 1/div)
			dst, rows = dst[(m-1)*kept:], rows[m-1:]
		}
	}
	avx2DequantizeRuns(&dst[0], &src[0], &rows[0], len(rows), k, &runs[0], nruns, div, 1/div, &dst[len(dst)-1])
}

//go:noescape
func avx2DequantizeChunks(dst *float32, src *uint8, rows *int32, m, k int, chunks *int32, nchunks, kept int, div, recip float32)

//go:noescape
func avx2DequantizeRuns(dst *float32, src *uint8, rows *int32, m, k int, runs *int32, nruns int, div, recip float32, last *float32)
