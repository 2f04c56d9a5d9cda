package byterows

import (
	"math"
	"sync/atomic"
)

// genericSet is the pure-Go reference: the definition of correct. Its
// loops are kept simple on purpose; every other implementation is tested
// against them.
var genericSet = set{
	dequantize:       dequantizeRowsGeneric,
	dequantizePacked: dequantizePackedGeneric,
	nonZeroRows:      nonZeroRowsGeneric,
	packRows:         packRowsGeneric,

	nonZeroCols:          nonZeroColsGeneric,
	dequantizeCols:       dequantizeColsGeneric,
	dequantizePackedCols: dequantizePackedColsGeneric,
	nonZeroColsPacked:    noNonZeroColsPacked,

	entriesForward: entriesForwardGeneric,
	entriesGrad:    entriesGradGeneric,
	entriesFill:    entriesFillGeneric,
}

// dequantizeRowsTable is Dequantize in Go without a division per
// byte: a byte has 256 values, so it divides each once into a table, with
// the reference's own expression (bit for bit the same quotients), and
// then looks every byte up. Small calls, where the table would cost more
// than it saves, use the reference. arm64 runs it; the x86 kernels fall
// back to it for divisors their multiply cannot serve exactly.
func dequantizeRowsTable(dst []float32, src []uint8, rows []int32, k int, div float32) {
	if len(dst) < 4*256 {
		dequantizeRowsGeneric(dst, src, rows, k, div)
		return
	}
	table := quotientTable(div)
	for i, r := range rows {
		out := dst[i*k : i*k+k]
		for j, b := range src[int(r)*k : int(r)*k+k] {
			out[j] = table[b]
		}
	}
}

// quotientTable is float32(b) / div for every byte b, Go's own division:
// the table gathers of Dequantize and Packed.Dequantize.
func quotientTable(div float32) (table [256]float32) {
	for b := range table {
		table[b] = float32(b) / div
	}
	return table
}

// allBytes holds every byte value once, in order.
var allBytes = func() (b [256]uint8) {
	for i := range b {
		b[i] = uint8(i)
	}
	return b
}()

// exactQuotients reports whether an assembly Dequantize, which
// computes float32(b)/div by a multiply and a correction instead of a
// division, gives exactly the reference's quotient for every byte b with
// this divisor. quotients runs the kernel on all 256 bytes; it returns the
// array by value, so that nothing escapes to the heap through the function
// value. The answer for the last divisor is cached in *cache (one per
// implementation): the divisor's bits in the high half, then 2 = checked,
// 1 = exact. The trainer always passes 255.
func exactQuotients(cache *atomic.Uint64, div float32, quotients func(div float32) [256]float32) bool {
	bits := uint64(math.Float32bits(div)) << 32
	if c := cache.Load(); c&^3 == bits && c&2 != 0 {
		return c&1 != 0
	}
	got := quotients(div)
	exact := true
	for b, q := range got {
		if math.Float32bits(q) != math.Float32bits(float32(b)/div) {
			exact = false
			break
		}
	}
	c := bits | 2
	if exact {
		c |= 1
	}
	cache.Store(c)
	return exact
}

// dequantizeRowsGeneric: dst[i·k+j] = float32(src[rows[i]·k+j]) / div.
func dequantizeRowsGeneric(dst []float32, src []uint8, rows []int32, k int, div float32) {
	for i, r := range rows {
		for j, b := range src[int(r)*k : int(r)*k+k] {
			dst[i*k+j] = float32(b) / div
		}
	}
}
