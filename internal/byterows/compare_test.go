package byterows

// The tests in this file hold every implementation to the reference: the
// active implementation gathers rows placed in memory chosen by a
// placement (odd offsets with guard values around every slice, or flush
// against a PROT_NONE page; internal/testmem) and must agree, bit for
// bit, with genericSet run on copies of the same rows in ordinary memory.

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// implName names the active implementation.
func implName() string { return impl.Name(impl.Active()) }

// dequantizeDivs are the divisors the gathers are held to: MNIST's 255,
// exact and inexact quotients, overflow, denormals, zeros, NaN and ±Inf.
var dequantizeDivs = []float32{255, 1, 3, 0.1, -7, 1e-40, 1e-44, 3e-39, 1e38, 3.4e38,
	0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}

// pickRows fills rows, a gather's row list from srcRows rows: the last row
// first, then rows in order, repeated and at random.
func pickRows(r *rand.Rand, rows []int32, srcRows int) {
	for i := range rows {
		switch {
		case i == 0:
			rows[i] = int32(srcRows - 1)
		case i%3 == 1:
			rows[i] = int32(i % srcRows)
		default:
			rows[i] = int32(r.IntN(srcRows))
		}
	}
}

// compareDequantize holds Dequantize to the reference bit for bit (a NaN
// matches any NaN; both divide once, correctly rounded) on m rows of k
// gathered from a source of srcRows rows (pickRows). The source counts
// through every byte value. Prefetch of the same rows, against guard
// pages too, must touch nothing outside them and change nothing.
func compareDequantize(t testing.TB, pl testmem.Placement, r *rand.Rand, m, k, srcRows int, div float32) {
	t.Helper()
	src, dst, rows := pl.U8(0, srcRows*k), pl.F32(1, m*k), pl.I32(2, m)
	off := r.IntN(256)
	for i := range src {
		src[i] = uint8(i + off)
	}
	pickRows(r, rows, srcRows)
	for i := range dst {
		dst[i] = testmem.FromBits(testmem.Sentinel)
	}
	want := make([]float32, m*k)
	genericSet.dequantize(want, testmem.Clone(src), testmem.Clone(rows), k, div)
	srcWas, rowsWas := testmem.Clone(src), testmem.Clone(rows)
	Prefetch(src, rows, k)
	if !slices.Equal(src, srcWas) || !slices.Equal(rows, rowsWas) {
		t.Fatalf("%s m=%d k=%d: Prefetch changed its arguments", pl.Name(), m, k)
	}
	Dequantize(dst, src, rows, k, div)
	pl.Verify(t)
	for i := range dst {
		if !testmem.SameBits(dst[i], want[i]) {
			t.Fatalf("%s %s m=%d k=%d: Dequantize(/ %g): dst[%d] = %g, reference %g", implName(), pl.Name(), m, k, div, i, dst[i], want[i])
		}
	}
}

// packedZeros are the shares of zero bytes the packed tests draw from:
// none, half, MNIST's 81 %, all.
var packedZeros = []float64{0, 0.5, 0.81, 1}

// comparePacked packs srcRows rows of k bytes, zeros of them zero, and
// holds the result to the reference: the offsets and packed bytes are
// the generic packing's, the padding is zero, and Packed.Dequantize of
// m rows (pickRows) is Dequantize of the plain bytes by the reference,
// bit for bit (a NaN matches any NaN). The plain and packed bytes, the
// rows and dst all come from pl.
func comparePacked(t testing.TB, pl testmem.Placement, r *rand.Rand, m, k, srcRows int, zeros, div float32) {
	t.Helper()
	src := pl.U8(0, srcRows*k)
	for i := range src {
		src[i] = 0
		if r.Float32() >= zeros {
			src[i] = uint8(1 + r.IntN(255))
		}
	}
	srcWas := testmem.Clone(src)
	p, err := PackWith(src, k, func(n int) []uint8 { return pl.U8(3, n) })
	require.NoError(t, err)
	require.Equal(t, srcWas, src, "%s k=%d: Pack changed its source", pl.Name(), k)
	require.Equal(t, srcRows, p.Len())
	require.Equal(t, k, p.Width())
	counts := make([]uint32, srcRows)
	nonZeroRowsGeneric(counts, src, k)
	require.Zero(t, p.off[0])
	for row, c := range counts {
		require.Equal(t, uint32(packedMasks(k))+c, p.off[row+1]-p.off[row], "%s %s k=%d: packed size of row %d", implName(), pl.Name(), k, row)
	}
	size := int(p.off[srcRows])
	require.Len(t, p.data, size+packedPad)
	want := make([]uint8, size)
	packRowsGeneric(want, p.off, src, k)
	if !bytes.Equal(want, p.data[:size]) {
		t.Fatalf("%s %s rows=%d k=%d zeros=%g: packed bytes differ from the reference's", implName(), pl.Name(), srcRows, k, zeros)
	}
	require.Equal(t, make([]uint8, packedPad), p.data[size:], "%s %s k=%d: padding", implName(), pl.Name(), k)

	dst, rows := pl.F32(1, m*k), pl.I32(2, m)
	pickRows(r, rows, srcRows)
	for i := range dst {
		dst[i] = testmem.FromBits(testmem.Sentinel)
	}
	wantF := make([]float32, m*k)
	genericSet.dequantize(wantF, testmem.Clone(src), testmem.Clone(rows), k, div)
	rowsWas := testmem.Clone(rows)
	p.Prefetch(rows) // against guard pages too: touches nothing
	p.Dequantize(dst, rows, div)
	pl.Verify(t)
	require.Equal(t, rowsWas, rows)
	for i := range dst {
		if !testmem.SameBits(dst[i], wantF[i]) {
			t.Fatalf("%s %s m=%d k=%d zeros=%g: Packed.Dequantize(/ %g): dst[%d] = %g, Dequantize %g", implName(), pl.Name(), m, k, zeros, div, i, dst[i], wantF[i])
		}
	}
}

// fewRows is the row counts of the lighter sweeps: every remainder of
// the gathers' blocks of rows up to 9 and some larger counts, while k
// takes every value from 0 to 149.
var fewRows = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33}

// allRows is every row count from 0 to 33.
var allRows = func() []int {
	var s []int
	for m := range 34 {
		s = append(s, m)
	}
	return s
}()

// pass is one run of the sweep: where the slices go, the row counts,
// and whether every shape takes every divisor of dequantizeDivs (else
// 255, the trainer's and the assembly's fast path, and one other in
// turn).
type pass struct {
	testmem.Placer
	ms      []int
	allDivs bool
}

// divs are the divisors of shape m×k.
func (p pass) divs(m, k int) []float32 {
	if p.allDivs {
		return dequantizeDivs
	}
	return []float32{255, dequantizeDivs[(m+k)%len(dequantizeDivs)]}
}

// dequantizeKernel and packedKernel are the gathers of the sweep, over m
// rows from the pass, every k from 0 to 149 and a few larger shapes.
var dequantizeKernel = testmem.Kernel[pass]{Name: "Dequantize", Run: func(t *testing.T, pl testmem.Placement, r *rand.Rand, p pass) {
	for _, m := range p.ms {
		for k := range 150 {
			for _, div := range p.divs(m, k) {
				compareDequantize(t, pl, r, m, k, m%5+1, div)
			}
		}
	}
	for _, div := range dequantizeDivs {
		compareDequantize(t, pl, r, 9, 784, 20, div)
		compareDequantize(t, pl, r, 1, 4099, 1, div)
	}
}}

// packedKernel packs and gathers at every share of zeros in turn.
var packedKernel = testmem.Kernel[pass]{Name: "Packed", Run: func(t *testing.T, pl testmem.Placement, r *rand.Rand, p pass) {
	for _, m := range p.ms {
		for k := 1; k < 150; k++ {
			zeros := float32(packedZeros[(m+k)%len(packedZeros)])
			for _, div := range p.divs(m, k) {
				comparePacked(t, pl, r, m, k, m%5+1, zeros, div)
			}
		}
	}
	for _, zeros := range packedZeros {
		for _, div := range dequantizeDivs {
			comparePacked(t, pl, r, 9, 784, 20, float32(zeros), div)
		}
		comparePacked(t, pl, r, 2, 4099, 3, float32(zeros), 255)
		comparePacked(t, pl, r, 300, 784, 1000, float32(zeros), 255)
	}
}}

// runSweep runs the gathers over the passes on every implementation
// (impltest.Run), each a subtest of each implementation's
// (testmem.Sweep). Dequantize is compared with the reference itself,
// which on generic proves nothing: there it runs only when generic is
// all there is. Packed runs on every implementation: generic's packed
// gather is a loop of its own.
func runSweep(t *testing.T, passes ...pass) {
	impltest.Run(t, func(t *testing.T) {
		kernels := []testmem.Kernel[pass]{dequantizeKernel, packedKernel, colsKernel, entriesKernel}
		if impl.Active() == impl.Generic && len(impl.Names()) > 1 {
			kernels = kernels[1:]
		}
		testmem.Sweep(t, kernels, passes...)
	})
}

// TestSweepOffsets runs the gathers on every shape with slices at byte
// offsets 0–7 past a word and float offsets 0–7 from a 32-byte boundary,
// guard values around them.
func TestSweepOffsets(t *testing.T) {
	var passes []pass
	for off := range 8 {
		ms := fewRows
		if off == 3 {
			ms = allRows
		}
		passes = append(passes, pass{Placer: testmem.AtOffset(off), ms: ms})
	}
	runSweep(t, passes...)
}

// TestSweepSpecials runs every divisor (zeros, denormals, overflow, NaN,
// ±Inf among them) on every shape, at one offset: one placement's pass
// over all the assembly.
func TestSweepSpecials(t *testing.T) {
	runSweep(t, pass{Placer: testmem.AtOffset(5), ms: fewRows, allDivs: true})
}

// TestMNISTShapes gathers a tutorial batch of MNIST-sized rows, plain and
// packed at MNIST's share of zeros.
func TestMNISTShapes(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 7))
		pl := &testmem.Offset{Off: 1}
		compareDequantize(t, pl, r, 128, 784, 1000, 255)
		comparePacked(t, pl, r, 128, 784, 1000, 0.81, 255)
	})
}

func FuzzDequantize(f *testing.F) {
	f.Add(uint8(0), uint16(0), []byte{0, 0, 0x7f, 0x43})
	f.Add(uint8(9), uint16(17), []byte{0, 0, 0xc0, 0x7f})
	f.Add(uint8(3), uint16(300), []byte{1, 0, 0, 0})
	f.Add(uint8(130), uint16(63), []byte{0, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, m uint8, k uint16, div []byte) {
		d := []float32{255}
		testmem.Bytes(div, false)(rand.New(rand.NewPCG(4, 4)), d)
		M, K := int(m%40), int(k%1000)
		impltest.RunAsm(t, func(t *testing.T) {
			compareDequantize(t, &testmem.Offset{Off: int(m >> 5)}, rand.New(rand.NewPCG(4, 4)), M, K, int(m%7)+1, d[0])
		})
	})
}

func FuzzPacked(f *testing.F) {
	f.Add(uint8(0), uint16(1), uint8(0), []byte{0, 0, 0x7f, 0x43})
	f.Add(uint8(9), uint16(17), uint8(200), []byte{0, 0, 0xc0, 0x7f})
	f.Add(uint8(3), uint16(300), uint8(255), []byte{1, 0, 0, 0})
	f.Add(uint8(130), uint16(63), uint8(128), []byte{0, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, m uint8, k uint16, zeros uint8, div []byte) {
		d := []float32{255}
		testmem.Bytes(div, false)(rand.New(rand.NewPCG(4, 4)), d)
		M, K := int(m%40), int(k%1000)+1
		impltest.RunAsm(t, func(t *testing.T) {
			comparePacked(t, &testmem.Offset{Off: int(m >> 5)}, rand.New(rand.NewPCG(5, 5)), M, K, int(m%7)+1, float32(zeros)/255, d[0])
		})
	})
}
