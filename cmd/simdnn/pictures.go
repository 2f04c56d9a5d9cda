package main

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/simdnn/simdnn/internal/atomicfile"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// Pictures are drawn at pictureDPI; sizes are given in pixels.
const (
	pictureDPI = 96
	tileWidth  = 160 // pixels per grid tile
	tileHeight = 180
)

// px converts pixels to a length at pictureDPI.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / pictureDPI }

var (
	trainColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	valColor   = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	wrongColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// savePNG renders plots, laid out in rows, onto a w×h canvas and writes it
// to path atomically.
func savePNG(path string, plots [][]*plot.Plot, w, h vg.Length) error {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pictureDPI), vgimg.UseBackgroundColor(color.White))
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]),
		PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(plots, tiles, draw.New(c))
	for j := range plots {
		for i, p := range plots[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	})
}

// plotCurves draws the Keras tutorial's two charts side by side: loss and
// accuracy per epoch, training and (when present) validation, on whole
// epochs. When kept is an epoch other than the last (the best epoch that
// -patience keeps), a dashed line marks it.
func plotCurves(path string, hist net.History, kept int) error {
	last := 0
	if len(hist) > 0 {
		last = hist[len(hist)-1].Epoch
	}
	chart := func(title, ylabel string, bounded bool, train, val func(net.EpochStats) float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = ylabel
		p.Add(plotter.NewGrid())
		// Loss falls and accuracy rises: the legend goes to the corner
		// the curves leave free, inside the axes.
		p.Legend.Top = ylabel == "loss"
		p.Legend.Left = false
		p.Legend.XOffs = -vg.Millimeter * 2
		if p.Legend.Top {
			p.Legend.YOffs = -vg.Millimeter * 2
		} else {
			p.Legend.YOffs = vg.Millimeter * 2
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range []struct {
			name  string
			get   func(net.EpochStats) float64
			color color.Color
		}{{"training", train, trainColor}, {"validation", val, valColor}} {
			pts := make(plotter.XYs, 0, len(hist))
			for _, h := range hist {
				if v := s.get(h); !math.IsNaN(v) && !math.IsInf(v, 0) {
					pts = append(pts, plotter.XY{X: float64(h.Epoch), Y: v})
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			if len(pts) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, err
			}
			line.Color, points.Color = s.color, s.color
			line.Width = vg.Points(1.5)
			points.Radius = vg.Points(1.5)
			p.Add(line, points)
			p.Legend.Add(s.name, line, points)
		}
		if lo <= hi {
			p.Y.Min, p.Y.Max = valueRange(lo, hi, bounded)
		}
		p.X.Min, p.X.Max = 1, float64(max(last, 2))
		if last <= 1 {
			p.X.Min, p.X.Max = 0.5, 1.5
		}
		p.X.Tick.Marker = epochTicks{}
		if kept > 0 && kept != last {
			mark, err := plotter.NewLine(plotter.XYs{{X: float64(kept), Y: p.Y.Min}, {X: float64(kept), Y: p.Y.Max}})
			if err != nil {
				return nil, err
			}
			mark.Color = color.Gray{Y: 0x60}
			mark.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(mark)
			p.Legend.Add(fmt.Sprintf("kept: epoch %d", kept), mark)
		}
		return p, nil
	}
	loss, err := chart("Loss", "loss", false, func(s net.EpochStats) float64 { return s.Loss }, func(s net.EpochStats) float64 { return s.ValLoss })
	if err != nil {
		return err
	}
	acc, err := chart("Accuracy", "accuracy", true, func(s net.EpochStats) float64 { return s.Accuracy }, func(s net.EpochStats) float64 { return s.ValAccuracy })
	if err != nil {
		return err
	}
	return savePNG(path, [][]*plot.Plot{{loss, acc}}, px(960), px(384))
}

// valueRange is the value axis for data in [lo, hi]: a margin of a tenth
// of the span on each side, or around a single value a tenth of it (at
// least 0.01); bounded values (accuracies) stay within [0, 1].
func valueRange(lo, hi float64, bounded bool) (float64, float64) {
	pad := (hi - lo) / 10
	if pad == 0 {
		pad = max(math.Abs(hi)/10, 0.01)
	}
	lo, hi = lo-pad, hi+pad
	if bounded {
		lo, hi = max(lo, 0), min(hi, 1)
	}
	return lo, hi
}

// epochTicks labels whole epochs only: every 1, 2, 5, 10, 20, 50, …
// epochs, at most about ten labels, with a minor tick at every epoch of
// up to 60.
type epochTicks struct{}

func (epochTicks) Ticks(min, max float64) []plot.Tick {
	first, last := int(math.Ceil(min)), int(math.Floor(max))
	step := 1
	for i := 0; (last-first)/step > 10; i++ {
		step = []int{2, 5, 10}[i%3] * int(math.Pow10(i/3))
	}
	var ticks []plot.Tick
	for e := first; e <= last; e++ {
		switch {
		case e%step == 0:
			ticks = append(ticks, plot.Tick{Value: float64(e), Label: fmt.Sprint(e)})
		case last-first <= 60:
			ticks = append(ticks, plot.Tick{Value: float64(e)}) // a minor tick
		}
	}
	return ticks
}

// tile is one picture of a grid: a rows×cols grayscale image with values
// in [0, 1] (white digit on black, as MNIST stores them) and its title;
// marked tiles get a red frame and a red title.
type tile struct {
	pixels     []float32
	rows, cols int
	title      string
	marked     bool
}

// gridPNG draws tiles in a grid of cols columns and writes it to path.
func gridPNG(path string, tiles []tile, cols int) error {
	if len(tiles) == 0 {
		return fmt.Errorf("%s: no images to draw", path)
	}
	rows := (len(tiles) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for j := range plots {
		plots[j] = make([]*plot.Plot, cols)
	}
	for i, t := range tiles {
		p := plot.New()
		p.HideAxes()
		p.Title.Text = t.title
		p.Title.TextStyle.Font.Size = vg.Points(13)
		if t.marked {
			p.Title.TextStyle.Color = wrongColor
		}
		p.Add(plotter.NewImage(t.image(), 0, 0, float64(t.cols), float64(t.rows)))
		plots[i/cols][i%cols] = p
	}
	return savePNG(path, plots, px(cols*tileWidth), px(rows*tileHeight))
}

// tileScale magnifies each pixel so the image stays sharp when drawn.
const tileScale = 4

func (t tile) image() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, t.cols*tileScale, t.rows*tileScale))
	for y := range t.rows * tileScale {
		for x := range t.cols * tileScale {
			v := uint8(math.Round(float64(min(max(t.pixels[(y/tileScale)*t.cols+x/tileScale], 0), 1)) * 255))
			c := color.RGBA{R: v, G: v, B: v, A: 0xff}
			edge := x < 2 || y < 2 || x >= t.cols*tileScale-2 || y >= t.rows*tileScale-2
			if t.marked && edge {
				c = wrongColor
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// pixelValues is one image's MNIST bytes as the values a model sees,
// float32(b) / mnist.PixelDiv.
func pixelValues(b []uint8) []float32 {
	out := make([]float32, len(b))
	for i, p := range b {
		out[i] = float32(p) / mnist.PixelDiv
	}
	return out
}
