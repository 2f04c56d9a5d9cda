package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
)

// evalJSON is `eval -json`'s output.
type evalJSON struct {
	Model        string     `json:"model"`
	Sizes        []int      `json:"sizes"`
	Images       int        `json:"images"`
	TestLoss     *float64   `json:"test_loss"` // null when not finite (a model with NaN or Inf weights)
	TestAccuracy float64    `json:"test_accuracy"`
	Confusion    [][]int    `json:"confusion"` // [true][predicted]
	Precision    []*float64 `json:"precision"` // null for a class never predicted
	Recall       []*float64 `json:"recall"`    // null for a class absent from the set
}

// evalOptions are eval's flags.
type evalOptions struct {
	model, impl string
	data        dataFlags
	json        bool
}

// evalFlagSet is the FlagSet runEval parses and help describes.
func evalFlagSet() (*flag.FlagSet, *evalOptions) {
	fs := newFlags("eval")
	o := new(evalOptions)
	fs.StringVar(&o.model, "model", "", "the safetensors model `file` to evaluate"+required)
	o.data.register(fs, false)
	implFlag(fs, &o.impl)
	fs.BoolVar(&o.json, "json", false, "write one JSON object instead of text")
	return fs, o
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := evalFlagSet()
	if err := parse(fs, args); err != nil {
		return err
	}
	modelPath, impl, jsonOut := &o.model, o.impl, &o.json
	if err := requireModel(*modelPath); err != nil {
		return err
	}
	if err := setImpl(impl); err != nil {
		return err
	}
	// The model first: a wrong path fails before MNIST is fetched.
	model, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	ds, err := o.data.load(ctx)
	if err != nil {
		return err
	}
	test := ds.test
	if err := checkInputs(model, *modelPath, test.width, "the rows (from -data, the IDX or CSV files, or the default MNIST) have"); err != nil {
		return err
	}
	if err := test.checkLabels("test", model.Classes(), "-model "+*modelPath); err != nil {
		return err
	}
	rows := test.rows(0, test.len())
	loss, acc, err := model.Evaluate(rows)
	if err != nil {
		return err
	}
	pred, err := model.Predict(rows)
	if err != nil {
		return err
	}
	k := model.Classes()
	res := evalJSON{Model: *modelPath, Sizes: model.Sizes, Images: test.len(), TestLoss: finite(loss), TestAccuracy: acc,
		Confusion: make([][]int, k), Precision: make([]*float64, k), Recall: make([]*float64, k)}
	for i := range res.Confusion {
		res.Confusion[i] = make([]int, k)
	}
	for i, p := range pred {
		res.Confusion[test.labels[i]][p]++
	}
	for c := range k {
		var predicted, actual int
		for o := range k {
			predicted += res.Confusion[o][c]
			actual += res.Confusion[c][o]
		}
		if predicted > 0 {
			res.Precision[c] = finite(float64(res.Confusion[c][c]) / float64(predicted))
		}
		if actual > 0 {
			res.Recall[c] = finite(float64(res.Confusion[c][c]) / float64(actual))
		}
	}
	if *jsonOut {
		return json.NewEncoder(stdout).Encode(res)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "model %s (%s), %d test rows\n", *modelPath, joinInts(model.Sizes, "-"), test.len())
	fmt.Fprintf(&b, "test loss: %.4f - test accuracy: %.4f\n", loss, acc)
	fmt.Fprintf(&b, "\nconfusion matrix (rows: true class, columns: predicted class)\n     ")
	for c := range k {
		fmt.Fprintf(&b, " %5d", c)
	}
	b.WriteString("\n")
	for t := range k {
		fmt.Fprintf(&b, "%5d", t)
		for p := range k {
			fmt.Fprintf(&b, " %5d", res.Confusion[t][p])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nclass  precision  recall    rows\n")
	ratio := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", *v)
	}
	for c := range k {
		actual := 0
		for _, n := range res.Confusion[c] {
			actual += n
		}
		fmt.Fprintf(&b, "%5d  %9s  %6s  %6d\n", c, ratio(res.Precision[c]), ratio(res.Recall[c]), actual)
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}
