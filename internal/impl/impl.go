// Package impl is the one registry of simdnn's kernel implementations,
// in the manner of Go's crypto/internal/impl: every package with assembly
// (the kernels in simdnn, the byte-row gather in internal/rows) keeps one
// set of routines per implementation, indexed by the IDs below, and
// dispatches on Active. Switching the implementation here switches every
// such package at once.
//
// At start-up the best implementation the CPU runs is chosen (AVX-512,
// then AVX2 with FMA3, on amd64; NEON on arm64; the pure-Go reference
// everywhere); the SIMDNN_IMPL environment variable overrides the choice.
package impl

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
)

// The implementations, best first. Generic, the pure-Go reference, is
// compiled into every build and runs on every CPU.
const (
	AVX512  = iota // AVX-512F with FMA3, BMI2 and POPCNT (amd64)
	AVX2           // AVX2 with FMA3 (amd64)
	NEON           // Advanced SIMD (arm64)
	Generic        // the pure-Go reference
	Count          // the number of implementations
)

// names are the implementations' names, indexed by ID.
var names = [Count]string{"avx512", "avx2", "neon", "generic"}

// compiled says which implementations this build holds; supported which
// of those the CPU runs. Both are set once, by feature detection.
var compiled, supported = detect()

// detect reads the CPU's features: archImpls (one file per GOARCH and
// build tag) reports the assembly implementations of this build.
func detect() (compiled, supported [Count]bool) {
	compiled, supported = archImpls()
	compiled[Generic], supported[Generic] = true, true
	return compiled, supported
}

// active is the ID of the implementation every dispatch uses.
var active atomic.Int32

// envError records a SIMDNN_IMPL value that could not be honoured.
var envError error

func init() {
	id, err := choose(os.Getenv("SIMDNN_IMPL"))
	active.Store(int32(id))
	envError = err
}

// bf16 says whether the best implementation has bf16 instructions of
// its own (simdnn's DenseForwardBF16 and DenseBackwardBF16).
var bf16 = archBF16()

// BF16 reports whether this build and CPU have bf16 instructions: AVX-512
// with AVX512_BF16 on amd64. Other implementations and CPUs run the bf16
// kernels on their float32 tiles (or, generic, as the reference).
func BF16() bool { return bf16 }

// Active is the ID of the implementation in use. A package indexes its
// own table of routines with it.
func Active() int { return int(active.Load()) }

// Name is the name of implementation id.
func Name(id int) string { return names[id] }

// Compiled reports whether this build holds implementation id (whether or
// not the CPU runs it). Packages with assembly fill their tables for
// exactly these IDs.
func Compiled(id int) bool { return compiled[id] }

// Names lists the implementations this build and CPU run, best first; the
// last is always "generic".
func Names() []string {
	var out []string
	for id, ok := range supported {
		if ok {
			out = append(out, names[id])
		}
	}
	return out
}

// Set makes the named implementation active for every package. It fails,
// leaving the active one unchanged, when the name is unknown, not built
// into this program or not run by this CPU. Calls racing with kernels in
// flight are safe: each call uses the implementation active when it
// started.
func Set(name string) error {
	id, err := lookup(name)
	if err != nil {
		return err
	}
	active.Store(int32(id))
	return nil
}

// EnvError reports a SIMDNN_IMPL value that is unknown or unsupported
// here; the start-up choice was kept. It is nil when the variable is
// unset or was honoured.
func EnvError() error { return envError }

// best is the first supported implementation.
func best() int { return slices.Index(supported[:], true) }

// choose picks the start-up implementation: the one named by env (the
// value of SIMDNN_IMPL) when set and usable, else the best supported.
func choose(env string) (int, error) {
	if env == "" {
		return best(), nil
	}
	id, err := lookup(env)
	if err != nil {
		return best(), fmt.Errorf("SIMDNN_IMPL: %w", err)
	}
	return id, nil
}

// lookup finds a usable implementation by name, or says why there is none.
func lookup(name string) (int, error) {
	id := slices.Index(names[:], name)
	switch {
	case id < 0:
		return 0, fmt.Errorf("unknown implementation %q (available: %v)", name, Names())
	case !compiled[id]:
		return 0, fmt.Errorf("implementation %q is not built into this program (GOARCH=%s%s; available: %v)",
			name, runtime.GOARCH, pureGoNote(), Names())
	case !supported[id]:
		return 0, fmt.Errorf("implementation %q is not supported by this CPU (available: %v)", name, Names())
	}
	return id, nil
}

// pureGoNote says why a build for amd64 or arm64 lacks that GOARCH's
// assembly: only the purego tag leaves it out.
func pureGoNote() string {
	if (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") && !compiled[AVX2] && !compiled[NEON] {
		return ", built with -tags purego"
	}
	return ""
}
