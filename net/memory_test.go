package net

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/memavail"
)

// withRoom makes the process appear to have n bytes of room during the
// test.
func withRoom(t *testing.T, n uint64) {
	old := room
	room = func() (memavail.Room, bool) { return memavail.Room{Bytes: n, Source: "the test's limit"}, true }
	t.Cleanup(func() { room = old })
}

func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestTrainNeedMatchesTrainer: the estimate follows what newTrainer
// allocates in the Go heap (float rows, so no packed rows outside it),
// within 10 % and 64 KiB, for padded and unpadded layers, momentum,
// validation rows and several thread counts.
func TestTrainNeedMatchesTrainer(t *testing.T) {
	x, labels := blobs(1, 3000, 300, 7, 1)
	for _, c := range []struct {
		name  string
		sizes []int
		cfg   func(*Config)
	}{
		{"784-64-10, 1 thread", []int{784, 64, 10}, func(c *Config) { c.Threads = 1 }},
		{"784-64-10, 2 threads, momentum", []int{784, 64, 10}, func(c *Config) { c.Threads = 2; c.Momentum = 0.9 }},
		{"784-128-10, adam", []int{784, 128, 10}, func(c *Config) { c.Threads = 1; c.Optimizer = Adam }},
		{"784-64-10, nesterov", []int{784, 64, 10}, func(c *Config) { c.Threads = 2; c.Optimizer = Nesterov }},
		{"300-33-7 padded, 3 threads, validation", []int{300, 33, 7}, func(c *Config) {
			c.Threads = 3
			c.Val = FloatRows(x[:300*100], labels[:100])
		}},
		{"300-200-100-7, batch 2048", []int{300, 200, 100, 7}, func(c *Config) { c.BatchSize = 2048 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.sizes[0]
			rows := len(x) / 300
			data := FloatRows(make([]float32, rows*in), labels)
			m, err := New(c.sizes, 1)
			require.NoError(t, err)
			cfg := DefaultConfig()
			c.cfg(&cfg)
			n := trainNeed(c.sizes, data, cfg)
			got := allocated(func() {
				tr := newTrainer(m, cfg, data, PadMultiple)
				tr.close()
			})
			assert.InDelta(t, float64(n.total), float64(got), 0.1*float64(n.total)+64<<10, "estimate %d (%v), allocated %d", n.total, n.parts, got)
		})
	}
}

// TestPackedNeedBoundsPacking: the estimate for packed byte rows is at
// least what packing them takes.
func TestPackedNeedBoundsPacking(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		b, labels := sparsePixels(seed, 2000, 784, 10)
		data := ByteRows(b, 255, labels)
		in := newInput(data, 784)
		if in.packed == nil {
			in.close()
			t.Skip("the active implementation does not pack rows")
		}
		size := uint64(in.packed.Size())
		in.close()
		n := trainNeed([]int{784, 16, 10}, data, DefaultConfig())
		assert.Contains(t, n.parts[len(n.parts)-1], "packed rows")
		full := trainNeed([]int{784, 16, 10}, FloatRows(make([]float32, len(b)), labels), DefaultConfig())
		assert.GreaterOrEqual(t, n.total-full.total, size)
	}
}

// TestMemoryRefused: New, Train and CheckMemory refuse a job larger than
// the room, with a *MemoryError that names the need, its parts and the
// room, before they allocate it; a job that fits is not refused.
func TestMemoryRefused(t *testing.T) {
	withRoom(t, 1<<20)
	var m *Model
	var err error
	got := allocated(func() { m, err = New([]int{784, 4096, 10}, 1) })
	var me *MemoryError
	require.ErrorAs(t, err, &me)
	assert.Nil(t, m)
	assert.Less(t, got, uint64(64<<10), "New allocated before refusing")
	assert.Equal(t, params([]int{784, 4096, 10})*4, me.Need)
	assert.Equal(t, uint64(1<<20), me.Room)
	assert.Equal(t, "net: a model 784-4096-10 needs 12.4 MiB (weights 12.4 MiB), more than the 1.0 MiB the process can have (the test's limit)", err.Error())

	small, err := New([]int{20, 8, 3}, 1)
	require.NoError(t, err, "a model that fits")
	x, labels := blobs(1, 5000, 20, 3, 1)
	before := append([]float32(nil), small.W[0]...)
	cfg := DefaultConfig()
	cfg.BatchSize = 4096
	withRoom(t, 16<<10)
	_, err = Train(context.Background(), small, FloatRows(x, labels), cfg)
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "training", me.Job)
	assert.Contains(t, err.Error(), "gradients of 16 blocks")
	assert.Equal(t, before, small.W[0], "the model is untouched")

	err = CheckMemory([]int{784, 4096, 10}, FloatRows(x, labels), cfg)
	require.ErrorAs(t, err, &me)
	assert.Contains(t, err.Error(), "training a model 784-4096-10 needs")
	assert.Greater(t, me.Need, params([]int{784, 4096, 10})*4, "model and training together")

	withRoom(t, 1<<30)
	assert.NoError(t, CheckMemory([]int{784, 4096, 10}, FloatRows(x, labels), cfg))
	cfg.Epochs = 1
	_, err = Train(context.Background(), small, FloatRows(x, labels), cfg)
	assert.NoError(t, err)
}

// TestMemoryNeedSaturates: sizes whose products overflow 64 bits give the
// largest need, not a small wrapped one.
func TestMemoryNeedSaturates(t *testing.T) {
	// Sizes whose weights an int counts but whose bytes overflow 64 bits:
	// the need saturates. An int of 32 bits counts too few weights to
	// overflow 64 bits (checkSizes refuses more).
	if strconv.IntSize == 32 {
		t.Skip("a 32-bit int counts at most 2³¹ weights: 8 GiB, no overflow of 64 bits to test")
	}
	withRoom(t, 1<<40)
	assert.Equal(t, uint64(math.MaxUint64), params([]int{math.MaxInt, math.MaxInt, 10}))
	huge := []int{math.MaxInt / 4, 2, 10}
	_, err := New(huge, 1)
	var me *MemoryError
	require.True(t, errors.As(err, &me), "%v", err)
	assert.Equal(t, uint64(math.MaxUint64), me.Need)
	err = CheckMemory(huge, FloatRows(nil, nil), DefaultConfig())
	require.ErrorAs(t, err, &me)
	assert.Equal(t, uint64(math.MaxUint64), me.Need)
}

// TestNewRefusesWhatTheMachineCannotHold: with the real room, a model of
// 8 TiB of weights is refused on any machine this runs on.
func TestNewRefusesWhatTheMachineCannotHold(t *testing.T) {
	if _, ok := room(); !ok {
		t.Skip("the room is unknown here (not Linux, no Go memory limit)")
	}
	_, err := New([]int{784, 1 << 20, 1 << 20, 10}, 1)
	var me *MemoryError
	require.ErrorAs(t, err, &me)
	assert.NotEmpty(t, me.Source)
}

// TestLoadRefusesWhatCannotFit: a model file whose data and weights need
// more than the room is refused with a *MemoryError before its data is
// read; with room, it loads.
func TestLoadRefusesWhatCannotFit(t *testing.T) {
	m, err := New([]int{784, 64, 10}, 1)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, m.Save(path))
	withRoom(t, 64<<10)
	var got *Model
	alloc := allocated(func() { got, err = Load(path) })
	var me *MemoryError
	require.ErrorAs(t, err, &me)
	assert.Nil(t, got)
	assert.Contains(t, err.Error(), "loading a model 784-64-10 needs")
	assert.Less(t, alloc, uint64(64<<10), "refused before the data was read")
	withRoom(t, 64<<20)
	got, err = Load(path)
	require.NoError(t, err)
	assert.Equal(t, m, got)
}

// TestSizesNoModelCanHave: sizes New refuses are refused by CheckMemory
// (which runs before New) with New's error, not a panic or a need.
func TestSizesNoModelCanHave(t *testing.T) {
	for _, c := range []struct {
		sizes []int
		want  string
	}{
		{nil, "net: 0 layer sizes, want at least 2 (inputs and classes)"},
		{[]int{784}, "net: 1 layer sizes, want at least 2 (inputs and classes)"},
		{[]int{-5, 10}, "net: layer size 0 is -5, want > 0"},
		{[]int{math.MaxInt/4 + 1, 4, 2}, fmt.Sprintf("net: layer 0 is %d×4, more weights than an int counts", math.MaxInt/4+1)},
	} {
		_, err := New(c.sizes, 1)
		assert.EqualError(t, err, c.want, "New %v", c.sizes)
		assert.EqualError(t, CheckMemory(c.sizes, FloatRows(nil, nil), DefaultConfig()), c.want, "CheckMemory %v", c.sizes)
	}
	// A hand-built model with such sizes fails Validate, as does nil.
	m := &Model{Sizes: []int{math.MaxInt/4 + 1, 4, 2}, W: [][]float32{nil, make([]float32, 8)}, B: [][]float32{make([]float32, 4), make([]float32, 2)}}
	assert.EqualError(t, m.Validate(), fmt.Sprintf("net: layer 0 is %d×4, more weights than an int counts", math.MaxInt/4+1))
	assert.EqualError(t, (*Model)(nil).Validate(), "net: nil model")
	_, err := Train(context.Background(), nil, FloatRows(make([]float32, 4), []int32{0}), DefaultConfig())
	assert.EqualError(t, err, "net: nil model")
	_, _, err = (*Model)(nil).Evaluate(FloatRows(make([]float32, 4), []int32{0}))
	assert.EqualError(t, err, "net: nil model")
	_, err = NewPredictor(nil, 1)
	assert.EqualError(t, err, "net: nil model")
}
