//go:build !purego && amd64

package simdnn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/testmem"
)

// TestAVX2TileMasks runs the avx2 tiles where TestTiles does not reach:
// masks that are not the first cw columns (the driver passes none, the
// contract allows any: 6x16 then takes its general masked loop) and the
// one-row tile's groups of four rows (tiles 4–9, a last group of 1–4).
// Columns whose bit is clear must keep their bits; the others get the
// contract's sums exactly.
func TestAVX2TileMasks(t *testing.T) {
	if !slices.Contains(impl.Names(), impl.Name(impl.AVX2)) {
		t.Skip("this CPU does not run avx2")
	}
	r := rand.New(rand.NewPCG(3, 8))
	cases := []struct {
		kind, R, W int
		masks      uint64
		tiles      int
	}{
		{tileAVX2x6x16, 6, 16, 0xffff, 2},
		{tileAVX2x6x16, 6, 16, 0x7ffe, 2}, // the first column off
		{tileAVX2x6x16, 6, 16, 0xff00, 1}, // only the high lanes
		{tileAVX2x6x16, 6, 16, 0x8001, 3},
		{tileAVX2x6x16, 6, 16, 0x00ff, 1},
		{tileAVX2x12x8, 12, 8, 0xa5, 2},
		{tileAVX2x1x16, 1, 16, 0xffff, 4},
		{tileAVX2x1x16, 1, 16, 0x1fff, 5},
		{tileAVX2x1x16, 1, 16, 0x00f0, 6},
		{tileAVX2x1x16, 1, 16, 0x5555, 7},
		{tileAVX2x1x16, 1, 16, 0x0007, 9},
	}
	for _, tc := range cases {
		for _, steps := range []int{0, 1, 7, 33} {
			t.Run(fmt.Sprintf("%dx%d/%#x/tiles=%d/steps=%d", tc.R, tc.W, tc.masks, tc.tiles, steps), func(t *testing.T) {
				rows := tc.R * tc.tiles
				ldb, ldc, ldi := tc.W+3, tc.W+1, tc.W+2
				a := randSlice(r, max(1, rows*steps))
				b := randSlice(r, max(1, steps*ldb))
				c := randSlice(r, rows*ldc)
				init := randSlice(r, rows*ldi)
				want := testmem.Clone(c)
				for i := range rows {
					for q := range tc.W {
						if tc.masks>>q&1 == 0 {
							continue
						}
						acc := init[i*ldi+q]
						for s := range steps {
							acc = fma32(a[i*steps+s], b[s*ldb+q], acc)
						}
						if acc < 0 {
							acc = 0
						}
						want[i*ldc+q] = acc
					}
				}
				runTile(tc.kind, &c[0], &a[0], &b[0], &init[0], steps, 4, steps*4, ldb*4, ldc*4, ldi*4, tc.masks, tileReLU, tc.tiles)
				for i := range c {
					if !testmem.SameBits(c[i], want[i]) {
						t.Fatalf("c[%d][%d] = %g, want %g", i/ldc, i%ldc, c[i], want[i])
					}
				}
			})
		}
	}
}

// TestAVX2PackRows holds avx2PackRows (the driver's packR on avx2) to its
// contract on its own: widths of 8, 16 and 64 floats, 1–33 rows, 1–5
// panels, B's rows apart by the panels' floats or more, at odd offsets
// (the memory around dst and B keeping its bits) and against guard pages
// (B's last row and dst's last panel ending at one, or starting after
// one).
func TestAVX2PackRows(t *testing.T) {
	if !slices.Contains(impl.Names(), impl.Name(impl.AVX2)) {
		t.Skip("this CPU does not run avx2")
	}
	r := rand.New(rand.NewPCG(4, 9))
	n := 0
	for _, width := range []int{8, 16, 64} {
		for _, rows := range []int{1, 2, 7, 33} {
			for _, panels := range []int{1, 2, 5} {
				n++
				lds := panels*width + n%4
				var mem testmem.Placement = &testmem.Offset{Off: n % 8}
				if guards := testmem.Guards(t); len(guards) > 0 && n%3 != 0 {
					mem = guards[n%2]
				}
				src := mem.F32(0, (rows-1)*lds+panels*width)
				dst := mem.F32(1, panels*rows*width)
				testmem.Uniform(r, src)
				testmem.Uniform(r, dst)
				avx2PackRows(&dst[0], &src[0], rows, panels, width, lds, rows*width)
				mem.Verify(t)
				for p := range panels {
					for s := range rows {
						for q := range width {
							got, want := dst[p*rows*width+s*width+q], src[s*lds+p*width+q]
							if !testmem.SameBits(got, want) {
								t.Fatalf("%s width=%d rows=%d panels=%d: panel %d row %d [%d] = %g, want %g", mem.Name(), width, rows, panels, p, s, q, got, want)
							}
						}
					}
				}
			}
		}
	}
}
