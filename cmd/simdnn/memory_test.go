package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrainTooBigForMemory: a network whose weights alone are 86 GB is
// refused before anything is allocated, with exit 1 and one line naming
// what the run needs and what the process can have; no model file is
// written.
func TestTrainTooBigForMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the room a process has is read on Linux only")
	}
	dir := fakeMNIST(t, 100, 20)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "1", "-batch", "50", "-hidden", "65536,65536,65536,65536,65536,65536", "-out", out)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	assert.Equal(t, 1, code, errOut)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.Len(t, lines, 1, errOut)
	assert.Regexp(t, regexp.MustCompile(`^simdnn train: net: training a model 784-65536-65536-65536-65536-65536-65536-10 needs [0-9.]+ [GT]iB \(weights [0-9.]+ [GT]iB, .*\), more than the [0-9.]+ [KMGT]iB the process can have \(.+\)$`), lines[0])
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(256<<20), "refused before allocating")
	_, err := os.Stat(out)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
