//go:build linux || darwin || freebsd || netbsd || openbsd

package simdnn

import (
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// guardPlacement puts every slice flush against a PROT_NONE page: ending
// right before it (atEnd) or starting right after it. An assembly kernel
// that reads or writes a single byte outside its slice faults.
type guardPlacement struct {
	t       testing.TB
	atEnd   bool
	regions map[int][]byte // per role: the mapping, guard page included
}

func newGuardPlacement(t testing.TB, atEnd bool) *guardPlacement {
	g := &guardPlacement{t: t, atEnd: atEnd, regions: map[int][]byte{}}
	t.Cleanup(func() {
		for _, r := range g.regions {
			require.NoError(t, unix.Munmap(r))
		}
	})
	return g
}

func (g *guardPlacement) name() string {
	if g.atEnd {
		return "guard-after"
	}
	return "guard-before"
}

// bytes returns n bytes of role's region touching its guard page.
func (g *guardPlacement) bytes(role, n int) unsafe.Pointer {
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

func (g *guardPlacement) f32(role, n int) []float32 {
	return unsafe.Slice((*float32)(g.bytes(role, 4*n)), n)
}

func (g *guardPlacement) i32(role, n int) []int32 {
	return unsafe.Slice((*int32)(g.bytes(role, 4*n)), n)
}

func (g *guardPlacement) u8(role, n int) []uint8 {
	return unsafe.Slice((*uint8)(g.bytes(role, n)), n)
}

func (g *guardPlacement) verify(testing.TB) {}

// TestSweepGuardPages runs the sweep with every input and output flush
// against an inaccessible page, on both sides.
func TestSweepGuardPages(t *testing.T) {
	forEachAsmImpl(t, func(t *testing.T) {
		for _, atEnd := range []bool{true, false} {
			runSweep(t, newGuardPlacement(t, atEnd), fillUniform, fewRows)
		}
	})
}

// TestPackedGuardPages packs and gathers with the plain and packed bytes,
// the rows and the floats flush against an inaccessible page, on both
// sides: the assembly's 64-byte loads and stores stay inside the packed
// bytes' padding, its masked loads inside the plain rows.
func TestPackedGuardPages(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, atEnd := range []bool{true, false} {
			runPackedSweep(t, newGuardPlacement(t, atEnd), fewRows)
		}
	})
}

// TestQuantizeGuardPages runs Quantize with its floats and bytes flush
// against an inaccessible page, on both sides.
func TestQuantizeGuardPages(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, atEnd := range []bool{true, false} {
			runQuantizeSweep(t, newGuardPlacement(t, atEnd))
		}
	})
}

// TestGuardPlacementFaults proves the guard placement guards: touching the
// float just past (or before) a slice it handed out faults.
func TestGuardPlacementFaults(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for _, atEnd := range []bool{true, false} {
		g := newGuardPlacement(t, atEnd)
		s := g.f32(0, 5)
		s[0], s[4] = 1, 2 // inside: fine
		p := unsafe.Pointer(&s[4])
		if !atEnd {
			p = unsafe.Pointer(&s[0])
		}
		require.Panics(t, func() {
			if atEnd {
				sinkF32 = *(*float32)(unsafe.Add(p, 4))
			} else {
				sinkF32 = *(*float32)(unsafe.Add(p, -4))
			}
		}, "%s: touching past the slice did not fault", g.name())
	}
}

// sinkF32 keeps the compiler from dropping the faulting loads.
var sinkF32 float32
