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
	var table [256]float32
	for b := range table {
		table[b] = float32(b) / div
	}
	for i, r := range rows {
		out := dst[i*k : i*k+k]
		for j, b := range src[int(r)*k : int(r)*k+k] {
			out[j] = table[b]
		}
	}
}

// allBytes holds every byte value once, in order.
var allBytes = func() (b [256]uint8) {
	for i := range b {
		b[i] = uint8(i)
	}
	return b
}()

// An assembly DequantizeRows computes float32(b)/div by a multiply and a
// correction instead of a division; it may run only for a divisor on which
// that gives exactly the reference's quotient for every byte b. Each
// implementation caches the answer for the last divisor in an
// atomic.Uint64: the divisor's bits in the high half, then 2 = checked,
// 1 = exact (the trainer always passes 255). The wrapper asks
// cachedQuotients; on a miss it runs its kernel on all 256 bytes into an
// array on its stack (a direct call, so that nothing escapes) and hands
// it to checkQuotients.

// cachedQuotients returns the cached answer for div, if there is one.
func cachedQuotients(cache *atomic.Uint64, div float32) (exact, known bool) {
	c := cache.Load()
	if c&^3 == uint64(math.Float32bits(div))<<32 && c&2 != 0 {
		return c&1 != 0, true
	}
	return false, false
}

// checkQuotients compares got, the kernel's quotients of every byte b by
// div, bit for bit with float32(b)/div, caches the answer and returns it.
func checkQuotients(cache *atomic.Uint64, div float32, got *[256]float32) bool {
	exact := true
	for b, q := range got {
		if math.Float32bits(q) != math.Float32bits(float32(b)/div) {
			exact = false
			break
		}
	}
	c := uint64(math.Float32bits(div))<<32 | 2
	if exact {
		c |= 1
	}
	cache.Store(c)
	return exact
}
