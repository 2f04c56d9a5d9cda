//go:build linux || darwin || freebsd || netbsd || openbsd

package testmem

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Guard puts every slice flush against a PROT_NONE page: ending right
// before it (atEnd) or starting right after it. Assembly that reads or
// writes a single byte outside its slice faults, which kills the test
// binary with the routine's address.
type Guard struct {
	t       testing.TB
	atEnd   bool
	regions map[int][]byte // per role: the mapping, guard page included
}

// NewGuard returns a Guard whose mappings t's cleanup unmaps.
func NewGuard(t testing.TB, atEnd bool) *Guard {
	g := &Guard{t: t, atEnd: atEnd, regions: map[int][]byte{}}
	t.Cleanup(func() {
		for _, r := range g.regions {
			require.NoError(t, unix.Munmap(r))
		}
	})
	return g
}

// Name is "guard-after" (the slice ends at the guard page) or
// "guard-before".
func (g *Guard) Name() string {
	if g.atEnd {
		return "guard-after"
	}
	return "guard-before"
}

// bytes returns n bytes of role's region touching its guard page.
func (g *Guard) bytes(role, n int) unsafe.Pointer {
	page := unix.Getpagesize()
	r := g.regions[role]
	if len(r) < n+page {
		if r != nil {
			require.NoError(g.t, unix.Munmap(r))
		}
		size := (n/page + 2) * page
		size = max(size, 64*page)
		var err error
		r, err = unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		require.NoError(g.t, err)
		if g.atEnd {
			require.NoError(g.t, unix.Mprotect(r[size-page:], unix.PROT_NONE))
		} else {
			require.NoError(g.t, unix.Mprotect(r[:page], unix.PROT_NONE))
		}
		g.regions[role] = r
	}
	if g.atEnd {
		return unsafe.Pointer(unsafe.SliceData(r[len(r)-page-n:]))
	}
	return unsafe.Pointer(&r[page])
}

// F32 returns n floats of role against its guard page.
func (g *Guard) F32(role, n int) []float32 {
	return unsafe.Slice((*float32)(g.bytes(role, 4*n)), n)
}

// I32 returns n int32s of role against its guard page.
func (g *Guard) I32(role, n int) []int32 {
	return unsafe.Slice((*int32)(g.bytes(role, 4*n)), n)
}

// U8 returns n bytes of role against its guard page.
func (g *Guard) U8(role, n int) []uint8 {
	return unsafe.Slice((*uint8)(g.bytes(role, n)), n)
}

// Verify has nothing to check: a stray access has already faulted.
func (g *Guard) Verify(testing.TB) {}

// Guards are the two guard placements: slices ending at a guard page and
// slices starting after one.
func Guards(t testing.TB) []Placement {
	return []Placement{NewGuard(t, true), NewGuard(t, false)}
}

// AtGuard places slices against a guard page, ending at it (atEnd) or
// starting after it.
func AtGuard(atEnd bool) Placer {
	return func(t *testing.T) Placement { return NewGuard(t, atEnd) }
}
