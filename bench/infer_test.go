package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/simdnn/simdnn/net"
)

// inferRows is the number of rows of the large inference benchmarks.
const inferRows = 10000

// inferInputs is 10000 MNIST-shaped rows as the float32 values the model
// sees (bytes over 255), made once.
var inferInputs = sync.OnceValue(func() []float32 {
	px, _ := MNISTShaped(inferRows, 2)
	x := make([]float32, len(px))
	for i, v := range px {
		x[i] = float32(v) / 255
	}
	return x
})

// inferHidden is the hidden widths of the inference benchmarks: the
// tutorial's network and a wide one.
var inferHidden = []int{15, 256}

// reportInference reports the time of one call (µs/call) and the rows
// classified per second.
func reportInference(b *testing.B, rows int) {
	s := b.Elapsed().Seconds()
	b.ReportMetric(s*1e6/float64(b.N), "µs/call")
	b.ReportMetric(float64(rows)*float64(b.N)/s, "rows/s")
}

// BenchmarkModelPredict classifies 1 row and 10000 rows per call with
// Model.Predict, the convenience function that sets up its buffers on
// every call, on 784-15-10 and 784-256-10; float32 rows.
func BenchmarkModelPredict(b *testing.B) {
	x := inferInputs()
	for _, hidden := range inferHidden {
		m, err := net.New([]int{784, hidden, 10}, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{1, inferRows} {
			b.Run(fmt.Sprintf("784-%d-10/rows=%d", hidden, rows), func(b *testing.B) {
				data := net.FloatRows(x[:rows*784], nil)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.Predict(data); err != nil {
						b.Fatal(err)
					}
				}
				reportInference(b, rows)
			})
		}
	}
}

// BenchmarkPredict classifies 1 row and 10000 rows per call with a
// net.Predictor kept from call to call, on 784-15-10 and 784-256-10 and
// on 1 and 2 threads; float32 rows.
func BenchmarkPredict(b *testing.B) {
	x := inferInputs()
	for _, hidden := range inferHidden {
		m, err := net.New([]int{784, hidden, 10}, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{1, inferRows} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("784-%d-10/rows=%d/threads=%d", hidden, rows, threads), func(b *testing.B) {
					p, err := net.NewPredictor(m, threads)
					if err != nil {
						b.Fatal(err)
					}
					data := net.FloatRows(x[:rows*784], nil)
					classes := make([]int32, 0, rows)
					b.ReportAllocs()
					for b.Loop() {
						if classes, err = p.Predict(classes[:0], data); err != nil {
							b.Fatal(err)
						}
					}
					reportInference(b, rows)
				})
			}
		}
	}
}
