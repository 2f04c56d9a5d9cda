package net

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle helper polls for the next phase before it
// parks. A training step is a few hundred microseconds and has two
// phases; waking a parked goroutine costs tens of microseconds, which on
// two cores cost a fifth of the 784-15-10 step. Between epochs
// (evaluation, callbacks) the helpers park.
const spinFor = 100 * time.Microsecond

// pool runs the phases of a training step on the calling goroutine and
// its helper goroutines. run starts a phase on every helper and calls do
// on the caller too; it returns when all are done. Helpers poll for the
// next phase for spinFor, then park until run or stop wakes them.
type pool struct {
	gen     atomic.Uint32 // bumped by run to start a phase, and by stop
	pending atomic.Int32  // helpers not yet done with the current phase
	stopped atomic.Bool
	parked  []atomic.Bool // helper i waits on wake[i]
	wake    []chan struct{}
	do      func(helper int) // the current phase's work, helper ≥ 1
	exited  sync.WaitGroup   // the helper goroutines (tests wait on it)
}

// newPool starts helpers goroutines; do(i) is helper i's share of a phase
// (1 ≤ i ≤ helpers), do(0) the caller's.
func newPool(helpers int, do func(helper int)) *pool {
	p := &pool{parked: make([]atomic.Bool, helpers), wake: make([]chan struct{}, helpers), do: do}
	for i := range p.wake {
		p.wake[i] = make(chan struct{}, 1)
	}
	for i := range helpers {
		p.exited.Go(func() { p.helper(i) })
	}
	return p
}

// run does one phase on the caller and every helper. Having done its
// share, the caller polls (yielding) until the helpers are done too: a
// phase's shares take about the same time, so the wait is short.
func (p *pool) run() {
	n := len(p.wake)
	p.pending.Store(int32(n))
	p.gen.Add(1)
	p.wakeParked()
	p.do(0)
	spin(func() bool { return p.pending.Load() == 0 }, func() {
		for p.pending.Load() != 0 {
			runtime.Gosched()
		}
	})
}

// stop ends the helpers.
func (p *pool) stop() {
	p.stopped.Store(true)
	p.gen.Add(1)
	p.wakeParked()
}

func (p *pool) wakeParked() {
	for i := range p.parked {
		if p.parked[i].CompareAndSwap(true, false) {
			p.wake[i] <- struct{}{}
		}
	}
}

// recheck is how long a parked helper sleeps before it looks at the
// generation again by itself.
const recheck = 2 * time.Millisecond

func (p *pool) helper(i int) {
	var seen uint32 // the generation before the first run: the goroutine may start after it
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		// Wait for the generation to move: poll, then park.
		spin(func() bool { return p.gen.Load() != seen }, func() { p.park(i, seen, timer) })
		seen = p.gen.Load()
		if p.stopped.Load() {
			return
		}
		p.do(i + 1)
		p.pending.Add(-1)
	}
}

// park blocks helper i until the generation moves past seen. The helper
// raises parked[i], then looks at the generation; run and stop move the
// generation, then take parked[i] back (compare-and-swap) and send a
// token. Exactly one side takes the flag back, so every token sent is
// received. A token can be late: the helper may have seen the new
// generation on its own, done the phase and parked again before the
// waker's compare-and-swap, so a token proves nothing and the helper
// always looks at the generation again before it returns (this was the CI
// hang under qemu: a stale token made a helper run a phase twice, and the
// count of helpers still busy never came back to 0). parked[i] is raised
// by Swap, a read-modify-write, so that the load of the generation after
// it cannot be performed first (a store-release then load-acquire may
// pass each other under qemu-aarch64 on x86); as a last guard a parked
// helper also looks again every recheck on its own.
func (p *pool) park(i int, seen uint32, timer *time.Timer) {
	for {
		p.parked[i].Swap(true)
		if p.gen.Load() != seen {
			if !p.parked[i].CompareAndSwap(true, false) {
				<-p.wake[i] // a waker took the flag: its token is coming
			}
			return
		}
		timer.Reset(recheck)
		select {
		case <-p.wake[i]: // the waker took the flag
			timer.Stop()
		case <-timer.C:
			if !p.parked[i].CompareAndSwap(true, false) {
				<-p.wake[i]
			}
		}
		if p.gen.Load() != seen {
			return
		}
	}
}

// spin polls ready for spinFor, yielding to other goroutines every 64
// polls, and calls block if it never held.
func spin(ready func() bool, block func()) {
	var start time.Time
	for i := 0; ; i++ {
		if ready() {
			return
		}
		if i%64 == 63 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				break
			}
			runtime.Gosched()
		}
	}
	block()
}

// The schedule of a step's phases over the pool.

// parallel runs the items of a phase on the calling goroutine and the
// helpers, each taking the next item until none are left.
func (t *trainer) parallel(phase, items int) {
	t.phase, t.items = phase, items
	t.next.Store(0)
	t.pool.run()
}

// work takes items of the current phase until none are left. In the
// blocks phase, on byte data, it claims its next block before running the
// current one and prefetches that block's rows, which then arrive from
// DRAM while this block computes; it claims ahead only while it holds
// fewer than its share of the phase's blocks, so that with as many
// threads as blocks each still gets one. Out of blocks, it prefetches
// the rows of the next batch's block it most often takes first.
func (t *trainer) work(ws *workspace) {
	share := (t.items + t.threads - 1) / t.threads
	mine := 1
	i := int(t.next.Add(1)) - 1
	for i < t.items {
		if t.phase != phaseBlocks {
			t.update(t.updates[i])
			i = int(t.next.Add(1)) - 1
			continue
		}
		j := -1 // not claimed yet
		if t.in.fromDRAM() && mine < share {
			mine++
			if j = int(t.next.Add(1)) - 1; j < t.items {
				t.in.prefetch(t.blockIdx(j))
			}
		}
		t.block(ws, t.grads[i], t.blockIdx(i))
		if i = j; i < 0 {
			mine++
			i = int(t.next.Add(1)) - 1
		}
	}
	if t.phase == phaseBlocks && t.in.fromDRAM() {
		// Out of blocks: start the rows of a block of the next batch of
		// the epoch on their way, the first of the share this thread's
		// number most often takes (the caller claims first, and each
		// thread claims its share's blocks in a row).
		next := t.batchStart + t.batchRows
		end := min(next+t.cfg.BatchSize, t.rows)
		share := ((end-next+BlockRows-1)/BlockRows + t.threads - 1) / t.threads
		if start := next + ws.id*share*BlockRows; start < end {
			t.in.prefetch(t.perm[start:min(start+BlockRows, end)])
		}
	}
}

// blockIdx is the rows of block i of the current batch.
func (t *trainer) blockIdx(i int) []int32 {
	lo := t.batchStart + i*BlockRows
	return t.perm[lo : lo+min(BlockRows, t.batchRows-i*BlockRows)]
}
