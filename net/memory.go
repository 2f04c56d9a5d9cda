package net

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/memavail"
)

// MemoryError reports a job that needs more memory than the process can
// have. New, Train and CheckMemory return it before they allocate.
type MemoryError struct {
	Job    string // what was to be allocated: "a model 784-65536-10", "training"
	Need   uint64 // bytes the job would allocate
	Parts  string // what Need is made of
	Room   uint64 // bytes the process can still have
	Source string // what bounds Room: MemAvailable, a cgroup limit, GOMEMLIMIT
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("net: %s needs %s (%s), more than the %s the process can have (%s)",
		e.Job, memavail.Size(e.Need), e.Parts, memavail.Size(e.Room), e.Source)
}

// room is the memory the process can still have; a variable so that tests
// can narrow it.
var room = memavail.Get

// need adds up a job's allocations, saturating at the largest uint64
// rather than overflowing.
type need struct {
	total uint64
	parts []string
}

// add counts count items of size bytes as the part named name.
func (n *need) add(name string, count, size uint64) {
	b := mulSat(count, size)
	if b == 0 {
		return
	}
	n.total = addSat(n.total, b)
	n.parts = append(n.parts, name+" "+memavail.Size(b))
}

func mulSat(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// params is the weights and biases of a model of the given sizes.
func params(sizes []int) uint64 {
	var p uint64
	for l := 0; l+1 < len(sizes); l++ {
		in, out := uint64(max(sizes[l], 0)), uint64(max(sizes[l+1], 0))
		p = addSat(p, mulSat(addSat(in, 1), out))
	}
	return p
}

// modelNeed is New's allocation: the weights and biases.
func modelNeed(sizes []int) need {
	var n need
	n.add("weights", params(sizes), 4)
	return n
}

// trainNeed is what Train allocates for cfg on a model of the given sizes
// over data, beyond the model and the data: it follows newTrainer.
func trainNeed(sizes []int, data Rows, cfg Config) need {
	var n need
	p := padSizes(sizes, PadMultiple)
	pp := params(p)
	// A padded copy of the weights, or without padding the weights as the
	// epoch began (put back when it is cancelled).
	n.add("a copy of the weights", pp, 4)
	in := uint64(p[0])
	rows := uint64(data.values()) / max(in, 1)
	n.add("shuffle", rows, 4)
	threads := cfg.Threads
	if threads == 0 {
		threads = AllThreads()
	}
	nblocks := (max(cfg.BatchSize, 0) + BlockRows - 1) / BlockRows
	threads = max(min(threads, max(nblocks, updateItems(p))), 1)
	var units uint64 // outputs of every layer
	for _, s := range p[1:] {
		units = addSat(units, uint64(s))
	}
	perThread := addSat(addSat(in, 1), mulSat(units, 2)) // x, labels, act, delta
	n.add(plural(threads, "workspace of 1 thread", "workspaces of %d threads"), mulSat(uint64(threads), mulSat(BlockRows, perThread)), 4)
	if skips(data) {
		// Zero-column skipping: per thread the first layer's weights of
		// the kept columns, per block their gradient (skip.go).
		n.add("kept first-layer weights", mulSat(uint64(threads+nblocks), mulSat(in, uint64(p[1]))), 4)
	}
	n.add(plural(nblocks, "gradients of 1 block", "gradients of %d blocks"), mulSat(uint64(nblocks), pp), 4)
	if k := stateBuffers(cfg); k > 0 {
		n.add("optimizer state", mulSat(uint64(k), pp), 4)
	}
	if data.bytes != nil && byterows.PackedNative() {
		// byterows.PackWith: the offsets, then at most the masks and every
		// byte of each row, before it keeps the packed rows or frees them.
		masks := 2 * ((in + 15) / 16)
		n.add("packed rows", 1, addSat(mulSat(addSat(rows, 1), 4), addSat(mulSat(rows, addSat(masks, in)), 64)))
	}
	if !cfg.Val.empty() {
		// A Predictor on the trainer's threads: each busy thread holds a
		// block's outputs of every layer, and its rows as float32 when they
		// are bytes, with their row numbers.
		var perRow uint64
		for _, s := range sizes[1:] {
			perRow = addSat(perRow, uint64(s))
		}
		if cfg.Val.bytes != nil {
			perRow = addSat(perRow, addSat(in, 1))
		}
		valRows := uint64(cfg.Val.values()) / max(in, 1)
		valBlocks := (valRows + BlockRows - 1) / BlockRows
		busy := min(uint64(threads), valBlocks)
		n.add("validation workspace", mulSat(busy, mulSat(min(valRows, BlockRows), perRow)), 4)
		n.add("validation results", valBlocks, 16)
	}
	if cfg.Patience > 0 {
		n.add("best weights", params(sizes), 4)
	}
	return n
}

// updateItems is the number of update work items of a model of sizes p
// (newTrainer's t.updates).
func updateItems(p []int) int {
	items := 0
	for l := 0; l+1 < len(p); l++ {
		items += (p[l]*p[l+1]+updateChunk-1)/updateChunk + 1
	}
	return items
}

// fits returns a *MemoryError when n does not fit in the room the
// process has, nil when it fits or the room is unknown.
func fits(job string, n need) error {
	r, ok := room()
	if !ok || n.total <= r.Bytes {
		return nil
	}
	return &MemoryError{Job: job, Need: n.total, Parts: strings.Join(n.parts, ", "), Room: r.Bytes, Source: r.Source}
}

// CheckMemory reports, as a *MemoryError, a training job that cannot fit
// in the memory the process can have: a model of the given sizes (New),
// then Train with cfg over data. The room is the smallest of the memory
// the system reports available, the process's cgroup limit less its usage,
// and the Go memory limit (GOMEMLIMIT) less what the runtime holds; where
// none of them can be read (outside Linux, without a Go limit) every job
// fits. New and Train each check their own part. Sizes New refuses give
// New's error.
func CheckMemory(sizes []int, data Rows, cfg Config) error {
	if err := checkSizes(sizes); err != nil {
		return err // New's error
	}
	n := modelNeed(sizes)
	t := trainNeed(sizes, data, cfg)
	n.total = addSat(n.total, t.total)
	n.parts = append(n.parts, t.parts...)
	return fits("training a model "+sizeList(sizes), n)
}

// sizeList writes sizes as "784-15-10".
func sizeList(sizes []int) string { return joinInts(sizes, "-") }

// joinInts writes v in decimal, sep between the numbers.
func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

// plural is one when n is 1, else many with n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}
