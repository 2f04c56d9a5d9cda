package net_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/simdnn/simdnn/net"
)

// points makes n rows of two inputs: class 0 around (-1, -1), class 1
// around (1, 1), class 2 around (1, -1).
func points(seed uint64, n int) ([]float32, []int32) {
	centres := [][2]float32{{-1, -1}, {1, 1}, {1, -1}}
	r := rand.New(rand.NewPCG(seed, 0))
	x := make([]float32, 0, 2*n)
	y := make([]int32, n)
	for i := range y {
		c := r.IntN(len(centres))
		y[i] = int32(c)
		x = append(x, centres[c][0]+float32(r.NormFloat64())*0.2, centres[c][1]+float32(r.NormFloat64())*0.2)
	}
	return x, y
}

// Train a 2 → 8 → 3 network on synthetic data, with a validation set and
// early stopping, and report progress through the OnEpoch callback.
func Example() {
	x, y := points(1, 600)
	valX, valY := points(2, 200)
	model, err := net.New([]int{2, 8, 3}, 1)
	if err != nil {
		log.Fatal(err)
	}
	cfg := net.DefaultConfig()
	cfg.Epochs, cfg.BatchSize, cfg.LR = 30, 32, 0.1
	cfg.Val, cfg.Patience = net.FloatRows(valX, valY), 3
	bestVal := 0.0
	cfg.OnEpoch = func(s net.EpochStats) error {
		bestVal = max(bestVal, s.ValAccuracy)
		return nil // an error here would stop training
	}
	// Cancelling ctx (say, on Ctrl-C) stops training after the batch in flight.
	if _, err := net.Train(context.Background(), model, net.FloatRows(x, y), cfg); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("best validation accuracy: %.2f\n", bestVal)
	testX, testY := points(3, 300)
	_, acc, err := model.Evaluate(net.FloatRows(testX, testY))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test accuracy: %.2f\n", acc)
	// Output:
	// best validation accuracy: 1.00
	// test accuracy: 1.00
}

// Save a model, load it back and classify new rows.
func ExampleLoad() {
	x, y := points(1, 600)
	model, _ := net.New([]int{2, 8, 3}, 1)
	cfg := net.DefaultConfig()
	cfg.Epochs, cfg.BatchSize, cfg.LR = 20, 32, 0.1
	if _, err := net.Train(context.Background(), model, net.FloatRows(x, y), cfg); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")
	if err := model.Save(path); err != nil {
		log.Fatal(err)
	}

	loaded, err := net.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	classes, err := loaded.Predict(net.FloatRows([]float32{-1, -1, 1, 1, 1, -1}, nil))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sizes:", loaded.Sizes)
	fmt.Println("classes:", classes)
	// Output:
	// sizes: [2 8 3]
	// classes: [0 1 2]
}

// Classify rows one at a time, as a server does, with a Predictor that
// keeps its buffers: after the first call, calls allocate nothing.
func ExamplePredictor() {
	x, y := points(1, 600)
	model, _ := net.New([]int{2, 8, 3}, 1)
	cfg := net.DefaultConfig()
	cfg.Epochs, cfg.BatchSize, cfg.LR = 20, 32, 0.1
	if _, err := net.Train(context.Background(), model, net.FloatRows(x, y), cfg); err != nil {
		log.Fatal(err)
	}

	p, err := net.NewPredictor(model, 1)
	if err != nil {
		log.Fatal(err)
	}
	var classes []int32
	for _, row := range [][]float32{{-1, -1}, {1, 1}, {1, -1}} {
		if classes, err = p.Predict(classes[:0], net.FloatRows(row, nil)); err != nil {
			log.Fatal(err)
		}
		fmt.Println(row, "is class", classes[0])
	}
	// Output:
	// [-1 -1] is class 0
	// [1 1] is class 1
	// [1 -1] is class 2
}
