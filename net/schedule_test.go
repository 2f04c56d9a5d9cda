package net

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rates is every batch's rate of a run.
func rates(s Schedule, lr float32, epochs, perEpoch int) []float64 {
	out := make([]float64, epochs*perEpoch)
	for b := range out {
		out[b] = float64(s.rate(lr, b, epochs, perEpoch))
	}
	return out
}

func TestScheduleFormulas(t *testing.T) {
	const lr = 0.1
	// constant: LR, bit for bit, with or without Kind.
	for _, k := range []string{"", ScheduleConstant} {
		for _, r := range rates(Schedule{Kind: k}, lr, 3, 7) {
			assert.Equal(t, float64(float32(lr)), r)
		}
	}
	// warm-up over 2 of 10 epochs of 5 batches: LR·(s+1)/10, then LR.
	r := rates(Schedule{Warmup: 2}, lr, 10, 5)
	for s := range 10 {
		assert.InDelta(t, lr*float64(s+1)/10, r[s], 1e-8, "batch %d", s)
	}
	assert.Equal(t, float64(float32(lr)), r[10])
	// step every 2 epochs by 0.5, 4 batches an epoch.
	r = rates(Schedule{Kind: ScheduleStep, StepEvery: 2, Gamma: 0.5}, lr, 6, 4)
	for s, want := range []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.025} {
		assert.InDelta(t, want, r[s*4], 1e-8, "epoch %d", s)
		assert.Equal(t, r[s*4], r[s*4+3], "constant within epoch %d", s)
	}
	// step's defaults: every third of the run, by 0.1.
	r = rates(Schedule{Kind: ScheduleStep}, lr, 9, 1)
	assert.InDelta(t, 0.1, r[2], 1e-8)
	assert.InDelta(t, 0.01, r[3], 1e-9)
	assert.InDelta(t, 0.001, r[8], 1e-10)
	// cosine after one epoch of warm-up, 10 epochs of 10 batches: LR at
	// its start, LR/2 half way through the rest, falling, above 0.
	r = rates(Schedule{Kind: ScheduleCosine, Warmup: 1}, lr, 10, 10)
	assert.InDelta(t, 0.01, r[0], 1e-9)
	assert.InDelta(t, lr, r[9], 1e-8, "the warm-up ends at LR")
	assert.InDelta(t, lr, r[10], 1e-8)
	assert.InDelta(t, lr/2, r[55], 1e-8)
	for s := 11; s < 100; s++ {
		assert.Less(t, r[s], r[s-1])
	}
	assert.Greater(t, r[99], 0.0)
	assert.InDelta(t, lr*(1+math.Cos(math.Pi*89/90))/2, r[99], 1e-9)
	// onecycle, 100 batches, the rise over 30 % (PyTorch's defaults):
	// LR/25 → LR at batch 29 → LR/25/10⁴ at the last, LR/2 + end/2 half
	// way down.
	r = rates(Schedule{Kind: ScheduleOneCycle}, lr, 10, 10)
	assert.InDelta(t, lr/25, r[0], 1e-9)
	assert.InDelta(t, lr, r[29], 1e-8)
	assert.InDelta(t, lr/25/1e4, r[99], 1e-10)
	assert.InDelta(t, (lr+lr/25/1e4)/2, r[64], 1e-8)
	assert.InDelta(t, lr/25+(lr-lr/25)*(1-math.Cos(math.Pi*10/29))/2, r[10], 1e-8)
	// onecycle with Warmup 5 of 10 epochs: the peak at batch 49.
	r = rates(Schedule{Kind: ScheduleOneCycle, Warmup: 5}, lr, 10, 10)
	assert.InDelta(t, lr, r[49], 1e-8)
	// A run too short to rise still ends low and never divides by zero.
	r = rates(Schedule{Kind: ScheduleOneCycle}, lr, 1, 3)
	assert.InDelta(t, lr, r[0], 1e-8)
	assert.InDelta(t, lr/25/1e4, r[2], 1e-10)
	assert.Equal(t, float64(float32(lr)), rates(Schedule{Kind: ScheduleOneCycle}, lr, 1, 1)[0])
	for _, k := range []string{ScheduleStep, ScheduleCosine, ScheduleOneCycle} {
		for _, v := range rates(Schedule{Kind: k, Warmup: 0.5}, lr, 3, 5) {
			assert.False(t, math.IsNaN(v) || v <= 0 || v > lr*1.0000001, "%s: %g", k, v)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	cfg := DefaultConfig()
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Kind: "linear"}, `net: Config.Schedule.Kind = "linear", want constant, step, cosine or onecycle`},
		{Schedule{Warmup: -1}, "net: Config.Schedule.Warmup = -1, want a finite number of epochs ≥ 0"},
		{Schedule{Warmup: math.NaN()}, "net: Config.Schedule.Warmup = NaN, want a finite number of epochs ≥ 0"},
		{Schedule{Warmup: 50}, "net: Config.Schedule.Warmup = 50, want fewer epochs than the 50 of the run"},
		{Schedule{Kind: ScheduleStep, StepEvery: -2}, "net: Config.Schedule.StepEvery = -2, want ≥ 0"},
		{Schedule{Kind: ScheduleStep, Gamma: 1.5}, "net: Config.Schedule.Gamma = 1.5, want in (0, 1] (0: 0.1)"},
	} {
		cfg.Schedule = c.s
		err := cfg.Validate()
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.EqualError(t, err, c.want)
	}
	cfg.Schedule = Schedule{Kind: ScheduleOneCycle, Warmup: 12.5}
	assert.NoError(t, cfg.Validate())
}

// TestTrainFollowsSchedule: each epoch reports its last batch's rate, the
// run differs from a constant one, and is the same on 1 and 3 threads.
func TestTrainFollowsSchedule(t *testing.T) {
	x, y := blobs(3, 600, 12, 3, 1)
	run := func(s Schedule, threads int) (*Model, History) {
		m, _ := New([]int{12, 9, 3}, 1)
		h, err := Train(context.Background(), m, FloatRows(x, y), Config{Epochs: 4, BatchSize: 100, LR: 0.2, Seed: 1, Threads: threads, Schedule: s})
		require.NoError(t, err)
		return m, h
	}
	s := Schedule{Kind: ScheduleCosine, Warmup: 1}
	m1, h1 := run(s, 1)
	m3, h3 := run(s, 3)
	assert.Equal(t, m1, m3)
	for i, e := range h1 {
		assert.Equal(t, s.rate(0.2, (i+1)*6-1, 4, 6), e.LR, "epoch %d", e.Epoch)
		assert.Equal(t, e.LR, h3[i].LR)
	}
	mc, hc := run(Schedule{}, 1)
	assert.NotEqual(t, mc.W, m1.W)
	assert.Equal(t, float32(0.2), hc[3].LR)
}
