//go:build linux || darwin || freebsd || netbsd || openbsd

package simdnn

import (
	"testing"

	"github.com/simdnn/simdnn/internal/testmem"
)

// TestSweepGuardPages runs the sweep with every input and output flush
// against an inaccessible page, on both sides: a kernel that reads or
// writes one byte outside its slices faults.
func TestSweepGuardPages(t *testing.T) {
	runSweep(t,
		pass{Placer: testmem.AtGuard(true), fill: testmem.Uniform, ms: fewRows},
		pass{Placer: testmem.AtGuard(false), fill: testmem.Uniform, ms: fewRows})
}
