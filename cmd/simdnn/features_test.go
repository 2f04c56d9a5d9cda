package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/net"
)

// trainModel trains on dir and saves the model; it returns the path and
// train's final JSON line.
func trainModel(t *testing.T, dir string, extra ...string) (string, map[string]any) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.safetensors")
	args := append([]string{"train", "-data", dir, "-epochs", "3", "-batch", "50", "-json", "-threads", "2", "-out", path}, extra...)
	code, out, errOut := runCLI(args...)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	return path, last
}

func TestTrainSaveEvalSameAccuracy(t *testing.T) {
	dir := fakeMNIST(t, 600, 200)
	path, last := trainModel(t, dir)

	code, out, errOut := runCLI("eval", "-data", dir, "-model", path, "-json")
	require.Equal(t, 0, code, errOut)
	var ev evalJSON
	require.NoError(t, json.Unmarshal([]byte(out), &ev))
	assert.Equal(t, last["test_accuracy"], ev.TestAccuracy, "eval of the saved model gives exactly train's test accuracy")
	require.NotNil(t, ev.TestLoss)
	assert.Equal(t, last["test_loss"], *ev.TestLoss)
	assert.Equal(t, 200, ev.Images)
	assert.Equal(t, []int{784, 15, 10}, ev.Sizes)
	total, diag := 0, 0
	for i, row := range ev.Confusion {
		for j, n := range row {
			total += n
			if i == j {
				diag += n
			}
		}
	}
	assert.Equal(t, 200, total)
	assert.InDelta(t, ev.TestAccuracy, float64(diag)/200, 1e-12, "the confusion matrix agrees with the accuracy")
	for c := range 10 {
		if ev.Recall[c] != nil {
			assert.InDelta(t, float64(ev.Confusion[c][c])/float64(sum(ev.Confusion[c])), *ev.Recall[c], 1e-12)
		}
	}

	// The text form prints the same figures as train's text form does.
	code, out, errOut = runCLI("eval", "-data", dir, "-model", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("test loss: %.4f - test accuracy: %.4f\n", last["test_loss"], last["test_accuracy"]))
	assert.Contains(t, out, "confusion matrix (rows: true class, columns: predicted class)")
	assert.Regexp(t, `(?m)^class  precision  recall    rows$`, out)
	assert.Regexp(t, `(?m)^    9  +(\d\.\d{4}|-)  +(\d\.\d{4}|-)  +\d+$`, out)
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

func TestHistoryAndValidation(t *testing.T) {
	dir := fakeMNIST(t, 500, 100)
	tmp := t.TempDir()
	csvPath, jsonPath := filepath.Join(tmp, "h.csv"), filepath.Join(tmp, "h.json")
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "3", "-batch", "50", "-val-split", "0.2", "-history", csvPath)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^Epoch 3/3 - \d+\.\d\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$`, errOut)
	assert.NotContains(t, errOut, "\r", "no progress bar when stderr is not a terminal")
	f, err := os.Open(csvPath)
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "lr"}, rows[0])
	assert.Equal(t, "3", rows[3][0])
	assert.NotEmpty(t, rows[3][3], "validation columns are filled with -val-split")

	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "2", "-batch", "50", "-json", "-history", jsonPath)
	require.Equal(t, 0, code, errOut)
	var hist []map[string]any
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &hist))
	require.Len(t, hist, 2)
	assert.Equal(t, float64(2), hist[1]["epoch"])
	assert.Contains(t, hist[1], "val_loss")
	assert.Nil(t, hist[1]["val_loss"], "null without validation data")
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first))
	assert.Equal(t, first["loss"], hist[0]["loss"], "the file holds what -json printed")
}

func TestPatience(t *testing.T) {
	dir := fakeMNIST(t, 400, 100)
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "60", "-batch", "40", "-lr", "3", "-momentum", "0.9", "-val-split", "0.25", "-patience", "2")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^early stop: val_loss has not improved for 2 epochs; keeping epoch \d+'s weights \(lowest val_loss\)$`, errOut)
	assert.NotContains(t, errOut, "Epoch 60/60")

	// -json's last line says the run stopped early and which epoch's
	// weights it kept: the first with the lowest val_loss.
	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "60", "-batch", "40", "-lr", "3", "-momentum", "0.9", "-val-split", "0.25", "-patience", "2", "-json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Epochs       int  `json:"epochs"`
		StoppedEarly bool `json:"stopped_early"`
		KeptEpoch    int  `json:"kept_epoch"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.True(t, last.StoppedEarly)
	assert.Equal(t, len(lines)-1, last.Epochs)
	best, bestLoss := 0, math.Inf(1)
	for _, l := range lines[:len(lines)-1] {
		var e struct {
			Epoch   int     `json:"epoch"`
			ValLoss float64 `json:"val_loss"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		if e.ValLoss < bestLoss {
			best, bestLoss = e.Epoch, e.ValLoss
		}
	}
	assert.Equal(t, best, last.KeptEpoch)
	assert.Equal(t, last.Epochs-2, last.KeptEpoch, "patience 2")
}

// TestOptimizerFlags: each -optimizer trains, with -weight-decay and
// Adam's settings.
func TestOptimizerFlags(t *testing.T) {
	dir := fakeMNIST(t, 200, 50)
	for _, args := range [][]string{
		{"-optimizer", "momentum", "-lr", "0.05"},
		{"-optimizer", "nesterov", "-momentum", "0.8", "-weight-decay", "1e-4"},
		{"-optimizer", "adam", "-lr", "0.01", "-beta1", "0.8", "-eps", "1e-7"},
		{"-optimizer", "adamw", "-lr", "0.01", "-weight-decay", "0.01"},
		{"-momentum", "0.9", "-weight-decay", "1e-4"},
	} {
		code, out, errOut := runCLI(append([]string{"train", "-data", dir, "-epochs", "2", "-batch", "50", "-json"}, args...)...)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
		assert.Contains(t, out, `"test_accuracy"`, "%v", args)
	}
}

// cancelOn is a writer that cancels a context once it sees a string.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.want) {
		c.cancel()
	}
	return len(p), nil
}

func TestInterruptSavesAndExits130(t *testing.T) {
	dir := fakeMNIST(t, 600, 100)
	tmp := t.TempDir()
	model, hist := filepath.Join(tmp, "m.safetensors"), filepath.Join(tmp, "h.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{want: "Epoch 2/", cancel: cancel}
	var stdout bytes.Buffer
	code := run(ctx, []string{"train", "-data", dir, "-epochs", "50", "-batch", "50", "-out", model, "-history", hist}, &stdout, stderr)
	assert.Equal(t, 130, code, stderr.buf.String())
	assert.Contains(t, stderr.buf.String(), "interrupted after 2 complete epochs; keeping epoch 2's weights\nmodel saved to "+model+"\nhistory written to "+hist+"\n")
	assert.Contains(t, stderr.buf.String(), "simdnn train: interrupted")
	assert.NotContains(t, stderr.buf.String(), "Epoch 3/")
	m, err := net.Load(model)
	require.NoError(t, err, "the interrupted run saved a loadable model")
	assert.Equal(t, []int{784, 15, 10}, m.Sizes)
	b, err := os.ReadFile(hist)
	require.NoError(t, err)
	assert.Len(t, strings.Split(strings.TrimSpace(string(b)), "\n"), 3, "header and the two complete epochs")

	// The saved model is the one the history describes: bit for bit what
	// an uninterrupted run of two epochs saves.
	ref := filepath.Join(tmp, "ref.safetensors")
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "2", "-batch", "50", "-out", ref)
	require.Equal(t, 0, code, errOut)
	want, err := net.Load(ref)
	require.NoError(t, err)
	assert.Equal(t, want, m)

	// -json: a last line says so, and which epoch's weights were kept.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	stdoutCancel := &cancelOn{want: `"epoch":1,`, cancel: cancel}
	var errBuf bytes.Buffer
	code = run(ctx, []string{"train", "-data", dir, "-epochs", "50", "-batch", "50", "-json", "-out", model}, stdoutCancel, &errBuf)
	assert.Equal(t, 130, code, errBuf.String())
	lines := strings.Split(strings.TrimSpace(stdoutCancel.buf.String()), "\n")
	assert.JSONEq(t, `{"interrupted":true,"epochs":1,"kept_epoch":1,"model":"`+model+`"}`, lines[len(lines)-1])
}

func TestInterruptInFirstEpochLeavesOldModel(t *testing.T) {
	dir := fakeMNIST(t, 300, 100)
	path, _ := trainModel(t, dir)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, jsonOut := range []bool{false, true} {
		// Cancelled before training starts: no epoch completes.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		args := []string{"train", "-data", dir, "-epochs", "5", "-batch", "50", "-lr", "0.5", "-seed", "9", "-out", path}
		if jsonOut {
			args = append(args, "-json")
		}
		var stdout, stderr bytes.Buffer
		code := run(ctx, args, &stdout, &stderr)
		assert.Equal(t, 130, code, stderr.String())
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, before, after, "-out from the earlier run is left as it was")
		if jsonOut {
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			assert.JSONEq(t, `{"interrupted":true,"epochs":0,"kept_epoch":0}`, lines[len(lines)-1])
		} else {
			assert.Contains(t, stderr.String(), "interrupted after 0 complete epochs; -out "+path+" not written\n")
		}
	}
}

func TestDivergenceLeavesOldModel(t *testing.T) {
	dir := fakeMNIST(t, 300, 100)
	path, _ := trainModel(t, dir)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	code, _, errOut := runCLI("train", "-data", dir, "-epochs", "20", "-batch", "50", "-lr", "1e30", "-out", path)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "training diverged at epoch")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a previous good -out file is left untouched")
}

// checkPNG decodes a PNG the CLI wrote and checks its size and that it
// is not blank: many pixels differ from the background and there are
// many colours.
func checkPNG(t *testing.T, path string, w, h int) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	assert.Equal(t, w, b.Dx(), "width of %s", path)
	assert.Equal(t, h, b.Dy(), "height of %s", path)
	colours := map[color.RGBA]bool{}
	bg := color.RGBAModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.RGBA)
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			colours[c] = true
			if c != bg {
				differ++
			}
		}
	}
	assert.Greater(t, len(colours), 20, "%s has more than a few colours", path)
	assert.Greater(t, differ, b.Dx()*b.Dy()/50, "%s is not blank", path)
	return img
}

func hasRed(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); c == wrongColor {
				return true
			}
		}
	}
	return false
}

func TestPictures(t *testing.T) {
	dir := fakeMNIST(t, 300, 100)
	tmp := t.TempDir()
	curves := filepath.Join(tmp, "curves.png")
	path, _ := trainModel(t, dir, "-plot", curves, "-val-split", "0.2")
	checkPNG(t, curves, 960, 384)

	grid := filepath.Join(tmp, "grid.png")
	code, out, errOut := runCLI("samples", "-data", dir, "-out", grid)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "wrote "+grid+": train images 0..15\n", out)
	img := checkPNG(t, grid, 640, 720)
	assert.False(t, hasRed(img), "samples marks nothing")

	// An untrained model gets most images wrong: they are marked in red.
	pred := filepath.Join(tmp, "pred.png")
	bad, err := net.New([]int{784, 10}, 3)
	require.NoError(t, err)
	badPath := filepath.Join(tmp, "bad.safetensors")
	require.NoError(t, bad.Save(badPath))
	code, out, errOut = runCLI("predict", "-data", dir, "-model", badPath, "-grid", pred)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "wrong")
	img = checkPNG(t, pred, 480, 540)
	assert.True(t, hasRed(img), "misclassified images are marked")

	code, out, errOut = runCLI("predict", "-data", dir, "-model", path, "-grid", pred, "0", "1", "2")
	require.Equal(t, 0, code, errOut)
	checkPNG(t, pred, 480, 180)
	assert.Equal(t, 4, strings.Count(out, "\n"), "a header and three rows")
}

// barImage draws class c of fakeMNIST as a dark bar on a light page, at
// size w×h: predict must invert and shrink it.
func barImage(c, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := y * 28 / h
		for x := range w {
			v := uint8(240)
			if row >= 2+c*2 && row < 4+c*2 {
				v = 20
			}
			img.Set(x, y, color.RGBA{R: v, G: v, B: v, A: 255})
		}
	}
	return img
}

func TestPredictFilesAndIndices(t *testing.T) {
	dir := fakeMNIST(t, 600, 200)
	path, _ := trainModel(t, dir)
	tmp := t.TempDir()
	pngPath, jpgPath := filepath.Join(tmp, "three.png"), filepath.Join(tmp, "seven.jpg")
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, barImage(3, 56, 56)))
	require.NoError(t, os.WriteFile(pngPath, b.Bytes(), 0o644))
	b.Reset()
	require.NoError(t, jpeg.Encode(&b, barImage(7, 100, 90), &jpeg.Options{Quality: 90}))
	require.NoError(t, os.WriteFile(jpgPath, b.Bytes(), 0o644))

	code, out, errOut := runCLI("predict", "-data", dir, "-model", path, "-fit", "stretch", "-json", "5", pngPath, jpgPath)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	var rows []predictJSON
	for _, l := range lines {
		var r predictJSON
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		require.Len(t, r.Probabilities, 10)
		var s float64
		best := 0
		for i, p := range r.Probabilities {
			s += float64(p)
			if p > r.Probabilities[best] {
				best = i
			}
		}
		assert.InDelta(t, 1, s, 1e-5)
		assert.Equal(t, best, r.Predicted)
		rows = append(rows, r)
	}
	assert.Equal(t, "test[5]", rows[0].Input)
	require.NotNil(t, rows[0].Index)
	assert.Equal(t, 5, *rows[0].Index)
	assert.Nil(t, rows[1].Label, "files have no known label")
	assert.Equal(t, 3, rows[1].Predicted, "the PNG bar, inverted and resized, reads as class 3")
	assert.Equal(t, 7, rows[2].Predicted, "the JPEG bar reads as class 7")

	code, out, errOut = runCLI("predict", "-model", path, "-fit", "stretch", pngPath)
	require.Equal(t, 0, code, errOut, "files alone need no MNIST")
	assert.Regexp(t, `(?m)^input +true +pred +p0 +p1 .* p9$`, out)
	assert.Regexp(t, `(?m)^\S*three\.png +- +3( +\d\.\d{4}){10}$`, out)

	// -invert no keeps the dark-on-light page, which the model does not read as 3.
	code, out, _ = runCLI("predict", "-model", path, "-fit", "stretch", "-invert", "no", "-json", pngPath)
	require.Equal(t, 0, code)
	var r predictJSON
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.NotEqual(t, 3, r.Predicted)
}

func TestInfo(t *testing.T) {
	code, out, errOut := runCLI("info")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^cpu: +\S`, out)
	assert.Regexp(t, `(?m)^implementations: .*generic$`, out)
	assert.Regexp(t, `(?m)^chosen: +\w+`, out)
	switch {
	case simdnn.ActiveKernels().BF16Native():
		assert.Regexp(t, `(?m)^bf16: +native \(avx512 with AVX512_BF16\)$`, out)
	case simdnn.Impl() == "generic":
		assert.Regexp(t, `(?m)^bf16: +the reference kernels, in Go$`, out)
	default:
		assert.Regexp(t, `(?m)^bf16: +on the float32 tiles of `+simdnn.Impl()+` \(no bf16 instructions here\)$`, out)
	}
	code, out, _ = runCLI("info", "-json")
	require.Equal(t, 0, code)
	var r infoJSON
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Contains(t, r.Implementations, r.Chosen)
	assert.Equal(t, simdnn.ActiveKernels().BF16Native(), r.BF16Native)
	assert.NotEmpty(t, r.CPU)
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgress(&b, true, 5)
	p.now = func() time.Time { return now }
	p.restart()
	p.batch(1, 1, 10)
	assert.Empty(t, b.String(), "nothing in the first second")
	now = now.Add(1500 * time.Millisecond)
	p.batch(1, 5, 10)
	assert.Equal(t, "\r\x1b[KEpoch 1/5 [===============>               ] 5/10 - ETA 2s", b.String())
	b.Reset()
	now = now.Add(10 * time.Millisecond)
	p.batch(1, 6, 10)
	assert.Empty(t, b.String(), "redraws at most every 100ms")
	p.clear()
	assert.Equal(t, "\r\x1b[K", b.String())
	b.Reset()
	p.clear()
	assert.Empty(t, b.String(), "nothing to clear")

	off := newProgress(&b, false, 5)
	off.now = func() time.Time { return now.Add(time.Hour) }
	off.batch(1, 1, 10)
	off.clear()
	assert.Empty(t, b.String())
	assert.False(t, isTerminal(&b))
	devnull, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer devnull.Close()
	assert.False(t, isTerminal(devnull), "a file is not a terminal")
}

func TestFeatureUsageErrors(t *testing.T) {
	dir := fakeMNIST(t, 100, 20)
	path, _ := trainModel(t, dir)
	tmp := t.TempDir()
	corrupt := filepath.Join(tmp, "corrupt.safetensors")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[len(b)-1] ^= 1
	require.NoError(t, os.WriteFile(corrupt, b, 0o644))
	narrow, _ := net.New([]int{10, 10}, 1)
	narrowPath := filepath.Join(tmp, "narrow.safetensors")
	require.NoError(t, narrow.Save(narrowPath))
	text := filepath.Join(tmp, "digit.txt")
	require.NoError(t, os.WriteFile(text, []byte("7"), 0o644))
	fakePNG := filepath.Join(tmp, "fake.png")
	require.NoError(t, os.WriteFile(fakePNG, []byte("not a png"), 0o644))
	missingDir := filepath.Join(tmp, "no", "such")
	bomb := filepath.Join(tmp, "bomb.png")
	require.NoError(t, os.WriteFile(bomb, hugePNG(t, 100000, 100000), 0o644))

	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "-val-split", "1"}, 2, "-val-split 1: want a fraction in [0, 1)"},
		{[]string{"train", "-val-split", "NaN"}, 2, "-val-split NaN: want a fraction in [0, 1)"},
		{[]string{"train", "-patience", "3"}, 2, "-patience 3: needs -val-split"},
		{[]string{"train", "-patience", "-1"}, 2, "-patience -1: want ≥ 0"},
		{[]string{"train", "-beta1", "0"}, 2, "-beta1 0: want in (0, 1)"},
		{[]string{"train", "-beta1", "-0.5"}, 2, "-beta1 -0.5: want in (0, 1)"},
		{[]string{"train", "-beta2", "1e-50"}, 2, "-beta2 1e-50: want in (0, 1)"}, // 0 as a float32
		{[]string{"train", "-eps", "1e-50"}, 2, "-eps 1e-50: want a finite number > 0"},
		{[]string{"train", "-eps", "+Inf"}, 2, "-eps +Inf: want a finite number > 0"},
		{[]string{"train", "-eps", "NaN"}, 2, "-eps NaN: want a finite number > 0"},
		{[]string{"train", "-gamma", "0"}, 2, "-gamma 0: want in (0, 1]"},
		{[]string{"train", "-gamma", "1.5"}, 2, "-gamma 1.5: want in (0, 1]"},
		{[]string{"train", "-history", "h.txt"}, 2, "-history h.txt: want a .csv or .json file"},
		{[]string{"train", "-plot", "c.jpg"}, 2, "-plot c.jpg: want a .png file"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-batch", "10", "-val-split", "0.001"}, 2, "-val-split 0.001: holds out none of the 100 training rows"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-batch", "90", "-val-split", "0.5"}, 2, "-batch 90: larger than the 50 training rows"},
		{[]string{"train", "-out", filepath.Join(missingDir, "m.safetensors")}, 1, "-out: cannot write " + filepath.Join(missingDir, "m.safetensors")},
		{[]string{"train", "-out", tmp}, 1, "-out: " + tmp + ": exists and is not a regular file"},
		{[]string{"eval"}, 2, "-model: required"},
		{[]string{"eval", "-data", dir, "-model", filepath.Join(tmp, "missing")}, 1, "no such file or directory"},
		{[]string{"eval", "-data", dir, "-model", corrupt}, 1, "the file is corrupt"},
		{[]string{"eval", "-data", dir, "-model", narrowPath}, 1, "takes 10 inputs, but the rows (from -data, the IDX or CSV files, or the default MNIST) have 784"},
		// The model is read before the data: a wrong path is named first.
		{[]string{"eval", "-data", missingDir, "-model", filepath.Join(tmp, "missing")}, 1, "-model: net: open " + filepath.Join(tmp, "missing")},
		{[]string{"predict", "-data", missingDir, "-model", filepath.Join(tmp, "missing"), "3"}, 1, "-model: net: open " + filepath.Join(tmp, "missing")},
		{[]string{"predict", "-data", missingDir, "-model", narrowPath, "3"}, 1, "takes 10 inputs, but each image (a test image or a file fitted to 28×28) has 784"},
		{[]string{"eval", "-model", path, "extra"}, 2, "unexpected arguments: extra"},
		{[]string{"predict"}, 2, "-model: required"},
		{[]string{"predict", "-data", dir, "-model", path, "20"}, 2, "test index 20: outside 0..19"},
		{[]string{"predict", "-model", path, text}, 2, "digit.txt: not a test-set index or a .png/.jpg/.jpeg file"},
		{[]string{"predict", "-model", path, fakePNG}, 1, "fake.png: image: unknown format"},
		{[]string{"predict", "-model", path, filepath.Join(tmp, "missing.png")}, 1, "no such file or directory"},
		{[]string{"predict", "-model", path, bomb}, 1, "bomb.png: 100000×100000 pixels: want a non-empty image of at most 67108864 pixels"},
		{[]string{"predict", "-model", path, "-invert", "maybe"}, 2, `-invert "maybe": want auto, yes or no`},
		{[]string{"predict", "-model", path, "-fit", "squash"}, 2, `-fit "squash": want mnist or stretch`},
		{[]string{"predict", "-model", path, "3", "-json"}, 2, "-json after the inputs: flags come first (simdnn predict [flags] [INPUT ...])"},
		{[]string{"predict", "-model", path, "-grid", "g.gif"}, 2, "-grid g.gif: want a .png file"},
		{[]string{"samples"}, 2, "-out: required"},
		{[]string{"samples", "-out", "g.jpg"}, 2, "-out g.jpg: want a .png file"},
		{[]string{"samples", "-out", filepath.Join(tmp, "g.png"), "-set", "dev"}, 2, `-set "dev": want train or test`},
		{[]string{"samples", "-out", filepath.Join(tmp, "g.png"), "-start", "-1"}, 2, "-start -1: want ≥ 0"},
		{[]string{"samples", "-data", dir, "-out", filepath.Join(tmp, "g.png"), "-set", "test", "-start", "5"}, 2, "-start 5: the test set has 20 images, so at most 4"},
		{[]string{"samples", "-data", dir, "-out", filepath.Join(tmp, "g.png"), "-start", "9223372036854775807"}, 2, "-start 9223372036854775807: the train set has 100 images, so at most 84"},
		{[]string{"info", "extra"}, 2, "unexpected arguments: extra"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			assert.Equal(t, c.code, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, c.msg)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
	_, err = os.Stat(filepath.Join(tmp, "g.png"))
	assert.True(t, os.IsNotExist(err), "failed commands write no picture")
}

func TestHelpDocumentsEverything(t *testing.T) {
	code, out, _ := runCLI("help")
	require.Equal(t, 0, code)
	for name := range commands {
		assert.Regexp(t, `(?m)^  `+name+` +\S`, out, "summary of %s", name)
	}
	for name, c := range commands {
		assert.Regexp(t, `\nsimdnn `+name+`[ \n]`, out, "synopsis of %s", name)
		assert.Contains(t, out, indent(c.doc, "  "), "details of %s", name)
	}
	assert.Contains(t, out, "Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.")
	for c := range commands {
		code, out, _ := runCLI("help", c)
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "Usage: simdnn "+c)
	}
}

// hugePNG is a tiny PNG whose header claims w×h pixels.
func hugePNG(t *testing.T, w, h uint32) []byte {
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))))
	p := b.Bytes()
	// Signature (8), IHDR length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// TestNaNModelJSON: a model with a NaN weight (which net.Load accepts)
// still gives valid JSON: its loss and probabilities come out null.
func TestNaNModelJSON(t *testing.T) {
	dir := fakeMNIST(t, 100, 20)
	m, err := net.New([]int{784, 15, 10}, 1)
	require.NoError(t, err)
	for i := range m.B[1] {
		m.B[1][i] = float32(math.NaN())
	}
	path := filepath.Join(t.TempDir(), "nan.safetensors")
	require.NoError(t, m.Save(path))

	code, out, errOut := runCLI("eval", "-data", dir, "-model", path, "-json")
	require.Equal(t, 0, code, errOut)
	var e map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &e), out)
	assert.Contains(t, e, "test_loss")
	assert.Nil(t, e["test_loss"])

	code, out, errOut = runCLI("predict", "-data", dir, "-model", path, "-json", "0")
	require.Equal(t, 0, code, errOut)
	var p struct{ Probabilities []*float64 }
	require.NoError(t, json.Unmarshal([]byte(out), &p), out)
	require.Len(t, p.Probabilities, 10)
	for _, v := range p.Probabilities {
		assert.Nil(t, v)
	}
}

// TestMissingMNISTNamesEnv: when the files' directory came from
// $SIMDNN_MNIST, a failure to read them says so; with -data it does not.
func TestMissingMNISTNamesEnv(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	t.Setenv("SIMDNN_MNIST", missing)
	for _, args := range [][]string{{"train", "-epochs", "1"}, {"samples", "-out", filepath.Join(t.TempDir(), "g.png")}} {
		code, _, errOut := runCLI(args...)
		assert.Equal(t, 1, code, errOut)
		assert.Contains(t, errOut, filepath.Join(missing, "train-images-idx3-ubyte.gz")+": no such file or directory (the directory is $SIMDNN_MNIST's; -data names another)", args)
	}
	code, _, errOut := runCLI("train", "-epochs", "1", "-data", missing)
	assert.Equal(t, 1, code, errOut)
	assert.NotContains(t, errOut, "SIMDNN_MNIST")
}

// TestOutputsApart: an output file that names an input or another output
// is refused before anything is read or written; -out may be -init.
func TestOutputsApart(t *testing.T) {
	tmp := t.TempDir()
	var rows strings.Builder
	for i := range 64 {
		fmt.Fprintf(&rows, "%d,%d,%d\n", i%2, i%7, i%5)
	}
	trainCSV, testCSV := filepath.Join(tmp, "train.csv"), filepath.Join(tmp, "test.csv")
	require.NoError(t, os.WriteFile(trainCSV, []byte(rows.String()), 0o644))
	require.NoError(t, os.WriteFile(testCSV, []byte(rows.String()), 0o644))
	data := []string{"train", "-train-csv", trainCSV, "-test-csv", testCSV, "-epochs", "1", "-batch", "16"}
	out := filepath.Join(tmp, "m.safetensors")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-history", trainCSV}, "-history " + trainCSV + ": the same file as -train-csv"},
		{[]string{"-history", tmp + "/sub/../test.csv"}, "the same file as -test-csv"},
		{[]string{"-out", filepath.Join(tmp, "h.csv"), "-history", filepath.Join(tmp, "h.csv")}, "-history " + filepath.Join(tmp, "h.csv") + ": the same file as -out"},
	} {
		code, _, errOut := runCLI(append(slices.Clone(data), c.args...)...)
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, c.msg)
	}
	b, err := os.ReadFile(trainCSV)
	require.NoError(t, err)
	assert.Equal(t, rows.String(), string(b), "the training data is left as it was")
	// The IDX files -data names (gzipped or raw), -init against -plot, and
	// two outputs through a linked directory.
	idx := fakeMNIST(t, 100, 20)
	code, _, errOut := runCLI("train", "-data", idx, "-out", filepath.Join(idx, "train-labels-idx1-ubyte.gz"))
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "the same file as -data's train-labels-idx1-ubyte.gz")
	code, _, errOut = runCLI("train", "-data", idx, "-history", filepath.Join(idx, "t10k-images-idx3-ubyte.json"), "-plot", filepath.Join(idx, "t10k-images-idx3-ubyte"))
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "-plot "+filepath.Join(idx, "t10k-images-idx3-ubyte")+": the same file as -data's t10k-images-idx3-ubyte") // its raw form
	t.Setenv("SIMDNN_MNIST", idx)                                                                                                         // the directory MNIST comes from without -data
	code, _, errOut = runCLI("train", "-history", filepath.Join(idx, "t10k-labels-idx1-ubyte.gz"))
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "the same file as $SIMDNN_MNIST's t10k-labels-idx1-ubyte.gz")
	link := filepath.Join(tmp, "link")
	require.NoError(t, os.Symlink(tmp, link))
	code, _, errOut = runCLI(append(slices.Clone(data), "-out", filepath.Join(tmp, "x.png"), "-plot", filepath.Join(link, "x.png"))...)
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "-plot "+filepath.Join(link, "x.png")+": the same file as -out")
	code, _, errOut = runCLI(append(slices.Clone(data), "-init", out, "-plot", out)...)
	assert.Equal(t, 2, code, errOut)

	code, _, errOut = runCLI(append(slices.Clone(data), "-out", out)...)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runCLI(append(slices.Clone(data), "-init", out, "-out", out)...)
	assert.Equal(t, 0, code, errOut)

	// A test loss that is not finite is null in -json's last line: test
	// rows of 50 features of 3.4e38 send the hidden units past float32.
	var wide, huge strings.Builder
	for i := range 64 {
		fmt.Fprintf(&wide, "%d%s\n", i%2, strings.Repeat(","+strconv.Itoa(i%7), 50))
	}
	for i := range 4 {
		fmt.Fprintf(&huge, "%d%s\n", i%2, strings.Repeat(",3.4e38", 50))
	}
	wideCSV, hugeCSV := filepath.Join(tmp, "wide.csv"), filepath.Join(tmp, "huge.csv")
	require.NoError(t, os.WriteFile(wideCSV, []byte(wide.String()), 0o644))
	require.NoError(t, os.WriteFile(hugeCSV, []byte(huge.String()), 0o644))
	code, stdout, errOut := runCLI("train", "-train-csv", wideCSV, "-test-csv", hugeCSV, "-epochs", "1", "-batch", "16", "-lr", "0.01", "-json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last), lines[len(lines)-1])
	assert.Contains(t, last, "test_loss")
	assert.Nil(t, last["test_loss"])
}
