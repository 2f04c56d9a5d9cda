// Command gonum is the tutorial job in Go with gonum's blas32 (its pure-Go
// BLAS): a 784-h-10 MLP, ReLU, softmax cross-entropy, plain SGD (lr 0.2,
// batch 1024, mean loss), Glorot-uniform weights, zero biases, a fresh
// shuffle every epoch, the last short batch included. It lives in its own
// module so that simdnn's go.mod never requires gonum.
//
// Usage: gonum DATA_DIR HIDDEN EPOCHS THREADS. THREADS sets GOMAXPROCS,
// which bounds the goroutines gonum's Sgemm splits a large product over.
// It prints one JSON line.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/simdnn/simdnn/mnist"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gonum peer:", err)
		os.Exit(1)
	}
}

func atoi(s, what string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive integer", what, s)
	}
	return n, nil
}

// matrix makes an r×c blas32.General.
func matrix(r, c int) blas32.General {
	return blas32.General{Rows: r, Cols: c, Stride: c, Data: make([]float32, r*c)}
}

// rows returns the first m rows of a.
func rows(a blas32.General, m int) blas32.General {
	a.Rows, a.Data = m, a.Data[:m*a.Stride]
	return a
}

func run(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("usage: gonum DATA_DIR HIDDEN EPOCHS THREADS")
	}
	hidden, err := atoi(args[1], "hidden")
	if err != nil {
		return err
	}
	epochs, err := atoi(args[2], "epochs")
	if err != nil {
		return err
	}
	threads, err := atoi(args[3], "threads")
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(threads)
	train, test, err := mnist.Load(args[0])
	if err != nil {
		return err
	}
	trainX, testX := train.Floats(), test.Floats() // pixel bytes over 255
	const in, classes, batch, lr = 784, 10, 1024, float32(0.2)
	r := rand.New(rand.NewPCG(1, 2))
	glorot := func(fanIn, fanOut int) blas32.General {
		w := matrix(fanIn, fanOut)
		limit := math.Sqrt(6 / float64(fanIn+fanOut))
		for i := range w.Data {
			w.Data[i] = float32((2*r.Float64() - 1) * limit)
		}
		return w
	}
	w1, b1 := glorot(in, hidden), make([]float32, hidden)
	w2, b2 := glorot(hidden, classes), make([]float32, classes)
	x, h, o, d := matrix(batch, in), matrix(batch, hidden), matrix(batch, classes), matrix(batch, hidden)
	dw1, dw2 := matrix(in, hidden), matrix(hidden, classes)
	n := train.Len()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	addBias := func(a blas32.General, b []float32, relu bool) {
		for i := range a.Rows {
			row := a.Data[i*a.Stride : i*a.Stride+a.Cols]
			for j := range row {
				v := row[j] + b[j]
				if relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	}
	colSums := func(a blas32.General, out []float32) {
		clear(out)
		for i := range a.Rows {
			for j, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
				out[j] += v
			}
		}
	}
	db1, db2 := make([]float32, hidden), make([]float32, classes)
	labels := make([]int32, batch)

	start := time.Now()
	for range epochs {
		r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for lo := 0; lo < n; lo += batch {
			m := min(batch, n-lo)
			xb, hb, ob, db := rows(x, m), rows(h, m), rows(o, m), rows(d, m)
			for i, p := range perm[lo : lo+m] {
				copy(xb.Data[i*in:(i+1)*in], trainX[p*in:(p+1)*in])
				labels[i] = train.Labels[p]
			}
			blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, xb, w1, 0, hb)
			addBias(hb, b1, true)
			blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, hb, w2, 0, ob)
			addBias(ob, b2, false)
			inv := 1 / float32(m)
			for i := range m { // softmax cross-entropy gradient of the mean loss
				row := ob.Data[i*classes : (i+1)*classes]
				mx := row[0]
				for _, v := range row[1:] {
					mx = max(mx, v)
				}
				var s float32
				for j, v := range row {
					e := float32(math.Exp(float64(v - mx)))
					row[j] = e
					s += e
				}
				for j := range row {
					row[j] /= s
				}
				row[labels[i]]--
				for j := range row {
					row[j] *= inv
				}
			}
			blas32.Gemm(blas.Trans, blas.NoTrans, 1, hb, ob, 0, dw2)
			colSums(ob, db2)
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, ob, w2, 0, db)
			for i, v := range hb.Data {
				if v <= 0 {
					db.Data[i] = 0
				}
			}
			blas32.Gemm(blas.Trans, blas.NoTrans, 1, xb, db, 0, dw1)
			colSums(db, db1)
			blas32.Axpy(-lr, blas32.Vector{N: len(dw1.Data), Inc: 1, Data: dw1.Data}, blas32.Vector{N: len(w1.Data), Inc: 1, Data: w1.Data})
			blas32.Axpy(-lr, blas32.Vector{N: len(dw2.Data), Inc: 1, Data: dw2.Data}, blas32.Vector{N: len(w2.Data), Inc: 1, Data: w2.Data})
			blas32.Axpy(-lr, blas32.Vector{N: hidden, Inc: 1, Data: db1}, blas32.Vector{N: hidden, Inc: 1, Data: b1})
			blas32.Axpy(-lr, blas32.Vector{N: classes, Inc: 1, Data: db2}, blas32.Vector{N: classes, Inc: 1, Data: b2})
		}
	}
	seconds := time.Since(start).Seconds()

	right := 0
	for lo := 0; lo < test.Len(); lo += batch {
		m := min(batch, test.Len()-lo)
		xb := blas32.General{Rows: m, Cols: in, Stride: in, Data: testX[lo*in : (lo+m)*in]}
		hb, ob := rows(h, m), rows(o, m)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, xb, w1, 0, hb)
		addBias(hb, b1, true)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, hb, w2, 0, ob)
		addBias(ob, b2, false)
		for i := range m {
			row := ob.Data[i*classes : (i+1)*classes]
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			if int32(best) == test.Labels[lo+i] {
				right++
			}
		}
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"peer": "gonum", "network": fmt.Sprintf("784-%d-10", hidden), "threads": threads, "epochs": epochs,
		"train_seconds": seconds, "epochs_per_second": float64(epochs) / seconds,
		"test_accuracy": float64(right) / float64(test.Len()),
		"config":        fmt.Sprintf("gonum blas32 (pure-Go BLAS), %s, GOMAXPROCS %d", runtime.Version(), threads),
	})
}
