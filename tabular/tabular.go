// Package tabular reads labelled rows of numbers from CSV: one row per
// example, the class label in the first column (an integer from 0), then
// the features, as float32. An optional header row names the columns.
//
// The reader is as careful as the IDX reader of package mnist: every row
// must have the same number of columns; a label must be a non-negative
// integer below MaxClasses, a feature a finite number; an empty file, a
// file of only a header, and a row of only spaces are errors (empty
// lines are skipped, as encoding/csv skips them); each error names the
// file's line and column. What it keeps grows with the
// rows actually read, never with what a file claims.
package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// MaxClasses bounds the labels: 0 ≤ label < MaxClasses.
const MaxClasses = 1 << 16

// Set is labelled rows: Len() rows of Features float32 values each, one
// after another in X, and a label per row.
type Set struct {
	X        []float32
	Labels   []int32
	Features int
	// Header holds the feature columns' names when the file had a header
	// row, else nil.
	Header []string
}

// Len is the number of rows.
func (s *Set) Len() int { return len(s.Labels) }

// Classes is one more than the largest label: the classes the labels
// fall in, 0 for no rows.
func (s *Set) Classes() int {
	c := int32(-1)
	for _, l := range s.Labels {
		c = max(c, l)
	}
	return int(c) + 1
}

// Read reads a CSV stream as described in the package doc. The first row
// is a header when its first field is not a number, or names one (nan,
// inf); a label such as 1.0 or 1e30 starts a data row, and is refused as
// a label there. Fields may
// be quoted; spaces around a number are allowed; the separator is a
// comma; a UTF-8 byte order mark before the first row is skipped.
func Read(r io.Reader) (*Set, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, with a clearer message
	cr.ReuseRecord = true
	s := &Set{}
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("after row %d: %w", rows, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			return nil, fmt.Errorf("line %d: blank row", line)
		}
		if rows == 0 && s.Header == nil && s.Features == 0 {
			if v, err := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64); (err != nil && !errors.Is(err, strconv.ErrRange)) ||
				(err == nil && (math.IsNaN(v) || math.IsInf(v, 0))) { // a column named nan or inf
				// A header row.
				if len(rec) < 2 {
					return nil, fmt.Errorf("line %d: header %q has no feature columns", line, strings.Join(rec, ","))
				}
				s.Header = make([]string, len(rec)-1)
				for i, f := range rec[1:] {
					s.Header[i] = strings.TrimSpace(f)
				}
				s.Features = len(rec) - 1
				continue
			}
		}
		if s.Features == 0 {
			if len(rec) < 2 {
				return nil, fmt.Errorf("line %d: %d column: want a label and at least one feature", line, len(rec))
			}
			s.Features = len(rec) - 1
		}
		if len(rec) != s.Features+1 {
			features := "features"
			if s.Features == 1 {
				features = "feature"
			}
			return nil, fmt.Errorf("line %d: %d columns, want %d (a label and %d %s, as %s)", line, len(rec), s.Features+1, s.Features, features, firstRow(s))
		}
		label, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil || label < 0 || label >= MaxClasses {
			return nil, fmt.Errorf("line %d, column 1: label %q: want an integer in 0..%d", line, rec[0], MaxClasses-1)
		}
		s.Labels = append(s.Labels, int32(label))
		for i, f := range rec[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("line %d, column %d: feature %q: want a finite number", line, i+2, f)
			}
			s.X = append(s.X, float32(v))
		}
		rows++
	}
	if rows == 0 {
		if s.Header != nil {
			return nil, fmt.Errorf("a header and no rows")
		}
		return nil, fmt.Errorf("no rows")
	}
	return s, nil
}

// firstRow says where the column count was set, for errors.
func firstRow(s *Set) string {
	if s.Header != nil {
		return "the header"
	}
	return "the first row"
}
