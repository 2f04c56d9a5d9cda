package mnist

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPixelValues: the lookup table gives every byte exactly the value of
// the division it replaces.
func TestPixelValues(t *testing.T) {
	tab := pixelValues()
	for p := range 256 {
		assert.Equal(t, float32(p)/255, tab[p], "byte %d", p)
	}
}
