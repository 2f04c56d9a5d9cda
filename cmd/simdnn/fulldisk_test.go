package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/atomicfile"
)

// outputKind is a kind of file the CLI writes: the flag that names it and
// the command line that writes it to path.
type outputKind struct {
	name, file, flag string
	args             func(path string) []string
}

// outputKinds are the files the CLI writes, each written by a quick run
// on the tiny MNIST look-alike in data; model is a model for predict.
func outputKinds(data, model string) []outputKind {
	train := []string{"train", "-data", data, "-epochs", "1", "-batch", "10", "-hidden", "4", "-threads", "1", "-json"}
	return []outputKind{
		{"model", "model.safetensors", "-out", func(p string) []string { return slices.Concat(train, []string{"-out", p}) }},
		{"history-csv", "history.csv", "-history", func(p string) []string { return slices.Concat(train, []string{"-history", p}) }},
		{"history-json", "history.json", "-history", func(p string) []string { return slices.Concat(train, []string{"-history", p}) }},
		{"plot", "curves.png", "-plot", func(p string) []string { return slices.Concat(train, []string{"-plot", p}) }},
		{"samples", "grid.png", "-out", func(p string) []string { return []string{"samples", "-data", data, "-out", p} }},
		{"predict-grid", "pred.png", "-grid", func(p string) []string {
			return []string{"predict", "-data", data, "-model", model, "-json", "-grid", p, "0", "1", "2"}
		}},
	}
}

// TestOutputFaults makes the disk fail (full, or an I/O error) at each
// step of writing each file the CLI writes, with and without a previous
// file at the target: the command exits 1 with one line on stderr that
// names the file and the system's error, the previous file is untouched
// and no temporary or probe file is left.
func TestOutputFaults(t *testing.T) {
	data := fakeMNIST(t, 20, 10)
	model := filepath.Join(t.TempDir(), "model.safetensors")
	code, _, errOut := runCLI("train", "-data", data, "-epochs", "1", "-batch", "10", "-hidden", "4", "-threads", "1", "-out", model)
	require.Equal(t, 0, code, errOut)

	steps := []struct {
		step   atomicfile.Step
		accept int // bytes the disk takes before a failing write
	}{
		{atomicfile.StepCheckCreate, 0}, {atomicfile.StepCheckClose, 0},
		{atomicfile.StepCreate, 0}, {atomicfile.StepWrite, 0}, {atomicfile.StepWrite, 10},
		{atomicfile.StepChmod, 0}, {atomicfile.StepSync, 0}, {atomicfile.StepClose, 0}, {atomicfile.StepRename, 0},
	}
	errnos := []struct {
		name string
		err  syscall.Errno
	}{{"ENOSPC", syscall.ENOSPC}, {"EIO", syscall.EIO}}
	old := []byte("the previous file\x00\xff")

	for _, k := range outputKinds(data, model) {
		t.Run(k.name, func(t *testing.T) {
			// Without a fault the command writes the file.
			dir := t.TempDir()
			path := filepath.Join(dir, k.file)
			args := k.args(path)
			code, _, errOut := runCLI(args...)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, []string{k.file}, names(t, dir))

			for _, s := range steps {
				for _, e := range errnos {
					for _, exists := range []bool{false, true} {
						name := fmt.Sprintf("%v-%d/%s/exists=%v", s.step, s.accept, e.name, exists)
						t.Run(name, func(t *testing.T) {
							t.Parallel()
							dir := t.TempDir()
							path := filepath.Join(dir, k.file)
							if exists {
								require.NoError(t, os.WriteFile(path, old, 0o644))
							}
							defer atomicfile.Inject(atomicfile.Fault{Path: path, Step: s.step, Err: e.err, Accept: s.accept})()
							args := k.args(path)
							var stdout, stderr bytes.Buffer
							err := commands[args[0]].run(context.Background(), args[1:], &stdout, &stderr)
							require.ErrorIs(t, err, e.err)
							assert.Equal(t, exitFailure, exitCode(&stderr, args[0], err))

							line := stderr.String()
							assert.Equal(t, 1, strings.Count(line, "\n"), "one line on stderr: %q", line)
							assert.True(t, strings.HasPrefix(line, "simdnn "+args[0]+": "+k.flag+": "), "%q starts with the flag", line)
							assert.Contains(t, line, path)
							assert.True(t, strings.HasSuffix(line, ": "+e.err.Error()+"\n"), "%q ends with the system's error", line)
							assert.NotContains(t, line, ".tmp-")
							assert.NotContains(t, line, ".check-")

							if exists {
								got, err := os.ReadFile(path)
								require.NoError(t, err)
								assert.Equal(t, old, got, "the previous file is untouched")
								assert.Equal(t, []string{k.file}, names(t, dir), "nothing else is left")
							} else {
								assert.Empty(t, names(t, dir), "nothing is left")
							}
						})
					}
				}
			}
		})
	}
}

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, d := range des {
		out = append(out, d.Name())
	}
	return out
}
