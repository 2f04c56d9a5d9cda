//go:build linux || darwin || freebsd || netbsd || openbsd

package testmem

import (
	"fmt"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGuardFaults proves the guard placement guards: touching the float
// just past (or before) a slice it handed out faults, for every kind of
// slice.
func TestGuardFaults(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for _, atEnd := range []bool{true, false} {
		g := NewGuard(t, atEnd)
		step := 1
		if !atEnd {
			step = -1
		}
		f, i, b := g.F32(0, 5), g.I32(1, 3), g.U8(2, 7)
		f[0], f[4], i[0], i[2], b[0], b[6] = 1, 2, 3, 4, 5, 6 // inside: fine
		edges := map[string]unsafe.Pointer{"F32": unsafe.Pointer(&f[4]), "I32": unsafe.Pointer(&i[2]), "U8": unsafe.Pointer(&b[6])}
		size := map[string]int{"F32": 4, "I32": 4, "U8": 1}
		if !atEnd {
			edges = map[string]unsafe.Pointer{"F32": unsafe.Pointer(&f[0]), "I32": unsafe.Pointer(&i[0]), "U8": unsafe.Pointer(&b[0])}
		}
		for kind, p := range edges {
			require.Panics(t, func() {
				sinkByte = *(*byte)(unsafe.Add(p, step*size[kind]))
			}, "%s %s: touching past the slice did not fault", g.Name(), kind)
		}
	}
}

// sinkByte keeps the compiler from dropping the faulting loads.
var sinkByte byte

// fatalTB records a Fatalf instead of ending the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }

// TestCatch: a fault on a guard page and a plain panic under Catch fail
// the test with the cause, and leave the fault setting as it was.
func TestCatch(t *testing.T) {
	g := NewGuard(t, true)
	s := g.F32(0, 1)
	for name, f := range map[string]func(){
		"fault": func() { sinkByte = *(*byte)(unsafe.Add(unsafe.Pointer(&s[0]), 4)) },
		"panic": func() { panic("boom") },
	} {
		tb := &fatalTB{TB: t}
		func() {
			defer Catch(tb)()
			f()
		}()
		assert.Contains(t, tb.msg, map[string]string{"fault": "invalid memory address", "panic": "boom"}[name], name)
		assert.False(t, debug.SetPanicOnFault(false), "%s: SetPanicOnFault left on", name)
	}
}
