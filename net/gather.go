package net

import (
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/hugepage"
)

// input is the training rows as the trainer gathers them, a block of
// shuffled rows at a time, into float32 for the kernels.
//
// How the gather is tuned. Float rows are copied. Byte rows are converted
// as they are gathered (byterows.Dequantize: the same values bit for bit
// as dividing each byte, at a quarter of the memory traffic of float
// rows). Random rows cost DRAM time in proportion to the cache lines they
// span, so where the active implementation expands packed rows in
// assembly (byterows.PackedNative: avx512 with VBMI2) and packing saves a
// quarter of the bytes or more (MNIST's rows are 81 % zeros and span 4–5
// lines packed against 13 plain), the rows are packed once, into memory of
// their own released by close, and gathered from there: again the same
// values. On several threads each worker prefetches the rows of the block
// it will take next while it computes the current one (trainer.work).
type input struct {
	data   Rows
	k      int              // values per row
	packed *byterows.Packed // data's bytes packed, or nil
	free   func()           // releases packed's memory
	// entries are data's bytes as each row's non-zero bytes, or nil:
	// the first layer's products over them (skip.go); freeEntries
	// releases their memory.
	entries     *byterows.Entries
	freeEntries func()
}

func newInput(data Rows, k int) *input {
	in := &input{data: data, k: k}
	if data.bytes != nil && byterows.PackedNative() {
		in.packed, in.free = pack(data.bytes, k)
	}
	return in
}

// pack returns rows of k bytes packed, in huge-page memory of its own, and
// the function that releases it, when the packed rows take at most three
// quarters of the plain bytes; else nil.
func pack(b []uint8, k int) (*byterows.Packed, func()) {
	free := func() {}
	p, err := byterows.PackWith(b, k, func(n int) []uint8 {
		m, f := hugepage.Bytes(n)
		free = f
		return m
	})
	if err != nil {
		return nil, nil // past 4 GiB packed: the plain bytes serve
	}
	if p.Size() > len(b)/4*3 {
		free()
		return nil, nil
	}
	return p, free
}

// close releases the packed rows.
func (in *input) close() {
	if in.free != nil {
		in.free()
		in.packed, in.free = nil, nil
	}
}

// release releases the packed rows and the entries.
func (in *input) release() {
	in.close()
	if in.freeEntries != nil {
		in.freeEntries()
		in.entries, in.freeEntries = nil, nil
	}
}

// fromDRAM reports rows whose gather is worth prefetching: bytes, which
// the gather reads once, at random.
func (in *input) fromDRAM() bool { return in.data.bytes != nil }

// gather sets row i of x to input row idx[i].
func (in *input) gather(x []float32, idx []int32) {
	switch {
	case in.packed != nil:
		in.packed.Dequantize(x, idx, in.data.div)
	case in.data.bytes != nil:
		byterows.Dequantize(x, in.data.bytes, idx, in.k, in.data.div)
	default:
		k := in.k
		for i, r := range idx {
			copy(x[i*k:i*k+k], in.data.floats[int(r)*k:int(r)*k+k])
		}
	}
}

// prefetch starts loading the byte rows idx into the cache.
func (in *input) prefetch(idx []int32) {
	if in.entries != nil {
		in.entries.Prefetch(idx)
	} else if in.packed != nil {
		in.packed.Prefetch(idx)
	} else if in.data.bytes != nil {
		byterows.Prefetch(in.data.bytes, idx, in.k)
	}
}

// dequantize is byterows.Dequantize, for inference's blocks.
func dequantize(dst []float32, src []uint8, rows []int32, k int, div float32) {
	byterows.Dequantize(dst, src, rows, k, div)
}
