package impl

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSet(t *testing.T) {
	prev := Name(Active())
	defer func() { require.NoError(t, Set(prev)) }()
	for _, name := range Names() {
		require.NoError(t, Set(name))
		require.Equal(t, name, Name(Active()))
	}
	require.ErrorContains(t, Set("sse9"), `unknown implementation "sse9"`)
	require.Equal(t, "generic", Names()[len(Names())-1])
	for id := range Count {
		switch {
		case !compiled[id]:
			assert.ErrorContains(t, Set(names[id]), "is not built into this program")
		case !supported[id]:
			assert.ErrorContains(t, Set(names[id]), "not supported by this CPU")
		}
	}
	// A failed Set leaves the active implementation alone.
	require.NoError(t, Set("generic"))
	require.Error(t, Set("sse9"))
	require.Equal(t, "generic", Name(Active()))
	// Without an override the start-up choice is the best supported one.
	if os.Getenv("SIMDNN_IMPL") == "" {
		require.Equal(t, Names()[0], prev)
	}
}

func TestChooseFromEnvironment(t *testing.T) {
	id, err := choose("")
	require.NoError(t, err)
	assert.Equal(t, Names()[0], Name(id), "no override: the best supported")
	for _, name := range Names() {
		id, err := choose(name)
		require.NoError(t, err)
		assert.Equal(t, name, Name(id))
	}
	for id := range Count {
		if !compiled[id] {
			_, err := choose(names[id])
			assert.ErrorContains(t, err, fmt.Sprintf("SIMDNN_IMPL: implementation %q is not built into this program (GOARCH=%s", names[id], runtime.GOARCH))
		}
	}
	id, err = choose("sse9")
	assert.EqualError(t, err, fmt.Sprintf("SIMDNN_IMPL: unknown implementation \"sse9\" (available: %v)", Names()))
	assert.Equal(t, Names()[0], Name(id), "a bad override keeps the best")
	// The process itself started with whatever SIMDNN_IMPL says.
	if env := os.Getenv("SIMDNN_IMPL"); env != "" && EnvError() == nil {
		assert.Equal(t, env, Name(Active()))
	}
}
