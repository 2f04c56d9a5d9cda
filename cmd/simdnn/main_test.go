package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/mnist"
)

// fakeMNIST writes a small learnable MNIST look-alike into a directory:
// each class is a bright horizontal bar at its own height, with noise;
// the first ten images hold one of each class.
func fakeMNIST(t testing.TB, train, test int) string {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	write := func(images, labels string, n int) {
		pixels := make([]byte, n*784)
		lab := make([]byte, n)
		for i := range n {
			c := r.IntN(10)
			if i < 10 {
				c = i // every class, however few the images
			}
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
		z := gzip.NewWriter(&ib)
		require.NoError(t, mnist.WriteImages(z, pixels, n, 28, 28))
		require.NoError(t, z.Close())
		require.NoError(t, mnist.WriteLabels(&lb, lab))
		require.NoError(t, os.WriteFile(filepath.Join(dir, images), ib.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, labels), lb.Bytes(), 0o644))
	}
	write(mnist.TrainImages, strings.TrimSuffix(mnist.TrainLabels, ".gz"), train)
	write(mnist.TestImages, strings.TrimSuffix(mnist.TestLabels, ".gz"), test)
	return dir
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestTrainJSON(t *testing.T) {
	dir := fakeMNIST(t, 600, 200)
	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "4", "-batch", "50", "-json", "-threads", "2")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut, "-json keeps stderr quiet")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5)
	for i, l := range lines[:4] {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		assert.Equal(t, float64(i+1), e["epoch"])
		for _, k := range []string{"loss", "accuracy", "seconds", "lr"} {
			assert.Contains(t, e, k)
		}
	}
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[4]), &last))
	for _, k := range []string{"test_loss", "test_accuracy", "impl", "threads", "epochs", "train_seconds", "epochs_per_second"} {
		assert.Contains(t, last, k)
	}
	assert.Equal(t, float64(2), last["threads"])
	assert.Equal(t, float64(4), last["epochs"])
	assert.Equal(t, false, last["stopped_early"])
	assert.Equal(t, float64(4), last["kept_epoch"])
	assert.NotContains(t, last, "model", "no -out, no file named")
	assert.Greater(t, last["test_accuracy"], 0.9, "the bars are easy to learn")
}

func TestTrainText(t *testing.T) {
	dir := fakeMNIST(t, 300, 100)
	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "2", "-batch", "100", "-hidden", "16,8")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Regexp(t, `(?m)^Epoch 1/2 - \d+\.\d\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4}$`, errOut)
	assert.Regexp(t, `(?m)^Epoch 2/2 - `, errOut)
	assert.Regexp(t, `(?m)^test loss: \d\.\d{4} - test accuracy: \d\.\d{4}$`, errOut)
}

func TestUsageErrors(t *testing.T) {
	dir := fakeMNIST(t, 100, 10)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "Usage: simdnn <command>"},
		{[]string{"fly"}, 2, `unknown command "fly"`},
		{[]string{"train", "-epochs", "0"}, 2, "-epochs 0: want > 0"},
		{[]string{"train", "-batch", "-5"}, 2, "-batch -5: want > 0"},
		{[]string{"train", "-lr", "NaN"}, 2, "-lr NaN: want a finite number > 0"},
		{[]string{"train", "-lr", "0"}, 2, "-lr 0: want a finite number > 0"},
		{[]string{"train", "-hidden", "abc"}, 2, `-hidden "abc": "abc" is not a positive layer width`},
		{[]string{"train", "-hidden", "15,,3"}, 2, `-hidden "15,,3": "" is not a positive layer width`},
		{[]string{"train", "-hidden", "0"}, 2, `"0" is not a positive layer width`},
		{[]string{"train", "-threads", "10000"}, 2, "-threads 10000: want 1 to 1024"},
		{[]string{"train", "-threads", "0"}, 2, "-threads 0: want 1 to 1024"},
		{[]string{"train", "-threads", "-3"}, 2, "-threads -3: want 1 to 1024"},
		{[]string{"train", "-impl", otherArchImpl()}, 2, `is not built into this program`},
		{[]string{"train", "-lr", "Inf"}, 2, "-lr +Inf: want a finite number > 0"},
		{[]string{"train", "-lr", "-0.1"}, 2, "-lr -0.1: want a finite number > 0"},
		{[]string{"train", "-optimizer", "rmsprop"}, 2, `-optimizer rmsprop: want sgd, momentum, nesterov, adam or adamw`},
		{[]string{"train", "-weight-decay", "-1"}, 2, "-weight-decay -1: want a finite number ≥ 0"},
		{[]string{"train", "-optimizer", "adam", "-beta2", "1"}, 2, "-beta2 1: want in (0, 1)"},
		{[]string{"train", "-optimizer", "adam", "-beta1", "0"}, 2, "-beta1 0: want in (0, 1)"},
		{[]string{"train", "-optimizer", "adamw", "-eps", "0"}, 2, "-eps 0: want a finite number > 0"},
		{[]string{"train", "-optimizer", "adam", "-momentum", "0.9"}, 2, "-momentum 0.9: not with -optimizer adam (its betas are -beta1 and -beta2)"},
		{[]string{"train", "-hidden", "-1"}, 2, `-hidden "-1": "-1" is not a positive layer width`},
		{[]string{"train", "-hidden", "99999999"}, 2, `-hidden "99999999": width 99999999 is more than 65536`},
		{[]string{"train", "-epochs", "-1"}, 2, "-epochs -1: want > 0"},
		{[]string{"train", "-batch", "0"}, 2, "-batch 0: want > 0"},
		{[]string{"train", "-epochs", "ten"}, 2, `invalid value "ten" for flag -epochs`},
		{[]string{"train", "-data", filepath.Join(dir, mnist.TrainImages), "-epochs", "1"}, 1, "not a directory"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-out", filepath.Join(dir, mnist.TrainImages, "m.safetensors")}, 1,
			"cannot create a file in " + filepath.Join(dir, mnist.TrainImages) + ": not a directory"},
		{[]string{"train", "-impl", "sse9"}, 2, `-impl: simdnn: unknown implementation "sse9"`},
		{[]string{"train", "-epochs"}, 2, "flag needs an argument: -epochs"},
		{[]string{"train", "extra"}, 2, "unexpected arguments: extra"},
		{[]string{"train", "-data", dir, "-batch", "101", "-epochs", "1"}, 2, "-batch 101: larger than the 100 training rows"},
		{[]string{"train", "-data", filepath.Join(dir, "missing"), "-epochs", "1"}, 1, "no such file or directory"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			assert.Equal(t, c.code, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, c.msg)
			assert.NotContains(t, errOut, "goroutine", "no stack traces")
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "train")
	assert.Contains(t, out, "Exit codes: 0 success, 1 failure, 2 usage error")
	code, out, _ = runCLI("help", "train")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-hidden")
	code, _, errOut := runCLI("train", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "-epochs")
}

// TestTutorialOnRealMNIST trains the tutorial network for three epochs on
// the real files. Under CI it fails rather than skips when it cannot get
// them.
func TestTutorialOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not fetching MNIST")
	}
	dir, err := mnist.Dir(context.Background(), "")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and MNIST is unavailable: %v", err)
		}
		t.Skipf("MNIST unavailable: %v", err)
	}
	code, out, errOut := runCLI("train", "-data", dir, "-epochs", "3", "-json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		TestAccuracy float64 `json:"test_accuracy"`
		Epochs       int     `json:"epochs"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, 3, last.Epochs)
	assert.Greater(t, last.TestAccuracy, 0.88, "three epochs of the tutorial reach about 0.90")
}

// otherArchImpl names an implementation of another architecture.
func otherArchImpl() string {
	if runtime.GOARCH == "arm64" {
		return "avx2"
	}
	return "neon"
}
