package simdnn

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// required lists the implementations SIMDNN_REQUIRE (a comma list) says
// this run must test; CI sets it so that a build which silently fell back
// to generic fails instead of passing.
func required() []string {
	var names []string
	for _, s := range strings.Split(os.Getenv("SIMDNN_REQUIRE"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	return names
}

func TestRequiredImplsPresent(t *testing.T) {
	have := Impls()
	for _, name := range required() {
		require.Contains(t, have, name, "SIMDNN_REQUIRE names %q but this build and CPU offer %v", name, have)
	}
	require.Equal(t, "generic", have[len(have)-1], "generic must always be available, last")
}

// forEachImpl runs f once per implementation this CPU offers, as a subtest
// named after it with that implementation active, and restores the
// previous one afterwards.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	runImpls(t, Impls(), f)
}

// forEachAsmImpl is forEachImpl for the tests that compare an
// implementation with the reference: comparing generic with itself proves
// nothing, so it runs only where there is no other implementation (purego
// builds), to keep the harness itself exercised.
func forEachAsmImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	names := Impls()
	if len(names) > 1 {
		names = names[:len(names)-1]
	}
	runImpls(t, names, f)
}

func runImpls(t *testing.T, names []string, f func(t *testing.T)) {
	t.Helper()
	for _, name := range required() {
		if !slices.Contains(Impls(), name) {
			t.Fatalf("SIMDNN_REQUIRE names %q, which this build and CPU do not offer (%v)", name, Impls())
		}
	}
	prev := Impl()
	defer func() { require.NoError(t, SetImpl(prev)) }()
	for _, name := range names {
		require.NoError(t, SetImpl(name))
		t.Run(name, f)
	}
	require.NoError(t, SetImpl(prev))
}

func TestDispatch(t *testing.T) {
	prev := Impl()
	defer func() { require.NoError(t, SetImpl(prev)) }()
	for _, name := range Impls() {
		require.NoError(t, SetImpl(name))
		require.Equal(t, name, Impl())
	}
	err := SetImpl("sse9")
	require.ErrorContains(t, err, `unknown implementation "sse9"`)
	require.Equal(t, Impls()[len(Impls())-1], "generic")
	// Every name in the table is either offered or refused with a reason.
	for _, im := range table {
		if !im.supported() {
			require.ErrorContains(t, SetImpl(im.set.name), "not supported by this CPU")
		}
	}
	// Without an override the start-up choice is the best supported one.
	if os.Getenv("SIMDNN_IMPL") == "" {
		require.Equal(t, Impls()[0], prev)
	}
}

func TestChooseFromEnvironment(t *testing.T) {
	set, err := choose("")
	require.NoError(t, err)
	assert.Equal(t, Impls()[0], set.name, "no override: the best supported")
	for _, name := range Impls() {
		set, err := choose(name)
		require.NoError(t, err)
		assert.Equal(t, name, set.name)
	}
	for _, name := range allNames {
		if !slices.ContainsFunc(table, func(im implementation) bool { return im.set.name == name }) {
			_, err := choose(name)
			assert.ErrorContains(t, err, fmt.Sprintf("implementation %q is not built into this program (GOARCH=%s", name, runtime.GOARCH))
			assert.ErrorContains(t, SetImpl(name), "is not built into this program")
		}
	}
	set, err = choose("sse9")
	assert.EqualError(t, err, fmt.Sprintf("SIMDNN_IMPL: unknown implementation \"sse9\" (available: %v)", Impls()))
	assert.Equal(t, Impls()[0], set.name, "a bad override keeps the best")
	for _, im := range table {
		if !im.supported() {
			_, err := choose(im.set.name)
			assert.ErrorContains(t, err, "not supported by this CPU")
		}
	}
	// The process itself started with whatever SIMDNN_IMPL says.
	if env := os.Getenv("SIMDNN_IMPL"); env != "" && EnvError() == nil {
		assert.Contains(t, Impls(), env)
	}
}
