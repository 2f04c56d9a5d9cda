package testmem

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOffsetPlaces: slices land at the promised offsets, a write inside
// them passes, and a write of one byte just before or after any of them
// is reported.
func TestOffsetPlaces(t *testing.T) {
	for off := range 8 {
		p := &Offset{Off: off}
		f, i, b := p.F32(0, 5), p.I32(1, 3), p.U8(2, 6)
		assert.Equal(t, uintptr(4*(off%8)), uintptr(unsafe.Pointer(&f[0]))%32, "F32")
		assert.Equal(t, uintptr(4*((off+1)%8)), uintptr(unsafe.Pointer(&i[0]))%32, "I32")
		assert.Equal(t, uintptr(5*((off+2)%8)%32), uintptr(unsafe.Pointer(&b[0]))%32, "U8")
		f[0], f[4], i[0], i[2], b[0], b[5] = 1, 2, 3, 4, 5, 6
		require.NoError(t, p.Changed(), "writes inside")
		p.Verify(t)
		require.Empty(t, p.spans, "Verify forgets the slices")

		poke := func(ptr unsafe.Pointer, by int) { *(*uint8)(unsafe.Add(ptr, by)) ^= 1 }
		for _, c := range []struct {
			name  string
			write func()
		}{
			{"F32 before", func() { poke(unsafe.Pointer(&p.F32(0, 5)[0]), -1) }},
			{"F32 after", func() { poke(unsafe.Pointer(&p.F32(0, 5)[4]), 4) }},
			{"I32 after", func() { poke(unsafe.Pointer(&p.I32(1, 1)[0]), 4) }},
			{"U8 before", func() { poke(unsafe.Pointer(&p.U8(2, 3)[0]), -1) }},
			{"U8 after", func() { poke(unsafe.Pointer(&p.U8(2, 3)[2]), 1) }},
			{"empty", func() { poke(unsafe.Pointer(unsafe.SliceData(p.U8(3, 0))), 0) }},
		} {
			c.write()
			assert.Error(t, p.Changed(), "offset %d: %s", off, c.name)
			p.spans = p.spans[:0]
		}
	}
}

func TestFillers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := make([]float32, 1000)
	Uniform(r, s)
	for _, v := range s {
		require.True(t, v >= -1 && v <= 1, "%g", v)
	}
	Special([]float32{float32(math.Inf(1))})(r, s)
	inf := 0
	for _, v := range s {
		if math.IsInf(float64(v), 1) {
			inf++
		}
	}
	assert.InDelta(t, len(s)/8, inf, 60, "one in eight special")
	// +Inf passes; MaxFloat32's exponent is capped at 2^56.
	Bytes([]byte{0, 0, 0x80, 0x7f, 0xff, 0xff, 0x7f, 0x7f}, true)(r, s[:3])
	assert.Equal(t, []float32{float32(math.Inf(1)), math.Float32frombits(0x5bffffff), float32(math.Inf(1))}, s[:3])
	Bytes([]byte{0xff, 0xff, 0x7f, 0x7f}, false)(r, s[:1])
	assert.Equal(t, float32(math.MaxFloat32), s[0])
	assert.True(t, SameBits(float32(math.NaN()), FromBits(Sentinel)))
	assert.False(t, SameBits(0, float32(math.Copysign(0, -1))))
	assert.Equal(t, []int{1, 2}, Clone([]int{1, 2}))
}
