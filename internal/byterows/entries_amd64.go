//go:build !purego

package byterows

// The entries' routines in AVX2 (entries_amd64.s), driven by
// entriesRoutines (entries_asm.go), and the entries' fill.

//go:noescape
func avx2EntriesFwd4(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func avx2EntriesFwd1(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func avx2EntriesRow(dst *uint32, src *uint8, groups int, table *[256][8]uint32) int

//go:noescape
func avx2EntriesGrad(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)

// avx2Entries is the products over entries in AVX2.
var avx2Entries = entriesRoutines{fwd4: avx2EntriesFwd4, fwd1: avx2EntriesFwd1, grad: avx2EntriesGrad}

// entriesFillAVX2 writes each row's whole groups of 8 bytes in assembly,
// then its last 0–7 bytes in Go (a group past the row's end could cross
// into memory that is not the rows').
func entriesFillAVX2(dst, start []uint32, src []uint8, k int) {
	g := k / 8
	for r := range len(start) - 1 {
		row := src[r*k : r*k+k]
		at := int(start[r])
		if g > 0 {
			at += avx2EntriesRow(&dst[at], &row[0], g, &compressTable)
		}
		entriesTail(dst[at:], row, 8*g)
	}
}

// compressTable holds, for each mask of 8 bits, the positions of its set
// bits in order, then zeros: the permutation that moves the entries of a
// group's non-zero bytes to the front.
var compressTable = func() (t [256][8]uint32) {
	for m := range t {
		i := 0
		for b := range 8 {
			if m>>b&1 != 0 {
				t[m][i] = uint32(b)
				i++
			}
		}
	}
	return t
}()
