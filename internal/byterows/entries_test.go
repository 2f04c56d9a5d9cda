package byterows

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// randomBytes fills src with bytes zero at the share zeros, the others
// from 1 to 255.
func randomBytes(r *rand.Rand, src []uint8, zeros float32) {
	for i := range src {
		src[i] = 0
		if r.Float32() >= zeros {
			src[i] = uint8(1 + r.IntN(255))
		}
	}
}

// TestEntriesHand: two rows of five bytes by hand.
func TestEntriesHand(t *testing.T) {
	src := []uint8{0, 7, 0, 0, 255, 0, 0, 0, 0, 0}
	e, err := NewEntries(src, 5, math.MaxUint64)
	require.NoError(t, err)
	assert.Equal(t, 2, e.Len())
	assert.Equal(t, 5, e.Width())
	assert.Equal(t, 2, e.Count())
	assert.Equal(t, []uint32{1<<8 | 7, 4<<8 | 255}, e.row(0))
	assert.Empty(t, e.row(1))
	impltest.Run(t, func(t *testing.T) {
		w := []float32{ // 5 × 2
			100, 200,
			1, 2,
			100, 200,
			100, 200,
			3, 4,
		}
		y := make([]float32, 3*2)
		e.Forward(y, w, []float32{0.5, -1}, []int32{0, 1, 0}, 2, 1)
		assert.Equal(t, []float32{0.5 + 7 + 765, -1 + 14 + 1020, 0.5, -1, 0.5 + 7 + 765, -1 + 14 + 1020}, y)
		dw := make([]float32, 5*2)
		for i := range dw {
			dw[i] = 9 // Grad sets every element
		}
		e.Grad(dw, []float32{1, 2, 3, 4, 5, 6}, []int32{0, 1, 0}, 2, 1)
		assert.Equal(t, []float32{0, 0, 7 * 6, 7 * 8, 0, 0, 0, 0, 255 * 6, 255 * 8}, dw)
	})
}

// TestNewEntries: the entries of random rows at every share of zeros are
// their non-zero bytes in order, at widths across the 8-byte steps, on
// every implementation (each fills them its own way).
func TestNewEntries(t *testing.T) {
	impltest.Run(t, testNewEntries)
}

func testNewEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{0, 1, 7, 8, 9, 16, 63, 784} {
		for _, zeros := range packedZeros {
			rows := 5
			if k == 0 {
				rows = 0 // no bytes, no rows
			}
			src := make([]uint8, rows*k)
			randomBytes(r, src, float32(zeros))
			e, err := NewEntries(src, k, math.MaxUint64)
			require.NoError(t, err)
			require.Equal(t, rows, e.Len())
			total := 0
			for row := range rows {
				want := []uint32{}
				for c, b := range src[row*k : row*k+k] {
					if b != 0 {
						want = append(want, uint32(c)<<8|uint32(b))
					}
				}
				total += len(want)
				require.Equal(t, want, slices.Clip(e.row(int32(row))), "k=%d zeros=%g row %d", k, zeros, row)
			}
			require.Equal(t, total, e.Count())
		}
	}
	_, err := NewEntries(nil, MaxEntriesWidth, math.MaxUint64)
	require.ErrorContains(t, err, "too wide")
	e, err := NewEntries([]uint8{0, 1, 2, 0}, 2, 4*(3+2+8))
	require.NoError(t, err, "at the limit")
	require.Equal(t, 2, e.Count())
	_, err = NewEntries([]uint8{0, 1, 2, 0}, 2, 4*(3+2+8)-1)
	require.EqualError(t, err, "byterows: the entries of 2 rows (2 non-zero bytes) would take 52 bytes, more than the 51 allowed")
	testmem.Panics(t, map[string]func(){
		"byterows.NewEntries: len(src) = 5, not a multiple of k = 2": func() { NewEntries(make([]uint8, 5), 2, math.MaxUint64) },
		"byterows.NewEntries: len(src) = 5, not a multiple of k = 0": func() { NewEntries(make([]uint8, 5), 0, math.MaxUint64) },
	})
}

// TestEntriesPanics: wrong lengths and rows are programmer errors.
func TestEntriesPanics(t *testing.T) {
	e, err := NewEntries(make([]uint8, 3*4), 4, math.MaxUint64)
	require.NoError(t, err)
	f := make([]float32, 100)
	testmem.Panics(t, map[string]func(){
		"byterows.Entries.Forward: len(y) = 7, want 8":          func() { e.Forward(f[:7], f[:8], f[:2], []int32{0, 1, 2, 0}, 2, 1) },
		"byterows.Entries.Forward: len(w) = 9, want 8":          func() { e.Forward(f[:8], f[:9], f[:2], []int32{0, 1, 2, 0}, 2, 1) },
		"byterows.Entries.Forward: len(b) = 1, want 2":          func() { e.Forward(f[:8], f[:8], f[:1], []int32{0, 1, 2, 0}, 2, 1) },
		"byterows.Entries.Forward: rows[1] = 3, want in [0, 3)": func() { e.Forward(f[:4], f[:8], f[:2], []int32{0, 3}, 2, 1) },
		"byterows.Entries.Forward: n = -1, want ≥ 0":            func() { e.Forward(nil, nil, nil, []int32{0}, -1, 1) },
		"byterows.Entries.Grad: len(dw) = 7, want 8":            func() { e.Grad(f[:7], f[:4], []int32{0, 1}, 2, 1) },
		"byterows.Entries.Grad: len(dy) = 5, want 4":            func() { e.Grad(f[:8], f[:5], []int32{0, 1}, 2, 1) },
		"byterows.Entries.Grad: rows[0] = -1, want in [0, 3)":   func() { e.Grad(f[:8], f[:2], []int32{-1}, 2, 1) },
		"byterows.Entries.Grad: n = -2, want ≥ 0":               func() { e.Grad(nil, nil, nil, -2, 1) },
	})
}

// placedEntries is e with its two lists copied into pl's memory (roles
// 6 and 7), where the assembly's reads past them show.
func placedEntries(pl testmem.Placement, e *Entries) *Entries {
	s, l := pl.I32(6, len(e.start)), pl.I32(7, len(e.e))
	p := &Entries{k: e.k, id: e.id, start: unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), e: unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(l))), len(l))}
	copy(p.start, e.start)
	copy(p.e, e.e)
	return p
}

// entriesWidths are the widths n of the sweep: the assembly's strips of
// 16 and 8 and the Go loop of other widths.
var entriesWidths = []int{0, 1, 5, 8, 16, 24, 32, 40, 48, 56, 64}

// compareEntries holds Forward and Grad to the Go loop of fused
// multiply-adds (entriesForwardFused, entriesGradFused) bit for bit (a
// NaN matches any NaN) on m rows of k bytes picked from srcRows rows, n
// wide, the floats drawn by fill.
func compareEntries(t testing.TB, pl testmem.Placement, r *rand.Rand, m, k, n, srcRows int, zeros, div float32, fill testmem.Filler) {
	t.Helper()
	src := make([]uint8, srcRows*k)
	randomBytes(r, src, zeros)
	e0, err := NewEntries(src, k, math.MaxUint64)
	require.NoError(t, err)
	e := placedEntries(pl, e0)
	rows, w, b, dy := pl.I32(2, m), pl.F32(3, k*n), pl.F32(4, n), pl.F32(5, m*n)
	pickRows(r, rows, srcRows)
	fill(r, w)
	fill(r, b)
	fill(r, dy)
	q := quotientTable(div)
	wantY, wantDW := make([]float32, m*n), make([]float32, k*n)
	entriesForwardFused(wantY, testmem.Clone(w), testmem.Clone(b), e0, testmem.Clone(rows), n, &q)
	entriesGradFused(wantDW, testmem.Clone(dy), e0, testmem.Clone(rows), n, &q)

	y := pl.F32(1, m*n)
	e.Forward(y, w, b, rows, n, div)
	pl.Verify(t)
	for i := range y {
		if !testmem.SameBits(y[i], wantY[i]) {
			t.Fatalf("%s %s m=%d k=%d n=%d zeros=%g /%g: Forward y[%d] = %g, want %g", implName(), pl.Name(), m, k, n, zeros, div, i, y[i], wantY[i])
		}
	}
	dw := pl.F32(1, k*n)
	for i := range dw {
		dw[i] = testmem.FromBits(testmem.Sentinel)
	}
	e.Grad(dw, dy, rows, n, div)
	pl.Verify(t)
	for i := range dw {
		if !testmem.SameBits(dw[i], wantDW[i]) {
			t.Fatalf("%s %s m=%d k=%d n=%d zeros=%g /%g: Grad dw[%d] = %g, want %g", implName(), pl.Name(), m, k, n, zeros, div, i, dw[i], wantDW[i])
		}
	}
}

// entriesKernel is the products over entries in the sweep, on the
// implementations whose products fuse (all but generic, whose Go loop
// adds as its dense kernels add: TestEntriesDense holds it to those).
var entriesKernel = testmem.Kernel[pass]{Name: "Entries", Run: func(t *testing.T, pl testmem.Placement, r *rand.Rand, p pass) {
	if impl.Active() == impl.Generic {
		return
	}
	fill := testmem.Uniform
	if p.allDivs {
		fill = testmem.Special([]float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1e-45, 3e38})
	}
	for _, m := range p.ms {
		for k := 1; k < 40; k++ { // entries of rows of no bytes have no rows
			n := entriesWidths[(m+k)%len(entriesWidths)]
			zeros := float32(packedZeros[(m+k/3)%len(packedZeros)])
			for _, div := range p.divs(m, k) {
				compareEntries(t, pl, r, m, k, n, m%5+1, zeros, div, fill)
			}
		}
		for _, n := range entriesWidths {
			compareEntries(t, pl, r, m, 97, n, 7, 0.81, 255, fill)
		}
	}
	compareEntries(t, pl, r, 256, 784, 16, 600, 0.81, 255, fill)
	compareEntries(t, pl, r, 300, 784, 40, 600, 0.5, 255, fill)
}}

// TestEntriesDense: on every implementation, Forward is DenseForward
// and Grad DenseBackward's dw on the dequantized rows, bit for bit, where
// the documents say so (b with no −0, w and dy finite, values far from
// the denormals), at MNIST's shares of zeros and others.
func TestEntriesDense(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		ks := simdnn.ActiveKernels()
		for _, c := range []struct {
			m, k, n int
			zeros   float32
		}{{256, 784, 16, 0.81}, {256, 784, 8, 0.9}, {100, 784, 32, 0.5}, {33, 50, 24, 0.3}, {7, 9, 5, 0}, {5, 20, 16, 1}, {1, 1, 8, 0.5}} {
			src := make([]uint8, 300*c.k)
			randomBytes(r, src, c.zeros)
			e, err := NewEntries(src, c.k, math.MaxUint64)
			require.NoError(t, err)
			rows := make([]int32, c.m)
			pickRows(r, rows, 300)
			x := make([]float32, c.m*c.k)
			Dequantize(x, src, rows, c.k, 255)
			w, b, dy := make([]float32, c.k*c.n), make([]float32, c.n), make([]float32, c.m*c.n)
			testmem.Uniform(r, w)
			testmem.Uniform(r, b)
			testmem.Uniform(r, dy)
			want, got := make([]float32, c.m*c.n), make([]float32, c.m*c.n)
			ks.DenseForward(want, x, w, b, c.m, c.k, c.n, false)
			e.Forward(got, w, b, rows, c.n, 255)
			require.Equal(t, f32bits(want), f32bits(got), "%s %d×%d×%d: Forward", implName(), c.m, c.k, c.n)
			wantDW, gotDW, db := make([]float32, c.k*c.n), make([]float32, c.k*c.n), make([]float32, c.n)
			ks.DenseBackward(wantDW, db, nil, x, w, dy, c.m, c.k, c.n)
			e.Grad(gotDW, dy, rows, c.n, 255)
			require.Equal(t, f32bits(wantDW), f32bits(gotDW), "%s %d×%d×%d: Grad", implName(), c.m, c.k, c.n)
		}
	})
}

// f32bits is the bits of each value of s.
func f32bits(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

// BenchmarkNewEntries makes the entries of 10000 rows of 784 bytes at
// MNIST's share of zeros.
func BenchmarkNewEntries(b *testing.B) {
	src := make([]uint8, 10000*784)
	randomBytes(rand.New(rand.NewPCG(1, 1)), src, 0.81)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := NewEntries(src, 784, math.MaxUint64); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzEntries holds the products over entries to the fused Go loop on
// fuzzed shapes, shares of zeros, divisors and floats (weights, biases
// and output gradients decoded from the fuzz data: NaN, infinities and
// denormals among them).
func FuzzEntries(f *testing.F) {
	f.Add(uint8(0), uint16(1), uint8(0), uint8(16), []byte{0, 0, 0x7f, 0x43})
	f.Add(uint8(9), uint16(17), uint8(200), uint8(8), []byte{0, 0, 0xc0, 0x7f, 1, 0, 0, 0})
	f.Add(uint8(33), uint16(784), uint8(207), uint8(16), []byte{0, 0, 0x80, 0xff, 0, 0, 0, 0x80})
	f.Add(uint8(130), uint16(63), uint8(128), uint8(40), []byte{0xff, 0xff, 0x7f, 0x7f})
	f.Fuzz(func(t *testing.T, m uint8, k uint16, zeros, n uint8, data []byte) {
		d := []float32{255}
		testmem.Bytes(data, false)(rand.New(rand.NewPCG(6, 6)), d)
		M, K, N := int(m%40), int(k%1000)+1, int(n%50)
		impltest.RunAsm(t, func(t *testing.T) {
			if impl.Active() == impl.Generic {
				return // its Go loop adds as generic's dense kernels do: TestEntriesDense
			}
			compareEntries(t, &testmem.Offset{Off: int(m >> 5)}, rand.New(rand.NewPCG(7, 7)), M, K, N, int(m%7)+1, float32(zeros)/255, d[0], testmem.Bytes(data, false))
		})
	})
}
