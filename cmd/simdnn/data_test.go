package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// writeIDX writes n bar images of the given classes (class c a bright bar
// at its own height) and their labels under the names given, in dir.
func writeIDX(t *testing.T, dir, images, labels string, n, classes int, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9))
	pixels := make([]byte, n*784)
	lab := make([]byte, n)
	for i := range n {
		c := r.IntN(classes)
		lab[i] = byte(c)
		for p := range 784 {
			v := r.IntN(60)
			if p/28 >= 2+c*2 && p/28 < 4+c*2 {
				v += 180
			}
			pixels[i*784+p] = byte(v)
		}
	}
	var ib, lb bytes.Buffer
	require.NoError(t, mnist.WriteImages(&ib, pixels, n, 28, 28))
	require.NoError(t, mnist.WriteLabels(&lb, lab))
	require.NoError(t, os.WriteFile(filepath.Join(dir, images), ib.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, labels), lb.Bytes(), 0o644))
}

// TestTrainAnyIDXSet: the class count comes from the labels (3 here, 12
// for a set with labels to 11), files can be named one by one, and a test
// label the model cannot predict is an error naming it.
func TestTrainAnyIDXSet(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, dir, "a-img", "a-lab", 300, 3, 1)
	writeIDX(t, dir, "b-img", "b-lab", 60, 3, 2)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	code, _, errOut := runCLI("train", "-train-images", filepath.Join(dir, "a-img"), "-train-labels", filepath.Join(dir, "a-lab"),
		"-test-images", filepath.Join(dir, "b-img"), "-test-labels", filepath.Join(dir, "b-lab"), "-epochs", "5", "-batch", "30", "-out", out)
	require.Equal(t, 0, code, errOut)
	m, err := net.Load(out)
	require.NoError(t, err)
	assert.Equal(t, []int{784, 15, 3}, m.Sizes)
	assert.Regexp(t, `test accuracy: (0\.9\d+|1\.0000)`, errOut)

	// eval takes the same files, and its matrix is 3×3.
	code, stdout, errOut := runCLI("eval", "-model", out, "-test-images", filepath.Join(dir, "b-img"), "-test-labels", filepath.Join(dir, "b-lab"), "-json")
	require.Equal(t, 0, code, errOut)
	var ev evalJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &ev))
	assert.Len(t, ev.Confusion, 3)
	assert.Equal(t, 60, ev.Images)

	// Under -data with MNIST's names, twelve classes.
	d12 := t.TempDir()
	writeIDX(t, d12, mnist.TrainImages, mnist.TrainLabels, 400, 12, 3)
	writeIDX(t, d12, mnist.TestImages, mnist.TestLabels, 50, 12, 4)
	code, _, errOut = runCLI("train", "-data", d12, "-epochs", "1", "-batch", "50", "-out", out)
	require.Equal(t, 0, code, errOut)
	m, err = net.Load(out)
	require.NoError(t, err)
	assert.Equal(t, 12, m.Classes())

	// A test label past the training classes.
	writeIDX(t, dir, "c-img", "c-lab", 60, 5, 5)
	code, _, errOut = runCLI("train", "-train-images", filepath.Join(dir, "a-img"), "-train-labels", filepath.Join(dir, "a-lab"),
		"-test-images", filepath.Join(dir, "c-img"), "-test-labels", filepath.Join(dir, "c-lab"), "-epochs", "1", "-batch", "30")
	assert.Equal(t, 1, code)
	assert.Regexp(t, `^simdnn train: test label [34] at row \d+: the training data has classes 0..2\n$`, errOut)

	// Files named one by one need all of them, or -data.
	code, _, errOut = runCLI("train", "-train-images", filepath.Join(dir, "a-img"), "-epochs", "1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-train-labels: not given, and no -data directory to take it from")
}

// csvFile writes n rows of 2 features in 3 well separated classes, with a
// header when header is set.
func csvFile(t *testing.T, name string, n int, header bool, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 3))
	var b strings.Builder
	if header {
		b.WriteString("class,x,y\n")
	}
	centres := [][2]float64{{-3, 0}, {3, 0}, {0, 4}}
	for range n {
		c := r.IntN(3)
		fmt.Fprintf(&b, "%d,%.4f,%.4f\n", c, centres[c][0]+r.NormFloat64()*0.5, centres[c][1]+r.NormFloat64()*0.5)
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestTrainCSV(t *testing.T) {
	train, test := csvFile(t, "train.csv", 600, true, 1), csvFile(t, "test.csv", 200, false, 2)
	out := filepath.Join(t.TempDir(), "m.safetensors")
	code, _, errOut := runCLI("train", "-train-csv", train, "-test-csv", test, "-hidden", "8", "-epochs", "20", "-batch", "30", "-lr", "0.1", "-out", out)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `test accuracy: (0\.9[5-9]\d+|1\.0000)`, errOut)
	m, err := net.Load(out)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 8, 3}, m.Sizes)

	code, stdout, errOut := runCLI("eval", "-model", out, "-test-csv", test, "-json")
	require.Equal(t, 0, code, errOut)
	var ev evalJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &ev))
	assert.Equal(t, 200, ev.Images)
	assert.Greater(t, ev.TestAccuracy, 0.95)

	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("0,1,2\n1,2\n"), 0o644))
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "-train-csv", bad, "-test-csv", test}, 1, "-train-csv " + bad + ": line 2: 2 columns, want 3"},
		{[]string{"train", "-train-csv", train}, 2, "-train-csv and -test-csv: name both"},
		{[]string{"train", "-train-csv", train, "-test-csv", test, "-data", "x"}, 2, "CSV data goes without -data"},
		{[]string{"train", "-train-csv", filepath.Join(t.TempDir(), "none.csv"), "-test-csv", test}, 1, "no such file"},
	} {
		code, _, errOut := runCLI(c.args...)
		assert.Equal(t, c.code, code, "%v: %s", c.args, errOut)
		assert.Contains(t, errOut, c.msg, "%v", c.args)
	}

	// A test set of other width.
	wide := filepath.Join(t.TempDir(), "wide.csv")
	require.NoError(t, os.WriteFile(wide, []byte("0,1,2,3\n"), 0o644))
	code, _, errOut = runCLI("train", "-train-csv", train, "-test-csv", wide)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "-test-csv "+wide+": 3 features, -train-csv "+train+" has 2")
}

// TestTrainInit: -init starts from a saved model, its sizes and classes;
// a -hidden that disagrees is a usage error, one that agrees is fine.
func TestTrainInit(t *testing.T) {
	dir := fakeMNIST(t, 400, 100)
	tmp := t.TempDir()
	first := filepath.Join(tmp, "first.safetensors")
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "3", "-batch", "40", "-hidden", "12", "-out", first)
	require.Equal(t, 0, code, errOut)

	lossOfFirstEpoch := func(args ...string) float64 {
		code, out, errOut := runCLI(append([]string{"train", "-data", dir, "-epochs", "1", "-batch", "40", "-json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var e struct {
			Loss float64 `json:"loss"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &e))
		return e.Loss
	}
	fresh := lossOfFirstEpoch("-hidden", "12")
	resumed := lossOfFirstEpoch("-init", first)
	assert.Less(t, resumed, fresh/2, "training goes on from the saved weights")
	assert.Equal(t, resumed, lossOfFirstEpoch("-init", first, "-hidden", "12"), "an agreeing -hidden changes nothing")

	second := filepath.Join(tmp, "second.safetensors")
	code, _, errOut = runCLI("train", "-data", dir, "-epochs", "1", "-batch", "40", "-init", first, "-out", second)
	require.Equal(t, 0, code, errOut)
	m, err := net.Load(second)
	require.NoError(t, err)
	assert.Equal(t, []int{784, 12, 10}, m.Sizes, "sizes from the file, not -hidden's default")

	code, _, errOut = runCLI("train", "-data", dir, "-init", first, "-hidden", "15")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `-hidden "15" conflicts with -init `+first+`, whose hidden layers are "12"`)

	narrow, err := net.New([]int{10, 4, 10}, 1)
	require.NoError(t, err)
	np := filepath.Join(tmp, "narrow.safetensors")
	require.NoError(t, narrow.Save(np))
	code, _, errOut = runCLI("train", "-data", dir, "-init", np)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "-init "+np+": takes 10 inputs, the training rows have 784")

	code, _, errOut = runCLI("train", "-data", dir, "-init", filepath.Join(tmp, "none.safetensors"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "-init: ")
}

// TestTrainSchedule: -schedule and -warmup reach the trainer, each epoch's
// JSON line carries its rate, and bad values are usage errors naming the
// flag.
func TestTrainSchedule(t *testing.T) {
	dir := fakeMNIST(t, 300, 50)
	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "4", "-batch", "50", "-lr", "0.3", "-schedule", "cosine", "-warmup", "1", "-json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5)
	var lrs []float64
	for _, l := range lines[:4] {
		var e struct {
			LR float64 `json:"lr"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		lrs = append(lrs, e.LR)
	}
	assert.InDelta(t, 0.3, lrs[0], 1e-6, "the warm-up ends at -lr")
	assert.Greater(t, lrs[1], lrs[2])
	assert.Greater(t, lrs[2], lrs[3])

	code, out, errOut = runCLI("train", "-data", dir, "-epochs", "2", "-batch", "50", "-json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"lr":0.2`)

	for _, c := range []struct{ args []string }{{[]string{"-schedule", "linear"}}, {[]string{"-warmup", "-1"}}, {[]string{"-schedule", "step", "-gamma", "2"}}} {
		code, _, errOut := runCLI(append([]string{"train", "-data", dir}, c.args...)...)
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, "simdnn train: "+c.args[len(c.args)-2]+" "+strings.Trim(c.args[len(c.args)-1], `"`)+": want ")
	}
}

// TestDataCache: the gzipped IDX files go through $SIMDNN_CACHE, an entry
// for each (fakeMNIST gzips the images only), and a run from the cache
// trains the same; "off" keeps none.
func TestDataCache(t *testing.T) {
	dir := fakeMNIST(t, 300, 50)
	cache := t.TempDir()
	t.Setenv(envCache, cache)
	args := []string{"train", "-data", dir, "-epochs", "2", "-batch", "50", "-json"}
	code, first, stderr := runCLI(args...)
	require.Equal(t, 0, code, stderr)
	entries, err := os.ReadDir(filepath.Join(cache, "idx"))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "one entry for each gzipped file")
	code, second, stderr := runCLI(args...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, withoutSeconds(t, first), withoutSeconds(t, second))

	off := t.TempDir()
	t.Setenv(envCache, "off")
	t.Setenv("XDG_CACHE_HOME", off)
	t.Setenv("HOME", off)
	code, _, stderr = runCLI(args...)
	require.Equal(t, 0, code, stderr)
	entries, err = os.ReadDir(off)
	require.NoError(t, err)
	assert.Empty(t, entries, "SIMDNN_CACHE=off writes nothing")
}

// withoutSeconds is train -json's output with the timings left out.
func withoutSeconds(t *testing.T, out string) []map[string]any {
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		for k := range m {
			if strings.Contains(k, "second") {
				delete(m, k)
			}
		}
		lines = append(lines, m)
	}
	return lines
}
