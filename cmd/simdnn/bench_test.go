package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/bench"
	"github.com/simdnn/simdnn/net"
)

// quickBench is the fastest useful bench run: the generic kernels, the
// tutorial network, 2048 synthetic rows, one epoch per figure.
var quickBench = []string{"bench", "-short", "-rows", "2048", "-impl", "generic", "-hidden", "15", "-threads", "1,2"}

func TestBenchTable(t *testing.T) {
	code, out, errOut := runCLI(quickBench...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "synthetic MNIST-shaped", "says the data is synthetic")
	assert.Contains(t, errOut, "training 784-15-10 on generic, 2 threads", "progress goes to stderr")
	// % of peak is "-" where no implementation here has a peak loop.
	assert.Regexp(t, `(?m)^\s+generic\s+784-15-10\s+1\s+\d+\.\d\d\s+\d+\.\d\s+(-|\d+%)\s+\d+\s*$`, out, "training row, 1 thread")
	assert.Regexp(t, `(?m)^\s+generic\s+784-15-10\s+2\s+\d+\.\d\d\s+\d+\.\d\s+(-|\d+%)\s+\d+\s*$`, out, "training row, 2 threads")
	assert.Regexp(t, `(?m)^\s+generic\s+784-15-10\s+DenseBackward\s+`+fmt.Sprint(net.BlockRows)+`x784x16\s+\d+\.\d\s+\d+\.\d\s+(-|\d+%)\s*$`, out, "kernel row at the padded width")

	// The Go benchmark lines, in the format benchstat reads.
	num := `(\d+(?:\.\d+)?(?:e[+-]?\d+)?)`
	epoch := regexp.MustCompile(`(?m)^BenchmarkEpoch/generic/784-15-10/threads=(\d)\t(\d+)\t` + num + ` ns/op\t` + num + ` epochs/s\t` + num + ` GFLOP/s(?:\t` + num + ` cpu-ms/epoch)?$`)
	ms := epoch.FindAllStringSubmatch(out, -1)
	require.Len(t, ms, 2, out)
	for i, m := range ms {
		assert.Equal(t, strconv.Itoa([]int{1, 2}[i]), m[1])
		assert.Equal(t, "2", m[2], "-short times two epochs, after a warm-up")
		ns, _ := strconv.ParseFloat(m[3], 64)
		eps, _ := strconv.ParseFloat(m[4], 64)
		gflops, _ := strconv.ParseFloat(m[5], 64)
		assert.InEpsilon(t, 1e9/ns, eps, 1e-3, "epochs/s is the inverse of ns/op")
		assert.InEpsilon(t, bench.EpochFLOP(2048, 784, 15, 10)/ns, gflops, 1e-3)
	}
	for _, shape := range []string{fmt.Sprintf("%dx784x16", net.BlockRows), fmt.Sprintf("%dx16x10", net.BlockRows)} {
		for _, k := range []string{"DenseForward", "DenseBackward"} {
			re := regexp.MustCompile(`(?m)^Benchmark` + k + `/generic/` + shape + `\t\d+\t` + num + ` ns/op\t` + num + ` GFLOP/s$`)
			assert.Regexp(t, re, out)
		}
	}
	assert.Regexp(t, `(?m)^cpu: `, out, "benchstat groups by the cpu line")
}

func TestBenchJSON(t *testing.T) {
	code, out, errOut := runCLI(append(quickBench, "-json")...)
	require.Equal(t, 0, code, errOut)
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		if r["kind"] == "peak" { // the best ISA's, where this CPU has one
			assert.Equal(t, simdnn.Impls()[0], r["impl"])
			assert.Greater(t, r["gflops"], 0.0)
			continue
		}
		kinds = append(kinds, r["kind"].(string))
		switch r["kind"] {
		case "config":
			assert.Equal(t, "synthetic MNIST-shaped", r["data"])
			assert.Equal(t, float64(2048), r["rows"])
			assert.Equal(t, float64(1024), r["batch"])
		case "epoch":
			assert.Equal(t, "generic", r["impl"])
			assert.Equal(t, "784-15-10", r["network"])
			assert.InEpsilon(t, 1, r["epochs_per_second"].(float64)*r["seconds_per_epoch"].(float64), 1e-9)
			if _, ok := r["cpu_seconds_per_epoch"]; ok {
				assert.Greater(t, r["cpu_seconds_per_epoch"], 0.0)
			}
		case "kernel":
			assert.Greater(t, r["gflops"], 0.0)
			assert.Greater(t, r["calls"], 0.0)
			assert.Regexp(t, fmt.Sprintf(`^%dx\d+x\d+$`, net.BlockRows), r["shape"])
		}
	}
	assert.Equal(t, []string{"config", "epoch", "epoch", "kernel", "kernel", "kernel", "kernel"}, kinds)
}

// TestBenchPeak: a measured peak yields a peak line and the % of peak of
// every figure, against threads × the one-thread peak for training. The
// reference, generic, has no peak loop of its own and is not asked for
// one: it is held against the best implementation's peak, where the CPU
// has one.
func TestBenchPeak(t *testing.T) {
	prev := simdnn.Impl()
	defer simdnn.SetImpl(prev) //nolint:errcheck
	var asked []string
	o := benchOptions{impls: []string{"generic"}, hidden: []int{8}, threads: []int{1, 2}, rows: 1024, maxEpochs: 1,
		kernelTime: time.Millisecond, peak: func(impl string) (float64, error) {
			asked = append(asked, impl)
			if impl == "generic" {
				return 0, fmt.Errorf("no FMA loop for the reference")
			}
			return 0.5, nil
		}}
	var buf, progress bytes.Buffer
	require.NoError(t, benchmark(context.Background(), o, &jsonWriter{enc: json.NewEncoder(&buf)}, &progress))
	assert.NotContains(t, asked, "generic")
	assert.NotContains(t, progress.String(), "generic has no FMA peak loop")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	top := simdnn.Impls()[0]
	if top == "generic" { // no assembly here: no peak at all
		require.Len(t, lines, 1+2+4, "no peak line")
		for _, l := range lines[1:] {
			assert.NotContains(t, l, "peak_percent")
		}
	} else {
		require.Len(t, lines, 1+1+2+4)
		var peak peakResult
		require.NoError(t, json.Unmarshal([]byte(lines[1]), &peak))
		assert.Equal(t, peakResult{Kind: "peak", Impl: top, GFLOPS: 0.5}, peak)
		assert.Equal(t, []string{top}, asked)
		for _, l := range lines[2:4] {
			var e epochResult
			require.NoError(t, json.Unmarshal([]byte(l), &e))
			require.NotNil(t, e.PeakPercent)
			assert.InEpsilon(t, 100*e.GFLOPS/(0.5*float64(e.Threads)), *e.PeakPercent, 1e-9)
			assert.Equal(t, 1, e.WarmupEpochs)
			assert.Equal(t, 1, e.Epochs, "-max-epochs 1 times one epoch after the warm-up")
		}
		for _, l := range lines[4:] {
			var k kernelResult
			require.NoError(t, json.Unmarshal([]byte(l), &k))
			require.NotNil(t, k.PeakPercent)
			assert.InEpsilon(t, 100*k.GFLOPS/0.5, *k.PeakPercent, 1e-9)
		}
	}

	// An assembly implementation without a peak loop goes without %: no
	// other ISA's peak stands in for it.
	if top := simdnn.Impls()[0]; top != "generic" {
		buf.Reset()
		asm := o
		asm.impls = []string{top}
		asm.peak = func(impl string) (float64, error) {
			if impl == top {
				return 0, fmt.Errorf("no loop")
			}
			return 3, nil
		}
		progress.Reset()
		require.NoError(t, benchmark(context.Background(), asm, &jsonWriter{enc: json.NewEncoder(&buf)}, &progress))
		assert.NotContains(t, buf.String(), "peak")
		assert.Contains(t, progress.String(), top+" has no FMA peak loop here (no loop): its figures go without % of peak")
	}

	// No peak at all: the figures go without %.
	buf.Reset()
	o.peak = func(impl string) (float64, error) { return 0, fmt.Errorf("no FMA loop here") }
	require.NoError(t, benchmark(context.Background(), o, &jsonWriter{enc: json.NewEncoder(&buf)}, &progress))
	lines = strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1+2+4, "no peak line")
	for _, l := range lines[1:] {
		assert.NotContains(t, l, "peak_percent")
	}
}

func TestBenchUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"-impl", "sse9"}, `-impl "sse9": "sse9" is not one this CPU offers`},
		{[]string{"-hidden", ""}, "-hidden: want at least one width"},
		{[]string{"-hidden", "x"}, `-hidden "x": "x" is not a positive layer width`},
		{[]string{"-threads", "1,0"}, `-threads "1,0": "0" is not a thread count in 1..1024`},
		{[]string{"-rows", "1000"}, "-rows 1000: want at least one batch of 1024"},
		{[]string{"-max-epochs", "0"}, "-max-epochs 0: want > 0"},
		{[]string{"-kernel-time", "-1s"}, "want ≥ 0"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(append([]string{"bench"}, c.args...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, c.msg)
		})
	}
}

func TestBenchCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := run(ctx, quickBench, &o, &e)
	assert.Equal(t, 130, code)
	assert.Contains(t, e.String(), "interrupted")
}

func TestTimeCalls(t *testing.T) {
	calls := 0
	spin := func() { // 20µs of work
		calls++
		for start := time.Now(); time.Since(start) < 20*time.Microsecond; {
		}
	}
	// Nothing here depends on how fast the machine is: a loaded machine may
	// stretch one call past the target, and then the rounds stay at one call.
	n, wall, cpu := timeCalls(10*time.Millisecond, spin)
	assert.GreaterOrEqual(t, n, 1)
	assert.GreaterOrEqual(t, wall, 20e3, "at least the work per call")
	assert.Greater(t, cpu, 0.0)
	assert.LessOrEqual(t, cpu, 1.1*wall, "CPU time never exceeds the wall time of one thread")
	assert.GreaterOrEqual(t, calls, 1+5*n, "warm-up, calibration and four timed rounds")
}

// TestBenchCancelKeepsFigures: interrupted after the first network's
// epochs were timed, bench still writes the figures it has.
func TestBenchCancelKeepsFigures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &cancelOn{want: "timing the kernels of", cancel: cancel}
	var o bytes.Buffer
	code := run(ctx, quickBench, &o, e)
	assert.Equal(t, 130, code, e.buf.String())
	assert.Contains(t, e.buf.String(), "interrupted")
	assert.Regexp(t, `generic +784-15-10 +2 `, o.String(), "the epochs timed before the interrupt are written")
	assert.Contains(t, o.String(), "BenchmarkEpoch/generic/784-15-10/threads=2\t", "and in benchmark format")
}
