package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/bench/peak"
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// The kernel benchmarks run every kernel under every implementation this
// CPU offers, at the tutorial's shapes (batch 1024, 784→15 and 15→10) and
// at 784→128, and report GFLOP/s, % of the same run's FMA peak of that
// implementation (bench/peak) and, through b.SetBytes, MB/s of the slices
// each call reads and writes. GFLOP/s and %peak are per second of the
// benchmark thread's CPU time (peak.ThreadTime), as the peak is, so that
// time-slicing on a shared machine does not count against the kernel;
// ns/op and MB/s are wall time as always. The FLOP counts: 2mkn for DenseForward; 4mkn
// for DenseBackward (dw and dx; 2mkn without dx); 1 per element for ReLU
// and ReLUBackward; 2 for SGD; 4 for SGDMomentum; 7 for SGDNesterov
// (with weight decay); 15 for Adam (with weight decay: 5 multiplies, 3
// fused multiply-adds, a square root, 2 divisions, 2 adds); 6 per logit for
// SoftmaxCrossEntropy (max, subtract, exp, sum, two multiplies).
// Compare implementations with
//
//	go test -run='^$' -bench=. -count=10 ./bench | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt

// denseShapes are m×k×n: the tutorial's two layers and a wide one at
// batch 1024, and the calls net's trainer makes for them: blocks of
// net.BlockRows rows, the hidden width padded to 16; and the trainer's
// blocks of 784→128 and 784→256, the networks bf16 is for.
var denseShapes = [][3]int{{1024, 784, 15}, {1024, 15, 10}, {1024, 784, 128}, {net.BlockRows, 784, 16}, {net.BlockRows, 16, 10},
	{net.BlockRows, 784, 128}, {net.BlockRows, 784, 256}}

// forEach runs f as sub-benchmark impl/name for every implementation,
// with that implementation active.
func forEach(b *testing.B, name string, f func(b *testing.B)) {
	prev := simdnn.Impl()
	defer simdnn.SetImpl(prev)
	for _, impl := range simdnn.Impls() {
		Peak(impl) // measured outside any timed region
		b.Run(impl+"/"+name, func(b *testing.B) {
			if err := simdnn.SetImpl(impl); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}

// run calls f in the benchmark loop on a locked OS thread and reports
// GFLOP/s and %peak for flops per call over the thread's CPU time; bytes
// per call go to SetBytes before.
func run(b *testing.B, flops float64, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := peak.ThreadTime()
	for b.Loop() {
		f()
	}
	g := flops * float64(b.N) / (peak.ThreadTime() - start).Seconds() / 1e9
	b.ReportMetric(g, "GFLOP/s")
	if p := Peak(simdnn.Impl()); p > 0 {
		b.ReportMetric(100*g/p, "%peak")
	}
}

func BenchmarkDenseForward(b *testing.B) { benchForward(b, simdnn.DenseForward, false) }

func BenchmarkDenseBackward(b *testing.B) { benchBackward(b, simdnn.DenseBackward, false) }

// BenchmarkDenseForwardBF16 and BenchmarkDenseBackwardBF16 time the bf16
// kernels where they have instructions of their own (elsewhere they run
// the reference); the FLOPs are counted as for float32.
func BenchmarkDenseForwardBF16(b *testing.B) { benchForward(b, simdnn.DenseForwardBF16, true) }

func BenchmarkDenseBackwardBF16(b *testing.B) { benchBackward(b, simdnn.DenseBackwardBF16, true) }

// benchForward times a forward kernel over denseShapes; bf16 skips the
// reference.
func benchForward(b *testing.B, forward func(y, x, w, b []float32, m, k, n int, relu bool), bf16 bool) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range denseShapes {
		m, k, n := s[0], s[1], s[2]
		x, w, bias, y := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), make([]float32, m*n)
		forEach(b, fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			if bf16 {
				skipEmulated(b)
			}
			b.SetBytes(int64(4 * (m*k + k*n + n + m*n)))
			run(b, 2*float64(m*k*n), func() { forward(y, x, w, bias, m, k, n, true) })
		})
	}
}

// benchBackward times a backward kernel over denseShapes, with dx and,
// in float32, without (the first layer's backward step needs none).
func benchBackward(b *testing.B, backward func(dw, db, dx, x, w, dy []float32, m, k, n int), bf16 bool) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, s := range denseShapes {
		m, k, n := s[0], s[1], s[2]
		x, w, dy := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, m*n)
		dw, db, dx := make([]float32, k*n), make([]float32, n), make([]float32, m*k)
		forEach(b, fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			if bf16 {
				skipEmulated(b)
			}
			b.SetBytes(int64(4 * (2*m*k + 2*k*n + m*n + n)))
			run(b, 4*float64(m*k*n), func() { backward(dw, db, dx, x, w, dy, m, k, n) })
		})
		if bf16 {
			continue
		}
		forEach(b, fmt.Sprintf("%dx%dx%d-nodx", m, k, n), func(b *testing.B) {
			b.SetBytes(int64(4 * (m*k + k*n + m*n + n)))
			run(b, 2*float64(m*k*n), func() { backward(dw, db, nil, x, w, dy, m, k, n) })
		})
	}
}

// skipEmulated skips a bf16 benchmark on the reference (generic), which
// is many times slower; the other implementations run the bf16 kernels
// in bf16 instructions or on their float32 tiles.
func skipEmulated(b *testing.B) {
	if simdnn.Impl() == "generic" {
		b.Skip("bf16 kernels emulated on " + simdnn.Impl())
	}
}

// activations are the sizes of the hidden layer outputs: 1024×15 and
// 1024×128.
var activations = []int{1024 * 15, 1024 * 128}

func BenchmarkReLU(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, size := range activations {
		x := randSlice(r, size)
		forEach(b, fmt.Sprintf("1024x%d", size/1024), func(b *testing.B) {
			b.SetBytes(int64(8 * size))
			run(b, float64(size), func() { simdnn.ReLU(x) })
		})
	}
}

func BenchmarkReLUBackward(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, size := range activations {
		dy, y := randSlice(r, size), randSlice(r, size)
		forEach(b, fmt.Sprintf("1024x%d", size/1024), func(b *testing.B) {
			b.SetBytes(int64(12 * size))
			run(b, float64(size), func() { simdnn.ReLUBackward(dy, y) })
		})
	}
}

func BenchmarkSoftmaxCrossEntropy(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	const m, n = 1024, 10
	logits, grad := randSlice(r, m*n), make([]float32, m*n)
	labels := make([]int32, m)
	for i := range labels {
		labels[i] = int32(r.IntN(n))
	}
	forEach(b, fmt.Sprintf("%dx%d", m, n), func(b *testing.B) {
		b.SetBytes(int64(8*m*n + 4*m))
		run(b, 6*m*n, func() { simdnn.SoftmaxCrossEntropy(grad, logits, labels, m, n) })
	})
}

// parameters are the weight matrices the optimisers update: the
// tutorial's 784×15 and 15×10 and the wide 784×128.
var parameters = [][2]int{{784, 15}, {15, 10}, {784, 128}}

func BenchmarkSGD(b *testing.B) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, p := range parameters {
		size := p[0] * p[1]
		w, g := randSlice(r, size), randSlice(r, size)
		forEach(b, fmt.Sprintf("%dx%d", p[0], p[1]), func(b *testing.B) {
			b.SetBytes(int64(12 * size))
			run(b, 2*float64(size), func() { simdnn.SGD(w, g, 1e-9) })
		})
	}
}

func BenchmarkSGDMomentum(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, p := range parameters {
		size := p[0] * p[1]
		w, v, g := randSlice(r, size), randSlice(r, size), randSlice(r, size)
		forEach(b, fmt.Sprintf("%dx%d", p[0], p[1]), func(b *testing.B) {
			b.SetBytes(int64(20 * size))
			run(b, 4*float64(size), func() { simdnn.SGDMomentum(w, v, g, 1e-9, 0.5) })
		})
	}
}

// BenchmarkPeak reports each implementation's one-core FMA peak: one
// peak.Measure (about 170 ms) per iteration.
func BenchmarkPeak(b *testing.B) {
	for _, impl := range simdnn.Impls() {
		if _, err := peak.Measure(impl); err != nil {
			continue // generic, or no loop for this ISA yet
		}
		b.Run(impl, func(b *testing.B) {
			var sum float64
			for b.Loop() {
				g, err := peak.Measure(impl)
				if err != nil {
					b.Fatal(err)
				}
				sum += g
			}
			b.ReportMetric(sum/float64(b.N), "GFLOP/s")
		})
	}
}

// BenchmarkGather gathers one block (net.BlockRows rows) of the synthetic
// MNIST-shaped set into float32 as the trainer does: from the plain bytes
// (byterows.Dequantize) and from the packed ones (byterows.Packed's
// Dequantize), rows taken from a shuffled order that walks the whole set
// (shuffled: from DRAM, as in training, without the trainer's prefetch of
// the next block) or the same rows every call (cached). MB/s counts the
// floats written.
func BenchmarkGather(b *testing.B) {
	src, _ := mnistShaped()
	const k = 784
	rows := len(src) / k
	order := rand.New(rand.NewPCG(1, 2)).Perm(rows)
	perm := make([]int32, rows)
	for i, r := range order {
		perm[i] = int32(r)
	}
	dst := make([]float32, net.BlockRows*k)
	for _, packed := range []bool{false, true} {
		for _, shuffled := range []bool{false, true} {
			name := map[bool]string{false: "bytes", true: "packed"}[packed] + "/" + map[bool]string{false: "cached", true: "shuffled"}[shuffled]
			forEach(b, name, func(b *testing.B) {
				var p *byterows.Packed
				if packed {
					var err error
					if p, err = byterows.Pack(src, k); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(4 * len(dst)))
				lo := 0
				for b.Loop() {
					idx := perm[lo : lo+net.BlockRows]
					if packed {
						p.Dequantize(dst, idx, 255)
					} else {
						byterows.Dequantize(dst, src, idx, k, 255)
					}
					if shuffled {
						lo = (lo + net.BlockRows) % (rows - net.BlockRows)
					}
				}
			})
		}
	}
}

// BenchmarkGatherCols gathers, as the trainer does for each block of
// real MNIST (which it finds as the CLI does: $SIMDNN_MNIST, else through
// the Go module proxy), the columns not zero in every one of the block's
// rows (byterows.NonZeroCols, then DequantizeCols): "find+gather" from
// blocks of shuffled rows in turn, "find" the columns alone, "find-cached"
// and "gather" one block's rows and columns again and again (in cache, as
// the trainer's prefetched rows mostly are). It reports the kept columns.
func BenchmarkGatherCols(b *testing.B) {
	src, k, rows, perm := shuffledMNIST(b)
	cols := make([]uint64, byterows.ColWords(k))
	dst := make([]float32, net.BlockRows*k)
	forEach(b, "find+gather", func(b *testing.B) {
		kept, lo := 0, 0
		for b.Loop() {
			idx := perm[lo : lo+net.BlockRows]
			byterows.NonZeroCols(cols, src, idx, k)
			n := byterows.CountCols(cols)
			byterows.DequantizeCols(dst[:len(idx)*n], src, idx, k, cols, mnist.PixelDiv)
			kept += n
			lo = (lo + net.BlockRows) % (rows - net.BlockRows)
		}
		b.ReportMetric(float64(kept)/float64(b.N), "cols")
	})
	forEach(b, "find", func(b *testing.B) {
		lo := 0
		for b.Loop() {
			byterows.NonZeroCols(cols, src, perm[lo:lo+net.BlockRows], k)
			lo = (lo + net.BlockRows) % (rows - net.BlockRows)
		}
	})
	forEach(b, "find-cached", func(b *testing.B) {
		idx := perm[:net.BlockRows]
		for b.Loop() {
			byterows.NonZeroCols(cols, src, idx, k)
		}
	})
	forEach(b, "gather", func(b *testing.B) {
		idx := perm[:net.BlockRows]
		byterows.NonZeroCols(cols, src, idx, k)
		n := byterows.CountCols(cols)
		b.SetBytes(int64(4 * len(idx) * n))
		for b.Loop() {
			byterows.DequantizeCols(dst[:len(idx)*n], src, idx, k, cols, mnist.PixelDiv)
		}
		b.ReportMetric(float64(n), "cols")
	})
}

// BenchmarkPackRows packs the synthetic MNIST-shaped set's 60000 rows of
// bytes (byterows.Pack, memory from make) and reports the packed bytes a
// row.
func BenchmarkPackRows(b *testing.B) {
	src, _ := mnistShaped()
	forEach(b, "60000x784", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		var p *byterows.Packed
		for b.Loop() {
			var err error
			if p, err = byterows.Pack(src, 784); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(p.Size())/float64(p.Len()), "B/row")
	})
}

func BenchmarkSGDNesterov(b *testing.B) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, p := range parameters {
		size := p[0] * p[1]
		w, buf, g := randSlice(r, size), randSlice(r, size), randSlice(r, size)
		forEach(b, fmt.Sprintf("%dx%d", p[0], p[1]), func(b *testing.B) {
			b.SetBytes(int64(20 * size))
			run(b, 7*float64(size), func() { simdnn.SGDNesterov(w, buf, g, 1e-9, 0.5, 1e-4) })
		})
	}
}

func BenchmarkAdam(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, p := range parameters {
		size := p[0] * p[1]
		w, m, v, g := randSlice(r, size), randSlice(r, size), randSlice(r, size), randSlice(r, size)
		for i := range v {
			v[i] *= v[i]
		}
		forEach(b, fmt.Sprintf("%dx%d", p[0], p[1]), func(b *testing.B) {
			b.SetBytes(int64(28 * size))
			run(b, 15*float64(size), func() { simdnn.Adam(w, m, v, g, 1e-9, 0.9, 0.999, 1e-8, 1e-4, 10) })
		})
	}
}

// shuffledMNIST is the real MNIST training rows (b skips without them):
// their bytes, k bytes a row, the number of rows, and the rows in a
// shuffled order.
func shuffledMNIST(b *testing.B) (src []uint8, k, rows int, perm []int32) {
	dir, err := mnist.Dir(context.Background(), "")
	if err != nil {
		b.Skip(err)
	}
	train, _, err := mnist.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	src, k, rows = train.Pixels, train.Width(), train.Len()
	perm = make([]int32, rows)
	for i, r := range rand.New(rand.NewPCG(1, 2)).Perm(rows) {
		perm[i] = int32(r)
	}
	return src, k, rows, perm
}

// BenchmarkFirstLayer times the first layer of 784-16-10 over one block
// of 256 shuffled real MNIST rows, the next block's rows prefetched as
// the trainer does, both ways the trainer can take it: "columns" finds
// the block's non-zero columns, gathers them and runs DenseForward and
// DenseBackward on them; "entries" runs Entries.Forward, ReLU,
// Entries.Grad and the bias gradient from the rows' non-zero bytes. The
// blocks move through the shuffled rows, so the rows come from DRAM as
// they do in training. It reports the entries a block.
func BenchmarkFirstLayer(b *testing.B) {
	const n = 16
	src, k, rows, perm := shuffledMNIST(b)
	r := rand.New(rand.NewPCG(3, 4))
	w, bias := make([]float32, k*n), make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64() * 0.05)
	}
	dy := make([]float32, net.BlockRows*n)
	for i := range dy {
		dy[i] = float32(r.NormFloat64() * 0.01)
	}
	cols := make([]uint64, byterows.ColWords(k))
	x, wk := make([]float32, net.BlockRows*k), make([]float32, k*n)
	y, dw, db := make([]float32, net.BlockRows*n), make([]float32, k*n), make([]float32, n)
	blocks := func(f func(idx, next []int32)) func(b *testing.B) {
		return func(b *testing.B) {
			lo := 0
			for b.Loop() {
				nextLo := (lo + net.BlockRows) % (rows - net.BlockRows)
				f(perm[lo:lo+net.BlockRows], perm[nextLo:nextLo+net.BlockRows])
				lo = nextLo
			}
		}
	}
	forEach(b, "columns", blocks(func(idx, next []int32) {
		byterows.Prefetch(src, next, k)
		byterows.NonZeroCols(cols, src, idx, k)
		kept := byterows.CountCols(cols)
		byterows.DequantizeCols(x[:len(idx)*kept], src, idx, k, cols, mnist.PixelDiv)
		simdnn.DenseForward(y, x[:len(idx)*kept], wk[:kept*n], bias, len(idx), kept, n, true)
		simdnn.DenseBackward(dw[:kept*n], db, nil, x[:len(idx)*kept], wk[:kept*n], dy, len(idx), kept, n)
	}))
	forEach(b, "entries", func(b *testing.B) {
		e, err := byterows.NewEntries(src, k, 1<<40)
		if err != nil {
			b.Fatal(err)
		}
		blocks(func(idx, next []int32) {
			e.Prefetch(next)
			e.Forward(y, w, bias, idx, n, mnist.PixelDiv)
			simdnn.ReLU(y)
			e.Grad(dw, dy, idx, n, mnist.PixelDiv)
			simdnn.DenseBackward(nil, db, nil, nil, nil, dy, len(idx), 0, n)
		})(b)
		b.ReportMetric(float64(e.Count())/float64(rows)*net.BlockRows, "entries/block")
	})
}
