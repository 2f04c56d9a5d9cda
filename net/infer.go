package net

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/simdnn/simdnn"
)

// Predictor runs a model over rows: logits, probabilities, classes, or
// the loss and accuracy on labelled rows. It keeps its buffers from call
// to call, so that a program which predicts again and again allocates
// nothing after its first calls.
//
// Rows are computed in blocks of BlockRows, as the trainer computes them,
// whatever the thread count. A call of more than one block spreads the
// blocks over the predictor's threads (the calling goroutine and, for the
// call's duration, goroutines it starts); which thread computes a block
// changes nothing, so results are bitwise the same on any number of
// threads, and the same as Model's methods of the same names.
//
// The buffers are made on first use and sized to the call's rows, up to
// one block per thread: a call of one row touches one row's activations,
// and once a call has sized them, calls of no more rows allocate nothing.
// The methods that return values append them to dst and return the
// extended slice, as append does; pass dst[:0] of an earlier result to
// reuse its memory. On an error dst comes back unchanged.
//
// A Predictor reads the model's weights in every call and copies nothing:
// a call sees the weights as they are when it starts (after a Train, for
// example), and the model must not change while a call runs. A model
// whose sizes no longer match the ones it had at NewPredictor is refused
// with an error.
//
// A Predictor is not safe for concurrent use: its calls share its
// buffers. Goroutines that predict at the same time need a Predictor
// each; any number of Predictors may share one model.
type Predictor struct {
	m       *Model
	sizes   []int // m.Sizes at NewPredictor
	threads int
	ws      []*inference  // one per thread, made on first use
	blocks  []blockResult // Evaluate's figures per block

	job    job            // the call in flight
	k      simdnn.Kernels // the kernels of the call in flight
	fixed  bool           // k is set once (the trainer's), not taken per call
	next   atomic.Int32   // the job's next block
	helper atomic.Int32   // the workspace last handed to a helper goroutine
	done   sync.WaitGroup // the helper goroutines
	help   func()         // a helper goroutine's work: made once, so that starting one allocates nothing
}

// job is what a call asks of every block of its rows.
type job struct {
	out     int // what a block's logits become: toLogits, toProbs, toClasses or toLoss
	data    Rows
	rows    int
	nblocks int
	values  []float32 // toLogits and toProbs: rows × classes
	classes []int32   // toClasses: rows
}

// What a job makes of the logits.
const (
	toLogits = iota
	toProbs
	toClasses
	toLoss
)

// blockResult is one block's mean loss and correct count.
type blockResult struct {
	loss    float32
	correct int
}

// NewPredictor returns a Predictor of m on threads threads (0: GOMAXPROCS
// at the time of the call, at most MaxThreads; more is an error). It validates m's shapes
// and allocates no buffers yet.
func NewPredictor(m *Model, threads int) (*Predictor, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if threads < 0 || threads > MaxThreads {
		return nil, fmt.Errorf("net: predictor threads = %d, want 0 (GOMAXPROCS) to %d", threads, MaxThreads)
	}
	if threads == 0 {
		threads = AllThreads()
	}
	p := &Predictor{m: m, sizes: slices.Clone(m.Sizes), threads: threads, ws: make([]*inference, threads)}
	p.help = func() {
		defer p.done.Done()
		p.work(p.ws[p.helper.Add(1)])
	}
	return p, nil
}

// Threads is the number of threads a call of many rows uses at most.
func (p *Predictor) Threads() int { return p.threads }

// Logits appends to dst the model's outputs before the softmax for every
// row of data, Classes() values a row, and returns the extended slice.
// Labels, if any, are checked but not used.
func (p *Predictor) Logits(dst []float32, data Rows) ([]float32, error) {
	return p.values(dst, data, toLogits)
}

// Probabilities appends to dst the softmax of the model's logits for
// every row of data, Classes() probabilities a row, and returns the
// extended slice.
func (p *Predictor) Probabilities(dst []float32, data Rows) ([]float32, error) {
	return p.values(dst, data, toProbs)
}

func (p *Predictor) values(dst []float32, data Rows, out int) ([]float32, error) {
	rows, err := p.check(data, false)
	if err != nil {
		return dst, err
	}
	n0, n := len(dst), rows*p.m.Classes()
	dst = slices.Grow(dst, n)[:n0+n]
	p.run(job{out: out, data: data, rows: rows, values: dst[n0:]})
	return dst, nil
}

// Predict appends to dst the class the model gives every row of data, the
// first arg-max of its logits, and returns the extended slice.
func (p *Predictor) Predict(dst []int32, data Rows) ([]int32, error) {
	rows, err := p.check(data, false)
	if err != nil {
		return dst, err
	}
	n0 := len(dst)
	dst = slices.Grow(dst, rows)[:n0+rows]
	p.run(job{out: toClasses, data: data, rows: rows, classes: dst[n0:]})
	return dst, nil
}

// Evaluate returns the mean cross-entropy loss and the accuracy of the
// model on data, whose rows must have labels.
func (p *Predictor) Evaluate(data Rows) (loss, accuracy float64, err error) {
	rows, err := p.check(data, true)
	if err != nil {
		return 0, 0, err
	}
	if rows == 0 {
		return 0, 0, fmt.Errorf("net: no rows to evaluate")
	}
	p.run(job{out: toLoss, data: data, rows: rows})
	// The blocks' figures are summed in block order, whoever computed them.
	var lossSum float64
	correct := 0
	for lo := 0; lo < rows; lo += BlockRows {
		r := p.blocks[lo/BlockRows]
		lossSum += float64(r.loss) * float64(min(BlockRows, rows-lo))
		correct += r.correct
	}
	return lossSum / float64(rows), float64(correct) / float64(rows), nil
}

// check validates the model and data and returns the rows of data.
func (p *Predictor) check(data Rows, labels bool) (int, error) {
	if err := p.m.Validate(); err != nil {
		return 0, err
	}
	if !slices.Equal(p.m.Sizes, p.sizes) {
		return 0, fmt.Errorf("net: the model is %s, its predictor was made for %s", sizeList(p.m.Sizes), sizeList(p.sizes))
	}
	return data.check(p.m, labels)
}

// reserve sizes the buffers for a job of rows rows, of bytes or not.
func (p *Predictor) reserve(rows int, bytes bool) {
	nblocks := (rows + BlockRows - 1) / BlockRows
	per := min(rows, BlockRows)
	for i := range min(p.threads, nblocks) {
		p.ws[i] = p.ws[i].fit(p.m, per, bytes)
	}
	if len(p.blocks) < nblocks {
		p.blocks = make([]blockResult, nblocks)
	}
}

// run does j on every block of its rows, on as many threads as there are
// blocks, up to p.threads. p.job holds j only while it runs: the rows and
// the results are the caller's.
func (p *Predictor) run(j job) {
	if j.rows == 0 {
		return
	}
	p.reserve(j.rows, j.data.bytes != nil)
	if !p.fixed {
		// One implementation for the whole call, whatever SetImpl does
		// meanwhile.
		p.k = simdnn.ActiveKernels()
	}
	j.nblocks = (j.rows + BlockRows - 1) / BlockRows
	p.job = j
	p.next.Store(0)
	if helpers := min(p.threads, j.nblocks) - 1; helpers > 0 {
		p.helper.Store(0)
		p.done.Add(helpers)
		for range helpers {
			go p.help()
		}
	}
	p.work(p.ws[0])
	p.done.Wait()
	p.job = job{}
}

// work computes the job's blocks until none are left.
func (p *Predictor) work(ws *inference) {
	for {
		b := int(p.next.Add(1)) - 1
		if b >= p.job.nblocks {
			return
		}
		p.block(ws, b)
	}
}

// block computes block b of the job with ws's buffers.
func (p *Predictor) block(ws *inference, b int) {
	m, j, k := p.m, &p.job, p.k
	c := m.Classes()
	lo := b * BlockRows
	n := min(BlockRows, j.rows-lo)
	x := j.data.block(lo, n, m.Inputs(), ws.x, ws.idx)
	switch j.out {
	case toLogits:
		forward(products{Kernels: k}, m, ws.act, x, m.W[0], m.Inputs(), n, j.values[lo*c:(lo+n)*c])
	case toProbs:
		out := forward(products{Kernels: k}, m, ws.act, x, m.W[0], m.Inputs(), n, j.values[lo*c:(lo+n)*c])
		for i := 0; i < len(out); i += c {
			softmax(out[i : i+c])
		}
	case toClasses:
		argmax(j.classes[lo:lo+n], forward(products{Kernels: k}, m, ws.act, x, m.W[0], m.Inputs(), n, nil), c)
	case toLoss:
		logits := forward(products{Kernels: k}, m, ws.act, x, m.W[0], m.Inputs(), n, nil)
		loss, correct := k.SoftmaxCrossEntropy(logits, logits, j.data.labels[lo:lo+n], n, c)
		p.blocks[b] = blockResult{loss, correct}
	}
}

// inference is one thread's buffers for running a block of rows through
// a model: the layers' outputs, and the block's rows of byte data as
// float32.
type inference struct {
	act [][]float32 // act[l]: rows × Sizes[l+1], post-activation outputs
	x   []float32   // rows × inputs, byte rows converted
	idx []int32     // rows row numbers
}

// fit returns in, made when nil, with room for rows rows of m, and for
// their inputs as float32 when bytes.
func (in *inference) fit(m *Model, rows int, bytes bool) *inference {
	if in == nil {
		in = &inference{act: make([][]float32, m.Layers())}
	}
	for l := range in.act {
		in.act[l] = atLeast(in.act[l], rows*m.Sizes[l+1])
	}
	if bytes {
		in.x = atLeast(in.x, rows*m.Inputs())
		in.idx = atLeast(in.idx, rows)
	}
	return in
}

// atLeast returns s when it holds n values, else a new slice of n.
func atLeast[T any](s []T, n int) []T {
	if len(s) < n {
		return make([]T, n)
	}
	return s
}

// forward runs rows rows of x (at most as many as act has room for)
// through m with the kernels k and returns the logits: in out when out is
// not nil, else in act. The first layer multiplies x, rows of k0 inputs,
// by w0, k0 rows of its weights: m.W[0] and m.Inputs(), or the rows of the
// columns a trainer kept (skip.go).
func forward(k products, m *Model, act [][]float32, x, w0 []float32, k0, rows int, out []float32) []float32 {
	last := m.Layers() - 1
	y := out
	if last > 0 || out == nil {
		y = act[0][:rows*m.Sizes[1]]
	}
	k.dense(y, x, w0, m.B[0], rows, k0, m.Sizes[1], last > 0)
	return forwardFrom(k, m, act, y, 1, rows, out)
}

// forwardFrom is forward from layer l0 on, given a, the outputs of layer
// l0−1.
func forwardFrom(k products, m *Model, act [][]float32, a []float32, l0, rows int, out []float32) []float32 {
	last := m.Layers() - 1
	for l := l0; l < m.Layers(); l++ {
		y := out
		if l < last || out == nil {
			y = act[l][:rows*m.Sizes[l+1]]
		}
		k.dense(y, a, m.W[l], m.B[l], rows, m.Sizes[l], m.Sizes[l+1], l < last)
		a = y
	}
	return a
}

// argmax sets classes[i] to the first arg-max of row i of logits, c
// values a row.
func argmax(classes []int32, logits []float32, c int) {
	for i := range classes {
		row := logits[i*c : i*c+c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		classes[i] = int32(best)
	}
}

// softmax replaces a row of logits by its probabilities.
func softmax(row []float32) {
	mx := row[0]
	for _, v := range row[1:] {
		mx = max(mx, v)
	}
	var s float64
	for j, v := range row {
		e := math.Exp(float64(v - mx))
		row[j] = float32(e)
		s += e
	}
	for j := range row {
		row[j] = float32(float64(row[j]) / s)
	}
}

// Evaluate returns the mean cross-entropy loss and the accuracy of m on
// data, whose rows must have labels. It is a Predictor's Evaluate on
// every thread (GOMAXPROCS, at most MaxThreads), with buffers made for
// the call; a program
// that evaluates or predicts again and again keeps a Predictor instead.
func (m *Model) Evaluate(data Rows) (loss, accuracy float64, err error) {
	p, err := NewPredictor(m, 0)
	if err != nil {
		return 0, 0, err
	}
	return p.Evaluate(data)
}

// Logits returns m's outputs before the softmax for every row of data:
// Classes() values per row. Labels, if any, are checked but not used. It
// is a Predictor's Logits on every thread, with buffers made for the
// call.
func (m *Model) Logits(data Rows) ([]float32, error) {
	p, err := NewPredictor(m, 0)
	if err != nil {
		return nil, err
	}
	return nonNil(p.Logits(nil, data))
}

// Probabilities returns, for every row of data, the softmax of m's
// logits: Classes() probabilities per row. It is a Predictor's
// Probabilities on every thread, with buffers made for the call.
func (m *Model) Probabilities(data Rows) ([]float32, error) {
	p, err := NewPredictor(m, 0)
	if err != nil {
		return nil, err
	}
	return nonNil(p.Probabilities(nil, data))
}

// Predict returns the class m gives every row of data: the first arg-max
// of its logits. It is a Predictor's Predict on every thread, with
// buffers made for the call.
func (m *Model) Predict(data Rows) ([]int32, error) {
	p, err := NewPredictor(m, 0)
	if err != nil {
		return nil, err
	}
	return nonNil(p.Predict(nil, data))
}

// nonNil returns an empty slice for a nil one when err is nil: Model's
// methods return an empty result for no rows.
func nonNil[T any](s []T, err error) ([]T, error) {
	if s == nil && err == nil {
		s = []T{}
	}
	return s, err
}
