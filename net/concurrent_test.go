package net

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
)

// trainJob is one training run of the concurrency tests.
type trainJob struct {
	sizes []int
	seed  uint64
	data  Rows
	cfg   Config
}

// result is what a run produced: its weights and its history, the
// measured seconds left out.
type result struct {
	m    *Model
	hist History
	err  error
}

func (j trainJob) run(ctx context.Context, onBatch func()) result {
	m, err := New(j.sizes, j.seed)
	if err != nil {
		return result{err: err}
	}
	cfg := j.cfg
	if onBatch != nil {
		cfg.OnBatch = func(int, int, int) { onBatch() }
	}
	hist, err := Train(ctx, m, j.data, cfg)
	hist = comparable(hist)
	for i := range hist {
		hist[i].Seconds = 0
	}
	return result{m: m, hist: hist, err: err}
}

// requireSameBits fails unless got's weights, biases and history are
// bitwise want's.
func requireSameBits(t *testing.T, want, got result, what string) {
	t.Helper()
	require.NoError(t, want.err, what)
	require.NoError(t, got.err, what)
	require.Equal(t, want.hist, got.hist, "%s: history", what)
	for l := range want.m.W {
		for i := range want.m.W[l] {
			require.Equal(t, math.Float32bits(want.m.W[l][i]), math.Float32bits(got.m.W[l][i]), "%s: W[%d][%d]", what, l, i)
		}
		for i := range want.m.B[l] {
			require.Equal(t, math.Float32bits(want.m.B[l][i]), math.Float32bits(got.m.B[l][i]), "%s: B[%d][%d]", what, l, i)
		}
	}
}

// concurrentJobs are four different runs: float and byte rows (packed
// where the implementation gathers packed rows), one to three threads,
// plain SGD and momentum, with and without validation, padded and not.
func concurrentJobs() []trainJob {
	fx, fy := blobs(11, 1500, 30, 10, 1)
	vx, vy := blobs(12, 300, 30, 10, 1)
	bx, by := pixels(13, 1200, 40, 7)
	sx, sy := sparseBytes(14, 600, 784, 10)
	return []trainJob{
		{sizes: []int{30, 17, 10}, seed: 1, data: FloatRows(fx, fy),
			cfg: Config{Epochs: 3, BatchSize: 600, LR: 0.1, Seed: 1, Threads: 2, Val: FloatRows(vx, vy)}},
		{sizes: []int{40, 24, 9, 7}, seed: 2, data: ByteRows(bx, 255, by),
			cfg: Config{Epochs: 2, BatchSize: 500, LR: 0.05, Momentum: 0.5, Seed: 2, Threads: 3}},
		{sizes: []int{784, 15, 10}, seed: 3, data: ByteRows(sx, 255, sy),
			cfg: Config{Epochs: 2, BatchSize: 300, LR: 0.2, Seed: 3, Threads: 2}},
		{sizes: []int{30, 8, 10}, seed: 4, data: FloatRows(fx, fy),
			cfg: Config{Epochs: 2, BatchSize: 100, LR: 0.2, Momentum: 0.9, Seed: 4, Threads: 1}},
	}
}

// TestConcurrentTrain: several goroutines training different models at
// once get, bit for bit, what the same runs give one after another (and
// under -race, they share nothing they write).
func TestConcurrentTrain(t *testing.T) {
	jobs := concurrentJobs()
	want := make([]result, len(jobs))
	for i, j := range jobs {
		want[i] = j.run(context.Background(), nil)
	}
	for round := range 2 {
		got := make([]result, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Go(func() { got[i] = j.run(context.Background(), nil) })
		}
		wg.Wait()
		for i := range jobs {
			requireSameBits(t, want[i], got[i], fmt.Sprintf("round %d, trainJob %d", round, i))
		}
	}
}

// TestSetImplDuringTrain: a Train keeps the implementation that was
// active when it started: SetImpl calls while it runs (here between every
// two batches, cycling through every implementation the CPU offers, from
// the runs' own callbacks and from a goroutine of their own) leave its
// results bitwise those of a run left alone. The implementations round
// differently, so a run that followed the switches would mix them.
func TestSetImplDuringTrain(t *testing.T) {
	impls := simdnn.Impls()
	if len(impls) < 2 {
		t.Skipf("only %v here: no implementation to switch to", impls)
	}
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	jobs := concurrentJobs()
	differ := 0 // jobs whose weights differ from the first implementation's
	var first []result
	for _, start := range impls {
		require.NoError(t, simdnn.SetImpl(start))
		want := make([]result, len(jobs))
		for i, j := range jobs {
			want[i] = j.run(context.Background(), nil)
			if first != nil && !equalBits(first[i].m, want[i].m) {
				differ++
			}
		}
		if first == nil {
			first = want
		}
		// One by one, switching from the run's own callback.
		for i, j := range jobs {
			require.NoError(t, simdnn.SetImpl(start))
			n := 0
			got := j.run(context.Background(), func() {
				n++
				require.NoError(t, simdnn.SetImpl(impls[n%len(impls)]))
			})
			requireSameBits(t, want[i], got, fmt.Sprintf("start %s, trainJob %d, switched %d times", start, i, n))
		}
		// All at once, with a goroutine switching as fast as it can.
		require.NoError(t, simdnn.SetImpl(start))
		got := make([]result, len(jobs))
		var wg sync.WaitGroup
		started := make(chan struct{}, len(jobs))
		for i, j := range jobs {
			wg.Go(func() {
				first := true
				got[i] = j.run(context.Background(), func() {
					if first {
						first = false
						started <- struct{}{}
					}
				})
			})
		}
		done := make(chan struct{})
		switched := 0
		var switcher sync.WaitGroup
		switcher.Go(func() {
			for range jobs {
				<-started // every run has taken its implementation by its first batch
			}
			for n := 0; ; n++ {
				select {
				case <-done:
					switched = n
					return
				default:
				}
				if err := simdnn.SetImpl(impls[n%len(impls)]); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Wait()
		close(done)
		switcher.Wait()
		for i := range jobs {
			requireSameBits(t, want[i], got[i], fmt.Sprintf("start %s, trainJob %d, concurrent, %d switches", start, i, switched))
		}
		t.Logf("start %s: %d switches during the concurrent runs", start, switched)
	}
	// Whether the test could see a mix: runs that differ between
	// implementations.
	t.Logf("%d of %d runs on %v differ from those on %s", differ, len(jobs)*(len(impls)-1), impls[1:], impls[0])
}

// equalBits reports whether a and b hold bitwise the same parameters.
func equalBits(a, b *Model) bool {
	for l := range a.W {
		for i := range a.W[l] {
			if math.Float32bits(a.W[l][i]) != math.Float32bits(b.W[l][i]) {
				return false
			}
		}
		for i := range a.B[l] {
			if math.Float32bits(a.B[l][i]) != math.Float32bits(b.B[l][i]) {
				return false
			}
		}
	}
	return true
}
