package simdnn

import (
	"math"
	"sync/atomic"
)

// dequantizeRowsTable is DequantizeRows in Go without a division per
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
// the table gathers of DequantizeRows and PackedRows.Dequantize.
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

// exactQuotients reports whether an assembly DequantizeRows, which
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

// quantizeTable is Quantize without a division per value: each value's
// byte guessed as round(x·div) (adding 1.5·2²³ leaves that integer's low 8
// bits in the float's) and the guess's quotient, from the table of all
// 256, compared with x bit for bit. The guess is right for every true
// quotient (div ≥ 1: x·div is within 2⁻¹⁵ of its byte), and the compare
// rejects every other value, whatever byte it guessed. The assembly
// kernels leave it the divisors they cannot divide exactly and their last
// few values (quantizeWith).
func quantizeTable(dst []uint8, src []float32, div float32) bool {
	table := quotientTable(div)
	for i, x := range src {
		b := uint8(math.Float32bits(x*div + 0x1.8p23))
		if math.Float32bits(table[b]) != math.Float32bits(x) {
			return false
		}
		dst[i] = b
	}
	return true
}

// quantizeWith is Quantize by kernel, an assembly loop over a multiple of
// width values that divides by QUOT (exact says whether it is exact for
// div, on all 256 bytes): kernel takes the values up to the last multiple
// of width and quantizeTable the rest, or all of them when the kernel's
// quotients are not exact.
func quantizeWith(dst []uint8, src []float32, div float32, width int, exact bool,
	kernel func(dst *uint8, src *float32, n int, div, recip float32) bool) bool {
	if !exact {
		return quantizeTable(dst, src, div)
	}
	n := len(src) / width * width
	if n > 0 && !kernel(&dst[0], &src[0], n, div, 1/div) {
		return false
	}
	return quantizeTable(dst[n:], src[n:], div)
}
