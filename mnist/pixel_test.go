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

// TestFloats: every pixel gets its value, float32(b) / 255, in a slice of
// its own.
func TestFloats(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 5000} {
		s := &Set{Pixels: make([]byte, n)}
		for i := range s.Pixels {
			s.Pixels[i] = byte(i * 7)
		}
		f := s.Floats()
		assert.Len(t, f, n)
		for i, p := range s.Pixels {
			if f[i] != float32(p)/255 {
				t.Fatalf("n=%d: Floats()[%d] = %g, want %d/255", n, i, f[i], p)
			}
		}
	}
}
