package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
	"github.com/simdnn/simdnn/tabular"
)

// dataFlags choose the data a command trains or evaluates on: MNIST, or
// any IDX set under MNIST's four file names in a directory (-data), IDX
// files named one by one, or CSV files.
type dataFlags struct {
	dir                                              string
	trainImages, trainLabels, testImages, testLabels string
	trainCSV, testCSV                                string
	train                                            bool // the command uses the training split
}

// register adds the flags; train says whether the command uses the
// training split (eval needs only the test split).
func (d *dataFlags) register(fs *flag.FlagSet, train bool) {
	d.train = train
	dataFlag(fs, &d.dir)
	if train {
		fs.StringVar(&d.trainImages, "train-images", "", "IDX image `file` to train on, instead of -data's "+mnist.TrainImages)
		fs.StringVar(&d.trainLabels, "train-labels", "", "IDX label `file` to train on, instead of -data's "+mnist.TrainLabels)
	}
	fs.StringVar(&d.testImages, "test-images", "", "IDX image `file` to test on, instead of -data's "+mnist.TestImages)
	fs.StringVar(&d.testLabels, "test-labels", "", "IDX label `file` to test on, instead of -data's "+mnist.TestLabels)
	if train {
		fs.StringVar(&d.trainCSV, "train-csv", "", "CSV `file` to train on (a label column from 0, then the features; an optional header) instead of IDX images")
	}
	fs.StringVar(&d.testCSV, "test-csv", "", "CSV `file` to test on, with the columns of -train-csv")
}

// split is one split of a data set: rows of width inputs, bytes over div
// (IDX images) or float32 (CSV), and their labels.
type split struct {
	bytes  []uint8
	floats []float32
	div    float32
	labels []int32
	width  int
	// images is the IDX set the split came from, nil for CSV.
	images *mnist.Set
}

func (s *split) len() int { return len(s.labels) }

// rows is the net.Rows of rows lo..hi−1.
func (s *split) rows(lo, hi int) net.Rows {
	w := s.width
	if s.floats != nil {
		return net.FloatRows(s.floats[lo*w:hi*w], s.labels[lo:hi])
	}
	return net.ByteRows(s.bytes[lo*w:hi*w], s.div, s.labels[lo:hi])
}

// classes is one more than the largest label.
func (s *split) classes() int {
	c := int32(-1)
	for _, l := range s.labels {
		c = max(c, l)
	}
	return int(c) + 1
}

// checkLabels reports a label of s at or past classes, which a model of
// that many classes cannot learn or predict.
func (s *split) checkLabels(what string, classes int, whose string) error {
	for i, l := range s.labels {
		if int(l) >= classes {
			return fmt.Errorf("%s label %d at row %d: %s has classes 0..%d", what, l, i, whose, classes-1)
		}
	}
	return nil
}

// dataset is the splits a command uses: train is nil for eval.
type dataset struct {
	train, test *split
	source      string // where the data came from, for messages
}

// load reads the data d names. Without any data flag it is MNIST, found
// or fetched as mnist.Dir does.
func (d *dataFlags) load(ctx context.Context) (*dataset, error) {
	csv := d.trainCSV != "" || d.testCSV != ""
	idx := d.trainImages != "" || d.trainLabels != "" || d.testImages != "" || d.testLabels != ""
	switch {
	case csv && (idx || d.dir != ""):
		return nil, usagef("-train-csv and -test-csv: CSV data goes without -data and the IDX file flags")
	case csv && d.train && (d.trainCSV == "" || d.testCSV == ""):
		return nil, usagef("-train-csv and -test-csv: name both")
	case csv && !d.train && d.testCSV == "":
		return nil, usagef("-test-csv: required with CSV data")
	case csv:
		return d.loadCSV()
	}
	dir := d.dir
	if dir == "" && idx {
		for _, f := range d.idxFiles() {
			if f.path == "" && (d.train || f.flag[:6] == "-test-") {
				return nil, usagef("%s: not given, and no -data directory to take it from: name all the files, or -data", f.flag)
			}
		}
	}
	if !idx {
		var err error
		if dir, err = mnist.Dir(ctx, dir); err != nil {
			return nil, err
		}
	}
	file := func(path, name string) string {
		if path != "" {
			return path
		}
		return filepath.Join(dir, name)
	}
	ds := &dataset{source: dir}
	if ds.source == "" {
		ds.source = "the IDX files given"
	}
	var err error
	ld := loader()
	load := func(images, labels string) (*split, error) {
		set, err := ld.LoadSet("", images, labels)
		if err != nil {
			return nil, err
		}
		return &split{bytes: set.Pixels, div: mnist.PixelDiv, labels: set.Labels, width: set.Width(), images: set}, nil
	}
	// The two splits decompress at once, on two cores where there are.
	done := make(chan error, 1)
	go func() {
		var err error
		ds.test, err = load(file(d.testImages, mnist.TestImages), file(d.testLabels, mnist.TestLabels))
		done <- err
	}()
	if d.train {
		ds.train, err = load(file(d.trainImages, mnist.TrainImages), file(d.trainLabels, mnist.TrainLabels))
	}
	if terr := <-done; err == nil {
		err = terr
	}
	if err != nil {
		if !idx {
			err = envNote(err, d.dir)
		}
		return nil, err
	}
	if ds.train != nil && ds.train.width != ds.test.width {
		return nil, fmt.Errorf("the training images have %d pixels, the test images %d", ds.train.width, ds.test.width)
	}
	return ds, nil
}

// loadCSV reads -train-csv (when the command trains) and -test-csv.
func (d *dataFlags) loadCSV() (*dataset, error) {
	read := func(flagName, path string) (*split, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flagName, err)
		}
		defer f.Close()
		s, err := tabular.Read(f)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flagName, path, err)
		}
		return &split{floats: s.X, labels: s.Labels, width: s.Features}, nil
	}
	ds := &dataset{source: d.testCSV}
	var err error
	if d.train {
		if ds.train, err = read("-train-csv", d.trainCSV); err != nil {
			return nil, err
		}
		ds.source = d.trainCSV
	}
	if ds.test, err = read("-test-csv", d.testCSV); err != nil {
		return nil, err
	}
	if ds.train != nil && ds.train.width != ds.test.width {
		return nil, fmt.Errorf("-test-csv %s: %d features, -train-csv %s has %d", d.testCSV, ds.test.width, d.trainCSV, ds.train.width)
	}
	return ds, nil
}

// idxFiles is the IDX file flags and the paths they name.
func (d *dataFlags) idxFiles() []flagPath {
	return []flagPath{{"-train-images", d.trainImages}, {"-train-labels", d.trainLabels}, {"-test-images", d.testImages}, {"-test-labels", d.testLabels}}
}

// inputFiles is every file the data flags may read, as far as is known
// without fetching MNIST: the CSV and IDX files named, and the four MNIST
// files, gzipped or raw, of -data's directory or, when neither -data nor
// a CSV file names the data, of $SIMDNN_MNIST's.
func (d *dataFlags) inputFiles() []flagPath {
	inputs := append([]flagPath{{"-train-csv", d.trainCSV}, {"-test-csv", d.testCSV}}, d.idxFiles()...)
	dir, from := d.dir, "-data's "
	if dir == "" && d.trainCSV == "" && d.testCSV == "" {
		dir, from = os.Getenv(mnist.EnvDir), "$"+mnist.EnvDir+"'s "
	}
	if dir != "" {
		for _, name := range []string{mnist.TrainImages, mnist.TrainLabels, mnist.TestImages, mnist.TestLabels} {
			raw := strings.TrimSuffix(name, ".gz")
			inputs = append(inputs, flagPath{from + name, filepath.Join(dir, name)}, flagPath{from + raw, filepath.Join(dir, raw)})
		}
	}
	return inputs
}
