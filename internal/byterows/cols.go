package byterows

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/simdnn/simdnn/internal/race"
)

// Columns that are zero in every row of a block take no part in a dense
// product over that block: a trainer finds them (NonZeroCols) and gathers
// only the others (DequantizeCols), at no more cost than the whole rows.
//
// A column set is a bit set of k bits in ⌈k/64⌉ words, bit j of word w
// standing for column 64w+j; bits from k up are zero.

// ColWords is the number of words of a column set of k columns.
func ColWords(k int) int { return (k + 63) / 64 }

// checkCols panics unless cols is a column set of k columns.
func checkCols(fn string, cols []uint64, k int) {
	checkLen(fn, "cols", len(cols), ColWords(k))
	if k%64 != 0 && cols[len(cols)-1]>>(k%64) != 0 {
		panic(fmt.Sprintf("byterows.%s: cols has bits set past column %d", fn, k))
	}
}

// CountCols is the number of columns in the set cols.
func CountCols(cols []uint64) int {
	n := 0
	for _, w := range cols {
		n += bits.OnesCount64(w)
	}
	return n
}

// NonZeroCols sets cols (ColWords(k) words) to the columns of src (rows of
// k bytes) that are not zero in at least one of the rows rows[i]. Every
// rows[i] must select a whole row of src.
func NonZeroCols(cols []uint64, src []uint8, rows []int32, k int) {
	checkRows("NonZeroCols", len(src), rows, k)
	checkLen("NonZeroCols", "cols", len(cols), ColWords(k))
	race.Read(rows)
	race.Write(cols)
	if race.Enabled {
		for _, r := range rows {
			race.Read(src[int(r)*k : int(r)*k+k])
		}
	}
	active().nonZeroCols(cols, src, rows, k)
}

// DequantizeCols is Dequantize keeping the columns in cols only: row i of
// dst (len(rows) × CountCols(cols)) holds, in column order, the columns
// in cols of row rows[i] of src divided by div, each quotient bit for bit
// the one Dequantize gives. cols is a column set of k columns.
func DequantizeCols(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	checkRows("DequantizeCols", len(src), rows, k)
	checkCols("DequantizeCols", cols, k)
	checkLen("DequantizeCols", "dst", len(dst), len(rows)*CountCols(cols))
	race.Read(rows)
	race.Read(cols)
	race.Write(dst)
	if race.Enabled {
		for _, r := range rows {
			race.Read(src[int(r)*k : int(r)*k+k])
		}
	}
	active().dequantizeCols(dst, src, rows, k, cols, div)
}

// NonZeroCols is NonZeroCols on the rows p was packed from: cols
// (ColWords(Width()) words) becomes the columns not zero in at least one
// of the rows rows[i]. It reads the rows' masks only. Every rows[i] must
// be in [0, Len()).
func (p *Packed) NonZeroCols(cols []uint64, rows []int32) {
	checkRows("Packed.NonZeroCols", p.rows, rows, 1)
	checkLen("Packed.NonZeroCols", "cols", len(cols), ColWords(p.k))
	race.Read(rows)
	race.Write(cols)
	if len(rows) == 0 || !active().nonZeroColsPacked(cols, p, rows) {
		nonZeroColsPackedGo(cols, p, rows)
	}
	if p.k%64 != 0 {
		cols[len(cols)-1] &= 1<<(p.k%64) - 1 // the padding bits of the last mask
	}
}

// nonZeroColsPackedGo ORs the masks of the rows rows[i] of p into cols,
// a word at a time.
func nonZeroColsPackedGo(cols []uint64, p *Packed, rows []int32) {
	clear(cols)
	nm := packedMasks(p.k)
	whole := nm / 8 // words read whole; the last 0–7 bytes of masks after
	for _, r := range rows {
		m := p.data[p.off[r] : int(p.off[r])+nm]
		for w := range whole {
			cols[w] |= binary.LittleEndian.Uint64(m[8*w:])
		}
		if whole < len(cols) {
			cols[whole] |= loadWord(m[8*whole:])
		}
	}
}

// loadWord reads up to 8 bytes of b as a little-endian word.
func loadWord(b []uint8) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	w := uint64(0)
	for i, c := range b {
		w |= uint64(c) << (8 * i)
	}
	return w
}

// DequantizeCols is DequantizeCols on the rows p was packed from: row i
// of dst (len(rows) × CountCols(cols)) holds the columns in cols of row
// rows[i] divided by div. cols is a column set of Width() columns; every
// rows[i] must be in [0, Len()).
func (p *Packed) DequantizeCols(dst []float32, rows []int32, cols []uint64, div float32) {
	checkRows("Packed.DequantizeCols", p.rows, rows, 1)
	checkCols("Packed.DequantizeCols", cols, p.k)
	checkLen("Packed.DequantizeCols", "dst", len(dst), len(rows)*CountCols(cols))
	race.Read(rows)
	race.Read(cols)
	race.Write(dst)
	if race.Enabled {
		for _, r := range rows {
			race.Read(p.data[p.off[r]:p.off[r+1]])
		}
	}
	active().dequantizePackedCols(dst, p, rows, cols, div)
}

// nonZeroColsGeneric: bit c of cols is set where byte c of some row
// rows[i] of src is not zero.
func nonZeroColsGeneric(cols []uint64, src []uint8, rows []int32, k int) {
	clear(cols)
	for _, r := range rows {
		for c, b := range src[int(r)*k : int(r)*k+k] {
			if b != 0 {
				cols[c/64] |= 1 << (c % 64)
			}
		}
	}
}

// nonZeroColsWords is nonZeroColsGeneric eight bytes at a time: it ORs the
// rows into acc, then sets the bits of acc's non-zero bytes.
func nonZeroColsWords(cols []uint64, src []uint8, rows []int32, k int) {
	var buf [128]uint64
	acc := buf[:]
	if n := (k + 7) / 8; n > len(buf) {
		acc = make([]uint64, n)
	} else {
		acc = buf[:n]
		clear(acc)
	}
	for _, r := range rows {
		row := src[int(r)*k : int(r)*k+k]
		w := 0
		for ; 8*w+8 <= k; w++ {
			acc[w] |= loadWord(row[8*w:])
		}
		if 8*w < k {
			acc[w] |= loadWord(row[8*w:])
		}
	}
	colsOfBytes(cols, acc)
}

// colsOfBytes sets cols to the non-zero bytes of acc, read as words:
// byte j of word w (bits 8j…8j+7) is column 8w + j.
func colsOfBytes(cols []uint64, acc []uint64) {
	clear(cols)
	for w, a := range acc {
		cols[w/8] |= uint64(nonZeroBytes(a)) << (w % 8 * 8)
	}
}

// nonZeroBytes returns a byte whose bit j is set when byte j of a is not
// zero. (b & 0x7f) + 0x7f carries into bit 7 when b's low seven bits are
// not all zero, and never into the next byte; or'd with b, bit 7 of each
// byte is b ≠ 0. The product then moves bit 8j to bit 56 + j: the term of
// bit 8i and bit 56 − 7j of the multiplier lands at 56 + i + 7(i − j), past
// bit 63 when i > j and below bit 56 when i < j, no two terms on one bit.
func nonZeroBytes(a uint64) uint8 {
	const low7, highs = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	t := ((a&low7 + low7) | a) & highs
	return uint8((t >> 7) * 0x0102040810204080 >> 56)
}

// dequantizeColsGeneric: dst[i·n+j] = float32(src[rows[i]·k+c_j]) / div
// for the columns c_0 < c_1 < … < c_{n-1} of cols.
func dequantizeColsGeneric(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	j := 0
	for _, r := range rows {
		row := src[int(r)*k : int(r)*k+k]
		for c := range k {
			if cols[c/64]>>(c%64)&1 != 0 {
				dst[j] = float32(row[c]) / div
				j++
			}
		}
	}
}

// dequantizeColsTable is dequantizeColsGeneric with the quotients from
// quotientTable, walking the set bits of cols.
func dequantizeColsTable(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32) {
	if len(dst) < 4*256 {
		dequantizeColsGeneric(dst, src, rows, k, cols, div)
		return
	}
	table := quotientTable(div)
	j := 0
	for _, r := range rows {
		row := src[int(r)*k : int(r)*k+k]
		for w, b := range cols {
			for b != 0 {
				dst[j] = table[row[64*w+bits.TrailingZeros64(b)]]
				j++
				b &= b - 1
			}
		}
	}
}

// dequantizePackedColsGeneric: row i of dst is the columns in cols of row
// rows[i] of p unpacked, each byte b as float32(b) / div.
func dequantizePackedColsGeneric(dst []float32, p *Packed, rows []int32, cols []uint64, div float32) {
	j := 0
	for _, r := range rows {
		masks, values := p.row(r)
		for c := range p.k {
			b := uint8(0)
			if masks[c/8]>>(c%8)&1 != 0 {
				b, values = values[0], values[1:]
			}
			if cols[c/64]>>(c%64)&1 != 0 {
				dst[j] = float32(b) / div
				j++
			}
		}
	}
}

// dequantizePackedColsTable is dequantizePackedColsGeneric with the
// quotients from quotientTable and the packed index moved on by the
// popcount of the mask bits below each kept column.
func dequantizePackedColsTable(dst []float32, p *Packed, rows []int32, cols []uint64, div float32) {
	if len(dst) < 4*256 {
		dequantizePackedColsGeneric(dst, p, rows, cols, div)
		return
	}
	table := quotientTable(div)
	nm := packedMasks(p.k)
	j := 0
	for _, r := range rows {
		at := int(p.off[r])
		masks := p.data[at : at+nm]
		v := at + nm
		for w, b := range cols {
			m := loadWord(masks[min(8*w, nm):])
			if w == len(cols)-1 && p.k%64 != 0 {
				m &= 1<<(p.k%64) - 1
			}
			for b != 0 {
				c := bits.TrailingZeros64(b)
				below := bits.OnesCount64(m & (1<<c - 1))
				q := table[0]
				if m>>c&1 != 0 {
					q = table[p.data[v+below]]
				}
				dst[j] = q
				j++
				b &= b - 1
			}
			v += bits.OnesCount64(m)
		}
	}
}

// noNonZeroColsPacked: no assembly Packed.NonZeroCols.
func noNonZeroColsPacked([]uint64, *Packed, []int32) bool { return false }

// maxRuns is the most runs of columns the run gathers take (4 KiB of
// pairs on the stack); sets of more go to the Go loops.
const maxRuns = 512

// maxChunks is the most chunks colChunks plans (8 KiB of pairs on the
// stack): a run of n columns takes ⌈n/8⌉ ≤ n/8 + 1 chunks, so up to
// maxRuns runs of up to 4096 columns take at most 1024.
const maxChunks = 1024

// colChunks plans the runs (pairs first column, count, of a row k bytes
// long) as chunks of 8 columns, pairs (column, place among the kept
// columns) in order of place, and returns how many: a run of n ≥ 8
// columns takes ⌈n/8⌉, the last one ending where the run does
// (overlapping the one before it); a shorter run one chunk, whose
// floats past the run land in places that a later chunk or the next row
// writes. It returns 0 when a run shorter than 8 columns starts less than
// 8 from the row's end (its 8 bytes would cross it) or when the chunks
// are more than len(chunks)/2.
func colChunks(chunks []int32, runs []int32, k int) int {
	n, place := 0, int32(0)
	add := func(col, at int32) bool {
		if 2*n == len(chunks) {
			return false
		}
		chunks[2*n], chunks[2*n+1] = col, at
		n++
		return true
	}
	for r := 0; r < len(runs); r += 2 {
		from, count := runs[r], runs[r+1]
		if count < 8 {
			if int(from)+8 > k || !add(from, place) {
				return 0
			}
		} else {
			for c := int32(0); c+8 < count; c += 8 {
				if !add(from+c, place+c) {
					return 0
				}
			}
			if !add(from+count-8, place+count-8) {
				return 0
			}
		}
		place += count
	}
	return n
}

// colRuns writes the runs of consecutive columns of cols into runs as
// pairs (first column, count) and returns how many; 0 when there are
// more than len(runs)/2 or none.
func colRuns(runs []int32, cols []uint64) int {
	n := 0
	for w, b := range cols {
		for b != 0 {
			c := bits.TrailingZeros64(b)
			l := min(bits.TrailingZeros64(^(b >> c)), 64-c) // the ones from c on
			from := int32(64*w + c)
			if n > 0 && runs[2*n-2]+runs[2*n-1] == from {
				runs[2*n-1] += int32(l)
			} else {
				if 2*n == len(runs) {
					return 0
				}
				runs[2*n], runs[2*n+1] = from, int32(l)
				n++
			}
			if c+l == 64 {
				break
			}
			b &^= (1<<l - 1) << c
		}
	}
	return n
}
