package byterows

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// colSets are the column sets compareCols gathers: the columns not zero
// in the gathered rows (the trainer's), all, none, one at either end,
// every other, and a random half.
var colSets = []string{"nonzero", "all", "none", "first", "last", "alternate", "random"}

// pickCols sets cols, a column set of k columns, to the kind named.
func pickCols(r *rand.Rand, cols []uint64, k int, kind string, nonZero []uint64) {
	clear(cols)
	for c := range k {
		in := false
		switch kind {
		case "nonzero":
			in = nonZero[c/64]>>(c%64)&1 != 0
		case "all":
			in = true
		case "first":
			in = c == 0
		case "last":
			in = c == k-1
		case "alternate":
			in = c%2 == 1
		case "random":
			in = r.IntN(2) == 0
		}
		if in {
			cols[c/64] |= 1 << (c % 64)
		}
	}
}

// compareCols holds NonZeroCols and DequantizeCols, on the plain and on
// the packed bytes, to the reference: m rows (pickRows) of srcRows rows
// of k bytes, zeros of them zero. The column sets must be the
// reference's bit for bit, and every kind of column set (colSets) must
// gather the reference Dequantize's values of its columns in order (a
// NaN matches any NaN). Every slice comes from pl.
func compareCols(t testing.TB, pl testmem.Placement, r *rand.Rand, m, k, srcRows int, zeros, div float32) {
	t.Helper()
	src := pl.U8(0, srcRows*k)
	for i := range src {
		src[i] = 0
		if r.Float32() >= zeros {
			src[i] = uint8(1 + r.IntN(255))
		}
	}
	p, err := PackWith(src, k, func(n int) []uint8 { return pl.U8(3, n) })
	require.NoError(t, err)
	rows := pl.I32(2, m)
	pickRows(r, rows, srcRows)
	full := make([]float32, m*k)
	genericSet.dequantize(full, testmem.Clone(src), testmem.Clone(rows), k, div)

	want := make([]uint64, ColWords(k))
	nonZeroColsGeneric(want, testmem.Clone(src), testmem.Clone(rows), k)
	for c := range k {
		nz := false
		for i := range m {
			nz = nz || src[int(rows[i])*k+c] != 0
		}
		require.Equal(t, nz, want[c/64]>>(c%64)&1 != 0, "reference NonZeroCols, column %d", c)
	}
	for _, packed := range []bool{false, true} {
		got := make([]uint64, ColWords(k))
		for i := range got {
			got[i] = ^uint64(0) // stale bits must go
		}
		if packed {
			p.NonZeroCols(got, rows)
		} else {
			NonZeroCols(got, src, rows, k)
		}
		pl.Verify(t)
		require.Equal(t, want, got, "%s %s m=%d k=%d packed=%v: NonZeroCols", implName(), pl.Name(), m, k, packed)
	}

	cols := make([]uint64, ColWords(k))
	for _, kind := range colSets {
		pickCols(r, cols, k, kind, want)
		n := CountCols(cols)
		var wantF []float32
		for i := range m {
			for c := range k {
				if cols[c/64]>>(c%64)&1 != 0 {
					wantF = append(wantF, full[i*k+c])
				}
			}
		}
		for _, packed := range []bool{false, true} {
			dst := pl.F32(1, m*n)
			for i := range dst {
				dst[i] = testmem.FromBits(testmem.Sentinel)
			}
			if packed {
				p.DequantizeCols(dst, rows, cols, div)
			} else {
				DequantizeCols(dst, src, rows, k, cols, div)
			}
			pl.Verify(t)
			for i := range dst {
				if !testmem.SameBits(dst[i], wantF[i]) {
					t.Fatalf("%s %s m=%d k=%d zeros=%g cols=%s packed=%v: DequantizeCols(/ %g): dst[%d] = %g, reference %g",
						implName(), pl.Name(), m, k, zeros, kind, packed, div, i, dst[i], wantF[i])
				}
			}
		}
	}
}

// colsKernel gathers columns at every share of zeros in turn, k from 1
// to 149 and MNIST's 784.
var colsKernel = testmem.Kernel[pass]{Name: "Cols", Run: func(t *testing.T, pl testmem.Placement, r *rand.Rand, p pass) {
	for _, m := range p.ms {
		for k := 1; k < 150; k++ {
			zeros := float32(packedZeros[(m+k)%len(packedZeros)])
			for _, div := range p.divs(m, k) {
				compareCols(t, pl, r, m, k, m%5+1, zeros, div)
			}
		}
	}
	for _, zeros := range packedZeros {
		compareCols(t, pl, r, 9, 784, 20, float32(zeros), 255)
		compareCols(t, pl, r, 2, 4099, 3, float32(zeros), 255)
	}
}}

// TestMNISTCols gathers the kept columns of a block of 256 MNIST-sized
// rows, as the trainer does.
func TestMNISTCols(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		compareCols(t, &testmem.Offset{Off: 1}, rand.New(rand.NewPCG(8, 8)), 256, 784, 1000, 0.81, 255)
	})
}

// TestColsArgs: wrong lengths and stray bits panic, naming what is wrong.
func TestColsArgs(t *testing.T) {
	src := make([]uint8, 2*70)
	rows := []int32{0, 1}
	cols := make([]uint64, 2)
	assert.PanicsWithValue(t, "byterows.NonZeroCols: len(cols) = 1, want 2", func() { NonZeroCols(cols[:1], src, rows, 70) })
	cols[1] = 1 << 6
	assert.PanicsWithValue(t, "byterows.DequantizeCols: cols has bits set past column 70", func() {
		DequantizeCols(make([]float32, 2), src, rows, 70, cols, 255)
	})
	cols[1] = 1 << 5
	assert.PanicsWithValue(t, "byterows.DequantizeCols: len(dst) = 3, want 2", func() {
		DequantizeCols(make([]float32, 3), src, rows, 70, cols, 255)
	})
	p, err := Pack(src, 70)
	require.NoError(t, err)
	assert.PanicsWithValue(t, "byterows.Packed.DequantizeCols: len(dst) = 0, want 2", func() {
		p.DequantizeCols(nil, rows, cols, 255)
	})
	assert.PanicsWithValue(t, "byterows.Packed.NonZeroCols: rows[1] = 5, want in [0, 2)", func() {
		p.NonZeroCols(cols, []int32{0, 5})
	})
}

// TestColChunks plans runs as the avx2 gather's chunks of 8 columns: a
// run of 8 or more in whole chunks with the last ending on the run's
// end, a shorter one in one chunk, and no plan (0) when a short run's 8
// bytes would cross the row's end or the chunks would not fit.
func TestColChunks(t *testing.T) {
	chunks := make([]int32, 2*maxChunks)
	for _, c := range []struct {
		runs []int32
		k    int
		want []int32
	}{
		{[]int32{0, 8}, 8, []int32{0, 0}},
		{[]int32{0, 9}, 9, []int32{0, 0, 1, 1}},
		{[]int32{3, 16}, 40, []int32{3, 0, 11, 8}},
		{[]int32{3, 17}, 40, []int32{3, 0, 11, 8, 12, 9}},
		{[]int32{1, 2, 5, 20, 30, 1}, 40, []int32{1, 0, 5, 2, 13, 10, 17, 14, 30, 22}},
		{[]int32{0, 1, 32, 1}, 40, []int32{0, 0, 32, 1}},      // the last short run's bytes end on the row's
		{[]int32{0, 1, 33, 1}, 40, nil},                       // and one further would cross it
		{[]int32{0, 3}, 7, nil},                               // a row shorter than a chunk
		{[]int32{10, 8*maxChunks + 1}, 8*maxChunks + 20, nil}, // one chunk too many
	} {
		n := colChunks(chunks, c.runs, c.k)
		require.Equal(t, len(c.want)/2, n, "runs %v k=%d", c.runs, c.k)
		if n > 0 {
			require.Equal(t, c.want, chunks[:2*n], "runs %v k=%d", c.runs, c.k)
		}
	}
	// As many chunks as fit: a long run and a short one.
	runs := []int32{10, 8 * (maxChunks - 1), 8*maxChunks + 20, 1}
	n := colChunks(chunks, runs, 8*maxChunks+30)
	require.Equal(t, maxChunks, n)
	require.Equal(t, []int32{8*maxChunks + 20, 8 * (maxChunks - 1)}, chunks[2*n-2:2*n], "the last chunk")
	// Room for fewer chunks than a plan needs, running out inside a long
	// run (room 1 of 3), at its last chunk (2 of 3) and at a short run (3
	// of 4): no plan; with room for all, the plan.
	for _, c := range []struct {
		runs       []int32
		room, need int
	}{{[]int32{0, 24}, 1, 3}, {[]int32{0, 24}, 2, 3}, {[]int32{0, 24, 30, 3}, 3, 4}} {
		require.Zero(t, colChunks(chunks[:2*c.room], c.runs, 40), "runs %v in %d chunks", c.runs, c.room)
		require.Equal(t, c.need, colChunks(chunks[:2*c.need], c.runs, 40), "runs %v in %d chunks", c.runs, c.need)
	}
}

// TestNonZeroBytes holds nonZeroBytes to a byte-by-byte count: every
// value in every byte alone, and words of random bytes with random ones
// zero (so every pattern of zero bytes comes up).
func TestNonZeroBytes(t *testing.T) {
	want := func(a uint64) (m uint8) {
		for j := range 8 {
			if a>>(8*j)&0xff != 0 {
				m |= 1 << j
			}
		}
		return m
	}
	for j := range 8 {
		for v := range uint64(256) {
			a := v << (8 * j)
			require.Equal(t, want(a), nonZeroBytes(a), "%#016x", a)
			a |= ^(uint64(0xff) << (8 * j)) // the other bytes all ones
			require.Equal(t, want(a), nonZeroBytes(a), "%#016x", a)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		a := r.Uint64() &^ (0xff * spread(uint8(r.Uint32()))) // the bytes of a random pattern zero
		require.Equal(t, want(a), nonZeroBytes(a), "%#016x", a)
	}
}

// spread returns a word whose byte j is 1 when bit j of b is set.
func spread(b uint8) uint64 {
	var w uint64
	for j := range 8 {
		w |= uint64(b>>j&1) << (8 * j)
	}
	return w
}
