//go:build !purego

package simdnn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSafeSteps: the steps safeSteps allows load the partial column
// tile's whole vector inside B, and one step more would not (or every
// step is allowed).
func TestSafeSteps(t *testing.T) {
	for cols := 1; cols <= 40; cols++ {
		for bs := 0; bs <= 40; bs += 3 {
			for steps := 0; steps <= 6; steps++ {
				for extra := 0; extra <= 20; extra += 5 {
					blen := max(0, (steps-1)*bs+cols) + extra // B just holds every element read
					got := safeSteps(blen, bs, cols, steps)
					tail := cols % 16
					if tail == 0 {
						assert.Equal(t, steps, got, "no partial tile")
						continue
					}
					width := 16
					if tail <= 8 {
						width = 8
					}
					fits := func(s int) bool { return s*bs+cols-tail+width <= blen }
					for s := range got {
						assert.True(t, fits(s), "blen %d bs %d cols %d steps %d: step %d of %d overreads", blen, bs, cols, steps, s, got)
					}
					if got < steps {
						assert.False(t, fits(got), "blen %d bs %d cols %d steps %d: step %d would fit too", blen, bs, cols, steps, got)
					}
				}
			}
		}
	}
}
