package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// BenchmarkSweep runs every op of Ops on every shape of Sweep under every
// implementation, as impl/op/shape, and reports GFLOP/s and %peak per
// second of the thread's CPU time, as the kernel benchmarks do; MB/s
// counts the least traffic of a call (Op.Bytes). bench/cmd/gemmsweep
// measures the same calls beside OpenBLAS and prints the table.
func BenchmarkSweep(b *testing.B) {
	for i, s := range Sweep {
		var o *Operands // made for the first sub-benchmark -bench selects
		for _, op := range Ops {
			forEach(b, op.Name+"/"+s.String(), func(b *testing.B) {
				if o == nil {
					o = NewOperands(s, uint64(i))
				}
				b.SetBytes(int64(op.Bytes(s)))
				run(b, op.FLOP(s), func() { op.Call(o) })
			})
		}
		if o != nil {
			o.Free()
		}
	}
}

func TestParseShape(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shape
		err  string
	}{
		{"1024x784x15", Shape{1024, 784, 15}, ""},
		{" 3×5×7 ", Shape{3, 5, 7}, ""},
		{"1x1x1", Shape{1, 1, 1}, ""},
		{"1024x784", Shape{}, `shape "1024x784": want m x k x n, as 1024x784x15`},
		{"0x5x7", Shape{}, `shape "0x5x7": dimension "0" is not a whole number ≥ 1`},
		{"3x-5x7", Shape{}, `shape "3x-5x7": dimension "-5" is not a whole number ≥ 1`},
		{"3xax7", Shape{}, `shape "3xax7": dimension "a" is not a whole number ≥ 1`},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseShape(c.in)
			if c.err != "" {
				assert.EqualError(t, err, c.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, got, must(ParseShape(got.String())))
		})
	}
}

func must(s Shape, err error) Shape {
	if err != nil {
		panic(err)
	}
	return s
}

func TestSweepShapes(t *testing.T) {
	seen := map[Shape]bool{}
	for _, s := range Sweep {
		assert.False(t, seen[s], "%v twice", s)
		seen[s] = true
		assert.LessOrEqual(t, s.BackwardFLOP(), 5e9, "%v: a call over 50 ms at 100 GFLOP/s", s)
	}
	assert.GreaterOrEqual(t, len(Sweep), 24)
	for _, s := range []Shape{{1024, 784, 15}, {1024, 784, 128}, {256, 784, 256}, {1024, 784, 512}, {512, 512, 512},
		{1024, 1024, 1024}, {64, 4096, 1000}, {1024, 100, 100}, {2048, 300, 37}} {
		assert.True(t, seen[s], "%v missing", s)
	}
}

func TestShapeWork(t *testing.T) {
	s := Shape{1024, 784, 15}
	assert.Equal(t, 24084480.0, s.ForwardFLOP())
	assert.Equal(t, 48168960.0, s.BackwardFLOP())
	assert.Equal(t, 4*(1024*784+784*15+15+1024*15.0), s.ForwardBytes())
	assert.Equal(t, 4*(2*1024*784+2*784*15+1024*15+15.0), s.BackwardBytes())
}
