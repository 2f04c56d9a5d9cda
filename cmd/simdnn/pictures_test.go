package main

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEpochTicks: the epoch axis is labelled with whole epochs only, at
// most about ten of them, every 1, 2, 5, 10, 20, 50, … epochs.
func TestEpochTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     []int
	}{
		{0.5, 1.5, []int{1}},
		{1, 2, []int{1, 2}},
		{1, 10, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{1, 12, []int{2, 4, 6, 8, 10, 12}},
		{1, 50, []int{5, 10, 15, 20, 25, 30, 35, 40, 45, 50}},
		{1, 1000, []int{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}},
	} {
		var labels []int
		for _, tk := range (epochTicks{}).Ticks(c.min, c.max) {
			assert.Equal(t, math.Trunc(tk.Value), tk.Value, "a tick between epochs")
			if tk.Label != "" {
				v, err := strconv.Atoi(tk.Label)
				require.NoError(t, err, "label %q", tk.Label)
				assert.Equal(t, float64(v), tk.Value)
				labels = append(labels, v)
			}
		}
		assert.Equal(t, c.want, labels, "%g..%g", c.min, c.max)
	}
}

// TestValueRange: one value gets a margin of a tenth of it, not an axis
// from −0.2 to 1.8; accuracies stay within [0, 1].
func TestValueRange(t *testing.T) {
	lo, hi := valueRange(0.8, 0.8, true)
	assert.InDelta(t, 0.72, lo, 1e-12)
	assert.InDelta(t, 0.88, hi, 1e-12)
	lo, hi = valueRange(0.5, 0.99, true)
	assert.InDelta(t, 0.451, lo, 1e-12)
	assert.Equal(t, 1.0, hi)
	lo, hi = valueRange(2, 2, false)
	assert.InDelta(t, 1.8, lo, 1e-12)
	assert.InDelta(t, 2.2, hi, 1e-12)
	lo, hi = valueRange(0, 0, false)
	assert.Equal(t, -0.01, lo)
	assert.Equal(t, 0.01, hi)
}

// TestCount: "1 epoch", "2 epochs", never "1 epochs".
func TestCount(t *testing.T) {
	assert.Equal(t, "1 complete epoch", count(1, "complete epoch"))
	assert.Equal(t, "0 threads", count(0, "thread"))
	assert.Equal(t, "2 threads", count(2, "thread"))
}
