package simdnn

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/testmem"
)

// raceCall is one kernel call of TestKernelsDuringSetImpl on buffers of
// its own: run computes into out (which it first clears) with the
// kernels ks, or with the package's functions when ks is nil.
type raceCall struct {
	name string
	run  func(ks *Kernels, out []float32)
	size int // len(out)
}

// raceCalls are DenseForward, DenseBackward, SoftmaxCrossEntropy and
// SGDMomentum at shapes with tails on every implementation, each reading
// inputs of its own.
func raceCalls(r *rand.Rand) []raceCall {
	const m, k, n = 37, 45, 23
	x, w, b, dy := make([]float32, m*k), make([]float32, k*n), make([]float32, n), make([]float32, m*n)
	for _, s := range [][]float32{x, w, b, dy} {
		testmem.Uniform(r, s)
	}
	labels := make([]int32, m)
	for i := range labels {
		labels[i] = int32(r.IntN(n))
	}
	w0, v0, g := make([]float32, 1000), make([]float32, 1000), make([]float32, 1000)
	for _, s := range [][]float32{w0, v0, g} {
		testmem.Uniform(r, s)
	}
	return []raceCall{
		{"DenseForward", func(ks *Kernels, out []float32) {
			if ks == nil {
				DenseForward(out, x, w, b, m, k, n, true)
			} else {
				ks.DenseForward(out, x, w, b, m, k, n, true)
			}
		}, m * n},
		{"DenseBackward", func(ks *Kernels, out []float32) {
			dw, db, dx := out[:k*n], out[k*n:k*n+n], out[k*n+n:]
			if ks == nil {
				DenseBackward(dw, db, dx, x, w, dy, m, k, n)
			} else {
				ks.DenseBackward(dw, db, dx, x, w, dy, m, k, n)
			}
		}, k*n + n + m*k},
		{"SoftmaxCrossEntropy", func(ks *Kernels, out []float32) {
			grad := out[:m*n]
			var loss float32
			var correct int
			if ks == nil {
				loss, correct = SoftmaxCrossEntropy(grad, dy, labels, m, n)
			} else {
				loss, correct = ks.SoftmaxCrossEntropy(grad, dy, labels, m, n)
			}
			out[m*n], out[m*n+1] = loss, float32(correct)
		}, m*n + 2},
		{"SGDMomentum", func(ks *Kernels, out []float32) {
			wv, vv := out[:len(w0)], out[len(w0):]
			copy(wv, w0)
			copy(vv, v0)
			if ks == nil {
				SGDMomentum(wv, vv, g, 0.1, 0.9)
			} else {
				ks.SGDMomentum(wv, vv, g, 0.1, 0.9)
			}
		}, 2 * len(w0)},
	}
}

// TestKernelsDuringSetImpl: kernel calls racing with SetImpl — goroutines
// calling kernels on buffers of their own while another switches the
// implementation back and forth — are race-free, and each call computes,
// bit for bit, what one implementation computes for it: a call never
// mixes two. A Kernels taken before the switching keeps its
// implementation throughout.
func TestKernelsDuringSetImpl(t *testing.T) {
	impls := Impls()
	prev := Impl()
	defer func() { require.NoError(t, SetImpl(prev)) }()
	const workers, rounds = 3, 200
	calls := make([][]raceCall, workers)
	// want[w][c][i]: call c of worker w on implementation impls[i].
	want := make([][][][]float32, workers)
	for w := range workers {
		calls[w] = raceCalls(rand.New(rand.NewPCG(uint64(w), 7)))
		for _, c := range calls[w] {
			var per [][]float32
			for _, name := range impls {
				ks := kernelsOf(t, name)
				out := make([]float32, c.size)
				c.run(&ks, out)
				per = append(per, out)
			}
			want[w] = append(want[w], per)
		}
	}
	distinct := 0 // calls on which the implementations disagree
	for w := range want {
		for _, per := range want[w] {
			for _, out := range per[1:] {
				if !sameBits(out, per[0]) {
					distinct++
					break
				}
			}
		}
	}

	stop := make(chan struct{})
	var switcher sync.WaitGroup
	switches := 0
	switcher.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				switches = n
				return
			default:
			}
			if err := SetImpl(impls[n%len(impls)]); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			bound := kernelsOf(t, impls[w%len(impls)]) // taken before the calls below
			for round := range rounds {
				for c, call := range calls[w] {
					out := make([]float32, call.size)
					var ks *Kernels
					if round%2 == 1 {
						ks = &bound
					}
					call.run(ks, out)
					switch {
					case ks != nil && !sameBits(out, want[w][c][w%len(impls)]):
						t.Errorf("worker %d round %d: %s on the Kernels of %s differs from %s's result", w, round, call.name, bound.Impl(), bound.Impl())
						return
					case !slices.ContainsFunc(want[w][c], func(o []float32) bool { return sameBits(out, o) }):
						t.Errorf("worker %d round %d: %s during SetImpl matches no implementation of %v", w, round, call.name, impls)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	switcher.Wait()
	t.Logf("%d SetImpl calls during %d kernel calls; the implementations %v disagree on %d of the %d calls",
		switches, workers*rounds*len(calls[0]), impls, distinct, workers*len(calls[0]))
}

// kernelsOf is the Kernels of the named implementation, which this CPU
// runs.
func kernelsOf(t *testing.T, name string) Kernels {
	require.Contains(t, Impls(), name)
	id := 0
	for impl.Name(id) != name {
		id++
	}
	return Kernels{set: sets[id], id: id}
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
