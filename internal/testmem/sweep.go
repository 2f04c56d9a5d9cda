package testmem

import (
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A Pass is one run of a sweep: where its slices go, and whatever else
// the package's kernels take from it (row counts, values, divisors).
type Pass interface {
	// Place makes the pass's placement for one kernel.
	Place(t *testing.T) Placement
}

// A Kernel is one kernel of a sweep: its subtest name and its
// comparisons with the reference over one pass.
type Kernel[P Pass] struct {
	Name string
	Run  func(t *testing.T, pl Placement, r *rand.Rand, p P)
}

// Sweep runs each kernel as a subtest named after it, over every pass in
// turn, so that -run 'Sweep/avx512/Name' selects one kernel (on one
// implementation, when called per implementation) and a failing kernel
// leaves the others running: each kernel gets placements of its own, and
// a fault or panic fails it alone (Catch). A kernel draws its inputs from
// a seed of its name and the placement's: the same whether it runs alone
// or not.
func Sweep[P Pass](t *testing.T, kernels []Kernel[P], passes ...P) {
	t.Helper()
	for _, k := range kernels {
		t.Run(k.Name, func(t *testing.T) {
			defer Catch(t)()
			for _, p := range passes {
				pl := p.Place(t)
				h := fnv.New64a()
				h.Write([]byte(k.Name + "/" + pl.Name()))
				k.Run(t, pl, rand.New(rand.NewPCG(h.Sum64(), 99)), p)
			}
		})
	}
}

// Placer makes the placement of a pass: an Offset, or a Guard
// (guard.go).
type Placer func(t *testing.T) Placement

// Place makes the placement.
func (p Placer) Place(t *testing.T) Placement { return p(t) }

// AtOffset places slices with an Offset of off.
func AtOffset(off int) Placer {
	return func(*testing.T) Placement { return &Offset{Off: off} }
}

// Panics runs each call of cases as a subtest named after its key, the
// message the call must panic with: an argument check saying what is
// wrong and where.
func Panics(t *testing.T, cases map[string]func()) {
	for _, msg := range slices.Sorted(maps.Keys(cases)) {
		t.Run(msg, func(t *testing.T) {
			assert.PanicsWithValue(t, msg, cases[msg])
		})
	}
}
