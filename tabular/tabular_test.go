package tabular

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	s, err := Read(strings.NewReader("label,a,b\n1, 0.5,2\n0,-3e2,\"4\"\n2,1e-3,7\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, s.Header)
	assert.Equal(t, 2, s.Features)
	assert.Equal(t, []int32{1, 0, 2}, s.Labels)
	assert.Equal(t, []float32{0.5, 2, -300, 4, 0.001, 7}, s.X)
	assert.Equal(t, 3, s.Len())
	assert.Equal(t, 3, s.Classes())

	s, err = Read(strings.NewReader("3,1\r\n0,2\r\n"))
	require.NoError(t, err, "no header, CRLF")
	assert.Nil(t, s.Header)
	assert.Equal(t, []int32{3, 0}, s.Labels)
	assert.Equal(t, []float32{1, 2}, s.X)
	assert.Equal(t, 4, s.Classes())

	// A first column named as a number's word is a header's.
	s, err = Read(strings.NewReader("nan,a\n1,2\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, s.Header)
	assert.Equal(t, []int32{1}, s.Labels)

	// A byte order mark (as spreadsheets write) is skipped, not taken for
	// the start of a header.
	for _, in := range []string{"\uFEFF2,2.5,3\n0,4,5\n", "\uFEFFy,a,b\n2,2.5,3\n0,4,5\n"} {
		s, err = Read(strings.NewReader(in))
		require.NoError(t, err, "%q", in)
		assert.Equal(t, []int32{2, 0}, s.Labels, "%q", in)
		assert.Equal(t, []float32{2.5, 3, 4, 5}, s.X, "%q", in)
	}
}

// TestReadErrors: every malformed input is refused with its line and
// column.
func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "no rows"},
		{"label,x\n", "a header and no rows"},
		{"1\n", "line 1: 1 column: want a label and at least one feature"},
		{"label\n1\n", `line 1: header "label" has no feature columns`},
		{"1,2,3\n0,1\n", "line 2: 2 columns, want 3 (a label and 2 features, as the first row)"},
		{"y,a\n1,2,3\n", "line 2: 3 columns, want 2 (a label and 1 feature, as the header)"},
		{"1,2\n-1,2\n", `line 2, column 1: label "-1": want an integer in 0..65535`},
		{"1,2\n1.5,2\n", `line 2, column 1: label "1.5": want an integer in 0..65535`},
		{"1,2\n65536,2\n", `line 2, column 1: label "65536": want an integer in 0..65535`},
		// A first field that is a number but not a label starts a data row
		// (and is refused there), rather than making the row a header.
		{"1.0,2.5,3\n0,4,5\n", `line 1, column 1: label "1.0": want an integer in 0..65535`},
		{"99999999999999999999,2.5,3\n0,4,5\n", `line 1, column 1: label "99999999999999999999": want an integer in 0..65535`},
		{"1e999,2.5\n", `line 1, column 1: label "1e999": want an integer in 0..65535`},
		{"1,2,x\n", `line 1, column 3: feature "x": want a finite number`},
		{"1,2,NaN\n", `line 1, column 3: feature "NaN": want a finite number`},
		{"1,2,inf\n", `line 1, column 3: feature "inf": want a finite number`},
		{"1,2,1e39\n", `line 1, column 3: feature "1e39": want a finite number`},
		{"1,2,\n", `line 1, column 3: feature "": want a finite number`},
		{"1,2\n\"0,3\n", "line 2, column"},
		{"1,2\n1,2\n\n\n1,3\n", ""}, // encoding/csv skips empty lines: allowed
	} {
		t.Run(fmt.Sprintf("%q", c.in), func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in))
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestReadGrowsWithData: a large file reads in memory proportional to
// it, and a long line is not a problem.
func TestReadGrowsWithData(t *testing.T) {
	var b bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&b, "%d", i%7)
		for j := range 300 {
			fmt.Fprintf(&b, ",%d", (i+j)%13)
		}
		b.WriteString("\n")
	}
	s, err := Read(&b)
	require.NoError(t, err)
	assert.Equal(t, 1000, s.Len())
	assert.Equal(t, 300, s.Features)
	assert.Equal(t, 7, s.Classes())
	assert.Equal(t, float32((999+299)%13), s.X[len(s.X)-1])
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{"label,a\n1,2\n", "1,2,3\n0,4,5\n", "", "x\n", "1,\"2\n", "0,1e39\n", "1,2\n3\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		if s.Len() == 0 || s.Features == 0 || len(s.X) != s.Len()*s.Features {
			t.Fatalf("%d rows of %d features hold %d values", s.Len(), s.Features, len(s.X))
		}
		for _, l := range s.Labels {
			if l < 0 || l >= MaxClasses {
				t.Fatalf("label %d", l)
			}
		}
		if s.Header != nil && len(s.Header) != s.Features {
			t.Fatalf("header of %d for %d features", len(s.Header), s.Features)
		}
	})
}
