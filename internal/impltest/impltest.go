// Package impltest runs a test once per kernel implementation, in the
// manner of Go's crypto/internal/cryptotest: each run is a subtest named
// after the implementation, with that implementation active in every
// package (internal/impl). SIMDNN_REQUIRE (a comma list) names the
// implementations a run must test; CI sets it, so that a build which
// silently fell back to generic fails instead of passing.
package impltest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
)

// Required lists the implementations SIMDNN_REQUIRE names.
func Required() []string {
	var names []string
	for _, s := range strings.Split(os.Getenv("SIMDNN_REQUIRE"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	return names
}

// CheckRequired fails t unless every implementation SIMDNN_REQUIRE names
// is offered by this build and CPU, and generic comes last. The name
// "bf16" requires the CPU's bf16 instructions (impl.BF16).
func CheckRequired(t *testing.T) {
	t.Helper()
	have := impl.Names()
	for _, name := range Required() {
		if name == "bf16" {
			if !impl.BF16() {
				t.Fatal("SIMDNN_REQUIRE names bf16, but this build and CPU have no bf16 instructions")
			}
			continue
		}
		if !slices.Contains(have, name) {
			t.Fatalf("SIMDNN_REQUIRE names %q, which this build and CPU do not offer (%v)", name, have)
		}
	}
	if have[len(have)-1] != "generic" {
		t.Fatalf("generic must always be available, last: %v", have)
	}
}

// Run runs f once per implementation this CPU offers, as a subtest named
// after it with that implementation active, and restores the previous
// one afterwards.
func Run(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	run(t, impl.Names(), f)
}

// RunAsm is Run for the tests that compare an implementation with the
// reference: comparing generic with itself proves nothing, so generic
// runs only where there is no other implementation (purego builds, other
// architectures), which keeps the harness itself exercised.
func RunAsm(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	names := impl.Names()
	if len(names) > 1 {
		names = names[:len(names)-1]
	}
	run(t, names, f)
}

func run(t *testing.T, names []string, f func(t *testing.T)) {
	t.Helper()
	CheckRequired(t)
	prev := impl.Name(impl.Active())
	defer func() {
		if err := impl.Set(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range names {
		if err := impl.Set(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}
