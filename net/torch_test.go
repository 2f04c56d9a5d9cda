package net

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The files in testdata were written by testdata/torch_safetensors.py with
// PyTorch 1.13 (Debian's python3-torch) following the safetensors format;
// the safetensors Python package was not available to write them.
const (
	torchScript = "testdata/torch_safetensors.py"
	torchModel  = "testdata/torch_written.safetensors"
	torchExpect = "testdata/torch_written.json"
)

type torchOutputs struct {
	Torch         string    `json:"torch"`
	Rows          int       `json:"rows"`
	Input         []float32 `json:"input"`
	Probabilities []float32 `json:"probabilities"`
}

func readTorchOutputs(t *testing.T, path string) torchOutputs {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var o torchOutputs
	require.NoError(t, json.Unmarshal(b, &o))
	return o
}

// checkAgainstTorch loads a torch-written model and compares its softmax
// outputs with torch's.
func checkAgainstTorch(t *testing.T, model, expect string) {
	m, err := Load(model)
	require.NoError(t, err)
	assert.Equal(t, []int{8, 16, 12, 3}, m.Sizes)
	want := readTorchOutputs(t, expect)
	require.Len(t, want.Input, want.Rows*m.Inputs())
	got, err := m.Probabilities(FloatRows(want.Input, nil))
	require.NoError(t, err)
	require.Len(t, got, len(want.Probabilities))
	for i := range got {
		assert.InDelta(t, want.Probabilities[i], got[i], 1e-6, "probability %d", i)
	}
}

// TestLoadTorchWrittenFile always runs: it loads the committed file that
// PyTorch wrote.
func TestLoadTorchWrittenFile(t *testing.T) {
	checkAgainstTorch(t, torchModel, torchExpect)
}

// torchPython finds a Python with torch, or skips: torch is not part of
// the project's CI, the committed file keeps the Go side tested.
func torchPython(t *testing.T) string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(py, "-c", "import torch").Run(); err == nil {
			return py
		}
	}
	t.Skip("no python3 with torch (Debian: apt-get install python3-torch); the committed torch-written file is still tested")
	return ""
}

// TestTorchRoundTrip runs the script where torch is installed: torch
// writes a fresh file that Go loads, and torch loads a file Go wrote and
// computes the same probabilities.
func TestTorchRoundTrip(t *testing.T) {
	py := torchPython(t)
	dir := t.TempDir()
	model, expect := filepath.Join(dir, "torch.safetensors"), filepath.Join(dir, "torch.json")
	out, err := exec.Command(py, torchScript, "write", model, expect).CombinedOutput()
	require.NoError(t, err, "%s", out)
	checkAgainstTorch(t, model, expect)

	// Go writes, torch reads.
	x, _ := blobs(3, 5, 20, 4, 1)
	m := must(New([]int{20, 9, 7, 4}, 11))
	for l := range m.B {
		for i := range m.B[l] {
			m.B[l][i] = float32(i%3) * 0.1
		}
	}
	goModel, input := filepath.Join(dir, "go.safetensors"), filepath.Join(dir, "input.json")
	require.NoError(t, m.Save(goModel))
	b, err := json.Marshal(torchOutputs{Rows: 5, Input: x})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(input, b, 0o644))
	out, err = exec.Command(py, torchScript, "check", goModel, input).Output()
	require.NoError(t, err, "%s", out)
	var fromTorch torchOutputs
	require.NoError(t, json.Unmarshal(out, &fromTorch))
	want, err := m.Probabilities(FloatRows(x, nil))
	require.NoError(t, err)
	require.Len(t, fromTorch.Probabilities, len(want))
	for i := range want {
		assert.InDelta(t, want[i], fromTorch.Probabilities[i], 1e-6, "probability %d", i)
	}
	t.Logf("torch %s read the Go-written model and agrees", fromTorch.Torch)
}
