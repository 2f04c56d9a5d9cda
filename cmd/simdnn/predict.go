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
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

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
	Input         string `json:"input"`
	Index         *int   `json:"index,omitempty"`
	Label         *int   `json:"label,omitempty"`
	Predicted     int    `json:"predicted"`
	Probabilities []prob `json:"probabilities"`
}

// prob is a probability in -json: null when it is NaN (a model with NaN
// or Inf weights), which JSON has no number for.
type prob float32

func (p prob) MarshalJSON() ([]byte, error) {
	if v := float64(p); math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float32(p))
}

// predictOptions are predict's flags.
type predictOptions struct {
	model, grid, invert, fit, data, impl string
	json                                 bool
}

// predictFlagSet is the FlagSet runPredict parses and help describes.
func predictFlagSet() (*flag.FlagSet, *predictOptions) {
	fs := newFlags("predict")
	o := new(predictOptions)
	fs.StringVar(&o.model, "model", "", "the safetensors model `file`"+required)
	fs.StringVar(&o.grid, "grid", "", "draw the first 9 inputs, titled \"true → predicted\", wrong ones in red, into this PNG `file`")
	fs.StringVar(&o.invert, "invert", "auto", "invert image files (MNIST digits are light on dark): auto (when the border is light), yes or no")
	fs.StringVar(&o.fit, "fit", "mnist", "how image files become 28×28: mnist (crop to the digit, fit it in 20×20 keeping its aspect ratio, centre its centre of mass, as MNIST's digits were made) or stretch (scale the whole image)")
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
	for _, a := range fs.Args() {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			if _, err := strconv.Atoi(a); err != nil {
				return usagef("%s after the inputs: flags come first (simdnn predict [flags] [INPUT ...])", a)
			}
		}
	}
	if err := requireModel(*modelPath); err != nil {
		return err
	}
	if *invert != "auto" && *invert != "yes" && *invert != "no" {
		return usagef("-invert %q: want auto, yes or no", *invert)
	}
	if o.fit != "mnist" && o.fit != "stretch" {
		return usagef("-fit %q: want mnist or stretch", o.fit)
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
	// The model first: a wrong path fails before MNIST is fetched.
	const rows, cols = 28, 28
	model, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	if err := checkInputs(model, *modelPath, rows*cols, "each image (a test image or a file fitted to 28×28) has"); err != nil {
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
		px, err := readDigit(a, rows, cols, *invert, o.fit)
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
	nameWidth := len("input")
	for _, in := range inputs {
		nameWidth = max(nameWidth, utf8.RuneCountInString(in.name))
	}
	if !*jsonOut {
		fmt.Fprintf(&b, "%-*s %4s %4s ", nameWidth, "input", "true", "pred")
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
			r := predictJSON{Input: in.name, Predicted: int(pred[i]), Probabilities: make([]prob, len(p))}
			for c, v := range p {
				r.Probabilities[c] = prob(v)
			}
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
			fmt.Fprintf(&b, "%s%s %4s %4d ", in.name, strings.Repeat(" ", nameWidth-utf8.RuneCountInString(in.name)), truth, pred[i])
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

// readDigit reads a PNG or JPEG file as an MNIST-like digit, rows×cols
// values in [0, 1], light on dark: grayscale (transparency over white),
// inverted per invert, then per fit either cropped and centred as MNIST's
// digits were made (mnistFit) or scaled whole to rows×cols.
func readDigit(path string, rows, cols int, invert, fit string) ([]float32, error) {
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
	// Flatten onto white; light on dark (ink bright) as MNIST.
	b := img.Bounds()
	ink := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	var border, edge float64
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			lum := (19595*r + 38470*g + 7471*bb + 1<<15) >> 16 // premultiplied, 0..0xffff
			v := uint8((lum + (0xffff - a)) >> 8)
			ink.SetGray(x, y, color.Gray{Y: v})
			if x == 0 || y == 0 || x == b.Dx()-1 || y == b.Dy()-1 {
				border += float64(v)
				edge++
			}
		}
	}
	if invert == "yes" || (invert == "auto" && border/edge > 127.5) {
		for i, v := range ink.Pix {
			ink.Pix[i] = 255 - v
		}
	}
	var px []float32
	if lo, hi := inkRange(ink); int(hi)-int(lo) >= minContrast {
		if fit == "mnist" {
			px = mnistFit(ink, lo, hi, rows, cols)
		} else {
			px = stretchFit(ink, rows, cols)
		}
	}
	if px == nil {
		return nil, fmt.Errorf("%s: no digit found: the image is blank after -invert %s", path, invert)
	}
	return px, nil
}

// stretchFit scales the whole of ink to rows×cols (-fit stretch).
func stretchFit(ink *image.Gray, rows, cols int) []float32 {
	small := image.NewGray(image.Rect(0, 0, cols, rows))
	xdraw.BiLinear.Scale(small, small.Bounds(), ink, ink.Bounds(), xdraw.Src, nil)
	px := make([]float32, rows*cols)
	for i, v := range small.Pix[:rows*cols] {
		px[i] = float32(v) / 255
	}
	return px
}

// inkRange is the darkest and the brightest pixel of ink.
func inkRange(ink *image.Gray) (lo, hi uint8) {
	lo, hi = 255, 0
	for _, v := range ink.Pix {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// minContrast is the least difference between an image's darkest and
// brightest pixel (of 255) for it to hold a digit.
const minContrast = 32

// mnistFit makes a digit (ink bright on dark) rows×cols as MNIST's
// digits were made: the background brought to 0 and the brightest ink to
// 1, cropped to the ink (values above a quarter), scaled to fit a box of
// 20/28 of the frame keeping its aspect ratio, then placed so that its
// centre of mass falls on the frame's centre (clipped where that pushes
// ink past an edge). lo and hi are ink's darkest and brightest pixel, at
// least minContrast apart; nil when no ink is left after scaling.
func mnistFit(ink *image.Gray, lo, hi uint8, rows, cols int) []float32 {
	b := ink.Bounds()
	for i, v := range ink.Pix {
		ink.Pix[i] = uint8((int(v-lo)*255 + int(hi-lo)/2) / int(hi-lo))
	}
	const threshold = 255 / 4
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if ink.GrayAt(x, y).Y > threshold {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	// Fit the box's longer side to 20 of 28 pixels (scaled with the frame).
	fitH, fitW := (rows*20+14)/28, (cols*20+14)/28
	scale := min(float64(fitW)/float64(box.Dx()), float64(fitH)/float64(box.Dy()))
	w := max(1, int(float64(box.Dx())*scale+0.5))
	h := max(1, int(float64(box.Dy())*scale+0.5))
	digit := image.NewGray(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(digit, digit.Bounds(), ink, box, xdraw.Src, nil)
	var mass, mx, my float64
	for y := range h {
		for x := range w {
			v := float64(digit.GrayAt(x, y).Y)
			mass += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
		}
	}
	if mass == 0 {
		return nil
	}
	// Place the digit's top-left corner so that its centre of mass is at
	// the frame's centre, rounded to whole pixels.
	ox := int(math.Round(float64(cols)/2 - mx/mass))
	oy := int(math.Round(float64(rows)/2 - my/mass))
	px := make([]float32, rows*cols)
	for y := range h {
		for x := range w {
			fx, fy := ox+x, oy+y
			if fx >= 0 && fx < cols && fy >= 0 && fy < rows {
				px[fy*cols+fx] = float32(digit.GrayAt(x, y).Y) / 255
			}
		}
	}
	return px
}
