// Package testmem places the slices a kernel test hands to assembly where
// a stray read or write shows: at odd offsets with guard values around
// them (Offset), or flush against an inaccessible page (Guard, guard.go).
// It also holds the fillers and comparisons the kernel tests of every
// package with assembly share. Only tests import it.
package testmem

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// A Placement hands out the slices of one kernel call, each by its role
// (the argument's number: different roles get different memory) and,
// after the call, checks that nothing outside them changed.
type Placement interface {
	F32(role, n int) []float32
	I32(role, n int) []int32
	U8(role, n int) []uint8
	// Verify fails t if memory around a slice handed out since the last
	// Verify changed, and forgets those slices.
	Verify(t testing.TB)
	Name() string
}

// Sentinel fills the words around each slice an Offset hands out; a
// kernel that writes outside its output changes one of them. As a float
// it is a quiet NaN with a payload no arithmetic produces.
const Sentinel = 0x7fc0dead

// Offset puts slice number role at a float offset of (Off+role)%8 from a
// 32-byte boundary (bytes: a further (Off+role)%8 bytes on, odd addresses
// included), with at least 64 bytes of Sentinel on each side.
type Offset struct {
	Off   int
	spans []span
}

// span is one slice handed out: the bytes [start, start+n) of buf.
type span struct {
	buf      []uint32 // the whole buffer, sentinels included
	start, n int
}

// Name is "offset" and Off.
func (p *Offset) Name() string { return fmt.Sprintf("offset%d", p.Off) }

// bytes returns n bytes starting skip bytes past a float offset of
// (Off+role)%8 from a 32-byte boundary, in a buffer of Sentinel.
func (p *Offset) bytes(role, n, skip int) unsafe.Pointer {
	const pad = 16 // words
	words := (skip + n + 3) / 4
	buf := make([]uint32, words+2*pad+8+8)
	base := int(uintptr(unsafe.Pointer(&buf[0]))%32) / 4 // words past a 32-byte boundary
	start := 4*(pad+(8-base)%8+(p.Off+role)%8) + skip
	for i := range buf {
		buf[i] = Sentinel
	}
	p.spans = append(p.spans, span{buf, start, n})
	return unsafe.Add(unsafe.Pointer(&buf[0]), start)
}

// F32 returns n floats of role, filled with Sentinel.
func (p *Offset) F32(role, n int) []float32 {
	return unsafe.Slice((*float32)(p.bytes(role, 4*n, 0)), n)
}

// I32 returns n int32s of role, filled with Sentinel.
func (p *Offset) I32(role, n int) []int32 {
	return unsafe.Slice((*int32)(p.bytes(role, 4*n, 0)), n)
}

// U8 returns n bytes of role, filled with Sentinel's bytes.
func (p *Offset) U8(role, n int) []uint8 {
	return unsafe.Slice((*uint8)(p.bytes(role, n, (p.Off+role)%8)), n)
}

// Changed describes the first byte outside a slice handed out since the
// last Verify that no longer holds Sentinel's, or returns nil.
func (p *Offset) Changed() error {
	var want [4]uint8
	binary.LittleEndian.PutUint32(want[:], Sentinel)
	for s, sp := range p.spans {
		b := unsafe.Slice((*uint8)(unsafe.Pointer(&sp.buf[0])), 4*len(sp.buf))
		for i, v := range b {
			if (i < sp.start || i >= sp.start+sp.n) && v != want[i%4] {
				return fmt.Errorf("%s: slice %d (%d bytes): byte %d outside it changed from %#02x to %#02x", p.Name(), s, sp.n, i-sp.start, want[i%4], v)
			}
		}
	}
	return nil
}

// Verify fails t when Changed finds a change, and forgets the slices.
func (p *Offset) Verify(t testing.TB) {
	t.Helper()
	err := p.Changed()
	p.spans = p.spans[:0]
	if err != nil {
		t.Fatal(err)
	}
}

// A Filler writes test values into s.
type Filler func(r *rand.Rand, s []float32)

// Uniform fills s uniformly from [-1, 1].
func Uniform(r *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
}

// Special fills s from [-1, 1] with one value in eight drawn from specials.
func Special(specials []float32) Filler {
	return func(r *rand.Rand, s []float32) {
		for i := range s {
			if r.IntN(8) == 0 {
				s[i] = specials[r.IntN(len(specials))]
			} else {
				s[i] = float32(r.Float64()*2 - 1)
			}
		}
	}
}

// Bytes decodes floats from fuzz data, four little-endian bytes a float,
// cycling through data (with no data it fills as Uniform). With clamp,
// exponents are capped at 2^56, so that no sum of products of a dense
// kernel overflows, where fused and unfused arithmetic could disagree;
// NaN and ±Inf pass through.
func Bytes(data []byte, clamp bool) Filler {
	pos := 0
	return func(r *rand.Rand, s []float32) {
		for i := range s {
			if len(data) == 0 {
				s[i] = float32(r.Float64()*2 - 1)
				continue
			}
			var bits uint32
			for b := range 4 {
				bits |= uint32(data[(pos+b)%len(data)]) << (8 * b)
			}
			pos += 4
			if e := bits >> 23 & 0xff; clamp && e != 0xff && e > 127+56 {
				bits = bits&^(0xff<<23) | (127+56)<<23
			}
			s[i] = math.Float32frombits(bits)
		}
	}
}

// Clone is a copy of s in ordinary memory.
func Clone[T any](s []T) []T { return append(make([]T, 0, len(s)), s...) }

// SameBits reports whether got is want bit for bit, or both are NaN (of
// any payload).
func SameBits(got, want float32) bool {
	return math.Float32bits(got) == math.Float32bits(want) || (got != got && want != want)
}

// FromBits is math.Float32frombits.
func FromBits(b uint32) float32 { return math.Float32frombits(b) }
