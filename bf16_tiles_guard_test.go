//go:build !purego && (amd64 || arm64) && (linux || darwin || freebsd || netbsd || openbsd)

package simdnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/testmem"
	"github.com/stretchr/testify/require"
)

// TestRoundRows holds roundRows (assembly where the architecture has
// it) to roundRowsGo on 1–3 rows of every length 1–80, swapped (n + n%2
// written from n) or not, with gaps between the rows, special values, at
// odd offsets and against guard pages on both sides; the gaps of dst must
// keep what they held.
func TestRoundRows(t *testing.T) {
	needRounding(t)
	r := rand.New(rand.NewPCG(7, 7))
	specials := append([]float32{math.Float32frombits(0xffffffff), math.Float32frombits(0x7f800001), math.Float32frombits(0x7fbf8000)}, bf16Specials...)
	places := []placement{&testmem.Offset{Off: 1}, &testmem.Offset{Off: 6}, testmem.NewGuard(t, true), testmem.NewGuard(t, false)}
	for _, pl := range places {
		for rows := 1; rows <= 3; rows++ {
			for nsrc := 1; nsrc <= 80; nsrc++ {
				for _, swap := range []bool{false, true} {
					n := nsrc
					if swap {
						n += nsrc % 2
					}
					ldd, lds := n+rows-1, nsrc+2*(rows-1)
					src, dst := pl.F32(0, (rows-1)*lds+nsrc), pl.F32(1, (rows-1)*ldd+n)
					testmem.Special(specials)(r, src)
					for i := range src {
						if r.IntN(3) == 0 {
							src[i] = math.Float32frombits(r.Uint32())
						}
					}
					for i := range dst {
						dst[i] = -7
					}
					want := append([]float32(nil), dst...)
					lo := r.Uint32() | 1<<31
					wantLo := roundRowsGo(want, src, rows, n, nsrc, ldd, lds, swap, lo)
					gotLo := roundRows(dst, src, rows, n, nsrc, ldd, lds, swap, lo)
					pl.Verify(t)
					for i := range want {
						if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s rows=%d n=%d nsrc=%d swap=%v: dst[%d] = %#08x, want %#08x", pl.Name(), rows, n, nsrc, swap, i, math.Float32bits(dst[i]), math.Float32bits(want[i]))
						}
					}
					require.Equal(t, wantLo, gotLo, "%s rows=%d n=%d nsrc=%d swap=%v: least magnitude", pl.Name(), rows, n, nsrc, swap)
				}
			}
		}
	}
}
