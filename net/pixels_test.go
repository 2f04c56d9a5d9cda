package net

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
)

// pixels makes blobs whose values are bytes over 255, as MNIST stores
// its pixels.
func pixels(seed uint64, rows, dim, classes int) ([]float32, []int32) {
	x, y := blobs(seed, rows, dim, classes, 1)
	for i, v := range x {
		x[i] = float32(uint8(min(max(v*40+128, 0), 255))) / 255
	}
	return x, y
}

func TestAsPixelBytes(t *testing.T) {
	all := make([]float32, 256*40)
	for i := range all {
		all[i] = float32(uint8(i*7)) / 255
	}
	for _, workers := range []int{1, 2, 3, 16} {
		b, free := asPixelBytes(all, workers)
		require.NotNil(t, b, "workers %d", workers)
		defer free()
		for i := range b {
			require.Equal(t, uint8(i*7), b[i], "workers %d index %d", workers, i)
		}
	}
	one := float32(1) / 255
	for _, bad := range []float32{float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), -one,
		256.0 / 255, 0.5, math.Nextafter32(one, 1), math.Nextafter32(1, 0), 2} {
		for _, at := range []int{0, 100, len(all) - 1} {
			x := append([]float32(nil), all...)
			x[at] = bad
			b, _ := asPixelBytes(x, 3)
			assert.Nil(t, b, "%g at %d accepted", bad, at)
		}
	}
	b, free := asPixelBytes(nil, 2)
	assert.NotNil(t, b, "no values are all bytes")
	free()
}

// sparsePixels is pixels with the values below 0.6 made 0: over half of
// them, as in MNIST, so that the trainer packs them.
func sparsePixels(seed uint64, rows, dim, classes int) ([]float32, []int32) {
	x, y := pixels(seed, rows, dim, classes)
	for i, v := range x {
		if v < 0.6 {
			x[i] = 0
		}
	}
	return x, y
}

// TestPixelBytesTrainSame: the packed path (PackedRows.Dequantize, where
// the implementation has it in assembly) and the byte path
// (DequantizeRows) train exactly as copying the float rows does, on every
// implementation.
func TestPixelBytesTrainSame(t *testing.T) {
	x, y := sparsePixels(4, 2500, 40, 10)
	prev := simdnn.Impl()
	defer func() { require.NoError(t, simdnn.SetImpl(prev)) }()
	for _, impl := range simdnn.Impls() {
		require.NoError(t, simdnn.SetImpl(impl))
		for _, threads := range []int{1, 2} {
			cfg := Config{Epochs: 2, BatchSize: 600, LR: 0.2, Seed: 3, Threads: threads}
			var models [3]*Model
			var losses [3]float64
			for i := range models {
				models[i], _ = New([]int{40, 15, 10}, 2)
				tr := newTrainer(models[i], cfg, x, y, PadMultiple)
				if simdnn.PackedNative() {
					require.NotNil(t, tr.xp, "%s: pixel data not packed", impl)
					require.Nil(t, tr.xb, "%s: the plain bytes kept beside the packed", impl)
				} else {
					require.NotNil(t, tr.xb, "%s: pixel data not taken as bytes", impl)
					require.Nil(t, tr.xp, "%s: packed without an assembly gather", impl)
				}
				switch i {
				case 1: // the byte path
					if tr.xp != nil {
						b, free := asPixelBytes(x, 1)
						defer free()
						tr.xb, tr.xp = b, nil // close still frees the packed bytes
					}
				case 2: // the float path
					tr.xb, tr.xp = nil, nil
				}
				for e := range cfg.Epochs {
					loss, _, err := tr.epoch(context.Background(), e+1)
					require.NoError(t, err)
					losses[i] = loss
				}
				tr.close()
			}
			for v := 1; v < 3; v++ {
				require.Equal(t, losses[v], losses[0], "%s threads %d path %d", impl, threads, v)
				for l := range models[0].W {
					for i := range models[0].W[l] {
						require.Equal(t, math.Float32bits(models[v].W[l][i]), math.Float32bits(models[0].W[l][i]), "%s threads %d path %d W[%d][%d]", impl, threads, v, l, i)
					}
				}
			}
		}
	}
}
