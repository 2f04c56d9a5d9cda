package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/bench"
	"github.com/simdnn/simdnn/bench/peak"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// benchOptions is one `simdnn bench` run.
type benchOptions struct {
	impls      []string
	hidden     []int // one network 784-h-10 per entry
	threads    []int
	rows       int           // synthetic training rows
	epochTime  time.Duration // least training time per epochs/s figure
	maxEpochs  int           // most epochs per epochs/s figure
	kernelTime time.Duration // least time per kernel figure
	// peak measures the FMA peak of one thread of an implementation in
	// GFLOP/s; nil, or an error for an implementation, leaves its % of
	// peak empty.
	peak func(impl string) (float64, error)
}

// benchBatch and benchLR are the tutorial's batch size and learning rate.
const (
	benchBatch = 1024
	benchLR    = 0.2
)

// benchFlags are bench's flags.
type benchFlags struct {
	impls, hidden, threads string
	rows, maxEpochs        int
	epochTime, kernelTime  time.Duration
	short, json            bool
}

// benchShort is what -short sets each flag it covers to, unless given.
func benchShort() []struct{ flag, value string } {
	return []struct{ flag, value string }{{"rows", "4096"}, {"epoch-time", "0s"}, {"max-epochs", "2"}, {"kernel-time", "5ms"}}
}

// benchFlagSet is the FlagSet runBench parses and help describes.
func benchFlagSet() (*flag.FlagSet, *benchFlags) {
	fs := newFlags("bench")
	f := new(benchFlags)
	fs.StringVar(&f.impls, "impl", "", "comma list of implementations to measure, of those this CPU runs: "+strings.Join(simdnn.Impls(), ", "))
	describeDefault(fs, "impl", "all of them")
	fs.StringVar(&f.hidden, "hidden", "15,128", "comma list of hidden widths; each is measured as the network 784-h-10")
	fs.StringVar(&f.threads, "threads", "", "comma list of thread counts")
	describeDefault(fs, "threads", "1 and all cores, at most 1024")
	fs.IntVar(&f.rows, "rows", 60000, "rows of synthetic training data per epoch")
	fs.DurationVar(&f.epochTime, "epoch-time", 2*time.Second, "least training time behind each epochs/s figure (at least 2 epochs, at most -max-epochs)")
	fs.IntVar(&f.maxEpochs, "max-epochs", 50, "most epochs behind each epochs/s figure, after one untimed warm-up epoch")
	fs.DurationVar(&f.kernelTime, "kernel-time", 200*time.Millisecond, "least time behind each kernel figure")
	var quick []string
	for _, s := range benchShort() {
		quick = append(quick, "-"+s.flag+" "+s.value)
	}
	fs.BoolVar(&f.short, "short", false, "quick, rough figures: "+strings.Join(quick, ", ")+", unless given")
	fs.BoolVar(&f.json, "json", false, "write JSON lines instead of the table")
	return fs, f
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := benchFlagSet()
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.short { // quick settings for the flags not given
		given := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
		for _, s := range benchShort() {
			if !given[s.flag] {
				if err := fs.Set(s.flag, s.value); err != nil {
					return err
				}
			}
		}
	}
	o := benchOptions{rows: f.rows, epochTime: f.epochTime, maxEpochs: f.maxEpochs, kernelTime: f.kernelTime, peak: peak.Measure}
	var err error
	if o.impls, err = parseImpls(f.impls); err != nil {
		return usageError{err}
	}
	if o.hidden, err = parseHidden(f.hidden); err != nil {
		return usageError{err}
	}
	if len(o.hidden) == 0 {
		return usagef("-hidden: want at least one width")
	}
	if o.threads, err = parseThreads(f.threads); err != nil {
		return usageError{err}
	}
	switch {
	case o.rows < benchBatch:
		return usagef("-rows %d: want at least one batch of %d", o.rows, benchBatch)
	case o.rows > 1<<20:
		return usagef("-rows %d: want at most %d", o.rows, 1<<20)
	case o.maxEpochs <= 0:
		return usagef("-max-epochs %d: want > 0", o.maxEpochs)
	case o.epochTime < 0 || o.kernelTime < 0:
		return usagef("-epoch-time and -kernel-time: want ≥ 0")
	}
	if err := simdnn.EnvError(); err != nil {
		return usageError{err}
	}
	prev := simdnn.Impl()
	defer simdnn.SetImpl(prev) //nolint:errcheck // prev was active, so it is supported

	var out benchWriter = &tableWriter{w: stdout}
	if f.json {
		out = &jsonWriter{enc: json.NewEncoder(stdout)}
	}
	return benchmark(ctx, o, out, stderr)
}

// parseImpls checks a comma list of implementation names against those
// this CPU offers; "" means all of them.
func parseImpls(s string) ([]string, error) {
	have := simdnn.Impls()
	if strings.TrimSpace(s) == "" {
		return have, nil
	}
	var names []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(have, f) {
			return nil, fmt.Errorf("-impl %q: %q is not one this CPU offers (%s)", s, f, strings.Join(have, ", "))
		}
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	return names, nil
}

// parseThreads parses a comma list of thread counts; "" means 1 and all
// cores.
func parseThreads(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		all := net.AllThreads()
		if all == 1 {
			return []int{1}, nil
		}
		return []int{1, all}, nil
	}
	var counts []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n > net.MaxThreads {
			return nil, fmt.Errorf("-threads %q: %q is not a thread count in 1..%d", s, f, net.MaxThreads)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// peakResult is an implementation's FMA peak on one thread.
type peakResult struct {
	Kind   string  `json:"kind"` // "peak"
	Impl   string  `json:"impl"`
	GFLOPS float64 `json:"gflops"`
}

// epochResult is the training speed of one network on one implementation
// and thread count.
type epochResult struct {
	Kind            string  `json:"kind"` // "epoch"
	Impl            string  `json:"impl"`
	Network         string  `json:"network"`
	Threads         int     `json:"threads"`
	Rows            int     `json:"rows"`
	WarmupEpochs    int     `json:"warmup_epochs"`     // untimed, before the timed ones
	Epochs          int     `json:"epochs"`            // epochs timed
	SecondsPerEpoch float64 `json:"seconds_per_epoch"` // the median
	EpochsPerSecond float64 `json:"epochs_per_second"`
	// CPUSecondsPerEpoch is the median epoch's CPU time on all threads: on
	// a shared machine it moves much less than the wall time.
	CPUSecondsPerEpoch *float64 `json:"cpu_seconds_per_epoch,omitempty"`
	GFLOPS             float64  `json:"gflops"`
	PeakPercent        *float64 `json:"peak_percent,omitempty"` // of threads × the one-thread peak
}

// kernelResult is the speed of one kernel call the trainer makes: a block
// of rows through one layer, at the trainer's (padded) widths.
type kernelResult struct {
	Kind        string   `json:"kind"` // "kernel"
	Impl        string   `json:"impl"`
	Network     string   `json:"network"`
	Kernel      string   `json:"kernel"` // DenseForward or DenseBackward
	Layer       int      `json:"layer"`
	M, K, N     int      `json:"-"`
	Shape       string   `json:"shape"` // m×k×n as "128x784x16"
	Calls       int      `json:"calls"`
	NsPerOp     float64  `json:"ns_per_op"`     // wall time
	CPUNsPerOp  float64  `json:"cpu_ns_per_op"` // the thread's CPU time
	GFLOPS      float64  `json:"gflops"`        // per CPU second
	PeakPercent *float64 `json:"peak_percent,omitempty"`
}

// benchWriter receives the results as they are measured and writes them
// out at the end.
type benchWriter interface {
	header(o benchOptions) error
	peak(peakResult) error
	epoch(epochResult) error
	kernel(kernelResult) error
	finish() error
}

// errEnough stops a timed training run.
var errEnough = errors.New("enough epochs")

// benchmark measures every implementation in o and hands the results to
// out; progress goes to progress. Interrupted (ctx cancelled), it still
// writes out the figures measured so far.
func benchmark(ctx context.Context, o benchOptions, out benchWriter, progress io.Writer) error {
	err := measure(ctx, o, out, progress)
	if err == nil || errors.Is(err, context.Canceled) {
		if ferr := out.finish(); ferr != nil {
			return ferr
		}
	}
	return err
}

// measure is benchmark's measuring, up to out.finish.
func measure(ctx context.Context, o benchOptions, out benchWriter, progress io.Writer) error {
	if err := out.header(o); err != nil {
		return err
	}
	pixels, labels := bench.MNISTShaped(o.rows, 1)
	rows := net.ByteRows(pixels, mnist.PixelDiv, labels)
	// The FMA peak of each implementation's vector instructions, measured
	// now. The reference, generic, has no vector instructions of its own
	// and is held against the best peak of this core; an assembly
	// implementation without a peak loop gets no % of peak.
	peaks := map[string]float64{}
	best := 0.0
	if o.peak != nil {
		for _, impl := range o.impls {
			if impl == "generic" {
				continue
			}
			fmt.Fprintf(progress, "measuring the FMA peak of %s\n", impl)
			g, err := o.peak(impl)
			if err != nil {
				fmt.Fprintf(progress, "%s has no FMA peak loop here (%v): its figures go without %% of peak\n", impl, err)
				continue
			}
			peaks[impl], best = g, max(best, g)
			if err := out.peak(peakResult{Kind: "peak", Impl: impl, GFLOPS: g}); err != nil {
				return err
			}
		}
		if top := simdnn.Impls()[0]; best == 0 && slices.Contains(o.impls, "generic") && !slices.Contains(o.impls, top) {
			// generic without the best implementation: measure the best
			// one's peak to hold generic against.
			fmt.Fprintf(progress, "measuring the FMA peak of %s\n", top)
			if g, err := o.peak(top); err == nil {
				best = g
				if err := out.peak(peakResult{Kind: "peak", Impl: top, GFLOPS: g}); err != nil {
					return err
				}
			}
		}
	}
	for _, impl := range o.impls {
		if err := simdnn.SetImpl(impl); err != nil {
			return err
		}
		peak, ok := peaks[impl]
		if !ok && impl == "generic" {
			peak = best
		}
		percent := func(gflops float64, threads int) *float64 {
			if peak <= 0 {
				return nil
			}
			p := 100 * gflops / (peak * float64(threads))
			return &p
		}
		for _, h := range o.hidden {
			sizes := []int{784, h, 10}
			name := fmt.Sprintf("784-%d-10", h)
			for _, th := range o.threads {
				fmt.Fprintf(progress, "training %s on %s, %s\n", name, impl, count(th, "thread"))
				r, err := timeEpochs(ctx, o, sizes, th, rows)
				if err != nil {
					return fmt.Errorf("%s on %s, %d threads: %w", name, impl, th, err)
				}
				r.Impl, r.Network = impl, name
				r.PeakPercent = percent(r.GFLOPS, th)
				if err := out.epoch(r); err != nil {
					return err
				}
			}
			fmt.Fprintf(progress, "timing the kernels of %s on %s\n", name, impl)
			for _, r := range timeKernels(o, sizes) { // measured whole: every figure is written
				r.Impl, r.Network = impl, name
				r.PeakPercent = percent(r.GFLOPS, 1)
				if err := out.kernel(r); err != nil {
					return err
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// timeEpochs trains a fresh model of the given sizes on x: one warm-up
// epoch, untimed (it pays the one-off costs: the helper threads' start,
// the first touch of every buffer, cold caches), then epoch after epoch
// until o.epochTime has passed (at least 2 epochs unless o.maxEpochs is
// 1, at most o.maxEpochs), and reports the median timed epoch.
func timeEpochs(ctx context.Context, o benchOptions, sizes []int, threads int, data net.Rows) (epochResult, error) {
	m, err := net.New(sizes, 1)
	if err != nil {
		return epochResult{}, err
	}
	var secs, cpus []float64
	var total float64
	lastCPU, haveCPU := bench.ProcessCPU()
	cfg := net.Config{Epochs: warmupEpochs + o.maxEpochs, BatchSize: benchBatch, LR: benchLR, Seed: 1, Threads: threads,
		OnEpoch: func(s net.EpochStats) error {
			if s.Epoch <= warmupEpochs {
				lastCPU, haveCPU = bench.ProcessCPU()
				return nil
			}
			secs = append(secs, s.Seconds)
			total += s.Seconds
			if haveCPU {
				now, _ := bench.ProcessCPU()
				cpus = append(cpus, (now - lastCPU).Seconds())
				lastCPU = now
			}
			if len(secs) >= min(2, o.maxEpochs) && total >= o.epochTime.Seconds() {
				return errEnough
			}
			return nil
		}}
	if _, err := net.Train(ctx, m, data, cfg); err != nil && !errors.Is(err, errEnough) {
		return epochResult{}, err
	}
	med := median(secs)
	rows := len(data.Labels())
	r := epochResult{Kind: "epoch", Threads: threads, Rows: rows, WarmupEpochs: warmupEpochs, Epochs: len(secs), SecondsPerEpoch: med,
		EpochsPerSecond: 1 / med, GFLOPS: bench.EpochFLOP(rows, sizes...) / med / 1e9}
	if len(cpus) > 0 {
		c := median(cpus)
		r.CPUSecondsPerEpoch = &c
	}
	return r, nil
}

// warmupEpochs is the untimed epochs before timeEpochs' timed ones.
const warmupEpochs = 1

// median returns the median of v, which it sorts; v is not empty.
func median(v []float64) float64 {
	sort.Float64s(v)
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

// timeKernels times, on the active implementation, the dense kernel calls
// the trainer makes for one block of net.BlockRows rows of a network of
// the given sizes, at the widths it computes with (net.TrainSizes).
func timeKernels(o benchOptions, sizes []int) []kernelResult {
	s := net.TrainSizes(sizes)
	m := net.BlockRows
	r := rand.New(rand.NewPCG(2, 3))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = r.Float32() - 0.5
		}
		return v
	}
	var out []kernelResult
	for l := range len(s) - 1 {
		k, n := s[l], s[l+1]
		relu := l < len(s)-2
		x, w, b, y := fill(m*k), fill(k*n), fill(n), make([]float32, m*n)
		dw, db, dy := make([]float32, k*n), make([]float32, n), fill(m*n)
		var dx []float32
		if l > 0 { // the trainer needs no input gradient for the first layer
			dx = make([]float32, m*k)
		}
		mac := 2 * float64(m) * float64(k) * float64(n)
		back := mac
		if dx != nil {
			back += mac
		}
		shape := fmt.Sprintf("%dx%dx%d", m, k, n)
		add := func(kernel string, flop float64, f func()) {
			calls, wall, cpu := timeCalls(o.kernelTime, f)
			out = append(out, kernelResult{Kind: "kernel", Kernel: kernel, Layer: l, M: m, K: k, N: n, Shape: shape,
				Calls: calls, NsPerOp: wall, CPUNsPerOp: cpu, GFLOPS: flop / max(cpu, 1)})
		}
		add("DenseForward", mac, func() { simdnn.DenseForward(y, x, w, b, m, k, n, relu) })
		add("DenseBackward", back, func() { simdnn.DenseBackward(dw, db, dx, x, w, dy, m, k, n) })
	}
	return out
}

// timeCalls calls f in rounds, on a locked OS thread: it grows a round
// until it lasts d/5 of wall time (at least one call), then times four
// more rounds of that many calls. It returns the calls per round and the
// median round's wall and CPU (peak.ThreadTime) nanoseconds per call. The
// CPU time is what the call cost; the wall time adds whatever else the
// machine ran meanwhile.
func timeCalls(d time.Duration, f func()) (calls int, wallNs, cpuNs float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f() // warm the caches and the branch predictors
	round := func(n int) (float64, float64) {
		start, cpu := time.Now(), peak.ThreadTime()
		for range n {
			f()
		}
		return float64(time.Since(start).Nanoseconds()) / float64(n), float64((peak.ThreadTime() - cpu).Nanoseconds()) / float64(n)
	}
	target := float64(d.Nanoseconds()) / 5
	n := 1
	w, c := round(n)
	walls, cpus := []float64{w}, []float64{c}
	for walls[0]*float64(n) < target && n < 1<<30 {
		// Aim 20% past the target, growing at most 100-fold a round.
		next := int(1.2 * target / max(walls[0], 1))
		n = min(max(next, n+1), 100*n)
		walls[0], cpus[0] = round(n)
	}
	for range 4 {
		w, c := round(n)
		walls, cpus = append(walls, w), append(cpus, c)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return n, walls[len(walls)/2], cpus[len(cpus)/2]
}

// cpuName describes the processor for the reports.
func cpuName() string {
	name := strings.TrimSpace(cpuid.CPU.BrandName)
	if name == "" {
		name = runtime.GOARCH
	}
	return fmt.Sprintf("%s, %d logical cores, GOMAXPROCS %d", name, runtime.NumCPU(), runtime.GOMAXPROCS(0))
}

// tableWriter prints the results as tables for people, then the same
// figures in Go's benchmark format for benchstat.
type tableWriter struct {
	w       io.Writer
	peaks   []peakResult
	epochs  []epochResult
	kernels []kernelResult
	rows    int
}

func (t *tableWriter) header(o benchOptions) error {
	t.rows = o.rows
	_, err := fmt.Fprintf(t.w, "simdnn bench: %s\ndata: synthetic MNIST-shaped rows (%d × 784 random pixels, random labels; no download, for speed only); batch %d, SGD lr %g, blocks of %d rows\n",
		cpuName(), o.rows, benchBatch, benchLR, net.BlockRows)
	return err
}

func (t *tableWriter) peak(r peakResult) error     { t.peaks = append(t.peaks, r); return nil }
func (t *tableWriter) epoch(r epochResult) error   { t.epochs = append(t.epochs, r); return nil }
func (t *tableWriter) kernel(r kernelResult) error { t.kernels = append(t.kernels, r); return nil }

func pct(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", *p)
}

func (t *tableWriter) finish() error {
	table := func(title, head string, rows func(w io.Writer)) error {
		fmt.Fprintf(t.w, "\n%s\n", title)
		tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, head)
		rows(tw)
		return tw.Flush()
	}
	if len(t.peaks) > 0 {
		if err := table("FMA peak, one thread", "impl\tGFLOP/s\t", func(w io.Writer) {
			for _, p := range t.peaks {
				fmt.Fprintf(w, "%s\t%.1f\t\n", p.Impl, p.GFLOPS)
			}
		}); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(t.w, "\n(FMA peak not measured: no % of peak)")
	}
	if err := table("Training, median epoch (CPU ms: all threads' CPU time in it)", "impl\tnetwork\tthreads\tepochs/s\tGFLOP/s\t% of peak\tCPU ms\t", func(w io.Writer) {
		for _, e := range t.epochs {
			cpu := "-"
			if e.CPUSecondsPerEpoch != nil {
				cpu = fmt.Sprintf("%.0f", *e.CPUSecondsPerEpoch*1e3)
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%.2f\t%.1f\t%s\t%s\t\n", e.Impl, e.Network, e.Threads, e.EpochsPerSecond, e.GFLOPS, pct(e.PeakPercent), cpu)
		}
	}); err != nil {
		return err
	}
	if err := table("Kernels: one block of rows, one thread, the trainer's padded widths, median round (µs: wall; GFLOP/s: per CPU second)",
		"impl\tnetwork\tkernel\tm×k×n\tµs/call\tGFLOP/s\t% of peak\t", func(w io.Writer) {
			for _, k := range t.kernels {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.1f\t%.1f\t%s\t\n", k.Impl, k.Network, k.Kernel, k.Shape, k.NsPerOp/1e3, k.GFLOPS, pct(k.PeakPercent))
			}
		}); err != nil {
		return err
	}
	// Go benchmark format: benchstat compares two runs of this command.
	fmt.Fprintf(t.w, "\ngoos: %s\ngoarch: %s\npkg: github.com/simdnn/simdnn/cmd/simdnn\ncpu: %s\n", runtime.GOOS, runtime.GOARCH, strings.TrimSpace(cpuid.CPU.BrandName))
	for _, e := range t.epochs {
		cpu := ""
		if e.CPUSecondsPerEpoch != nil {
			cpu = fmt.Sprintf("\t%.4g cpu-ms/epoch", *e.CPUSecondsPerEpoch*1e3)
		}
		fmt.Fprintf(t.w, "BenchmarkEpoch/%s/%s/threads=%d\t%d\t%.0f ns/op\t%.4g epochs/s\t%.4g GFLOP/s%s\n",
			e.Impl, e.Network, e.Threads, e.Epochs, e.SecondsPerEpoch*1e9, e.EpochsPerSecond, e.GFLOPS, cpu)
	}
	for _, k := range t.kernels {
		fmt.Fprintf(t.w, "Benchmark%s/%s/%s\t%d\t%.1f ns/op\t%.4g GFLOP/s\n", k.Kernel, k.Impl, k.Shape, k.Calls, k.NsPerOp, k.GFLOPS)
	}
	return nil
}

// jsonWriter writes one JSON object per line: a "config" line, then
// "peak", "epoch" and "kernel" lines as they are measured.
type jsonWriter struct{ enc *json.Encoder }

func (j *jsonWriter) header(o benchOptions) error {
	return j.enc.Encode(struct {
		Kind      string  `json:"kind"`
		CPU       string  `json:"cpu"`
		GOARCH    string  `json:"goarch"`
		Procs     int     `json:"gomaxprocs"`
		Data      string  `json:"data"`
		Rows      int     `json:"rows"`
		Batch     int     `json:"batch"`
		LR        float64 `json:"lr"`
		BlockRows int     `json:"block_rows"`
	}{"config", strings.TrimSpace(cpuid.CPU.BrandName), runtime.GOARCH, runtime.GOMAXPROCS(0), "synthetic MNIST-shaped", o.rows, benchBatch, benchLR, net.BlockRows})
}

func (j *jsonWriter) peak(r peakResult) error     { return j.enc.Encode(r) }
func (j *jsonWriter) epoch(r epochResult) error   { return j.enc.Encode(r) }
func (j *jsonWriter) kernel(r kernelResult) error { return j.enc.Encode(r) }
func (j *jsonWriter) finish() error               { return nil }
