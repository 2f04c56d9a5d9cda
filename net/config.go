package net

import (
	"fmt"
	"math"
	"runtime"
	"slices"
)

// MaxThreads bounds Config.Threads and a Predictor's threads.
const MaxThreads = 1024

// AllThreads is what 0 threads means in a Config and to NewPredictor:
// runtime.GOMAXPROCS(0) at the time of the call, at most MaxThreads.
func AllThreads() int { return min(runtime.GOMAXPROCS(0), MaxThreads) }

// Config is a training job. The zero value is not usable; DefaultConfig
// gives the Keras MNIST tutorial's settings.
type Config struct {
	Epochs    int     // passes over the training set, > 0
	BatchSize int     // rows per SGD step, > 0 and ≤ the training rows
	LR        float32 // learning rate (the peak of Schedule), finite and > 0
	Seed      uint64  // seeds the shuffle of every epoch
	Threads   int     // worker goroutines; 0 means runtime.GOMAXPROCS(0), at most MaxThreads

	// Optimizer is the update rule, PyTorch's definitions but for the
	// first (see simdnn's kernels for the exact arithmetic):
	//   - "sgd" (or ""): w −= lr·g (simdnn.SGD); with Momentum > 0, Keras'
	//     momentum v = mu·v − lr·g, w += v (simdnn.SGDMomentum), which is
	//     torch's only while lr stays constant.
	//   - "momentum": torch.optim.SGD with momentum, b = mu·b + g,
	//     w −= lr·b (simdnn.SGDTorch).
	//   - "nesterov": the same with nesterov=True (simdnn.SGDNesterov).
	//   - "adam": torch.optim.Adam (simdnn.Adam).
	//   - "adamw": torch.optim.AdamW (simdnn.AdamW).
	Optimizer Optimizer
	// Momentum is mu, in [0, 1): for "sgd", 0 is plain SGD and more is
	// Keras' momentum; for "momentum" and "nesterov", 0 stands for 0.9.
	// It must be 0 for "adam" and "adamw".
	Momentum float32
	// Beta1, Beta2 and Eps are Adam's and AdamW's betas and eps, in [0, 1)
	// and finite > 0; 0 stands for torch's defaults 0.9, 0.999 and 1e-8.
	Beta1, Beta2, Eps float32
	// WeightDecay, finite and ≥ 0, is torch's weight_decay, applied to
	// every weight and bias: added to the gradient as wd·w ("sgd",
	// "momentum", "nesterov", "adam"; with "sgd" before either update), or
	// decoupled, w ·= 1 − lr·wd ("adamw"; torch's AdamW defaults to 0.01,
	// this field to 0).
	WeightDecay float32

	// Schedule sets each batch's learning rate from LR; the zero value
	// keeps LR throughout.
	Schedule Schedule

	// Precision is the arithmetic of the dense products in training:
	// "fp32" (or "") float32 throughout; "bf16" the products' operands
	// rounded to bfloat16 and summed in float32 (simdnn.DenseForwardBF16,
	// DenseBackwardBF16), the weights, biases, optimizer state and
	// everything else in float32. The bf16 kernels give the same bits on
	// every implementation (whole runs differ between implementations
	// as in fp32: the float32 kernels round differently); they are fast
	// where simdnn.Kernels.BF16Native holds (AVX512_BF16) on wide layers
	// (784-128-10 trains 1.2–1.7× faster; the 784-15-10 tutorial at
	// 0.7–1.1× fp32's speed, docs/training.md), run on the
	// float32 kernels' tiles on avx2, neon and avx512 without
	// AVX512_BF16 (on avx2 0.55–0.95× their speed on wide layers), and as the
	// reference, many times slower, on generic. Evaluation
	// (Config.Val, Predictor) always runs in float32.
	Precision Precision

	// Val, when it holds rows (with labels), is evaluated after every
	// epoch.
	Val Rows
	// Patience > 0 stops training when the validation loss has not improved
	// for that many epochs; the model then holds the weights of the epoch
	// with the best validation loss, also when ctx cancels training.
	Patience int

	// OnEpoch, when set, is called after every epoch; an error it returns
	// stops training and is returned.
	OnEpoch func(EpochStats) error
	// OnBatch, when set, is called after every batch with the epoch
	// (1-based) and the batches done and total in it, for progress only:
	// the model passed to Train holds an epoch's trained weights at the
	// end of the epoch (before OnEpoch), but within it either the weights
	// of the last batch (a model whose layers need no padding is trained
	// in place) or those the epoch began with (a padded copy is trained),
	// so OnBatch should not read it.
	OnBatch func(epoch, done, total int)
}

// Optimizer names an update rule: see Config.Optimizer.
type Optimizer string

// The optimizers.
const (
	SGD      Optimizer = "sgd"
	Momentum Optimizer = "momentum"
	Nesterov Optimizer = "nesterov"
	Adam     Optimizer = "adam"
	AdamW    Optimizer = "adamw"
)

// Optimizers lists the optimizers Config.Optimizer accepts.
var Optimizers = []Optimizer{SGD, Momentum, Nesterov, Adam, AdamW}

// Precision names the arithmetic of the dense products: see
// Config.Precision.
type Precision string

// The precisions.
const (
	FP32 Precision = "fp32"
	BF16 Precision = "bf16"
)

// torch's defaults, which zero settings stand for.
const (
	defaultMomentum = 0.9
	defaultBeta1    = 0.9
	defaultBeta2    = 0.999
	defaultEps      = 1e-8
)

// resolved is c with the zero settings that stand for defaults replaced:
// Optimizer "" becomes "sgd", Momentum 0 0.9 for "momentum" and
// "nesterov", Beta1, Beta2 and Eps 0 torch's defaults.
func (c Config) resolved() Config {
	if c.Optimizer == "" {
		c.Optimizer = SGD
	}
	if c.Momentum == 0 && (c.Optimizer == Momentum || c.Optimizer == Nesterov) {
		c.Momentum = defaultMomentum
	}
	if c.Beta1 == 0 {
		c.Beta1 = defaultBeta1
	}
	if c.Beta2 == 0 {
		c.Beta2 = defaultBeta2
	}
	if c.Eps == 0 {
		c.Eps = defaultEps
	}
	return c
}

// DefaultConfig is the Keras MNIST tutorial: 50 epochs of batches of 1024,
// plain SGD with learning rate 0.2, seed 1, all cores.
func DefaultConfig() Config {
	return Config{Epochs: 50, BatchSize: 1024, LR: 0.2, Seed: 1}
}

// Validate reports the first setting of c that Train would refuse, as a
// *ConfigError; the checks that need the data (batch size against the
// rows, the validation rows against the model) are Train's.
func (c *Config) Validate() error {
	bad := func(field string, value any, want string) error {
		return &ConfigError{Field: field, Value: value, Want: want}
	}
	switch {
	case c.Epochs <= 0:
		return bad("Epochs", c.Epochs, "> 0")
	case c.BatchSize <= 0:
		return bad("BatchSize", c.BatchSize, "> 0")
	case !(c.LR > 0) || math.IsInf(float64(c.LR), 0):
		return bad("LR", c.LR, "a finite number > 0")
	case !slices.Contains(Optimizers, c.Optimizer) && c.Optimizer != "":
		return bad("Optimizer", fmt.Sprintf("%q", string(c.Optimizer)), "sgd, momentum, nesterov, adam or adamw")
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return bad("Momentum", c.Momentum, "in [0, 1)")
	case c.Momentum != 0 && (c.Optimizer == Adam || c.Optimizer == AdamW):
		return bad("Momentum", c.Momentum, "0 with "+string(c.Optimizer)+" (its betas are Beta1 and Beta2)")
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return bad("Beta1", c.Beta1, "in [0, 1) (0: 0.9)")
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return bad("Beta2", c.Beta2, "in [0, 1) (0: 0.999)")
	case !(c.Eps >= 0) || math.IsInf(float64(c.Eps), 0):
		return bad("Eps", c.Eps, "a finite number ≥ 0 (0: 1e-8)")
	case !(c.WeightDecay >= 0) || math.IsInf(float64(c.WeightDecay), 0):
		return bad("WeightDecay", c.WeightDecay, "a finite number ≥ 0")
	case c.Precision != "" && c.Precision != FP32 && c.Precision != BF16:
		return bad("Precision", fmt.Sprintf("%q", string(c.Precision)), "fp32 or bf16")
	case c.Threads < 0 || c.Threads > MaxThreads:
		return bad("Threads", c.Threads, fmt.Sprintf("0 (all cores) to %d", MaxThreads))
	case c.Patience < 0:
		return bad("Patience", c.Patience, "≥ 0")
	case c.Patience > 0 && c.Val.empty():
		return bad("Patience", c.Patience, "0 without validation rows (Config.Val)")
	case !c.Val.empty() && c.Val.labels == nil:
		return bad("Val", "rows without labels", "labelled rows")
	}
	if err := c.Schedule.validate(c.Epochs); err != nil {
		return err
	}
	return nil
}

// ConfigError is a setting of a Config that Validate refuses.
type ConfigError struct {
	Field string // the Config field: "Epochs", "BatchSize", "LR", "Optimizer", …
	Value any    // its value
	Want  string // what would be accepted
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("net: Config.%s = %v, want %s", e.Field, e.Value, e.Want)
}

// EpochStats is what one epoch measured. Loss and Accuracy are the means
// over the epoch's batches, weighted by rows, each taken before that
// batch's update (as Keras reports them).
type EpochStats struct {
	Epoch       int // 1-based
	Loss        float64
	Accuracy    float64
	ValLoss     float64 // NaN without validation data
	ValAccuracy float64 // NaN without validation data
	Seconds     float64 // training time of the epoch, evaluation excluded
	LR          float32 // the learning rate of the epoch's last batch
}

// History is the per-epoch record of a training run.
type History []EpochStats
