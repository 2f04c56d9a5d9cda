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

// TestScale: every pixel of every length, around the workers' page-sized
// chunks, gets its value, and nothing past the end is written.
func TestScale(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 5000, 1 << 16} {
		pixels := make([]byte, n)
		for i := range pixels {
			pixels[i] = byte(i * 7)
		}
		images := make([]float32, n+1)
		images[n] = -1
		scale(images[:n], pixels)
		for i, p := range pixels {
			if images[i] != float32(p)/255 {
				t.Fatalf("n=%d: images[%d] = %g, want %d/255", n, i, images[i], p)
			}
		}
		assert.Equal(t, float32(-1), images[n], "n=%d: written past the end", n)
	}
}
