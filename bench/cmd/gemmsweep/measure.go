package main

import (
	"runtime"
	"time"

	"github.com/simdnn/simdnn/bench/peak"
	"github.com/simdnn/simdnn/internal/hugepage"
)

// Timing of one call: calls are repeated until one run of them takes at
// least minRun of the thread's CPU time (the first such run is the
// warm-up), then timed in up to runs runs, stopping early once the runs
// have taken maxSpent; the best run's time per call.
const (
	minRun   = 2 * time.Millisecond
	maxSpent = time.Second
)

// bestPerCall returns the best time per call of f over at most runs runs
// (at least one), each of enough calls to take minRun, on a locked OS
// thread by its CPU time (peak.ThreadTime), as bench/peak measures the
// FMA peak.
func bestPerCall(f func(), runs int) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	timed := func(calls int) time.Duration {
		start := peak.ThreadTime()
		for range calls {
			f()
		}
		return peak.ThreadTime() - start
	}
	calls := 1
	for d := timed(calls); d < minRun; d = timed(calls) {
		calls = grow(calls, d)
	}
	best := time.Duration(1<<63 - 1)
	for i, spent := 0, time.Duration(0); i < runs && (i == 0 || spent < maxSpent); i++ {
		d := timed(calls)
		best, spent = min(best, d), spent+d
	}
	return best / time.Duration(calls)
}

// grow is the number of calls that should take about 1.2·minRun when
// calls took d: at most 100 times as many, at least twice.
func grow(calls int, d time.Duration) int {
	if d <= 0 {
		return calls * 100
	}
	want := int(float64(calls) * 1.2 * float64(minRun) / float64(d))
	return min(max(want, 2*calls), 100*calls)
}

// bandwidthBytes is the size of each of the two buffers the bandwidth is
// measured on: far beyond the cache one core reaches.
const bandwidthBytes = 256 << 20

// copyBandwidth returns one core's memory bandwidth in GB/s: the best of
// 8 copies (copy, the runtime's memmove, which writes blocks this large
// with non-temporal stores) of bandwidthBytes between two buffers marked
// for huge pages, counting the bytes read and written, per second of the
// thread's CPU time.
func copyBandwidth() float64 {
	src, freeSrc := hugepage.Bytes(bandwidthBytes)
	defer freeSrc()
	dst, freeDst := hugepage.Bytes(bandwidthBytes)
	defer freeDst()
	for i := range src {
		src[i] = byte(i)
	}
	copy(dst, src) // fault dst in
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := time.Duration(1<<63 - 1)
	for range 8 {
		start := peak.ThreadTime()
		copy(dst, src)
		best = min(best, peak.ThreadTime()-start)
	}
	return 2 * bandwidthBytes / best.Seconds() / 1e9
}
