package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// page draws dark ink where ink(x, y) on a w×h light page and saves it as
// a PNG.
func page(t *testing.T, name string, w, h int, ink func(x, y int) bool) string {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(235)
			if ink(x, y) {
				v = 15
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// inkGeometry is the bounding box of the values above 0.25 of a 28×28
// digit and its centre of mass.
func inkGeometry(px []float32) (box image.Rectangle, cx, cy float64) {
	box = image.Rectangle{Min: image.Pt(28, 28)}
	var mass float64
	for y := range 28 {
		for x := range 28 {
			v := float64(px[y*28+x])
			mass += v
			cx += v * (float64(x) + 0.5)
			cy += v * (float64(y) + 0.5)
			if v > 0.25 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box, cx / mass, cy / mass
}

// TestMNISTFit: image files are normalised as MNIST's digits were made —
// cropped to the ink, the longer side fitted to 20 pixels keeping the
// aspect ratio, the centre of mass at the centre of 28×28 — whatever the
// page's size, shape and the digit's place on it.
func TestMNISTFit(t *testing.T) {
	cases := []struct {
		name       string
		w, h       int
		ink        func(x, y int) bool
		boxW, boxH int
	}{
		// A wide stroke, 200×40 on a 280×70 page, off centre: 20×4, not
		// squashed to the page's shape.
		{"wide.png", 280, 70, func(x, y int) bool { return x >= 10 && x < 210 && y >= 20 && y < 60 }, 20, 4},
		// A small L in the corner of a large page: 20 high, 12 wide.
		{"corner.png", 300, 300, func(x, y int) bool {
			return x >= 4 && x < 16 && y >= 4 && y < 24 && (x < 8 || y >= 20)
		}, 12, 20},
		// A tall thin bar in the middle: 20 high, 2 wide.
		{"tall.png", 64, 64, func(x, y int) bool { return x >= 30 && x < 33 && y >= 2 && y < 32 }, 2, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := page(t, c.name, c.w, c.h, c.ink)
			px, err := readDigit(path, 28, 28, "auto", "mnist")
			require.NoError(t, err)
			box, cx, cy := inkGeometry(px)
			assert.InDelta(t, c.boxW, box.Dx(), 1, "ink box %v", box)
			assert.InDelta(t, c.boxH, box.Dy(), 1, "ink box %v", box)
			assert.InDelta(t, 14, cx, 0.6, "centre of mass x")
			assert.InDelta(t, 14, cy, 0.6, "centre of mass y")
		})
	}

	// A blank image is an error under either fit.
	blank := page(t, "blank.png", 40, 40, func(x, y int) bool { return false })
	for _, fit := range []string{"mnist", "stretch"} {
		_, err := readDigit(blank, 28, 28, "auto", fit)
		require.Error(t, err, fit)
		assert.Contains(t, err.Error(), "blank.png: no digit found", fit)
	}
}

// TestPredictTableAligned: the columns line up whatever the inputs' names.
func TestPredictTableAligned(t *testing.T) {
	dir := fakeMNIST(t, 300, 50)
	path, _ := trainModel(t, dir)
	long := page(t, "a-digit-with-a-rather-long-file-name.png", 40, 40, func(x, y int) bool { return x > 18 && x < 22 && y > 8 && y < 32 })
	short := page(t, "d.png", 30, 30, func(x, y int) bool { return x > 10 && x < 14 && y > 5 && y < 25 })
	code, out, errOut := runCLI("predict", "-model", path, long, short)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 3)
	p0 := strings.Index(lines[0], "p0")
	for _, l := range lines {
		assert.Equal(t, utf8.RuneCountInString(lines[0]), utf8.RuneCountInString(l), "%q", l)
	}
	for _, l := range lines[1:] {
		assert.Regexp(t, `^\d\.\d{4}`, l[p0-4:], "the first probability sits under p0: %q", l)
	}
}
