package testmem

import (
	"runtime/debug"
	"testing"
)

// Catch makes a fault (an access to a guard page, say) or a panic in the
// calling test's goroutine fail t instead of ending the test binary, so
// that the tests after it still run. Use it first thing in a (sub)test:
//
//	defer testmem.Catch(t)()
func Catch(t testing.TB) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if e := recover(); e != nil {
			t.Fatalf("panic: %v\n%s", e, debug.Stack())
		}
	}
}
