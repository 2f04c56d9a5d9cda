package hugepage

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAdviseKeepsValues: advising changes no value and accepts any size
// and offset, empty and unaligned slices included, before and after the
// pages were touched.
func TestAdviseKeepsValues(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4 << 20, 5<<20 + 3} {
		b := make([]byte, n+1)
		for i := range b {
			b[i] = byte(i * 7)
		}
		want := bytes.Clone(b)
		Advise(b[1:])
		Advise(b)
		require.True(t, bytes.Equal(want, b), "n %d: values changed", n)
		f := make([]float32, n/4)
		Advise(f)
		for i := range f {
			f[i] = float32(i)
		}
		require.True(t, slices.IsSorted(f) && (len(f) == 0 || f[len(f)-1] == float32(len(f)-1)), "n %d: floats changed", n)
	}
}

// TestBytes: Bytes gives n zero bytes that can be written and read back,
// small and large, and free releases them without error.
func TestBytes(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4 << 20, 5<<20 + 3} {
		b, free := Bytes(n)
		require.Len(t, b, n)
		require.Equal(t, -1, bytes.IndexFunc(b, func(r rune) bool { return r != 0 }), "n %d: not zero", n)
		for i := range b {
			b[i] = byte(i)
		}
		for i := range b {
			if b[i] != byte(i) {
				t.Fatalf("n %d: byte %d reads %d", n, i, b[i])
			}
		}
		free()
	}
}
