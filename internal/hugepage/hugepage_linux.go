package hugepage

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// minSize is the smallest buffer worth a system call: two huge pages.
const minSize = 4 << 20

// advise calls madvise(MADV_HUGEPAGE) on the whole pages inside [p, p+n).
func advise(p unsafe.Pointer, n uintptr) {
	if n < minSize {
		return
	}
	page := uintptr(unix.Getpagesize())
	head := (page - uintptr(p)%page) % page // bytes before the first whole page
	length := (n - head) &^ (page - 1)
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, head)), length), unix.MADV_HUGEPAGE)
}
