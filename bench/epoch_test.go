package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/net"
)

// mnistShaped is MNISTShaped's 60000 rows, made once.
var mnistShaped = sync.OnceValues(func() ([]uint8, []int32) { return MNISTShaped(60000, 1) })

// BenchmarkEpoch trains one epoch per iteration (batch 1024, SGD lr 0.2)
// of the tutorial network 784-15-10 and of 784-128-10, per implementation
// and thread count, and reports epochs/s (the whole Train call, whose
// setup — packing the inputs, buffers — is shared by the b.N
// epochs), steady-epochs/s (the epochs' own time, EpochStats.Seconds),
// GFLOP/s and the CPU time an epoch took on all threads (cpu-ms/epoch).
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
					var loop float64 // the epochs' own time, without Train's setup
					cfg.OnEpoch = func(st net.EpochStats) error { loop += st.Seconds; return nil }
					b.ResetTimer()
					cpu0, _ := ProcessCPU()
					if _, err := net.Train(context.Background(), m, net.ByteRows(x, 255, y), cfg); err != nil {
						b.Fatal(err)
					}
					s := b.Elapsed().Seconds()
					b.ReportMetric(float64(b.N)/s, "epochs/s")
					b.ReportMetric(float64(b.N)/loop, "steady-epochs/s")
					b.ReportMetric(EpochFLOP(60000, 784, hidden, 10)*float64(b.N)/s/1e9, "GFLOP/s")
					// On a shared machine the wall time depends on the other
					// processes; the CPU time an epoch used much less so.
					if cpu1, ok := ProcessCPU(); ok {
						b.ReportMetric((cpu1-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/epoch")
					}
				})
			}
		}
	}
}

func TestEpochFLOP(t *testing.T) {
	if got := EpochFLOP(60000, 784, 15, 10); got < 2.875e9 || got > 2.877e9 {
		t.Fatalf("784-15-10: %g FLOP, want 2.876e9", got)
	}
	if got := EpochFLOP(60000, 784, 128, 10); got < 24.54e9 || got > 24.55e9 {
		t.Fatalf("784-128-10: %g FLOP, want 24.545e9", got)
	}
}

func TestMNISTShaped(t *testing.T) {
	x, y := MNISTShaped(1000, 3)
	if len(x) != 1000*784 || len(y) != 1000 {
		t.Fatalf("got %d pixels and %d labels, want %d and 1000", len(x), len(y), 1000*784)
	}
	zero := 0
	for _, v := range x {
		if v == 0 {
			zero++
		}
	}
	if f := float64(zero) / float64(len(x)); f < 0.78 || f > 0.82 {
		t.Errorf("%.3f of the pixels are 0, want about 0.8", f)
	}
	seen := map[int32]bool{}
	for i, l := range y {
		if l < 0 || l > 9 {
			t.Fatalf("label %d is %d, want 0..9", i, l)
		}
		seen[l] = true
	}
	if len(seen) != 10 {
		t.Errorf("labels take %d values, want all 10", len(seen))
	}
	x2, y2 := MNISTShaped(1000, 3)
	if !slices.Equal(x, x2) || !slices.Equal(y, y2) {
		t.Error("the same seed gave other data")
	}
}
