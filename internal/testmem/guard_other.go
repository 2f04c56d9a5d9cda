//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package testmem

import "testing"

// Guards are the guard placements this system offers: none, without mmap
// and mprotect.
func Guards(testing.TB) []Placement { return nil }
