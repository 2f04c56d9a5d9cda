package simdnn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
)

// torchOptim is testdata/torch_optim.json, written by
// testdata/torch_optim.py with PyTorch: per case, an optimizer's settings,
// the starting weights, one gradient per step and the weights torch had
// after each step, all as float32 bits.
type torchOptim struct {
	Torch string `json:"torch"`
	N     int    `json:"n"`
	Cases []struct {
		Optimizer   string     `json:"optimizer"`
		LR          float32    `json:"lr"`
		Momentum    float32    `json:"momentum"`
		WeightDecay float32    `json:"weight_decay"`
		Beta1       float32    `json:"beta1"`
		Beta2       float32    `json:"beta2"`
		Eps         float32    `json:"eps"`
		W0          []uint32   `json:"w0"`
		Grads       [][]uint32 `json:"grads"`
		W           [][]uint32 `json:"w"`
	} `json:"cases"`
}

func fromBits(b []uint32) []float32 {
	f := make([]float32, len(b))
	for i, v := range b {
		f[i] = math.Float32frombits(v)
	}
	return f
}

// ulpDiff is the distance between two finite float32 values in units in
// the last place (adjacent floats are 1 apart, across zero too).
func ulpDiff(a, b float32) int64 {
	key := func(f float32) int64 {
		u := int64(math.Float32bits(f))
		if u&(1<<31) != 0 {
			return -(u &^ (1 << 31))
		}
		return u
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestTorchOptimizers replays PyTorch's optimizer steps with the kernels
// on every implementation: plain SGD as the trainer takes it (weight decay
// added to the gradient with SGD(g, w, −wd), then SGD(w, g, lr)), torch's
// momentum with SGDTorch, Nesterov with SGDNesterov, Adam and AdamW, each
// with and without weight decay, over a few steps whose gradients reach
// down to 1e-9 (eps matters there). The weights after every step must be
// torch's bit for bit: the kernels perform torch's operations in its order
// with its roundings.
func TestTorchOptimizers(t *testing.T) {
	b, err := os.ReadFile("testdata/torch_optim.json")
	require.NoError(t, err)
	var fx torchOptim
	require.NoError(t, json.Unmarshal(b, &fx))
	require.NotEmpty(t, fx.Cases)
	impltest.Run(t, func(t *testing.T) {
		for ci, c := range fx.Cases {
			n := len(c.W0)
			w := fromBits(c.W0)
			s1, s2, g := make([]float32, n), make([]float32, n), make([]float32, n)
			for step, gb := range c.Grads {
				copy(g, fromBits(gb))
				switch c.Optimizer {
				case "sgd":
					if c.WeightDecay != 0 {
						SGD(g, w, -c.WeightDecay)
					}
					SGD(w, g, c.LR)
				case "momentum":
					SGDTorch(w, s1, g, c.LR, c.Momentum, c.WeightDecay)
				case "nesterov":
					SGDNesterov(w, s1, g, c.LR, c.Momentum, c.WeightDecay)
				case "adam":
					Adam(w, s1, s2, g, c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, step+1)
				case "adamw":
					AdamW(w, s1, s2, g, c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, step+1)
				default:
					t.Fatalf("case %d: unknown optimizer %q", ci, c.Optimizer)
				}
				want := fromBits(c.W[step])
				var worst int64
				for i := range w {
					worst = max(worst, ulpDiff(w[i], want[i]))
				}
				assert.Zero(t, worst, "%s case %d (%s, wd %g) step %d: weights up to %d ulp from torch %s's",
					Impl(), ci, c.Optimizer, c.WeightDecay, step+1, worst, fx.Torch)
			}
		}
	})
}
