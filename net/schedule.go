package net

import (
	"fmt"
	"math"
)

// Schedule sets the learning rate of every batch from Config.LR, the
// peak rate. It steps per batch: batch s of a run of S batches (s from 0,
// over all epochs; B batches an epoch) with W = round(Warmup·B) warm-up
// batches trains with
//
//	constant: LR
//	step:     LR · Gamma^⌊e / StepEvery⌋, e = ⌊s / B⌋ the epoch (from 0)
//	cosine:   LR · (1 + cos(π·(s − W) / (S − W))) / 2
//	onecycle: PyTorch's OneCycleLR (cosine annealing, two phases): from
//	          LR/25 up to LR over the first P = Warmup/Epochs of the run
//	          (0.3 when Warmup is 0), then down to LR/25/10⁴; with
//	          a(x, y, p) = y + (x − y)·(1 + cos(π·p))/2 and E1 = P·S − 1,
//	          s ≤ E1: a(LR/25, LR, s/E1), else a(LR, LR/25/10⁴, (s − E1)/(S − 1 − E1))
//
// and, for constant, step and cosine, during the first W batches the
// warm-up LR·(s + 1)/W in place of the above. The rate is computed in
// float64 and rounded to float32 once per batch, the same on every
// implementation and thread count.
type Schedule struct {
	Kind      string  // "constant" (also ""), "step", "cosine" or "onecycle"
	Warmup    float64 // epochs of warm-up (onecycle: of rising rate); ≥ 0
	StepEvery int     // step: epochs between decays; 0 means a third of the epochs (at least 1)
	Gamma     float64 // step: the decay factor, in (0, 1]; 0 means 0.1
}

// The kinds of Schedule.
const (
	ScheduleConstant = "constant"
	ScheduleStep     = "step"
	ScheduleCosine   = "cosine"
	ScheduleOneCycle = "onecycle"
)

// OneCycle's constants, PyTorch's defaults.
const (
	oneCycleDiv      = 25  // the start is LR / oneCycleDiv
	oneCycleFinalDiv = 1e4 // the end is the start / oneCycleFinalDiv
	oneCyclePct      = 0.3 // the rising share of the run without Warmup
)

// validate checks s for a run of epochs.
func (s Schedule) validate(epochs int) *ConfigError {
	bad := func(field string, value any, want string) *ConfigError {
		return &ConfigError{Field: "Schedule." + field, Value: value, Want: want}
	}
	switch s.Kind {
	case "", ScheduleConstant, ScheduleStep, ScheduleCosine, ScheduleOneCycle:
	default:
		return bad("Kind", fmt.Sprintf("%q", s.Kind), "constant, step, cosine or onecycle")
	}
	switch {
	case !(s.Warmup >= 0) || math.IsInf(s.Warmup, 0):
		return bad("Warmup", s.Warmup, "a finite number of epochs ≥ 0")
	case s.Warmup >= float64(epochs) && s.Warmup > 0:
		return bad("Warmup", s.Warmup, fmt.Sprintf("fewer epochs than the %d of the run", epochs))
	case s.StepEvery < 0:
		return bad("StepEvery", s.StepEvery, "≥ 0")
	case !(s.Gamma >= 0 && s.Gamma <= 1):
		return bad("Gamma", s.Gamma, "in (0, 1] (0: 0.1)")
	}
	return nil
}

// rate is the learning rate of batch s of a run of epochs epochs of
// perEpoch batches each, from the peak lr.
func (s Schedule) rate(lr float32, batch, epochs, perEpoch int) float32 {
	peak := float64(lr)
	total := epochs * perEpoch
	if s.Kind == ScheduleOneCycle {
		pct := oneCyclePct
		if s.Warmup > 0 {
			pct = s.Warmup / float64(epochs)
		}
		start := peak / oneCycleDiv
		end := start / oneCycleFinalDiv
		e1 := pct*float64(total) - 1
		anneal := func(from, to, p float64) float64 { return to + (from-to)*(1+math.Cos(math.Pi*p))/2 }
		x := float64(batch)
		if e1 <= 0 { // a run too short for a rising phase
			if total <= 1 {
				return lr
			}
			return float32(anneal(peak, end, x/float64(total-1)))
		}
		if x <= e1 {
			return float32(anneal(start, peak, x/e1))
		}
		return float32(anneal(peak, end, (x-e1)/(float64(total-1)-e1)))
	}
	warm := int(math.Round(s.Warmup * float64(perEpoch)))
	if batch < warm {
		return float32(peak * float64(batch+1) / float64(warm))
	}
	switch s.Kind {
	case ScheduleStep:
		every, gamma := s.StepEvery, s.Gamma
		if every == 0 {
			every = max(1, epochs/3)
		}
		if gamma == 0 {
			gamma = 0.1
		}
		return float32(peak * math.Pow(gamma, float64(batch/perEpoch/every)))
	case ScheduleCosine:
		return float32(peak * (1 + math.Cos(math.Pi*float64(batch-warm)/float64(total-warm))) / 2)
	}
	return lr
}
