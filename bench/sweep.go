package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unsafe"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/hugepage"
	"github.com/simdnn/simdnn/net"
)

// Shape is one dense product m×k×n: x is m×k, w is k×n, y is m×n.
type Shape struct{ M, K, N int }

// Sweep is the fixed list of shapes the GEMM sweep measures
// (BenchmarkSweep and bench/cmd/gemmsweep): the MNIST tutorial's layers
// and the trainer's blocks of net.BlockRows rows, common layer sizes,
// square products, tall-skinny and short-wide ones, tiny and odd sizes.
// m runs from 1 to 4096, k and n from 1 to 4096; the largest call,
// DenseBackward at 1024×1024×1024, is 4.3 GFLOP.
var Sweep = []Shape{
	// The tutorial's layers at batch 1024, wider ones, and a 256-wide
	// layer on 256 rows.
	{1024, 784, 15}, {1024, 15, 10}, {1024, 784, 128}, {1024, 784, 512}, {256, 784, 256},
	// What the trainer calls for one block (hidden widths padded to 16).
	{net.BlockRows, 784, 16}, {net.BlockRows, 16, 10}, {net.BlockRows, 784, 128}, {net.BlockRows, 128, 10},
	// Square.
	{512, 512, 512}, {1024, 1024, 1024},
	// Other layer sizes: a 4096→1000 classifier on a small batch, and
	// narrow hidden layers.
	{64, 4096, 1000}, {1024, 100, 100}, {2048, 300, 37},
	// Tall-skinny: many rows, few columns (n = 1: matrix times vector).
	{4096, 64, 64}, {4096, 256, 16}, {4096, 4096, 1},
	// Short-wide: one row to a few, long weight matrices.
	{1, 4096, 4096}, {4, 1024, 4096}, {16, 512, 2048},
	// Tiny.
	{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {33, 1, 33},
	// Odd sizes, off every block multiple.
	{333, 777, 111}, {777, 129, 513}, {999, 1001, 997},
}

// String is the shape as "m×k×n" written with an ASCII x: "1024x784x15".
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.M, s.K, s.N) }

// ParseShape reads "m×k×n" (x or ×), each dimension a whole number ≥ 1.
func ParseShape(str string) (Shape, error) {
	parts := strings.Split(strings.ReplaceAll(strings.TrimSpace(str), "×", "x"), "x")
	if len(parts) != 3 {
		return Shape{}, fmt.Errorf("shape %q: want m x k x n, as 1024x784x15", str)
	}
	var d [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			return Shape{}, fmt.Errorf("shape %q: dimension %q is not a whole number ≥ 1", str, p)
		}
		d[i] = v
	}
	return Shape{d[0], d[1], d[2]}, nil
}

// ForwardFLOP is DenseForward's work: 2mkn (the bias and ReLU not
// counted).
func (s Shape) ForwardFLOP() float64 { return 2 * float64(s.M) * float64(s.K) * float64(s.N) }

// BackwardFLOP is DenseBackward's work with dx: 2mkn for dw and as much
// for dx (the mn additions of db not counted).
func (s Shape) BackwardFLOP() float64 { return 2 * s.ForwardFLOP() }

// ForwardBytes is the least memory traffic of DenseForward: x, w and b
// read once, y written once, 4 bytes a float.
func (s Shape) ForwardBytes() float64 {
	m, k, n := float64(s.M), float64(s.K), float64(s.N)
	return 4 * (m*k + k*n + n + m*n)
}

// BackwardBytes is the least memory traffic of DenseBackward with dx: x,
// w and dy read once, dw, db and dx written once, 4 bytes a float.
func (s Shape) BackwardBytes() float64 {
	m, k, n := float64(s.M), float64(s.K), float64(s.N)
	return 4 * (2*m*k + 2*k*n + m*n + n)
}

// Op is one kernel of the sweep: its name, its floating-point work and
// least memory traffic for a shape, and the call itself.
type Op struct {
	Name  string
	FLOP  func(Shape) float64
	Bytes func(Shape) float64
	Call  func(*Operands)
}

// Ops are the sweep's two kernels: DenseForward with ReLU, and
// DenseBackward with dx.
var Ops = []Op{
	{"forward", Shape.ForwardFLOP, Shape.ForwardBytes, (*Operands).Forward},
	{"backward", Shape.BackwardFLOP, Shape.BackwardBytes, (*Operands).Backward},
}

// Operands are the slices of one shape's DenseForward and DenseBackward
// calls: x, w, b and dy random in [-1, 1), the outputs y, dw, db and dx.
// A slice of 4 MiB or more lies in memory of its own marked for huge
// pages (hugepage.Bytes), as numpy marks its arrays of that size on
// Linux: both sides of the sweep then read their operands through pages
// of the same size. Free releases that memory.
type Operands struct {
	Shape
	x, w, b, dy, y, dw, db, dx []float32
	frees                      []func()
}

// NewOperands makes s's operands from seed.
func NewOperands(s Shape, seed uint64) *Operands {
	r := rand.New(rand.NewPCG(seed, uint64(s.M)<<40|uint64(s.K)<<20|uint64(s.N)))
	o := &Operands{Shape: s}
	o.x, o.w, o.b, o.dy = o.random(r, s.M*s.K), o.random(r, s.K*s.N), o.random(r, s.N), o.random(r, s.M*s.N)
	o.y, o.dw, o.db, o.dx = o.floats(s.M*s.N), o.floats(s.K*s.N), o.floats(s.N), o.floats(s.M*s.K)
	return o
}

// Free releases the operands' memory; o must not be used after it.
func (o *Operands) Free() {
	for _, f := range o.frees {
		f()
	}
	*o = Operands{}
}

// floats is n zero float32s (hugepage.Bytes: marked for huge pages from 4
// MiB up), released by Free.
func (o *Operands) floats(n int) []float32 {
	if n == 0 {
		return nil
	}
	b, free := hugepage.Bytes(4 * n)
	o.frees = append(o.frees, free)
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// random is n floats uniform in [-1, 1), released by Free.
func (o *Operands) random(r *rand.Rand, n int) []float32 { return randFill(r, o.floats(n)) }

// Forward calls simdnn.DenseForward(y, x, w, b, m, k, n, true).
func (o *Operands) Forward() { simdnn.DenseForward(o.y, o.x, o.w, o.b, o.M, o.K, o.N, true) }

// Backward calls simdnn.DenseBackward(dw, db, dx, x, w, dy, m, k, n).
func (o *Operands) Backward() {
	simdnn.DenseBackward(o.dw, o.db, o.dx, o.x, o.w, o.dy, o.M, o.K, o.N)
}

// randSlice is n values uniform in [-1, 1).
func randSlice(r *rand.Rand, n int) []float32 { return randFill(r, make([]float32, n)) }

// randFill sets s to values uniform in [-1, 1) and returns it.
func randFill(r *rand.Rand, s []float32) []float32 {
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}
