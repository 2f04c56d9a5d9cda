package simdnn

import (
	"math/rand/v2"
	"testing"
)

// bytesFiller decodes inputs from fuzz data, four bytes a float, cycling
// through data. For dense kernels (clamp) exponents are capped at 2^56 so
// that no sum of products overflows, where fused and unfused arithmetic
// could disagree; NaN and ±Inf pass through.
func bytesFiller(data []byte, clamp bool) filler {
	pos := 0
	return func(r *rand.Rand, s []float32) {
		for i := range s {
			if len(data) == 0 {
				s[i] = float32(r.Float64()*2 - 1)
				continue
			}
			var bits uint32
			for b := range 4 {
				bits |= uint32(data[(pos+b)%len(data)]) << (8 * b)
			}
			pos += 4
			if e := bits >> 23 & 0xff; clamp && e != 0xff && e > 127+56 {
				bits = bits&^(0xff<<23) | (127+56)<<23
			}
			s[i] = fromBits(bits)
		}
	}
}

func forEachImplFuzz(t *testing.T, f func()) {
	prev := Impl()
	defer SetImpl(prev)
	names := Impls()
	if len(names) > 1 {
		names = names[:len(names)-1] // generic against itself proves nothing
	}
	for _, name := range names {
		if err := SetImpl(name); err != nil {
			t.Fatal(err)
		}
		f()
	}
}

func FuzzDense(f *testing.F) {
	f.Add(uint8(3), uint8(5), uint8(7), uint8(1), []byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f})
	f.Add(uint8(16), uint8(33), uint8(15), uint8(2), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(1), uint8(0), uint8(9), uint8(7), []byte{0, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff, 0, 0, 0, 0x80})
	f.Add(uint8(9), uint8(17), uint8(31), uint8(4), []byte{0xff, 0xff, 0x7f, 0x7f, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, m, k, n, flags uint8, data []byte) {
		M, K, N := int(m%48), int(k%64), int(n%48)
		forEachImplFuzz(t, func() {
			pl := &offsetPlacement{off: int(flags >> 2 % 8)}
			r := rand.New(rand.NewPCG(1, 1))
			compareDenseForward(t, pl, r, bytesFiller(data, true), M, K, N, flags&1 != 0)
			compareDenseBackward(t, pl, r, bytesFiller(data, true), M, K, N, flags&2 != 0)
		})
	})
}

func FuzzSoftmaxCrossEntropy(f *testing.F) {
	f.Add(uint8(3), uint8(10), uint8(0), []byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f})
	f.Add(uint8(1), uint8(1), uint8(1), []byte{0, 0, 0x80, 0xff})
	f.Add(uint8(7), uint8(17), uint8(3), []byte{0xff, 0xff, 0x7f, 0x7f, 0xff, 0xff, 0x7f, 0xff, 0, 0, 0x80, 0x7f})
	f.Add(uint8(2), uint8(33), uint8(6), []byte{0x99, 0x42, 0xb1, 0x42, 0x55, 0x12, 0xd0, 0xc2})
	f.Fuzz(func(t *testing.T, m, n, flags uint8, data []byte) {
		M, N := int(m%40), int(n%40)+1
		forEachImplFuzz(t, func() {
			pl := &offsetPlacement{off: int(flags >> 1 % 8)}
			compareSoftmaxXent(t, pl, rand.New(rand.NewPCG(2, 2)), bytesFiller(data, false), M, N, flags&1 != 0)
		})
	})
}

func FuzzElementwise(f *testing.F) {
	f.Add(uint16(0), []byte{})
	f.Add(uint16(37), []byte{0, 0, 0xc0, 0x7f, 0, 0, 0, 0x80, 1, 0, 0, 0})
	f.Add(uint16(300), []byte{0xff, 0xff, 0x7f, 0x7f, 0, 0, 0x80, 0xff})
	f.Fuzz(func(t *testing.T, n uint16, data []byte) {
		forEachImplFuzz(t, func() {
			compareElementwise(t, &offsetPlacement{off: int(n % 8)}, rand.New(rand.NewPCG(3, 3)), bytesFiller(data, true), int(n%2048))
		})
	})
}

func FuzzDequantizeRows(f *testing.F) {
	f.Add(uint8(0), uint16(0), []byte{0, 0, 0x7f, 0x43})
	f.Add(uint8(9), uint16(17), []byte{0, 0, 0xc0, 0x7f})
	f.Add(uint8(3), uint16(300), []byte{1, 0, 0, 0})
	f.Add(uint8(130), uint16(63), []byte{0, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, m uint8, k uint16, div []byte) {
		d := []float32{255}
		bytesFiller(div, false)(rand.New(rand.NewPCG(4, 4)), d)
		M, K := int(m%40), int(k%1000)
		forEachImplFuzz(t, func() {
			compareDequantize(t, &offsetPlacement{off: int(m >> 5)}, rand.New(rand.NewPCG(4, 4)), M, K, int(m%7)+1, d[0])
		})
	})
}
