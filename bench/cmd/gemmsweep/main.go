// Command gemmsweep measures simdnn's dense kernels on the fixed GEMM
// sweep (bench.Sweep) under every implementation, beside numpy on
// OpenBLAS with its AVX-512 (SkylakeX) and AVX2 (Haswell) kernels, and
// prints a markdown table per kernel with the roofline:
//
//	go run ./bench/cmd/gemmsweep [-ops forward,backward] [-impls avx512,avx2] [-shapes 1024x784x15,...] [-runs 5] [-no-peer] [-json]
//
// Everything runs on one thread: each implementation's FMA peak
// (bench/peak), one core's memory bandwidth, every shape's DenseForward
// and DenseBackward calls (the best of -runs runs by the thread's CPU
// time), and bench/peers/gemm_peer.py once per OpenBLAS core type. See
// bench/README.md for the method and how to read the table.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/bench"
)

// options are the command's flags, parsed.
type options struct {
	ops    []bench.Op
	impls  []string
	shapes []bench.Shape
	runs   int
	rounds int
	peer   bool
	python string
	script string
	json   bool
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gemmsweep:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	r, err := measure(o, stderr)
	if err != nil {
		return err
	}
	if o.json {
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		return e.Encode(r)
	}
	return writeReport(stdout, r)
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("gemmsweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ops := fs.String("ops", "forward,backward", "comma list of the kernels to time: forward (DenseForward), backward (DenseBackward)")
	impls := fs.String("impls", strings.Join(simdnn.Impls(), ","), "comma list of implementations")
	shapes := fs.String("shapes", "", "comma list of shapes m x k x n (as 1024x784x15) instead of the whole sweep")
	runs := fs.Int("runs", 5, "timed runs per figure, the best kept (fewer once they have taken a second)")
	rounds := fs.Int("rounds", 1, "rounds of the whole measurement, simdnn then the peer in each, the best figure of all rounds kept: on a shared machine whose speed drifts, each side meets the same spells")
	noPeer := fs.Bool("no-peer", false, "do not run the numpy/OpenBLAS peer")
	python := fs.String("python", "/usr/bin/python3", "the Python with numpy that runs the peer")
	script := fs.String("peer", "", "path of bench/peers/gemm_peer.py (default: found beside this command's source or from the working directory)")
	asJSON := fs.Bool("json", false, "write the report as JSON instead of markdown")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q: flags only", fs.Arg(0))
	}
	o := options{runs: *runs, rounds: *rounds, peer: !*noPeer, python: *python, script: *script, json: *asJSON}
	var err error
	if o.ops, err = parseOps(*ops); err != nil {
		return o, err
	}
	if o.impls, err = parseImpls(*impls); err != nil {
		return o, err
	}
	if o.shapes, err = parseShapes(*shapes); err != nil {
		return o, err
	}
	if o.runs < 1 {
		return o, fmt.Errorf("-runs %d: want at least 1", o.runs)
	}
	if o.rounds < 1 {
		return o, fmt.Errorf("-rounds %d: want at least 1", o.rounds)
	}
	return o, nil
}

// parseOps picks the named ops of bench.Ops, in the order given.
func parseOps(s string) ([]bench.Op, error) {
	var ops []bench.Op
	for _, name := range splitList(s) {
		i := slices.IndexFunc(bench.Ops, func(op bench.Op) bool { return op.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("-ops: unknown op %q (want forward or backward)", name)
		}
		ops = append(ops, bench.Ops[i])
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("-ops: want at least one op")
	}
	return ops, nil
}

// parseImpls checks the names against the implementations this CPU runs.
func parseImpls(s string) ([]string, error) {
	names := splitList(s)
	for _, name := range names {
		if !slices.Contains(simdnn.Impls(), name) {
			return nil, fmt.Errorf("-impls: %q is not one this CPU offers (%s)", name, strings.Join(simdnn.Impls(), ", "))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("-impls: want at least one implementation")
	}
	return names, nil
}

// parseShapes reads a comma list of shapes; "" is the whole sweep.
func parseShapes(s string) ([]bench.Shape, error) {
	if strings.TrimSpace(s) == "" {
		return bench.Sweep, nil
	}
	var shapes []bench.Shape
	for _, f := range splitList(s) {
		sh, err := bench.ParseShape(f)
		if err != nil {
			return nil, fmt.Errorf("-shapes: %v", err)
		}
		shapes = append(shapes, sh)
	}
	return shapes, nil
}

// splitList splits a comma list, dropping blanks and repeats.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// measure runs everything o asks for, -rounds times, progress to
// progress: the best time of every figure and the highest peak and
// bandwidth over the rounds.
func measure(o options, progress io.Writer) (report, error) {
	r := report{CPU: cpuName(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, Rounds: o.rounds}
	// implSec[op][shape][impl] is the best time per call in seconds;
	// peerSec[op][shape][core] likewise for the peer.
	implSec := map[string]map[string]map[string]float64{}
	peerSec := map[string]map[string]map[string]float64{}
	prev := simdnn.Impl()
	defer simdnn.SetImpl(prev)
	for round := range o.rounds {
		if o.rounds > 1 {
			fmt.Fprintf(progress, "round %d/%d\n", round+1, o.rounds)
		}
		for i, impl := range o.impls {
			fmt.Fprintf(progress, "FMA peak of %s\n", impl)
			peak := bench.Peak(impl)
			if round == 0 {
				r.Impls = append(r.Impls, implInfo{Name: impl, Peak: peak, Own: impl != "generic"})
			} else {
				r.Impls[i].Peak = max(r.Impls[i].Peak, peak)
			}
		}
		fmt.Fprintln(progress, "memory bandwidth")
		r.Bandwidth = max(r.Bandwidth, copyBandwidth())
		for i, s := range o.shapes {
			fmt.Fprintf(progress, "%d/%d %s\n", i+1, len(o.shapes), s)
			operands := bench.NewOperands(s, uint64(i))
			for _, op := range o.ops {
				for _, impl := range o.impls {
					if err := simdnn.SetImpl(impl); err != nil {
						return r, err
					}
					keepBest(implSec, op.Name, s.String(), impl, bestPerCall(func() { op.Call(operands) }, o.runs).Seconds())
				}
			}
			operands.Free()
		}
		if err := measurePeers(o, &r, peerSec, round == 0, progress); err != nil {
			return r, err
		}
	}
	for _, op := range o.ops {
		t := table{Op: op.Name, Title: opTitle(op)}
		for _, s := range o.shapes {
			t.Rows = append(t.Rows, makeRow(op, s, r.Impls, r.Peers, r.Bandwidth, implSec[op.Name][s.String()], peerSec[op.Name][s.String()]))
		}
		r.Tables = append(r.Tables, t)
	}
	return r, nil
}

// keepBest sets sec[op][shape][who] to t unless it holds a shorter time.
func keepBest(sec map[string]map[string]map[string]float64, op, shape, who string, t float64) {
	if sec[op] == nil {
		sec[op] = map[string]map[string]float64{}
	}
	if sec[op][shape] == nil {
		sec[op][shape] = map[string]float64{}
	}
	if old, ok := sec[op][shape][who]; !ok || t < old {
		sec[op][shape][who] = t
	}
}

// measurePeers runs the peer for each core type whose implementation is
// measured, into peerSec (the best times) and, in the first round, into
// r.Peers; when it cannot, r.PeerNote says why.
func measurePeers(o options, r *report, peerSec map[string]map[string]map[string]float64, first bool, progress io.Writer) error {
	if !o.peer {
		r.PeerNote = "-no-peer"
		return nil
	}
	if why := peerMissing(o.python); why != "" {
		r.PeerNote = why
		fmt.Fprintf(progress, "OpenBLAS peer not run: %s\n", why)
		return nil
	}
	script := o.script
	if script == "" {
		var err error
		if script, err = peerScript(); err != nil {
			return err
		}
	}
	for _, ct := range coreTypes {
		if !slices.Contains(o.impls, ct.impl) {
			continue
		}
		fmt.Fprintf(progress, "numpy with OpenBLAS %s\n", ct.core)
		p, sec, err := runPeer(o.python, script, ct.core, o.shapes, o.ops, o.runs)
		if err != nil {
			return err
		}
		if p.Corename != "" && !strings.EqualFold(p.Corename, ct.core) {
			fmt.Fprintf(progress, "OPENBLAS_CORETYPE=%s did not take effect: OpenBLAS ran %s\n", ct.core, p.Corename)
		}
		p.Impl = ct.impl
		if first {
			r.Peers = append(r.Peers, p)
		}
		for op, shapes := range sec {
			for shape, s := range shapes {
				keepBest(peerSec, op, shape, ct.core, s)
			}
		}
	}
	return nil
}

// cpuName is /proc/cpuinfo's model name, else the CPUID brand string.
func cpuName() string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return cpuid.CPU.BrandName
}
