// Package hugepage asks the kernel to back large buffers with huge pages
// where it can. simdnn's big one-off arrays (MNIST's 188 MB of float32,
// the trainer's byte copy of its inputs) are written once right after
// allocation; on a machine whose transparent huge pages are "madvise"
// only, every 4 KiB page of them would fault on its own.
package hugepage

import "unsafe"

// Advise marks s, a freshly allocated slice, as a candidate for huge
// pages. It is only a hint: it changes no value, may do nothing, and
// reports no error.
func Advise[T any](s []T) {
	if len(s) == 0 {
		return
	}
	advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(s[0]))
}
