//go:build (amd64 || arm64) && !purego

package byterows

import "math/bits"

// entriesRoutines is one instruction set's routines for the products
// over entries (entries_amd64.s, entries_arm64.s), for widths n that are
// multiples of 8 (others take the Go loop of fused multiply-adds, the
// same bits): strips of 16 columns of y or dw, and one of 8 at the end.
type entriesRoutines struct {
	// fwd4 adds steps terms of the lists e0…e3 to the rows y0…y3, 16
	// floats (or 8 unless wide) of each; fwd1 does one row.
	fwd4 func(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)
	fwd1 func(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)
	// grad adds the terms of rows rows[0:m], in order, to the rows of dw.
	grad func(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)
}

// forward runs the rows four at a time, in lockstep over the
// fewest entries of the four, then each row's remaining entries alone.
// The rows go in order of their entry counts, so that each four have
// about as many: each row's sums are its own, so the order changes no
// bit.
func (rt *entriesRoutines) forward(y, w, b []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	if n%8 != 0 || len(e.e) == 0 {
		entriesForwardFused(y, w, b, e, rows, n, q) // n%8 != 0, or only b to add
		return
	}
	m := len(rows)
	for i := range m {
		copy(y[i*n:i*n+n], b)
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
			rt.fwd4(&y[int(a[0])*n+s], &y[int(a[1])*n+s], &y[int(a[2])*n+s], &y[int(a[3])*n+s], ws,
				e.at(from[0]), e.at(from[1]), e.at(from[2]), e.at(from[3]), int(steps), ld, &q[0], wide)
			for j, i := range a {
				if cnt[j] > steps {
					rt.fwd1(&y[int(i)*n+s], ws, e.at(from[j]+steps), int(cnt[j]-steps), ld, &q[0], wide)
				}
			}
		}
		for _, i := range order[g:] {
			r := rows[i]
			rt.fwd1(&y[int(i)*n+s], ws, e.at(e.start[r]), int(e.start[r+1]-e.start[r]), ld, &q[0], wide)
		}
	}
}

// gradient runs each strip of 16 (or 8) columns of dw over every
// row in order.
func (rt *entriesRoutines) gradient(dw, dy []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	if n%8 != 0 || len(e.e) == 0 {
		entriesGradFused(dw, dy, e, rows, n, q) // n%8 != 0, or nothing to add
		return
	}
	for s := 0; s < n; s += 16 {
		rt.grad(&dw[s], &dy[s], &rows[0], len(rows), &e.start[0], &e.e[0], 4*n, &q[0], n-s >= 16)
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
