package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/simdnn/simdnn/internal/atomicfile"
)

// samplesOptions are samples' flags.
type samplesOptions struct {
	out, set, data string
	start          int
}

// samplesFlagSet is the FlagSet runSamples parses and help describes.
func samplesFlagSet() (*flag.FlagSet, *samplesOptions) {
	fs := newFlags("samples")
	o := new(samplesOptions)
	fs.StringVar(&o.out, "out", "", "write the 4×4 grid to this PNG `file`"+required)
	fs.IntVar(&o.start, "start", 0, "index of the first image")
	fs.StringVar(&o.set, "set", "train", "which images: train or test")
	dataFlag(fs, &o.data)
	return fs, o
}

func runSamples(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := samplesFlagSet()
	if err := parse(fs, args); err != nil {
		return err
	}
	out, start, set, data := &o.out, &o.start, &o.set, o.data
	if *out == "" {
		return usagef("-out: required: the PNG file to write")
	}
	if !hasExt(*out, ".png") {
		return usagef("-out %s: want a .png file", *out)
	}
	if *set != "train" && *set != "test" {
		return usagef("-set %q: want train or test", *set)
	}
	if *start < 0 {
		return usagef("-start %d: want ≥ 0", *start)
	}
	if err := atomicfile.Check(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	train, test, err := loadMNIST(ctx, data)
	if err != nil {
		return err
	}
	s := train
	if *set == "test" {
		s = test
	}
	const n = 16
	if *start > s.Len()-n {
		return usagef("-start %d: the %s set has %d images, so at most %d", *start, *set, s.Len(), max(s.Len()-n, 0))
	}
	tiles := make([]tile, n)
	for i := range tiles {
		j := *start + i
		tiles[i] = tile{pixelValues(s.Pixels[j*s.Width() : (j+1)*s.Width()]), s.Rows, s.Cols, "label " + strconv.Itoa(int(s.Labels[j])), false}
	}
	if err := gridPNG(*out, tiles, 4); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: %s images %d..%d\n", *out, *set, *start, *start+n-1)
	return err
}
