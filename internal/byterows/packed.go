package byterows

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/internal/race"
)

// Packed is a read-only copy of rows of bytes without their zero
// bytes: each row keeps one bit per byte (set where the byte is not zero)
// and its non-zero bytes in order. A row of MNIST, 81 % zeros, takes about
// 250 of its 784 bytes. Its Dequantize gathers rows into float32 exactly as
// Dequantize gathers them from the plain bytes — the same values bit
// for bit — while reading a third of the memory: random rows cost
// DRAM time in proportion to the cache lines they span.
//
// A Packed is made by Pack and never changes; any number of
// goroutines may use it at once. The zero value holds no rows.
type Packed struct {
	rows, k int
	// Row r is data[off[r]:off[r+1]]: ⌈k/16⌉ little-endian uint16 masks,
	// bit j of mask g standing for byte 16g+j, then the row's non-zero
	// bytes. data ends with packedPad zero bytes after the last row, so
	// that a 64-byte load at any of a row's bytes stays inside data.
	off  []uint32
	data []uint8
}

// packedPad is the number of zero bytes after the last row.
const packedPad = 64

// Pack packs src, rows of k bytes (len(src) a multiple of k, k ≥ 1).
// It fails when the packed form would not fit in 4 GiB (2 GiB on 32-bit
// machines).
func Pack(src []uint8, k int) (*Packed, error) {
	return PackWith(src, k, func(n int) []uint8 { return make([]uint8, n) })
}

// PackWith is Pack with the packed bytes in the n bytes alloc(n)
// returns (huge pages, say, or memory the caller frees itself); the
// Packed keeps them, and they must not be changed while it is in use
// (if they are, Dequantize returns garbage or, in Go, panics on an index,
// but never reads outside them).
func PackWith(src []uint8, k int, alloc func(n int) []uint8) (*Packed, error) {
	if k <= 0 || len(src)%k != 0 {
		panic(fmt.Sprintf("byterows.Pack: %d bytes are not rows of k = %d bytes", len(src), k))
	}
	if k > packedLimit {
		return nil, fmt.Errorf("byterows.Pack: rows of %d bytes are too long to pack (at most %d)", k, packedLimit)
	}
	race.Read(src)
	set := active()
	rows := len(src) / k
	masks := packedMasks(k)
	off := make([]uint32, rows+1)
	if rows > 0 {
		set.nonZeroRows(off[:rows], src, k)
	}
	size := 0
	for r := range rows {
		n := masks + int(off[r])
		off[r] = uint32(size)
		if n > packedLimit-size {
			return nil, fmt.Errorf("byterows.Pack: rows 0 to %d of %d take %d bytes packed, more than %d", r, rows, size+n, packedLimit)
		}
		size += n
	}
	off[rows] = uint32(size)
	data := alloc(size + packedPad)
	if len(data) != size+packedPad {
		panic(fmt.Sprintf("byterows.PackWith: alloc(%d) returned %d bytes", size+packedPad, len(data)))
	}
	race.Write(data)
	if rows > 0 {
		set.packRows(data, off, src, k)
	}
	clear(data[size:]) // the assembly may leave bytes of the last row there
	return &Packed{rows: rows, k: k, off: off, data: data}, nil
}

// packedLimit is the most bytes a Packed holds: its offsets are
// uint32 (and an int bounds it on 32-bit machines). A variable, so that a
// test can lower it.
var packedLimit = min(math.MaxUint32, math.MaxInt) - packedPad

// packedMasks is the bytes of masks of a packed row of k bytes.
func packedMasks(k int) int { return 2 * ((k + 15) / 16) }

// nonZeroRowsGeneric: counts[r] = the bytes of row r of src (rows of k
// bytes) that are not zero.
func nonZeroRowsGeneric(counts []uint32, src []uint8, k int) {
	for r := range counts {
		counts[r] = uint32(countNonZero(src[r*k : r*k+k]))
	}
}

// packRowsGeneric writes row r of src (rows of k bytes) into
// data[off[r]:off[r+1]]: its masks, bit j of byte i set where byte 8i+j is
// not zero, then its non-zero bytes in order.
func packRowsGeneric(data []uint8, off []uint32, src []uint8, k int) {
	masks := packedMasks(k)
	for r := range len(off) - 1 {
		p := data[off[r]:off[r+1]]
		clear(p[:masks])
		v := masks
		for j, b := range src[r*k : r*k+k] {
			if b != 0 {
				p[j/8] |= 1 << (j % 8)
				p[v] = b
				v++
			}
		}
	}
}

// Len is the number of rows.
func (p *Packed) Len() int { return p.rows }

// Width is the number of bytes of a row unpacked, k.
func (p *Packed) Width() int { return p.k }

// Size is the number of bytes the packed rows take.
func (p *Packed) Size() int { return len(p.data) + 4*len(p.off) }

// Dequantize is Dequantize on the rows p was packed from: row i of dst
// (len(rows)×Width()) becomes row rows[i] divided by div, each byte b as
// float32(b) / div, zero bytes included. Every rows[i] must be in [0, Len()).
func (p *Packed) Dequantize(dst []float32, rows []int32, div float32) {
	checkLen("Packed.Dequantize", "dst", len(dst), len(rows)*p.k)
	checkRows("Packed.Dequantize", p.rows, rows, 1)
	race.Read(rows)
	race.Write(dst)
	if race.Enabled {
		for _, r := range rows {
			race.Read(p.data[p.off[r]:p.off[r+1]])
		}
	}
	active().dequantizePacked(dst, p, rows, div)
}

// Prefetch is Prefetch for packed rows: it asks the CPU to start
// loading rows rows[i] into its second-level cache and returns at once.
// Every rows[i] must be in [0, Len()).
func (p *Packed) Prefetch(rows []int32) {
	checkRows("Packed.Prefetch", p.rows, rows, 1)
	race.Read(rows)
	if len(rows) > 0 && p.k > 0 {
		prefetchSpans(&p.data[0], &p.off[0], &rows[0], len(rows), 0)
	}
}

// row returns row r's masks and non-zero bytes.
func (p *Packed) row(r int32) (masks, values []uint8) {
	b := p.data[p.off[r]:p.off[r+1]]
	n := packedMasks(p.k)
	return b[:n], b[n:]
}

// dequantizePackedGeneric: row i of dst is row rows[i] of p unpacked, each
// byte b as float32(b) / div.
func dequantizePackedGeneric(dst []float32, p *Packed, rows []int32, div float32) {
	k := p.k
	for i, r := range rows {
		masks, values := p.row(r)
		out := dst[i*k : i*k+k]
		for j := range out {
			b := uint8(0)
			if masks[j/8]>>(j%8)&1 != 0 {
				b, values = values[0], values[1:]
			}
			out[j] = float32(b) / div
		}
	}
}

// dequantizePackedTable is dequantizePackedGeneric with the 256 quotients
// divided once into a table and no branch per byte: a zero byte reads
// table[0] through a multiply by its mask bit, and the packed index moves
// on by the bit (a read one past the row's last byte lands in the next
// row or the padding, and is multiplied by 0).
func dequantizePackedTable(dst []float32, p *Packed, rows []int32, div float32) {
	if len(dst) < 4*256 {
		dequantizePackedGeneric(dst, p, rows, div)
		return
	}
	table := quotientTable(div)
	k, nm := p.k, packedMasks(p.k)
	for i, r := range rows {
		at := int(p.off[r])
		masks := p.data[at : at+nm]
		v := at + nm
		out := dst[i*k : i*k+k]
		for j := range out {
			bit := int(masks[j/8] >> (j % 8) & 1)
			out[j] = table[int(p.data[v])*bit]
			v += bit
		}
	}
}
