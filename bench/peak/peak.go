// Package peak measures the floating-point peak of one core for the
// vector instruction set of a simdnn implementation: an assembly loop of
// independent fused multiply-adds on registers, no memory. Kernel speeds
// divided by it (measured in the same run, on the same core type) give
// the "% of peak" figures of the benchmarks and of `simdnn bench`.
package peak

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/simdnn/simdnn"
)

// loop is one implementation's peak loop: run(iters) executes iters
// iterations of flops floating-point operations each (an FMA counts 2
// per lane).
type loop struct {
	run   func(iters int)
	flops int
}

// loops maps an implementation name to its peak loop. Each architecture
// file adds its own entries in an init function.
var loops = map[string]loop{}

// Measure returns one core's peak in GFLOP/s for the named
// implementation's vector ISA: the best of short timed runs of its FMA
// loop on a locked OS thread, about 150 ms of that thread's CPU time in
// all (ThreadTime: on a busy machine the wall time is longer, but time
// spent descheduled is not counted against the core). It fails for an
// implementation this CPU does not offer (see simdnn.Impls) or that has
// no peak loop on this architecture, such as "generic".
func Measure(impl string) (gflops float64, err error) {
	l, ok := loops[impl]
	if !ok {
		return 0, fmt.Errorf("peak: no FMA peak loop for implementation %q on %s", impl, runtime.GOARCH)
	}
	if !slices.Contains(simdnn.Impls(), impl) {
		return 0, fmt.Errorf("peak: implementation %q is not supported by this CPU (available: %v)", impl, simdnn.Impls())
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	timed := func(iters int) time.Duration {
		start := ThreadTime()
		l.run(iters)
		return ThreadTime() - start
	}
	// Calibrate: double the iterations until one run takes 2 ms.
	iters := 1 << 10
	var d time.Duration
	for d = timed(iters); d < 2*time.Millisecond; d = timed(iters) {
		iters *= 2
	}
	// Then runs of about 5 ms, for 150 ms of CPU time or 1 s of wall
	// time; keep the fastest, the one least disturbed by other work
	// sharing the core's caches or its sibling thread.
	iters = max(1, int(float64(iters)*float64(5*time.Millisecond)/float64(d)))
	best := time.Duration(1<<63 - 1)
	deadline := time.Now().Add(time.Second)
	for spent := time.Duration(0); spent < 150*time.Millisecond && time.Now().Before(deadline); {
		d := timed(iters)
		best, spent = min(best, d), spent+d
	}
	return float64(iters) * float64(l.flops) / best.Seconds() / 1e9, nil
}
