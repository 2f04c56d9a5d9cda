package net

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/simdnn/simdnn/internal/hugepage"
)

// pixelDiv is the divisor of byte-valued data: MNIST's pixels are the
// bytes p stored as float32(p) / 255.
const pixelDiv = 255

// pixelValues holds float32(p) / pixelDiv for every byte p.
var pixelValues = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p) / pixelDiv
	}
	return t
}()

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

// bytesOf fills b from x as asPixelBytes describes; false when some x is
// not a byte over 255, or when stop (if not nil) is set by another worker. The index is a guess, round(x·255) cut to 8 bits;
// the bitwise comparison with the table decides, so any value that is not
// exactly a table entry (NaN, -0, out of range, between two bytes) fails.
// Branch-free within runs of 1024 values: this pass over every input must
// stay small beside an epoch.
func bytesOf(b []uint8, x []float32, stop *atomic.Bool) bool {
	b = b[:len(x)]
	for lo := 0; lo < len(x); lo += 1024 {
		if stop != nil && stop.Load() {
			return false
		}
		hi := min(lo+1024, len(x))
		var diff uint32
		for i, v := range x[lo:hi] {
			p := uint8(int32(v*pixelDiv + 0.5))
			diff |= math.Float32bits(pixelValues[p]) ^ math.Float32bits(v)
			b[lo+i] = p
		}
		if diff != 0 {
			return false
		}
	}
	return true
}
