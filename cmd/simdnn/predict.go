package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG for image.Decode
	_ "image/png"  // registers PNG for image.Decode
	"io"
	"os"
	"strconv"
	"strings"

	xdraw "golang.org/x/image/draw"

	"github.com/simdnn/simdnn/internal/atomicfile"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// maxImagePixels bounds the images predict decodes.
const maxImagePixels = 1 << 26

// input is one thing to classify: a test-set image or a file.
type input struct {
	name   string
	pixels []float32
	label  int // -1 when unknown (files)
	index  int // test-set index, -1 for files
}

// predictJSON is one `predict -json` line.
type predictJSON struct {
	Input         string    `json:"input"`
	Index         *int      `json:"index,omitempty"`
	Label         *int      `json:"label,omitempty"`
	Predicted     int       `json:"predicted"`
	Probabilities []float32 `json:"probabilities"`
}

// predictOptions are predict's flags.
type predictOptions struct {
	model, grid, invert, data, impl string
	json                            bool
}

// predictFlagSet is the FlagSet runPredict parses and help describes.
func predictFlagSet() (*flag.FlagSet, *predictOptions) {
	fs := newFlags("predict")
	o := new(predictOptions)
	fs.StringVar(&o.model, "model", "", "the safetensors model `file`"+required)
	fs.StringVar(&o.grid, "grid", "", "draw the first 9 inputs, titled \"true → predicted\", wrong ones in red, into this PNG `file`")
	fs.StringVar(&o.invert, "invert", "auto", "invert image files (MNIST digits are light on dark): auto (when the border is light), yes or no")
	dataFlag(fs, &o.data)
	implFlag(fs, &o.impl)
	fs.BoolVar(&o.json, "json", false, "write JSON lines instead of a table")
	return fs, o
}

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, o := predictFlagSet()
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	modelPath, grid, invert, data, impl, jsonOut := &o.model, &o.grid, &o.invert, o.data, o.impl, &o.json
	if err := requireModel(*modelPath); err != nil {
		return err
	}
	if *invert != "auto" && *invert != "yes" && *invert != "no" {
		return usagef("-invert %q: want auto, yes or no", *invert)
	}
	if *grid != "" {
		if !hasExt(*grid, ".png") {
			return usagef("-grid %s: want a .png file", *grid)
		}
		if err := atomicfile.Check(*grid); err != nil {
			return fmt.Errorf("-grid: %w", err)
		}
	}
	if err := setImpl(impl); err != nil {
		return err
	}
	// Test-set indices need MNIST; image files alone do not.
	args = fs.Args()
	if len(args) == 0 {
		for i := range 9 {
			args = append(args, strconv.Itoa(i))
		}
	}
	var test *mnist.Set
	for _, a := range args {
		if _, err := strconv.Atoi(a); err == nil {
			_, t, err := loadMNIST(ctx, data)
			if err != nil {
				return err
			}
			test = t
			break
		}
	}
	const rows, cols = 28, 28
	model, err := loadModel(*modelPath, rows*cols)
	if err != nil {
		return err
	}
	var inputs []input
	for _, a := range args {
		if i, err := strconv.Atoi(a); err == nil {
			if test.Rows != rows || test.Cols != cols {
				return fmt.Errorf("the test images are %d×%d, want %d×%d", test.Rows, test.Cols, rows, cols)
			}
			if i < 0 || i >= test.Len() {
				return usagef("test index %d: outside 0..%d", i, test.Len()-1)
			}
			w := test.Width()
			inputs = append(inputs, input{fmt.Sprintf("test[%d]", i), pixelValues(test.Pixels[i*w : (i+1)*w]), int(test.Labels[i]), i})
			continue
		}
		px, err := readDigit(a, rows, cols, *invert)
		if err != nil {
			return err
		}
		inputs = append(inputs, input{a, px, -1, -1})
	}
	x := make([]float32, 0, len(inputs)*rows*cols)
	for _, in := range inputs {
		x = append(x, in.pixels...)
	}
	probs, err := model.Probabilities(net.FloatRows(x, nil))
	if err != nil {
		return err
	}
	pred, err := model.Predict(net.FloatRows(x, nil))
	if err != nil {
		return err
	}
	k := model.Classes()
	enc := json.NewEncoder(stdout)
	var b strings.Builder
	if !*jsonOut {
		fmt.Fprintf(&b, "%-12s %4s %4s ", "input", "true", "pred")
		for c := range k {
			fmt.Fprintf(&b, " %6s", "p"+strconv.Itoa(c))
		}
		b.WriteString("\n")
	}
	var tiles []tile
	for i, in := range inputs {
		p := probs[i*k : (i+1)*k]
		wrong := in.label >= 0 && in.label != int(pred[i])
		if *jsonOut {
			r := predictJSON{Input: in.name, Predicted: int(pred[i]), Probabilities: p}
			if in.index >= 0 {
				r.Index, r.Label = &in.index, &in.label
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		} else {
			truth := "-"
			if in.label >= 0 {
				truth = strconv.Itoa(in.label)
			}
			fmt.Fprintf(&b, "%-12s %4s %4d ", in.name, truth, pred[i])
			for _, v := range p {
				fmt.Fprintf(&b, " %6.4f", v)
			}
			if wrong {
				b.WriteString("  wrong")
			}
			b.WriteString("\n")
		}
		if len(tiles) < 9 {
			truth := "?"
			if in.label >= 0 {
				truth = strconv.Itoa(in.label)
			}
			tiles = append(tiles, tile{in.pixels, rows, cols, fmt.Sprintf("%s → %d", truth, pred[i]), wrong})
		}
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if *grid != "" {
		if err := gridPNG(*grid, tiles, 3); err != nil {
			return fmt.Errorf("-grid: %w", err)
		}
		if !*jsonOut {
			fmt.Fprintf(stderr, "wrote %s\n", *grid)
		}
	}
	return nil
}

// readDigit reads a PNG or JPEG file as an MNIST-like digit: grayscale
// (transparency over white), resized to rows×cols, values in [0, 1],
// inverted per mode so the digit is light on dark.
func readDigit(path string, rows, cols int, mode string) ([]float32, error) {
	if !hasExt(path, ".png", ".jpg", ".jpeg") {
		return nil, usagef("%s: not a test-set index or a .png/.jpg/.jpeg file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImagePixels/max(cfg.Height, 1) {
		return nil, fmt.Errorf("%s: %d×%d pixels: want a non-empty image of at most %d pixels", path, cfg.Width, cfg.Height, maxImagePixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Flatten onto white, then scale to the model's input.
	b := img.Bounds()
	flat := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			lum := (19595*r + 38470*g + 7471*bb + 1<<15) >> 16 // premultiplied, 0..0xffff
			flat.SetGray(x, y, color.Gray{Y: uint8((lum + (0xffff - a)) >> 8)})
		}
	}
	small := image.NewGray(image.Rect(0, 0, cols, rows))
	xdraw.BiLinear.Scale(small, small.Bounds(), flat, flat.Bounds(), xdraw.Src, nil)
	px := make([]float32, rows*cols)
	var border float64
	for y := range rows {
		for x := range cols {
			v := float32(small.GrayAt(x, y).Y) / 255
			px[y*cols+x] = v
			if x == 0 || y == 0 || x == cols-1 || y == rows-1 {
				border += float64(v)
			}
		}
	}
	light := border/float64(2*(rows+cols)-4) > 0.5
	if mode == "yes" || (mode == "auto" && light) {
		for i := range px {
			px[i] = 1 - px[i]
		}
	}
	return px, nil
}
