package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/simdnn/simdnn"
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
	seed                   uint64
	data, impl             string
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.hidden, "hidden", "15", "hidden layer widths, a comma list such as 128,64")
	fs.IntVar(&f.epochs, "epochs", 50, "passes over the training set")
	fs.IntVar(&f.batch, "batch", 1024, "rows per SGD step")
	fs.Float64Var(&f.lr, "lr", 0.2, "learning rate")
	fs.Float64Var(&f.momentum, "momentum", 0, "SGD momentum in [0, 1); 0 is plain SGD")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights and the shuffles")
	fs.IntVar(&f.threads, "threads", 0, "worker threads (0: all cores)")
	fs.StringVar(&f.data, "data", "", "directory holding the four MNIST files (default $SIMDNN_MNIST, else fetched through the Go module proxy)")
	fs.StringVar(&f.impl, "impl", "", "kernel implementation: "+strings.Join(simdnn.Impls(), ", ")+" (default "+simdnn.Impl()+")")
}

// config checks the flags and turns them into a net.Config.
func (f *trainFlags) config() (net.Config, error) {
	cfg := net.Config{Epochs: f.epochs, BatchSize: f.batch, LR: float32(f.lr), Momentum: float32(f.momentum),
		Seed: f.seed, Threads: f.threads}
	switch {
	case f.epochs <= 0:
		return cfg, usagef("-epochs %d: want > 0", f.epochs)
	case f.batch <= 0:
		return cfg, usagef("-batch %d: want > 0", f.batch)
	case !(f.lr > 0) || f.lr > 1e30:
		return cfg, usagef("-lr %g: want a finite number > 0", f.lr)
	case !(f.momentum >= 0 && f.momentum < 1):
		return cfg, usagef("-momentum %g: want in [0, 1)", f.momentum)
	case f.threads < 0 || f.threads > net.MaxThreads:
		return cfg, usagef("-threads %d: want 0 (all cores) to %d", f.threads, net.MaxThreads)
	}
	return cfg, nil
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	var f trainFlags
	f.register(fs)
	jsonOut := fs.Bool("json", false, "write JSON lines to stdout instead of text to stderr")
	if err := parse(fs, args); err != nil {
		return err
	}
	hidden, err := parseHidden(f.hidden)
	if err != nil {
		return usageError{err}
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	if err := setImpl(f.impl); err != nil {
		return err
	}
	dir, err := mnist.Dir(ctx, f.data)
	if err != nil {
		return err
	}
	train, test, err := mnist.Load(dir)
	if err != nil {
		return err
	}
	if cfg.BatchSize > train.Len() {
		return usagef("-batch %d: larger than the %d training images", cfg.BatchSize, train.Len())
	}
	sizes := append(append([]int{train.Width()}, hidden...), mnist.Classes)
	model, err := net.New(sizes, f.seed)
	if err != nil {
		return err
	}
	threads := cfg.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	enc := json.NewEncoder(stdout)
	cfg.OnEpoch = func(s net.EpochStats) error {
		if *jsonOut {
			return enc.Encode(struct {
				Epoch    int     `json:"epoch"`
				Loss     float64 `json:"loss"`
				Accuracy float64 `json:"accuracy"`
				Seconds  float64 `json:"seconds"`
			}{s.Epoch, s.Loss, s.Accuracy, s.Seconds})
		}
		_, err := fmt.Fprintf(stderr, "Epoch %d/%d - %.2fs - loss: %.4f - accuracy: %.4f\n", s.Epoch, cfg.Epochs, s.Seconds, s.Loss, s.Accuracy)
		return err
	}
	start := time.Now()
	hist, err := net.Train(ctx, model, train.Images, train.Labels, cfg)
	elapsed := time.Since(start).Seconds()
	if err != nil {
		return err
	}
	var trainSeconds float64
	for _, h := range hist {
		trainSeconds += h.Seconds
	}
	loss, acc, err := model.Evaluate(test.Images, test.Labels)
	if err != nil {
		return err
	}
	if *jsonOut {
		return enc.Encode(struct {
			TestLoss        float64 `json:"test_loss"`
			TestAccuracy    float64 `json:"test_accuracy"`
			Impl            string  `json:"impl"`
			Threads         int     `json:"threads"`
			Epochs          int     `json:"epochs"`
			TrainSeconds    float64 `json:"train_seconds"`
			EpochsPerSecond float64 `json:"epochs_per_second"`
		}{loss, acc, simdnn.Impl(), threads, len(hist), trainSeconds, float64(len(hist)) / trainSeconds})
	}
	_, err = fmt.Fprintf(stderr, "test loss: %.4f - test accuracy: %.4f\n%d epochs in %.2fs (%.1f epochs/s, %s, %d threads; %.2fs wall)\n",
		loss, acc, len(hist), trainSeconds, float64(len(hist))/trainSeconds, simdnn.Impl(), threads, elapsed)
	return err
}
