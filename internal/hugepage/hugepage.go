// Package hugepage asks the kernel to back large buffers with huge pages
// where it can. simdnn's big one-off arrays (MNIST's 188 MB of float32,
// the trainer's byte copy of its inputs) are written once right after
// allocation; on a machine whose transparent huge pages are "madvise"
// only, every 4 KiB page of them would fault on its own.
//
// Advise marks part of the Go heap, and the mark outlives the slice: the
// runtime may reuse or return those pages later, with huge pages still
// allowed there. That is fine for MNIST's arrays, made once per process;
// Bytes, for buffers a library makes on every call, maps its memory
// outside the Go heap instead and unmaps it when freed.
package hugepage

import "unsafe"

// Bytes returns n zero bytes, on Linux in their own anonymous mapping
// marked for huge pages, and the function that releases them (after which
// the bytes must not be used). Elsewhere, or when the mapping fails, the
// bytes come from the Go heap and free does nothing.
func Bytes(n int) (b []byte, free func()) {
	if b, free := mapBytes(n); b != nil {
		return b, free
	}
	return make([]byte, n), func() {}
}

// Advise marks s, a freshly allocated slice, as a candidate for huge
// pages. It is only a hint: it changes no value, may do nothing, and
// reports no error.
func Advise[T any](s []T) {
	if len(s) == 0 {
		return
	}
	advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(s[0]))
}
