package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/net"
)

// mnistShaped is a synthetic stand-in for the MNIST training set: 60000
// rows of 784 pixels in [0, 1] with labels 0..9. An epoch's cost does not
// depend on the values, so the benchmarks need no download.
var mnistShaped = sync.OnceValues(func() ([]float32, []int32) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, 60000*784)
	for i := range x {
		if r.IntN(5) == 0 { // MNIST is mostly black
			x[i] = r.Float32()
		}
	}
	y := make([]int32, 60000)
	for i := range y {
		y[i] = int32(r.IntN(10))
	}
	return x, y
})

// BenchmarkEpoch trains one epoch per iteration (batch 1024, SGD lr 0.2)
// of the tutorial network 784-15-10 and of 784-128-10, per implementation
// and thread count, and reports epochs/s and GFLOP/s.
func BenchmarkEpoch(b *testing.B) {
	x, y := mnistShaped()
	prev := simdnn.Impl()
	defer simdnn.SetImpl(prev)
	for _, impl := range simdnn.Impls() {
		for _, hidden := range []int{15, 128} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/784-%d-10/threads=%d", impl, hidden, threads), func(b *testing.B) {
					if err := simdnn.SetImpl(impl); err != nil {
						b.Fatal(err)
					}
					m, err := net.New([]int{784, hidden, 10}, 1)
					if err != nil {
						b.Fatal(err)
					}
					cfg := net.Config{Epochs: b.N, BatchSize: 1024, LR: 0.2, Seed: 1, Threads: threads}
					b.ResetTimer()
					if _, err := net.Train(context.Background(), m, x, y, cfg); err != nil {
						b.Fatal(err)
					}
					s := b.Elapsed().Seconds()
					b.ReportMetric(float64(b.N)/s, "epochs/s")
					b.ReportMetric(epochFLOP(60000, 784, hidden, 10)*float64(b.N)/s/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// epochFLOP is the floating-point work of one training epoch over rows
// rows of an MLP with the given sizes: per row and layer 2·in·out for the
// forward product, as much for the weight gradient, and as much again for
// the input gradient of every layer but the first (784-15-10 on MNIST:
// 2.88 GFLOP).
func epochFLOP(rows int, sizes ...int) float64 {
	var f float64
	for l := range len(sizes) - 1 {
		mac := 2 * float64(rows) * float64(sizes[l]) * float64(sizes[l+1])
		f += 2 * mac
		if l > 0 {
			f += mac
		}
	}
	return f
}

func TestEpochFLOP(t *testing.T) {
	if got := epochFLOP(60000, 784, 15, 10); got < 2.875e9 || got > 2.877e9 {
		t.Fatalf("784-15-10: %g FLOP, want 2.876e9", got)
	}
	if got := epochFLOP(60000, 784, 128, 10); got < 24.54e9 || got > 24.55e9 {
		t.Fatalf("784-128-10: %g FLOP, want 24.545e9", got)
	}
}
