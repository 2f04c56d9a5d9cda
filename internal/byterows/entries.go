package byterows

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/simdnn/simdnn/internal/fused"
	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/race"
)

// Entries holds rows of bytes as each row's non-zero bytes and their
// columns, in column order: the rows as a sparse matrix. A row of MNIST
// has about 150 non-zero bytes of 784, so a dense product over such rows
// can leave out four in five terms (Entries.Forward, Entries.Grad) and
// still give the sums of the whole rows bit for bit: each sum keeps its
// order, and adding a product 0·w, which is ±0, leaves a sum that is not
// −0 as it was. The trainer builds the entries of its rows once, at four
// bytes an entry. The products run on the implementation active when the
// entries were made (Impl), whatever is active later: the
// implementations add differently (generic's Go loop does not fuse on
// every architecture), and a sequence of products that must agree bit
// for bit runs on one.
type Entries struct {
	k     int
	start []uint32 // row r's entries are e[start[r]:start[r+1]]
	e     []uint32 // column<<8 | byte, in column order
	q     atomic.Pointer[quotients]
	id    int // the implementation of the products
}

// quotients is the quotient table of a divisor.
type quotients struct {
	div float32
	q   [256]float32
}

// quotients is the quotient table of div, kept for the next call.
func (e *Entries) quotients(div float32) *[256]float32 {
	if p := e.q.Load(); p != nil && math.Float32bits(p.div) == math.Float32bits(div) {
		return &p.q
	}
	p := &quotients{div: div, q: quotientTable(div)}
	e.q.Store(p)
	return &p.q
}

// MaxEntriesWidth is the widest row NewEntries takes: a column is kept in
// 24 bits.
const MaxEntriesWidth = 1 << 24

// NewEntries returns the entries of src, rows of k bytes. It fails when k
// is MaxEntriesWidth or more, when src has 2^32 non-zero bytes or more
// (or more than a slice holds),
// or when the entries would take more than limit bytes (4 a row and 4 a
// non-zero byte; it counts them first). len(src) must be a multiple of k
// (programmer error).
func NewEntries(src []uint8, k int, limit uint64) (*Entries, error) {
	return NewEntriesWith(src, k, limit, nil)
}

// NewEntriesWith is NewEntries with the entries in memory from alloc,
// which must return n zero bytes aligned to 4 (a mapping of their own,
// say, released when the entries are no longer used); nil takes them
// from the Go heap.
func NewEntriesWith(src []uint8, k int, limit uint64, alloc func(n int) []uint8) (*Entries, error) {
	if k < 0 || k > 0 && len(src)%k != 0 || k == 0 && len(src) != 0 {
		panic(fmt.Sprintf("byterows.NewEntries: len(src) = %d, not a multiple of k = %d", len(src), k))
	}
	if k >= MaxEntriesWidth {
		return nil, fmt.Errorf("byterows: rows of %d bytes are too wide for entries (at most %d)", k, MaxEntriesWidth-1)
	}
	rows := 0
	if k > 0 {
		rows = len(src) / k
	}
	e := &Entries{k: k, start: make([]uint32, rows+1), id: impl.Active()}
	var total uint64
	for r := range rows {
		total += uint64(countNonZero(src[r*k : r*k+k]))
		if total >= 1<<32 || total+8 > math.MaxInt {
			return nil, fmt.Errorf("byterows: rows 0 to %d already have %d non-zero bytes, more than entries hold", r, total)
		}
		e.start[r+1] = uint32(total)
	}
	if size := 4 * (uint64(rows) + 1 + total + 8); size > limit {
		return nil, fmt.Errorf("byterows: the entries of %d rows (%d non-zero bytes) would take %d bytes, more than the %d allowed", rows, total, size, limit)
	}
	var all []uint32 // 8 past the end: room for entriesFill's stores
	if alloc == nil {
		all = make([]uint32, int(total)+8)
	} else {
		b := alloc(4 * (int(total) + 8))
		all = unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	}
	sets[e.id].entriesFill(all, e.start, src, k)
	e.e = all[:total:total]
	return e, nil
}

// entriesFillGeneric writes the entries of src (rows of k bytes) into
// dst, row r's from start[r] on: 64 bytes at a time, a bit for each
// non-zero byte, then an entry for each bit.
func entriesFillGeneric(dst, start []uint32, src []uint8, k int) {
	for r := range len(start) - 1 {
		out := dst[start[r]:start[r+1]]
		at := 0
		row := src[r*k : r*k+k]
		j := 0
		for ; j+64 <= k; j += 64 {
			var m uint64
			for q := range 8 {
				m |= uint64(nonZeroBytes(binary.LittleEndian.Uint64(row[j+8*q:]))) << (8 * q)
			}
			for ; m != 0; m &= m - 1 {
				c := j + bits.TrailingZeros64(m)
				out[at] = uint32(c)<<8 | uint32(row[c])
				at++
			}
		}
		entriesTail(out[at:], row, j)
	}
}

// entriesTail writes the entries of row's bytes from column j on into
// dst, in order.
func entriesTail(dst []uint32, row []uint8, j int) {
	at := 0
	for ; j < len(row); j++ {
		if row[j] != 0 {
			dst[at] = uint32(j)<<8 | uint32(row[j])
			at++
		}
	}
}

// countNonZero is the number of bytes of s that are not zero.
func countNonZero(s []uint8) int {
	n, j := 0, 0
	for ; j+8 <= len(s); j += 8 {
		// Bit 7 of each byte set where the byte is not zero, as in
		// nonZeroBytes, counted in place.
		const low7 = 0x7f7f7f7f7f7f7f7f
		w := binary.LittleEndian.Uint64(s[j:])
		n += bits.OnesCount64((w&low7 + low7 | w) &^ low7)
	}
	for _, b := range s[j:] {
		if b != 0 {
			n++
		}
	}
	return n
}

// Prefetch asks the CPU to start loading the entries of rows rows[i]
// into its second-level cache, as Prefetch does for plain rows, and
// returns at once. Every rows[i] must be in [0, Len()).
func (e *Entries) Prefetch(rows []int32) {
	checkRows("Entries.Prefetch", e.Len(), rows, 1)
	race.Read(rows)
	if len(rows) > 0 && len(e.e) > 0 {
		prefetchSpans((*uint8)(unsafe.Pointer(&e.e[0])), &e.start[0], &rows[0], len(rows), 2)
	}
}

// Impl names the implementation of the products.
func (e *Entries) Impl() string { return impl.Name(e.id) }

// Len is the number of rows.
func (e *Entries) Len() int { return len(e.start) - 1 }

// Width is the number of bytes a row had.
func (e *Entries) Width() int { return e.k }

// Count is the number of entries, the non-zero bytes of all rows.
func (e *Entries) Count() int { return len(e.e) }

// row is row r's entries.
func (e *Entries) row(r int32) []uint32 { return e.e[e.start[r]:e.start[r+1]] }

// EntriesNative reports whether the active implementation runs
// Entries.Forward and Entries.Grad in assembly (avx2, avx512 with avx2's
// routines, neon). generic runs Go loops: a trainer on it multiplies the
// gathered rows.
func EntriesNative() bool { return active().entriesNative }

// Forward sets row i of y (len(rows) × n) to b plus the product of row
// rows[i], divided by div, and w (Width() × n): y[i][j] = b[j] + Σ_c
// x_c·w[c][j] over the row's non-zero bytes x_c = float32(byte)/div (the
// quotients Dequantize gives), in order of c, each term added with the
// arithmetic of the implementation's DenseForward (a fused
// multiply-add in the assembly). With b free of −0, w finite and no sum
// rounding to −0 (w's values 0 or at least 2^-80 in magnitude, with div
// at most 2^22, rule that out) it is DenseForward(y, x, w, b, len(rows),
// Width(), n, false) on the dequantized rows, bit for bit. Every rows[i] must be in
// [0, Len()).
func (e *Entries) Forward(y, w, b []float32, rows []int32, n int, div float32) {
	checkRows("Entries.Forward", e.Len(), rows, 1)
	if n < 0 {
		panic(fmt.Sprintf("byterows.Entries.Forward: n = %d, want ≥ 0", n))
	}
	checkLen("Entries.Forward", "y", len(y), len(rows)*n)
	checkLen("Entries.Forward", "w", len(w), e.k*n)
	checkLen("Entries.Forward", "b", len(b), n)
	race.Read(rows)
	race.Read(w)
	race.Read(b)
	race.Write(y)
	if len(y) == 0 {
		return
	}
	sets[e.id].entriesForward(y, w, b, e, rows, n, e.quotients(div))
}

// Grad sets dw (Width() × n) to the weight gradient of the rows rows[i],
// divided by div, against dy (len(rows) × n): dw[c][j] = Σ_i x_ic·dy[i][j]
// over the rows whose byte c is not zero, in order of i, from +0, each
// term added with the arithmetic of the implementation's
// DenseBackward; a column zero in every row gets +0. With dy finite and
// no term rounding to −0 (a fused term can, when its product is below
// half the smallest denormal; dy's values 0 or at least 2^-80 in
// magnitude, with div at most 2^22, rule that out) it is DenseBackward's
// dw on the dequantized rows, bit for bit. Every rows[i] must be in [0,
// Len()).
func (e *Entries) Grad(dw, dy []float32, rows []int32, n int, div float32) {
	checkRows("Entries.Grad", e.Len(), rows, 1)
	if n < 0 {
		panic(fmt.Sprintf("byterows.Entries.Grad: n = %d, want ≥ 0", n))
	}
	checkLen("Entries.Grad", "dw", len(dw), e.k*n)
	checkLen("Entries.Grad", "dy", len(dy), len(rows)*n)
	race.Read(rows)
	race.Read(dy)
	race.Write(dw)
	clear(dw)
	if len(dw) == 0 || len(rows) == 0 {
		return
	}
	sets[e.id].entriesGrad(dw, dy, e, rows, n, e.quotients(div))
}

// The products over entries in Go, each term added by A: plainAdd as
// the dense kernels' Go loops add (fused where the compiler fuses: arm64),
// or fusedAdd as a fused multiply-add instruction does: what the
// assembly gives, the tests' reference for it, and the assembly drivers'
// widths that are not multiples of 8.
var (
	entriesForwardGeneric = entriesForwardWith[plainAdd]
	entriesGradGeneric    = entriesGradWith[plainAdd]
	entriesForwardFused   = entriesForwardWith[fusedAdd]
	entriesGradFused      = entriesGradWith[fusedAdd]
)

// An adder adds the product x·w to acc.
type adder interface {
	add(x, w, acc float32) float32
}

type (
	plainAdd struct{}
	fusedAdd struct{}
)

func (plainAdd) add(x, w, acc float32) float32 { return acc + x*w }
func (fusedAdd) add(x, w, acc float32) float32 { return fused.MulAdd32(x, w, acc) }

// entriesForwardWith is Entries.Forward, each term added by A.
func entriesForwardWith[A adder](y, w, b []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	var a A
	for i, r := range rows {
		yr := y[i*n : i*n+n]
		copy(yr, b)
		for _, v := range e.row(r) {
			xv, wr := q[v&0xff], w[int(v>>8)*n:int(v>>8)*n+n]
			for j := range yr {
				yr[j] = a.add(xv, wr[j], yr[j])
			}
		}
	}
}

// entriesGradWith is Entries.Grad after its clear, each term added by A.
func entriesGradWith[A adder](dw, dy []float32, e *Entries, rows []int32, n int, q *[256]float32) {
	var a A
	for i, r := range rows {
		dyr := dy[i*n : i*n+n]
		for _, v := range e.row(r) {
			xv, dwr := q[v&0xff], dw[int(v>>8)*n:int(v>>8)*n+n]
			for j, g := range dyr {
				dwr[j] = a.add(xv, g, dwr[j])
			}
		}
	}
}
