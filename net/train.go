package net

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Train runs cfg on model over data, updating model in place: mini-batch
// steps of cfg.Optimizer (SGD, with momentum when cfg.Momentum > 0, by
// default; Adam or AdamW), at the learning rate cfg.Schedule sets for
// each batch, on the rows in an order
// shuffled anew every epoch from cfg.Seed. Every row of data needs a
// label, and every float value must be finite (an error names the first
// that is not). It returns the epochs completed. It stops early, returning the
// epochs so far and an error, when ctx is cancelled (after the batch in
// flight; model then holds the weights at the end of the last complete
// epoch, the ones the history describes, or with Patience the best
// epoch's), when OnEpoch fails, or when the loss turns NaN or infinite
// (the error wraps ErrDiverged and names the epoch and batch; model then
// holds the weights that batch's loss was computed with, not updated by
// it: the update before may already have made them NaN or infinite, so
// keep a copy from OnEpoch to fall back on). A job that
// cannot fit in the memory the process can have (CheckMemory) is refused
// with a *MemoryError before Train allocates.
//
// A run is bitwise the same for the same model, data, seed and
// implementation whatever cfg.Threads is, and the same whether data holds
// bytes (ByteRows) or the float32 values they stand for (FloatRows).
// Byte rows are gathered as bytes, a quarter of the memory traffic, and
// where the gather is assembly (simdnn.Impl avx512 with VBMI2, avx2, neon)
// the first layer leaves out the input columns that are zero in every
// row of a block of BlockRows rows: the same weights bit for bit, fewer
// FLOPs (on MNIST about 29 % of the first layer's). On avx2 and neon, in float32
// with a first hidden layer of at most 64 units, it goes further and
// leaves out every zero byte (on MNIST about 81 % of the first layer's
// FLOPs), again with the same weights: it keeps the rows as their
// non-zero bytes, 4 bytes each (36 MB for MNIST's training rows), when
// the process has that memory to spare, else it skips zero columns only.
// data's slices must not change while Train runs.
//
// Train runs every kernel on the implementation active when it starts
// (simdnn.ActiveKernels): simdnn.SetImpl while it runs, from a callback
// or another goroutine, does not reach it, so a run never mixes
// implementations, which round differently. (The byte rows' gather
// follows SetImpl, but its values are the same on every implementation.)
// Any number of Trains may run at once on different models.
func Train(ctx context.Context, model *Model, data Rows, cfg Config) (History, error) {
	return train(ctx, model, data, cfg, PadMultiple)
}

// train is Train with hidden layers padded to multiples of pad.
func train(ctx context.Context, model *Model, data Rows, cfg Config, pad int) (History, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rows, err := data.check(model, true)
	if err != nil {
		return nil, err
	}
	if err := data.checkFinite(model.Inputs()); err != nil {
		return nil, err
	}
	switch {
	case rows == 0:
		return nil, fmt.Errorf("net: no training rows")
	case cfg.BatchSize > rows:
		return nil, fmt.Errorf("net: batch size %d is larger than the %d training rows", cfg.BatchSize, rows)
	case cfg.Epochs > math.MaxInt/((rows+cfg.BatchSize-1)/cfg.BatchSize):
		// The schedule counts the run's batches in an int.
		return nil, fmt.Errorf("net: %d epochs of %d batches: more batches than an int counts", cfg.Epochs, (rows+cfg.BatchSize-1)/cfg.BatchSize)
	}
	valRows := 0
	if !cfg.Val.empty() {
		if valRows, err = cfg.Val.check(model, true); err != nil {
			return nil, fmt.Errorf("validation data: %w", err)
		}
		if err := cfg.Val.checkFinite(model.Inputs()); err != nil {
			return nil, fmt.Errorf("validation data: %w", err)
		}
	}
	if err := fits("training", trainNeed(model.Sizes, data, cfg)); err != nil {
		return nil, err
	}
	t := newTrainer(model, cfg, data, pad)
	defer t.close()

	var hist History
	var best *Model
	bestLoss, sinceBest := math.Inf(1), 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		loss, acc, err := t.epoch(ctx, epoch)
		if err != nil {
			if best != nil && ctx.Err() != nil {
				model.CopyFrom(best) // cancelled: the caller asked for the best weights
			}
			return hist, err
		}
		st := EpochStats{Epoch: epoch, Loss: loss, Accuracy: acc, ValLoss: math.NaN(), ValAccuracy: math.NaN(),
			Seconds: time.Since(start).Seconds(), LR: t.lr}
		if valRows > 0 {
			if st.ValLoss, st.ValAccuracy, err = t.infer.Evaluate(cfg.Val); err != nil {
				return hist, fmt.Errorf("validation data: %w", err)
			}
		}
		hist = append(hist, st)
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(st); err != nil {
				return hist, err
			}
		}
		if cfg.Patience > 0 {
			if st.ValLoss < bestLoss {
				bestLoss, sinceBest = st.ValLoss, 0
				if best == nil {
					best = model.Clone()
				} else {
					best.CopyFrom(model)
				}
			} else if sinceBest++; sinceBest >= cfg.Patience {
				break
			}
		}
	}
	if best != nil {
		model.CopyFrom(best)
	}
	return hist, nil
}

// epoch shuffles the rows and runs every batch; it returns the epoch's
// row-weighted mean loss and accuracy. When it returns, the caller's model
// holds the weights at the end of the epoch, or, when ctx cancels it, the
// weights it began with, or, when the loss diverges, the weights before
// the update that diverged.
func (t *trainer) epoch(ctx context.Context, epoch int) (float64, float64, error) {
	if t.epochStart != nil {
		t.epochStart.CopyFrom(t.m)
	}
	t.shuf.shuffle(t.perm)
	var lossSum float64
	correct := 0
	batches := (t.rows + t.cfg.BatchSize - 1) / t.cfg.BatchSize
	for b := range batches {
		if err := ctx.Err(); err != nil {
			if t.epochStart != nil {
				t.m.CopyFrom(t.epochStart)
			}
			return 0, 0, err
		}
		start := b * t.cfg.BatchSize
		n := min(t.cfg.BatchSize, t.rows-start)
		t.lr = t.cfg.Schedule.rate(t.cfg.LR, (epoch-1)*batches+b, t.cfg.Epochs, batches)
		loss, c := t.step(start, n)
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			t.sync()
			return 0, 0, fmt.Errorf("net: %w at epoch %d, batch %d of %d: loss is %g", ErrDiverged, epoch, b+1, batches, loss)
		}
		lossSum += float64(loss) * float64(n)
		correct += c
		if t.cfg.OnBatch != nil {
			t.cfg.OnBatch(epoch, b+1, batches)
		}
	}
	t.sync()
	return lossSum / float64(t.rows), float64(correct) / float64(t.rows), nil
}
