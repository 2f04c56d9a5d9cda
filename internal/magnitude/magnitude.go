// Package magnitude tests float32 values against a range of magnitudes:
// the checks the trainer makes of its first-layer weights and gradients
// at every step before it skips zero columns (net/skip.go). The test is
// on the bits of |v|, so that its bounds say exactly which floats pass
// (0x7f800000 is +∞; NaNs lie above it).
package magnitude

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/simdnn/simdnn/internal/impl"
)

// set is the routine of one implementation.
type set struct {
	within func(s []float32, lo, hi uint32) bool
}

// sets holds the routine for every implementation the build holds,
// indexed by impl's IDs; the architecture files contribute theirs.
var sets = func() (s [impl.Count]*set) {
	archSets(&s)
	s[impl.Generic] = &genericSet
	return s
}()

var genericSet = set{within: withinGeneric}

// Within reports whether the bits of every |s[i]| are 0 or in [lo, hi):
// with lo 0 and hi 0x7f800000, whether every value is finite. It panics
// unless lo ≤ hi and 1 ≤ hi ≤ 2^31.
func Within(s []float32, lo, hi uint32) bool {
	if lo > hi || hi < 1 || hi > 1<<31 {
		panic(fmt.Sprintf("magnitude.Within: bounds [%#x, %#x) want lo ≤ hi, 0 < hi ≤ 2^31", lo, hi))
	}
	return sets[impl.Active()].within(s, lo, hi)
}

// withinGeneric tests two values a step, as one 64-bit word. A magnitude
// a (below 2^31) plus 2^31 − l sets the word's half's top bit exactly
// when a ≥ l, and carries nothing into the other half: a value fails
// when a ≥ hi, or a ≥ 1 and not a ≥ lo.
func withinGeneric(s []float32, lo, hi uint32) bool {
	const sign = 0x8000000080000000
	from := func(l uint32) uint64 { return uint64(1<<31-l) * (1<<32 + 1) }
	addLo, addHi, addOne := from(lo), from(hi), from(1)
	test := func(w uint64) uint64 { // a sign bit set: a magnitude ≥ hi, or 0 < m < lo
		w &= 0x7fffffff7fffffff
		return w + addHi | (w+addOne)&^(w+addLo)
	}
	var ends [2]float32 // an odd value first or last, alone
	if len(s) > 0 && uintptr(unsafe.Pointer(&s[0]))%8 != 0 {
		ends[0], s = s[0], s[1:]
	}
	if len(s)%2 != 0 {
		ends[1], s = s[len(s)-1], s[:len(s)-1]
	}
	acc := test(uint64(math.Float32bits(ends[0])) | uint64(math.Float32bits(ends[1]))<<32)
	for _, w := range unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(s))), len(s)/2) {
		acc |= test(w)
	}
	return acc&sign == 0
}
