package net

import (
	"sync"
	"sync/atomic"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/hugepage"
)

// pixelDiv is the divisor of byte-valued data: MNIST's pixels are the
// bytes p stored as float32(p) / 255.
const pixelDiv = 255

// asPixelBytes returns the bytes b with x[i] == float32(b[i]) / 255 bit
// for bit, and the function that releases them, or nil when some value of
// x is not of that form. Training then gathers rows from b with
// simdnn.DequantizeRows: a quarter of the memory traffic for exactly the
// same values. The check runs on up to workers goroutines; it looks at a
// short prefix first, and every worker stops soon after any value fails.
func asPixelBytes(x []float32, workers int) ([]uint8, func()) {
	var probe [1024]uint8
	if n := min(len(x), len(probe)); !bytesOf(probe[:n], x[:n], nil) {
		return nil, nil
	}
	b, free := hugepage.Bytes(len(x))
	var failed atomic.Bool
	var wg sync.WaitGroup
	chunk := (len(x) + workers - 1) / max(workers, 1)
	for lo := 0; lo < len(x); lo += chunk {
		hi := min(lo+chunk, len(x))
		wg.Go(func() {
			if !bytesOf(b[lo:hi], x[lo:hi], &failed) {
				failed.Store(true)
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		free()
		return nil, nil
	}
	return b, free
}

// packPixels returns xb, rows of k bytes, packed (simdnn.PackRows) in
// memory of its own, and the function that releases it, when the active
// kernels gather packed rows in assembly and the packed rows take at most
// three quarters of xb's bytes; else nil. Random rows cost DRAM time in
// proportion to the cache lines they span: MNIST's, 81 % zeros, span 4–5
// lines packed against 13 plain, and the gather returns the same floats.
func packPixels(xb []uint8, k int) (*simdnn.PackedRows, func()) {
	if !simdnn.PackedNative() {
		return nil, nil
	}
	free := func() {}
	xp, err := simdnn.PackRowsWith(xb, k, func(n int) []uint8 {
		b, f := hugepage.Bytes(n)
		free = f
		return b
	})
	if err != nil {
		return nil, nil // past 4 GiB packed: the plain bytes serve
	}
	if xp.Size() > len(xb)/4*3 {
		free()
		return nil, nil
	}
	return xp, free
}

// pixelChunk is the number of values bytesOf converts between looks at
// whether another worker has failed.
const pixelChunk = 1 << 16

// bytesOf fills b from x as asPixelBytes describes (simdnn.Quantize, a
// chunk at a time); false when some x is not a byte over 255, or when stop
// (if not nil) is set by another worker.
func bytesOf(b []uint8, x []float32, stop *atomic.Bool) bool {
	b = b[:len(x)]
	for lo := 0; lo < len(x); lo += pixelChunk {
		if stop != nil && stop.Load() {
			return false
		}
		hi := min(lo+pixelChunk, len(x))
		if !simdnn.Quantize(b[lo:hi], x[lo:hi], pixelDiv) {
			return false
		}
	}
	return true
}
