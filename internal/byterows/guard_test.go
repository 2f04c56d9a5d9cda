//go:build linux || darwin || freebsd || netbsd || openbsd

package byterows

import (
	"testing"

	"github.com/simdnn/simdnn/internal/testmem"
)

// TestSweepGuardPages runs the sweep with the plain and packed bytes, the
// rows and the floats flush against an inaccessible page, on both sides:
// the assembly's 64-byte loads and stores must stay inside the packed
// bytes' padding, its masked loads inside the plain rows.
func TestSweepGuardPages(t *testing.T) {
	runSweep(t, pass{Placer: testmem.AtGuard(true), ms: fewRows}, pass{Placer: testmem.AtGuard(false), ms: fewRows})
}
