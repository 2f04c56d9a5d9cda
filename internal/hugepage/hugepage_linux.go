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

// mapBytes maps n bytes of anonymous memory (4 MiB and up) marked for huge
// pages; nil when n is small or the mapping fails.
func mapBytes(n int) ([]byte, func()) {
	if n < minSize {
		return nil, nil
	}
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, nil
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	return b, func() { _ = unix.Munmap(b) }
}
