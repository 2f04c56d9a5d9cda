//go:build !purego

package byterows

import "math/bits"

// The entries' products in AVX2 (entries_amd64.s), for widths n that are
// multiples of 8 (others take the Go loop of fused multiply-adds, the
// same bits): strips of 16 columns of y or dw, and one of 8 at the end.

//go:noescape
func avx2EntriesFwd4(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func avx2EntriesFwd1(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func avx2EntriesRow(dst *uint32, src *uint8, groups int, table *[256][8]uint32) int

//go:noescape
func avx2EntriesGrad(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)

// entriesForwardAVX2 runs the rows four at a time, in lockstep over the
// fewest entries of the four, then each row's remaining entries alone.
// The rows go in order of their entry counts, so that each four have
// about as many: each row's sums are its own, so the order changes no
// bit.
func entriesForwardAVX2(y, w, b []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	m := len(rows)
	for i := range m {
		copy(y[i*n:i*n+n], b)
	}
	if n%8 != 0 || len(e.e) == 0 {
		entriesForwardFused(y, w, b, e, rows, n, q) // n%8 != 0, or only b to add
		return
	}
	var buf [BlockLimit]int32
	order := buf[:0]
	if m > len(buf) {
		order = make([]int32, 0, m)
	}
	order = e.byCount(order, rows)
	ld := 4 * n
	for s := 0; s < n; s += 16 {
		wide, ws := n-s >= 16, &w[s]
		g := 0
		for ; g+4 <= m; g += 4 {
			a := order[g : g+4 : g+4]
			var from, cnt [4]uint32
			steps := uint32(1<<32 - 1)
			for j, i := range a {
				r := rows[i]
				from[j], cnt[j] = e.start[r], e.start[r+1]-e.start[r]
				steps = min(steps, cnt[j])
			}
			avx2EntriesFwd4(&y[int(a[0])*n+s], &y[int(a[1])*n+s], &y[int(a[2])*n+s], &y[int(a[3])*n+s], ws,
				e.at(from[0]), e.at(from[1]), e.at(from[2]), e.at(from[3]), int(steps), ld, &q[0], wide)
			for j, i := range a {
				if cnt[j] > steps {
					avx2EntriesFwd1(&y[int(i)*n+s], ws, e.at(from[j]+steps), int(cnt[j]-steps), ld, &q[0], wide)
				}
			}
		}
		for _, i := range order[g:] {
			r := rows[i]
			avx2EntriesFwd1(&y[int(i)*n+s], ws, e.at(e.start[r]), int(e.start[r+1]-e.start[r]), ld, &q[0], wide)
		}
	}
}

// entriesGradAVX2 runs each strip of 16 (or 8) columns of dw over every
// row in order.
func entriesGradAVX2(dw, dy []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	if n%8 != 0 || len(e.e) == 0 {
		entriesGradFused(dw, dy, e, rows, n, q) // n%8 != 0, or nothing to add
		return
	}
	for s := 0; s < n; s += 16 {
		avx2EntriesGrad(&dw[s], &dy[s], &rows[0], len(rows), &e.start[0], &e.e[0], 4*n, &q[0], n-s >= 16)
	}
}

// BlockLimit is the most rows a product over entries orders without
// allocating.
const BlockLimit = 256

// byCount appends to order the positions 0 to len(rows)−1 in order of
// their rows' entry counts, roughly: a counting sort by the count over
// at most 512 buckets.
func (e *Entries) byCount(order, rows []int32) []int32 {
	var at [513]int32
	sh := max(0, bits.Len(uint(e.k))-9)
	for _, r := range rows {
		at[(e.start[r+1]-e.start[r])>>sh+1]++
	}
	for c := 1; c < len(at); c++ {
		at[c] += at[c-1]
	}
	order = order[:len(rows)]
	for i, r := range rows {
		c := (e.start[r+1] - e.start[r]) >> sh
		order[at[c]] = int32(i)
		at[c]++
	}
	return order
}

// at is the address of entry i, or nil past the last (where no entry is
// read).
func (e *Entries) at(i uint32) *uint32 {
	if int(i) < len(e.e) {
		return &e.e[i]
	}
	return nil
}

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
