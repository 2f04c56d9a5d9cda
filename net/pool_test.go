package net

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPool: every phase runs exactly once on the caller and on every
// helper, and run returns only after all are done, whether the helpers
// are polling (phases back to back) or parked (phases further apart than
// spinFor); stop ends the helpers in both states.
func TestPool(t *testing.T) {
	for _, helpers := range []int{0, 1, 2, 6} {
		for _, gap := range []time.Duration{0, 3 * spinFor} {
			counts := make([]atomic.Int32, helpers+1)
			p := newPool(helpers, func(h int) {
				counts[h].Add(1)
				if h%2 == 1 {
					time.Sleep(10 * time.Microsecond) // finish after the caller
				}
			})
			for i := range 50 {
				p.run()
				for h := range counts {
					require.EqualValues(t, i+1, counts[h].Load(), "helpers %d gap %v: worker %d after run %d", helpers, gap, h, i+1)
				}
				time.Sleep(gap)
			}
			p.stop() // helpers polling (gap 0) or parked
			done := make(chan struct{})
			go func() { p.exited.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("helpers %d gap %v: helpers did not exit after stop", helpers, gap)
			}
		}
	}
}

// TestPoolStaleToken: a wake-up token that arrives after the helper has
// already done the phase (a waker's compare-and-swap running late) does
// not make it run a phase again. Before the fix the helper ran the phase
// twice, the count of busy helpers went to -1 and the next run waited
// forever (seen under qemu-aarch64).
func TestPoolStaleToken(t *testing.T) {
	var count atomic.Int32
	p := newPool(1, func(h int) {
		if h == 1 {
			count.Add(1)
		}
	})
	defer p.stop()
	p.run()
	require.EqualValues(t, 1, count.Load())
	for k := range 3 {
		deadline := time.Now().Add(10 * time.Second)
		for !p.parked[0].Load() { // wait for the helper to park
			require.True(t, time.Now().Before(deadline), "helper never parked")
			time.Sleep(50 * time.Microsecond)
		}
		if p.parked[0].CompareAndSwap(true, false) { // a late waker
			p.wake[0] <- struct{}{}
		}
		time.Sleep(5 * recheck)
		require.EqualValues(t, 1+k, count.Load(), "a stale token ran a phase")
		p.run()
		require.EqualValues(t, 2+k, count.Load())
	}
}
