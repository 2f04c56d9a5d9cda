//go:build !purego

package byterows

// The entries' routines in NEON (entries_arm64.s), driven by
// entriesRoutines (entries_asm.go). The entries are made by the Go fill.

//go:noescape
func neonEntriesFwd4(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func neonEntriesFwd1(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)

//go:noescape
func neonEntriesGrad(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)

// neonEntries is the products over entries in NEON.
var neonEntries = entriesRoutines{fwd4: neonEntriesFwd4, fwd1: neonEntriesFwd1, grad: neonEntriesGrad}
