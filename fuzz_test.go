package simdnn

import (
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// The fuzz targets decode their inputs from the fuzz data
// (testmem.Bytes) and hold every assembly implementation to the
// reference, each input on each implementation as a subtest.

func FuzzDense(f *testing.F) {
	f.Add(uint8(3), uint8(5), uint8(7), uint8(1), []byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f})
	f.Add(uint8(16), uint8(33), uint8(15), uint8(2), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(uint8(1), uint8(0), uint8(9), uint8(7), []byte{0, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff, 0, 0, 0, 0x80})
	f.Add(uint8(9), uint8(17), uint8(31), uint8(4), []byte{0xff, 0xff, 0x7f, 0x7f, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, m, k, n, flags uint8, data []byte) {
		M, K, N := int(m%48), int(k%64), int(n%48)
		impltest.RunAsm(t, func(t *testing.T) {
			pl := &testmem.Offset{Off: int(flags >> 2 % 8)}
			r := rand.New(rand.NewPCG(1, 1))
			compareDenseForward(t, pl, r, testmem.Bytes(data, true), M, K, N, flags&1 != 0)
			compareDenseBackward(t, pl, r, testmem.Bytes(data, true), M, K, N, flags&2 != 0)
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
		impltest.RunAsm(t, func(t *testing.T) {
			pl := &testmem.Offset{Off: int(flags >> 1 % 8)}
			compareSoftmaxXent(t, pl, rand.New(rand.NewPCG(2, 2)), testmem.Bytes(data, false), M, N, flags&1 != 0)
		})
	})
}

func FuzzElementwise(f *testing.F) {
	f.Add(uint16(0), []byte{})
	f.Add(uint16(37), []byte{0, 0, 0xc0, 0x7f, 0, 0, 0, 0x80, 1, 0, 0, 0})
	f.Add(uint16(300), []byte{0xff, 0xff, 0x7f, 0x7f, 0, 0, 0x80, 0xff})
	f.Fuzz(func(t *testing.T, n uint16, data []byte) {
		impltest.RunAsm(t, func(t *testing.T) {
			pl, r, fill := &testmem.Offset{Off: int(n % 8)}, rand.New(rand.NewPCG(3, 3)), testmem.Bytes(data, true)
			for _, compare := range elementwiseCompares {
				compare(t, pl, r, fill, int(n%2048))
			}
		})
	})
}
