package simdnn

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packedZeros are the shares of zero bytes the packed tests draw from:
// none, half, MNIST's 81 %, all.
var packedZeros = []float64{0, 0.5, 0.81, 1}

// comparePacked packs srcRows rows of k bytes, zeros of them zero, and
// holds the result to the reference: the offsets and packed bytes are
// the generic packing's, the padding is zero, and PackedRows.Dequantize of
// m rows (the last first, then in order, repeated, at random) is
// DequantizeRows of the plain bytes, bit for bit (a NaN matches any NaN).
// The plain and packed bytes, the rows and dst all come from pl.
func comparePacked(t testing.TB, pl placement, r *rand.Rand, m, k, srcRows int, zeros, div float32) {
	t.Helper()
	src := pl.u8(0, srcRows*k)
	for i := range src {
		src[i] = 0
		if r.Float32() >= zeros {
			src[i] = uint8(1 + r.IntN(255))
		}
	}
	srcWas := clone(src)
	p, err := PackRowsWith(src, k, func(n int) []uint8 { return pl.u8(3, n) })
	require.NoError(t, err)
	require.Equal(t, srcWas, src, "%s k=%d: PackRows changed its source", pl.name(), k)
	require.Equal(t, srcRows, p.Len())
	require.Equal(t, k, p.Width())
	counts := make([]uint32, srcRows)
	nonZeroRowsGeneric(counts, src, k)
	require.Zero(t, p.off[0])
	for row, c := range counts {
		require.Equal(t, uint32(packedMasks(k))+c, p.off[row+1]-p.off[row], "%s %s k=%d: packed size of row %d", Impl(), pl.name(), k, row)
	}
	size := int(p.off[srcRows])
	require.Len(t, p.data, size+packedPad)
	want := make([]uint8, size)
	packRowsGeneric(want, p.off, src, k)
	if !bytes.Equal(want, p.data[:size]) {
		t.Fatalf("%s %s rows=%d k=%d zeros=%g: packed bytes differ from the reference's", Impl(), pl.name(), srcRows, k, zeros)
	}
	require.Equal(t, make([]uint8, packedPad), p.data[size:], "%s %s k=%d: padding", Impl(), pl.name(), k)

	dst, rows := pl.f32(1, m*k), pl.i32(2, m)
	pickRows(r, rows, srcRows)
	for i := range dst {
		dst[i] = fromBits(sentinel)
	}
	wantF := make([]float32, m*k)
	genericSet.dequantizeRows(wantF, clone(src), clone(rows), k, div)
	rowsWas := clone(rows)
	p.Prefetch(rows) // against guard pages too: touches nothing
	p.Dequantize(dst, rows, div)
	pl.verify(t)
	require.Equal(t, rowsWas, rows)
	for i := range dst {
		if !sameBits(dst[i], wantF[i]) {
			t.Fatalf("%s %s m=%d k=%d zeros=%g: Dequantize(/ %g): dst[%d] = %g, DequantizeRows %g", Impl(), pl.name(), m, k, zeros, div, i, dst[i], wantF[i])
		}
	}
}

// runPackedSweep packs and gathers every k from 1 to 149 with m in ms, at
// every share of zeros in turn and divisor 255 (the trainer's, the
// assembly's fast path) or another, and a few larger shapes.
func runPackedSweep(t *testing.T, pl placement, ms []int) {
	r := rand.New(rand.NewPCG(uint64(len(pl.name())), 98))
	for _, m := range ms {
		for k := 1; k < 150; k++ {
			zeros := float32(packedZeros[(m+k)%len(packedZeros)])
			comparePacked(t, pl, r, m, k, m%5+1, zeros, 255)
			comparePacked(t, pl, r, m, k, m%5+1, zeros, dequantizeDivs[(m+k)%len(dequantizeDivs)])
		}
	}
	for _, zeros := range packedZeros {
		for _, div := range dequantizeDivs {
			comparePacked(t, pl, r, 9, 784, 20, float32(zeros), div)
		}
		comparePacked(t, pl, r, 2, 4099, 3, float32(zeros), 255)
		comparePacked(t, pl, r, 300, 784, 1000, float32(zeros), 255)
	}
}

// TestPackedSweep runs the packed rows at byte offsets 0–7, on every
// implementation (TestPackedGuardPages puts them against guard pages).
func TestPackedSweep(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for off := range 8 {
			runPackedSweep(t, &offsetPlacement{off: off}, fewRows[:10])
		}
	})
}

// TestPackRowsEdges: no rows, all-zero and all-non-zero rows, the 4 GiB
// limit, and the panics of wrong arguments.
func TestPackRowsEdges(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		p, err := PackRows(nil, 5)
		require.NoError(t, err)
		assert.Zero(t, p.Len())
		assert.Equal(t, 5, p.Width())
		p.Dequantize(nil, nil, 255)
		p.Prefetch(nil)

		var zero PackedRows
		assert.Zero(t, zero.Len())
		zero.Dequantize(nil, nil, 255)
		zero.Prefetch(nil)

		p, err = PackRows(make([]uint8, 3*100), 100) // all zeros: masks only
		require.NoError(t, err)
		assert.Equal(t, 3*packedMasks(100)+packedPad+4*4, p.Size())
		full := bytes.Repeat([]uint8{7}, 3*100)
		p, err = PackRows(full, 100)
		require.NoError(t, err)
		assert.Equal(t, 3*(packedMasks(100)+100)+packedPad+4*4, p.Size())

		defer func(l int) { packedLimit = l }(packedLimit)
		packedLimit = 250
		_, err = PackRows(full, 100)
		require.ErrorContains(t, err, "simdnn.PackRows: rows 0 to 2 of 3 take 342 bytes packed, more than 250")
		packedLimit = 50
		_, err = PackRows(full, 100)
		require.ErrorContains(t, err, "simdnn.PackRows: rows of 100 bytes are too long to pack (at most 50)")
	})
	p, _ := PackRows(make([]uint8, 6), 3)
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"k 0", "simdnn.PackRows: 6 bytes are not rows of k = 0 bytes", func() { PackRows(make([]uint8, 6), 0) }},
		{"ragged", "simdnn.PackRows: 7 bytes are not rows of k = 3 bytes", func() { PackRows(make([]uint8, 7), 3) }},
		{"alloc", "simdnn.PackRowsWith: alloc(68) returned 10 bytes", func() {
			PackRowsWith(make([]uint8, 6), 3, func(int) []uint8 { return make([]uint8, 10) })
		}},
		{"dst", "simdnn.PackedRows.Dequantize: len(dst) = 5, want 6", func() { p.Dequantize(make([]float32, 5), []int32{0, 1}, 255) }},
		{"row", "simdnn.PackedRows.Dequantize: rows[1] = 2, want in [0, 2)", func() { p.Dequantize(make([]float32, 6), []int32{0, 2}, 255) }},
		{"negative row", "simdnn.PackedRows.Prefetch: rows[0] = -1, want in [0, 2)", func() { p.Prefetch([]int32{-1}) }},
	} {
		require.PanicsWithValue(t, c.want, c.f, c.name)
	}
}

// TestPackedNative: the implementations that say they gather packed rows
// in assembly are the ones that do.
func TestPackedNative(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		assert.Equal(t, Impl() == "avx512", PackedNative())
	})
}

func FuzzPackedRows(f *testing.F) {
	f.Add(uint8(0), uint16(1), uint8(0), []byte{0, 0, 0x7f, 0x43})
	f.Add(uint8(9), uint16(17), uint8(200), []byte{0, 0, 0xc0, 0x7f})
	f.Add(uint8(3), uint16(300), uint8(255), []byte{1, 0, 0, 0})
	f.Add(uint8(130), uint16(63), uint8(128), []byte{0, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, m uint8, k uint16, zeros uint8, div []byte) {
		d := []float32{255}
		bytesFiller(div, false)(rand.New(rand.NewPCG(4, 4)), d)
		M, K := int(m%40), int(k%1000)+1
		forEachImplFuzz(t, func() {
			comparePacked(t, &offsetPlacement{off: int(m >> 5)}, rand.New(rand.NewPCG(5, 5)), M, K, int(m%7)+1, float32(zeros)/255, d[0])
		})
	})
}
