// Package byterows gathers rows of bytes into rows of float32: the input
// pipeline of simdnn's trainer, for data such as MNIST's pixels that are
// bytes with a scale (value = byte / div).
//
// Dequantize gathers plain byte rows; Pack makes a copy of the rows
// without their zero bytes (Packed), whose Dequantize gives the same
// floats bit for bit from a third of the cache lines on MNIST; Prefetch
// starts loading rows into the cache ahead of a gather. Each has assembly
// per instruction set, chosen with the kernels' implementation
// (internal/impl), and a pure-Go reference (generic.go) that defines the
// results.
//
// How the gather is tuned. The assembly divides by a multiply and one
// Newton correction instead of a division; that is exact for the
// divisors the trainer uses but not for every float32, so each
// implementation checks its quotients of all 256 bytes against Go's
// division once per divisor (exactQuotients) and falls back to a table of
// Go's quotients when they differ. Packed rows pay where the assembly
// expands them (avx512 with VBMI2: PackedNative) and a quarter or more of
// the bytes are zero; elsewhere the plain bytes gather faster.
package byterows

import (
	"fmt"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/race"
)

// set is one implementation of the gather. The exported functions check
// their arguments, so entries may assume every length is right.
type set struct {
	dequantize func(dst []float32, src []uint8, rows []int32, k int, div float32)
	// dequantizePacked is Packed.Dequantize; packedNative says it is
	// assembly of the set's own (PackedNative).
	dequantizePacked func(dst []float32, p *Packed, rows []int32, div float32)
	packedNative     bool
	// nonZeroRows and packRows are Pack's two passes (packed.go).
	nonZeroRows func(counts []uint32, src []uint8, k int)
	packRows    func(data []uint8, off []uint32, src []uint8, k int)
	// nonZeroCols, dequantizeCols and dequantizePackedCols are
	// NonZeroCols, DequantizeCols and Packed.DequantizeCols (cols.go).
	nonZeroCols          func(cols []uint64, src []uint8, rows []int32, k int)
	dequantizeCols       func(dst []float32, src []uint8, rows []int32, k int, cols []uint64, div float32)
	dequantizePackedCols func(dst []float32, p *Packed, rows []int32, cols []uint64, div float32)
	// nonZeroColsPacked is Packed.NonZeroCols for len(rows) ≥ 1 where
	// the set has it in assembly; it reports false, doing nothing, where
	// it has not.
	nonZeroColsPacked func(cols []uint64, p *Packed, rows []int32) bool
	// colsNative says dequantizeCols and dequantizePackedCols are
	// assembly of the set's own (ColsNative).
	colsNative bool
	// entriesForward and entriesGrad are Entries.Forward and Entries.Grad
	// after their checks (and Grad's clear), given the quotient table;
	// entriesNative says they are assembly (EntriesNative).
	entriesForward func(y, w, b []float32, e *Entries, rows []int32, n int, q *[256]float32)
	entriesGrad    func(dw, dy []float32, e *Entries, rows []int32, n int, q *[256]float32)
	// entriesFill writes the entries of src (rows of k bytes) into dst,
	// row r's from start[r] on; it may write up to 7 values past the
	// last row's.
	entriesFill   func(dst, start []uint32, src []uint8, k int)
	entriesNative bool
}

// sets holds the gather for every implementation the build holds, indexed
// by impl's IDs; the architecture files contribute theirs through
// archSets.
var sets = func() (s [impl.Count]*set) {
	archSets(&s)
	s[impl.Generic] = &genericSet
	return s
}()

// active is the set of the implementation in use.
func active() *set { return sets[impl.Active()] }

// PackedNative reports whether the active implementation runs
// Packed.Dequantize in assembly of its own (avx512 on a CPU with VBMI2).
// The others run it as a Go loop, slower than Dequantize on the plain
// bytes: a trainer on those keeps the plain bytes.
func PackedNative() bool { return active().packedNative }

// ColsNative reports whether the active implementation finds and
// gathers columns (NonZeroCols and DequantizeCols, and on the rows it
// packs Packed's) in assembly of its own — avx512 on a CPU with VBMI2,
// avx2 — at about the cost of whole rows. The others run Go loops
// several times slower than Dequantize of the whole rows: a trainer on
// those gathers whole rows.
func ColsNative() bool { return active().colsNative }

func checkLen(fn, arg string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("byterows.%s: len(%s) = %d, want %d", fn, arg, got, want))
	}
}

// checkRows panics unless k ≥ 0 and every rows[i] selects a whole row of k
// bytes of a source of n bytes.
func checkRows(fn string, n int, rows []int32, k int) {
	if k < 0 {
		panic(fmt.Sprintf("byterows.%s: k = %d, want ≥ 0", fn, k))
	}
	if k == 0 {
		for i, r := range rows {
			if r < 0 {
				panic(fmt.Sprintf("byterows.%s: rows[%d] = %d, want in [0, %d)", fn, i, r, n))
			}
		}
		return
	}
	lim := uint(n / k) // one division, not one a row: the trainer checks 256 rows three times a block
	for i, r := range rows {
		if uint(int(r)) >= lim {
			panic(fmt.Sprintf("byterows.%s: rows[%d] = %d, want in [0, %d)", fn, i, r, lim))
		}
	}
}

// Dequantize gathers rows of bytes into float32: src holds rows of k
// bytes, and row i of dst (len(rows)×k) becomes row rows[i] of src divided
// by div, dst[i·k+j] = float32(src[rows[i]·k+j]) / div, each quotient
// rounded as Go's float32 division rounds it. Data stored as float32(b)/255
// (MNIST's pixels) comes back bit for bit from its bytes, at a quarter of
// the memory traffic. Every rows[i] must select a whole row of src.
func Dequantize(dst []float32, src []uint8, rows []int32, k int, div float32) {
	checkRows("Dequantize", len(src), rows, k)
	checkLen("Dequantize", "dst", len(dst), len(rows)*k)
	race.Read(rows)
	race.Write(dst)
	if race.Enabled {
		for _, r := range rows {
			race.Read(src[int(r)*k : int(r)*k+k])
		}
	}
	active().dequantize(dst, src, rows, k, div)
}

// Prefetch asks the CPU to start loading rows rows[i] of src (rows of k
// bytes) into its second-level cache, so that a Dequantize of those rows
// soon after finds them there instead of in DRAM. It returns at once and
// changes nothing a program can observe; it does not depend on the active
// implementation, and purego builds and architectures without assembly do
// nothing. Every rows[i] must select a whole row of src.
func Prefetch(src []uint8, rows []int32, k int) {
	checkRows("Prefetch", len(src), rows, k)
	race.Read(rows)
	if k > 0 && len(rows) > 0 {
		prefetchRows(&src[0], &rows[0], len(rows), k)
	}
}
