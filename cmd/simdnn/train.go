package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/atomicfile"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// parseHidden parses a comma list of hidden layer widths, such as "15" or
// "128,64"; "" means no hidden layer.
func parseHidden(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-hidden %q: %q is not a positive layer width", s, f)
		}
		if n > 1<<16 {
			return nil, fmt.Errorf("-hidden %q: width %d is more than %d", s, n, 1<<16)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// setImpl switches the kernels to name ("" keeps the default).
func setImpl(name string) error {
	if err := simdnn.EnvError(); err != nil && name == "" {
		return usageError{err}
	}
	if name == "" {
		return nil
	}
	if err := simdnn.SetImpl(name); err != nil {
		return usagef("-impl: %v", err)
	}
	return nil
}

// trainFlags are the flags that define a training job.
type trainFlags struct {
	hidden                 string
	epochs, batch, threads int
	lr, momentum           float64
	optimizer, precision   string
	weightDecay            float64
	beta1, beta2, eps      float64
	seed                   uint64
	impl, init             string
	data                   dataFlags
	valSplit               float64
	patience               int
	schedule               string
	warmup, gamma          float64
	stepEvery              int
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.hidden, "hidden", "15", "hidden layer widths, a comma list such as 128,64")
	fs.IntVar(&f.epochs, "epochs", 50, "passes over the training set")
	fs.IntVar(&f.batch, "batch", 1024, "rows per SGD step, at most the training rows (those left after -val-split)")
	fs.Float64Var(&f.lr, "lr", 0.2, "learning rate")
	fs.StringVar(&f.optimizer, "optimizer", "sgd", "update rule, PyTorch's: sgd, momentum, nesterov, adam or adamw (sgd with -momentum is Keras' momentum)")
	fs.StringVar(&f.precision, "precision", "fp32", "arithmetic of the dense products: fp32, or bf16 (operands rounded to bfloat16, sums in float32; fast on CPUs with AVX512_BF16, on the float32 kernels elsewhere, the reference on generic)")
	fs.Float64Var(&f.momentum, "momentum", 0, "momentum in [0, 1): with sgd 0 is plain SGD, more is Keras' momentum; with momentum and nesterov 0 means 0.9")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "weight decay ≥ 0 (PyTorch's weight_decay; decoupled with adamw)")
	fs.Float64Var(&f.beta1, "beta1", 0.9, "adam and adamw: decay of the first moment, in (0, 1)")
	fs.Float64Var(&f.beta2, "beta2", 0.999, "adam and adamw: decay of the second moment, in (0, 1)")
	fs.Float64Var(&f.eps, "eps", 1e-8, "adam and adamw: added to the denominator, > 0")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights and the shuffles")
	fs.IntVar(&f.threads, "threads", net.AllThreads(), "worker threads; results are bitwise identical for any count")
	describeDefault(fs, "threads", "all cores, at most 1024")
	fs.Float64Var(&f.valSplit, "val-split", 0, "hold out this fraction of the training rows (the last ones) and report validation loss and accuracy each epoch")
	fs.IntVar(&f.patience, "patience", 0, "stop when the validation loss has not improved for this many epochs and keep the best epoch's weights (needs -val-split)")
	fs.StringVar(&f.schedule, "schedule", "constant", "learning-rate schedule, stepped per batch: constant, step, cosine or onecycle (docs/training.md gives each formula)")
	fs.Float64Var(&f.warmup, "warmup", 0, "epochs of linear warm-up to -lr (onecycle: of rising rate; 0 there means 30 % of the run)")
	fs.IntVar(&f.stepEvery, "step-every", 0, "-schedule step: epochs between decays (0: a third of the epochs)")
	fs.Float64Var(&f.gamma, "gamma", 0.1, "-schedule step: the decay factor, in (0, 1]")
	fs.StringVar(&f.init, "init", "", "start from the model in this safetensors `file` (its layer sizes; optimizer state starts afresh) instead of new weights")
	f.data.register(fs, true)
	implFlag(fs, &f.impl)
}

// dataFlag and implFlag are the flags every command that loads MNIST or
// runs kernels shares.
func dataFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "data", "", "`directory` holding the four MNIST files")
	describeDefault(fs, "data", "$SIMDNN_MNIST, else fetched through the Go module proxy")
}

func implFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "impl", "", "kernel implementation, of those this CPU runs: "+strings.Join(simdnn.Impls(), ", "))
	describeDefault(fs, "impl", "$SIMDNN_IMPL, else the best this CPU runs")
}

// config turns the flags into a net.Config and checks it with
// net.Config.Validate, naming the flag of a refused setting. The CLI's own
// rules: -threads counts threads (its default is all cores up to 1024, so 0 is not
// taken), and -val-split is a fraction.
func (f *trainFlags) config(fs *flag.FlagSet) (net.Config, error) {
	cfg := net.Config{Epochs: f.epochs, BatchSize: f.batch, LR: float32(f.lr), Momentum: float32(f.momentum),
		Optimizer: net.Optimizer(f.optimizer), WeightDecay: float32(f.weightDecay),
		Beta1: float32(f.beta1), Beta2: float32(f.beta2), Eps: float32(f.eps),
		Seed: f.seed, Threads: f.threads, Patience: f.patience, Precision: net.Precision(f.precision),
		Schedule: net.Schedule{Kind: f.schedule, Warmup: f.warmup, StepEvery: f.stepEvery, Gamma: f.gamma}}
	switch {
	case f.threads < 1 || f.threads > net.MaxThreads:
		return cfg, usagef("-threads %d: want 1 to %d", f.threads, net.MaxThreads)
	case !(f.valSplit >= 0 && f.valSplit < 1):
		return cfg, usagef("-val-split %g: want a fraction in [0, 1)", f.valSplit)
	// net takes 0 for the default of these: the CLI has its own defaults,
	// and refuses 0, and a value that is 0 as a float32 (-eps 1e-50).
	case !(cfg.Beta1 > 0 && cfg.Beta1 < 1):
		return cfg, usagef("-beta1 %g: want in (0, 1)", f.beta1)
	case !(cfg.Beta2 > 0 && cfg.Beta2 < 1):
		return cfg, usagef("-beta2 %g: want in (0, 1)", f.beta2)
	case !(cfg.Eps > 0) || math.IsInf(float64(cfg.Eps), 0):
		return cfg, usagef("-eps %g: want a finite number > 0 (as a float32: from about 1.4e-45 to 3.4e+38)", f.eps)
	case !(f.gamma > 0 && f.gamma <= 1):
		return cfg, usagef("-gamma %g: want in (0, 1]", f.gamma)
	case f.momentum != 0 && (cfg.Optimizer == net.Adam || cfg.Optimizer == net.AdamW):
		return cfg, usagef("-momentum %g: not with -optimizer %s (its betas are -beta1 and -beta2)", f.momentum, f.optimizer)
	}
	if f.valSplit > 0 {
		// Stands for the held-out rows, which are set once MNIST is loaded.
		cfg.Val = net.ByteRows([]uint8{0}, mnist.PixelDiv, []int32{0})
	}
	err := cfg.Validate()
	var ce *net.ConfigError
	if !errors.As(err, &ce) {
		return cfg, err
	}
	name := configFlags[ce.Field]
	value := fs.Lookup(name).Value.String()
	if ce.Field == "Patience" && f.patience > 0 {
		return cfg, usagef("-%s %s: needs -val-split to measure the validation loss", name, value)
	}
	return cfg, usagef("-%s %s: want %s", name, value, ce.Want)
}

// configFlags names the flag of each net.Config field the flags set.
var configFlags = map[string]string{
	"Epochs": "epochs", "BatchSize": "batch", "LR": "lr", "Momentum": "momentum", "Threads": "threads", "Patience": "patience",
	"Schedule.Kind": "schedule", "Schedule.Warmup": "warmup", "Schedule.StepEvery": "step-every", "Schedule.Gamma": "gamma",
	"Optimizer": "optimizer", "WeightDecay": "weight-decay", "Beta1": "beta1", "Beta2": "beta2", "Eps": "eps",
	"Precision": "precision",
}

// outputs are the files a training run writes.
type outputs struct {
	model, history, plot string
	// kept is the epoch whose weights the model holds (keptEpoch), marked
	// on the plot when it is not the last.
	kept int
}

func (o *outputs) register(fs *flag.FlagSet) {
	fs.StringVar(&o.model, "out", "", "save the trained model to this safetensors `file` (also when interrupted after a complete epoch)")
	fs.StringVar(&o.history, "history", "", "write per-epoch metrics to this `file`: .csv or .json")
	fs.StringVar(&o.plot, "plot", "", "draw loss and accuracy per epoch into this PNG `file`")
}

// check rejects bad names, unwritable places, and an output that names
// the same file as another output, as one of inputs (flag and path) or,
// but for -out, as the -init model: writing it would destroy the other.
// It runs before any file is read or written.
func (o *outputs) check(init string, inputs ...flagPath) error {
	outs := []flagPath{{"-out", o.model}, {"-history", o.history}, {"-plot", o.plot}}
	for i, a := range outs {
		others := append(outs[:i:i], inputs...)
		if i > 0 {
			others = append(others, flagPath{"-init", init})
		}
		for _, b := range others {
			if a.path != "" && b.path != "" && sameFile(a.path, b.path) {
				return usagef("%s %s: the same file as %s", a.flag, a.path, b.flag)
			}
		}
	}
	if o.history != "" {
		if _, err := historyFormat(o.history); err != nil {
			return err
		}
	}
	if o.plot != "" && !hasExt(o.plot, ".png") {
		return usagef("-plot %s: want a .png file", o.plot)
	}
	for _, c := range outs {
		if c.path == "" {
			continue
		}
		if err := atomicfile.Check(c.path); err != nil {
			return fmt.Errorf("%s: %w", c.flag, err)
		}
	}
	return nil
}

// write saves what the run produced. With an empty hist (interrupted in
// the first epoch) it writes nothing: an -out file from an earlier run
// is not replaced by untrained weights.
func (o *outputs) write(model *net.Model, hist net.History) error {
	if len(hist) == 0 {
		return nil // interrupted in the first epoch: nothing trained, an old -out file stays
	}
	if o.model != "" {
		if err := model.Save(o.model); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	if o.history != "" {
		if err := writeHistory(o.history, hist); err != nil {
			return fmt.Errorf("-history: %w", err)
		}
	}
	if o.plot != "" {
		if err := plotCurves(o.plot, hist, o.kept); err != nil {
			return fmt.Errorf("-plot: %w", err)
		}
	}
	return nil
}

// epochJSON is one -json line per epoch; the validation figures are null
// without validation data.
type epochJSON struct {
	Epoch       int      `json:"epoch"`
	Loss        float64  `json:"loss"`
	Accuracy    float64  `json:"accuracy"`
	ValLoss     *float64 `json:"val_loss"`
	ValAccuracy *float64 `json:"val_accuracy"`
	Seconds     float64  `json:"seconds"`
	LR          float32  `json:"lr"` // the epoch's last batch's learning rate
}

// epochLine is an epoch as -json and a JSON history write it.
func epochLine(s net.EpochStats) epochJSON {
	return epochJSON{s.Epoch, s.Loss, s.Accuracy, finite(s.ValLoss), finite(s.ValAccuracy), s.Seconds, s.LR}
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// trainOptions are train's flags.
type trainOptions struct {
	trainFlags
	out  outputs
	json bool
}

// trainFlagSet is the FlagSet runTrain parses and help describes.
func trainFlagSet() (*flag.FlagSet, *trainOptions) {
	fs := newFlags("train")
	o := new(trainOptions)
	o.trainFlags.register(fs)
	o.out.register(fs)
	fs.BoolVar(&o.json, "json", false, "write JSON lines to stdout instead of text to stderr")
	return fs, o
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := trainFlagSet()
	f, out, jsonOut := &o.trainFlags, &o.out, &o.json
	if err := parse(fs, args); err != nil {
		return err
	}
	hidden, err := parseHidden(f.hidden)
	if err != nil {
		return usageError{err}
	}
	cfg, err := f.config(fs)
	if err != nil {
		return err
	}
	if err := setImpl(f.impl); err != nil {
		return err
	}
	if cfg.Precision == net.BF16 && simdnn.Impl() == "generic" {
		fmt.Fprintf(stderr, "note: -precision bf16 runs the reference kernels on generic: many times slower than fp32\n")
	}
	if err := out.check(f.init, f.data.inputFiles()...); err != nil {
		return err
	}
	var initModel *net.Model
	if f.init != "" {
		if initModel, err = net.Load(f.init); err != nil {
			return fmt.Errorf("-init: %w", err)
		}
		given := false
		fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "hidden" })
		if h := initModel.Sizes[1 : len(initModel.Sizes)-1]; given && !slices.Equal(h, hidden) {
			return usagef("-hidden %q conflicts with -init %s, whose hidden layers are %q", f.hidden, f.init, joinInts(h, ","))
		}
	}
	ds, err := f.data.load(ctx)
	if err != nil {
		return err
	}
	train, test := ds.train, ds.test
	classes := train.classes()
	whose := "the training data"
	if initModel != nil {
		classes, whose = initModel.Classes(), "-init "+f.init
		if initModel.Inputs() != train.width {
			return fmt.Errorf("-init %s: takes %d inputs, the training rows have %d", f.init, initModel.Inputs(), train.width)
		}
		if err := train.checkLabels("training", classes, whose); err != nil {
			return err
		}
	} else if classes < 2 {
		return fmt.Errorf("the training labels hold %d class: want at least 2", classes)
	}
	if err := test.checkLabels("test", classes, whose); err != nil {
		return err
	}
	n := train.len()
	rows := train.rows(0, n)
	if f.valSplit > 0 {
		nval := int(f.valSplit * float64(n))
		if nval == 0 {
			return usagef("-val-split %g: holds out none of the %d training rows", f.valSplit, n)
		}
		rows, cfg.Val = train.rows(0, n-nval), train.rows(n-nval, n)
	}
	if cfg.BatchSize > len(rows.Labels()) {
		return usagef("-batch %d: larger than the %d training rows", cfg.BatchSize, len(rows.Labels()))
	}
	sizes := append(append([]int{train.width}, hidden...), classes)
	if initModel != nil {
		sizes = initModel.Sizes
	}
	if err := net.CheckMemory(sizes, rows, cfg); err != nil {
		return err
	}
	model := initModel
	if model == nil {
		if model, err = net.New(sizes, f.seed); err != nil {
			return err
		}
	}
	threads := cfg.Threads
	enc := json.NewEncoder(stdout)
	bar := newProgress(stderr, !*jsonOut && isTerminal(stderr), cfg.Epochs)
	if bar.enabled {
		cfg.OnBatch = bar.batch
	}
	cfg.OnEpoch = func(s net.EpochStats) error {
		if *jsonOut {
			return enc.Encode(epochLine(s))
		}
		bar.clear()
		line := fmt.Sprintf("Epoch %d/%d - %.2fs - loss: %.4f - accuracy: %.4f", s.Epoch, cfg.Epochs, s.Seconds, s.Loss, s.Accuracy)
		if f.valSplit > 0 {
			line += fmt.Sprintf(" - val_loss: %.4f - val_accuracy: %.4f", s.ValLoss, s.ValAccuracy)
		}
		_, err := fmt.Fprintln(stderr, line)
		bar.restart()
		return err
	}
	start := time.Now()
	hist, err := net.Train(ctx, model, rows, cfg)
	elapsed := time.Since(start).Seconds()
	bar.clear()
	kept := keptEpoch(hist, cfg.Patience)
	out.kept = kept
	if errors.Is(err, context.Canceled) {
		// Stopped after the batch in flight: the model holds the weights
		// of the last complete epoch (or the best one), which the history
		// describes.
		if werr := out.write(model, hist); werr != nil {
			return werr
		}
		if *jsonOut {
			if jerr := enc.Encode(struct {
				Interrupted bool `json:"interrupted"`
				Epochs      int  `json:"epochs"`
				KeptEpoch   int  `json:"kept_epoch"`
				outputsJSON
			}{true, len(hist), kept, out.written(hist)}); jerr != nil {
				return jerr
			}
			return err
		}
		fmt.Fprintf(stderr, "interrupted after %s", count(len(hist), "complete epoch"))
		if kept > 0 {
			fmt.Fprintf(stderr, "; keeping epoch %d's weights", kept)
		}
		if len(hist) == 0 && out.model != "" {
			fmt.Fprintf(stderr, "; -out %s not written", out.model)
		}
		fmt.Fprintln(stderr)
		out.report(stderr, hist)
		return err
	}
	if err != nil {
		return err
	}
	if err := out.write(model, hist); err != nil {
		return err
	}
	var trainSeconds float64
	for _, h := range hist {
		trainSeconds += h.Seconds
	}
	loss, acc, err := model.Evaluate(test.rows(0, test.len()))
	if err != nil {
		return err
	}
	stoppedEarly := len(hist) < cfg.Epochs
	if *jsonOut {
		return enc.Encode(struct {
			TestLoss        *float64 `json:"test_loss"` // null when not finite
			TestAccuracy    float64  `json:"test_accuracy"`
			Impl            string   `json:"impl"`
			Precision       string   `json:"precision"`
			Threads         int      `json:"threads"`
			Epochs          int      `json:"epochs"`
			StoppedEarly    bool     `json:"stopped_early"`
			KeptEpoch       int      `json:"kept_epoch"`
			TrainSeconds    float64  `json:"train_seconds"`
			EpochsPerSecond float64  `json:"epochs_per_second"`
			outputsJSON
		}{finite(loss), acc, simdnn.Impl(), f.precision, threads, len(hist), stoppedEarly, kept, trainSeconds, float64(len(hist)) / trainSeconds, out.written(hist)})
	}
	if cfg.Patience > 0 {
		if stoppedEarly {
			fmt.Fprintf(stderr, "early stop: val_loss has not improved for %s; ", count(cfg.Patience, "epoch"))
		}
		fmt.Fprintf(stderr, "keeping epoch %d's weights (lowest val_loss)\n", kept)
	}
	out.report(stderr, hist)
	impl := simdnn.Impl()
	if cfg.Precision == net.BF16 {
		impl += " bf16"
	}
	_, err = fmt.Fprintf(stderr, "test loss: %.4f - test accuracy: %.4f\n%s in %.2fs (%.1f epochs/s, %s, %s; %.2fs wall)\n",
		loss, acc, count(len(hist), "epoch"), trainSeconds, float64(len(hist))/trainSeconds, impl, count(threads, "thread"), elapsed)
	return err
}

// keptEpoch is the epoch whose weights the model holds after Train
// returned hist: with patience the first with the lowest validation loss,
// else the last; 0 when none completed.
func keptEpoch(hist net.History, patience int) int {
	if len(hist) == 0 {
		return 0
	}
	if patience <= 0 {
		return hist[len(hist)-1].Epoch
	}
	best := 0
	for i, h := range hist {
		if h.ValLoss < hist[best].ValLoss {
			best = i
		}
	}
	return hist[best].Epoch
}

// count writes n and noun, with an "s" unless n is 1: "1 epoch", "2
// epochs", "1 complete epoch".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// outputsJSON names the files a run wrote, for -json's last line.
type outputsJSON struct {
	Model   string `json:"model,omitempty"`
	History string `json:"history,omitempty"`
	Plot    string `json:"plot,omitempty"`
}

// written lists the files o names that were written for hist: none
// without a complete epoch.
func (o *outputs) written(hist net.History) outputsJSON {
	if len(hist) == 0 {
		return outputsJSON{}
	}
	return outputsJSON{Model: o.model, History: o.history, Plot: o.plot}
}

// report says on w where each file written for hist went, a line each.
func (o *outputs) report(w io.Writer, hist net.History) {
	j := o.written(hist)
	for _, f := range []struct{ what, path string }{{"model saved to", j.Model}, {"history written to", j.History}, {"plot written to", j.Plot}} {
		if f.path != "" {
			fmt.Fprintf(w, "%s %s\n", f.what, f.path)
		}
	}
}

// joinInts writes v in decimal, sep between the numbers: layer widths as
// -hidden takes them ("128,64") or a model's sizes ("784-15-10").
func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}
