package net

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/hugepage"
)

// BlockRows is the number of rows of a batch computed as one unit of
// work. It is fixed, whatever the thread count, so that the gradient
// reduction — the sum of the blocks' gradients in block order — is the
// same on any number of threads. 256 rows of 784 float32 inputs (784 KiB)
// stay in a 1 MiB L2 cache from the forward to the backward pass, and a
// 1024-row batch is four blocks: two threads share it evenly and the
// reduction sums four gradients. Against 128 rows this made 784-15-10 on
// two threads (Zen 5) about 10 % faster and left one thread unchanged.
const BlockRows = 256

// skipZeroCols is when the trainer skips zero columns (skip.go): where
// the byte rows' column gather is assembly (skipNative); tests train
// without (skipOff) and with the Go gathers too (skipAlways).
var skipZeroCols = skipNative

const (
	skipOff = iota
	skipNative
	skipAlways
)

// skips reports whether a trainer on data skips zero columns.
func skips(data Rows) bool {
	return data.bytes != nil && (skipZeroCols == skipAlways || skipZeroCols == skipNative && byterows.ColsNative())
}

// useEntries is when a trainer that skips zero columns in float32 goes on
// to skip every zero byte (skip.go): where the products over entries are
// assembly and pay (entriesNative); tests train without (skipOff) and
// with the Go loops too (skipAlways).
var useEntries = skipNative

// entriesPay reports whether a trainer of p, skipping zero columns in
// float32, takes the first layer from the rows' entries: with a hidden
// layer of at most 64 units (padded to a multiple of 8; on MNIST, on the
// Zen 3 machine of bench/README.md, 32 units ran 1.35–1.4× as fast as
// by zero columns, 64 units 1.03–1.27×, 128 units the same), where the
// products over entries are assembly (avx2, and neon, proven under qemu
// but not timed), and where the rows are not packed: avx512 always packs
// them and keeps its packed gather (with VBMI2 it skips zero columns
// too); it has not been measured against entries.
func entriesPay(p *Model) bool {
	if p.Layers() < 2 {
		return false
	}
	switch useEntries {
	case skipAlways:
		return true
	case skipNative:
		n := p.Sizes[1]
		return n%8 == 0 && n <= 64 && byterows.EntriesNative() && !byterows.PackedNative()
	}
	return false
}

// updateChunk is the number of parameters one update item reduces and
// steps: small enough that the running sum stays in L1 while every
// block's gradient streams past it.
const updateChunk = 4096

// trainer owns every buffer a training step needs, so that a step
// allocates nothing.
//
// A step runs in two parallel phases. In the first, workers take the
// batch's blocks of BlockRows rows in any order; each gathers its rows
// (once: the forward and backward passes then read them from cache),
// runs the forward and backward pass and leaves the block's gradients,
// already scaled by the block's share of the batch, in grads[b]. In the
// second, workers take chunks of the parameters; each sums the blocks'
// gradients for its chunk in block order and applies the optimizer's step
// to it.
// Which thread does what never changes a result, so a run is bitwise the
// same on any number of threads.
type trainer struct {
	k       products // the implementation active when training started, for every step, and the precision
	m       *Model   // the caller's model
	p       *Model   // the model trained: m with hidden layers padded (m itself when no padding applies)
	cfg     Config
	in      *input // the training rows
	labels  []int32
	rows    int
	perm    []int32
	shuf    shuffler // the rows' order, every epoch
	threads int

	infer   *Predictor    // evaluates the validation rows (nil without)
	ws      []*workspace  // one per thread
	grads   []*blockGrads // one per block of a batch
	opt     Config        // cfg resolved: the optimizer and its settings
	vW, vB  [][]float32   // momentum velocity or buffer, Adam's m (nil for plain SGD)
	sW, sB  [][]float32   // Adam's v (nil for the others)
	steps   int           // updates made, for Adam's bias correction
	updates []updateItem  // the parameter chunks of the update phase

	// Zero-column skipping (skip.go): skip says the rows are bytes and
	// the first layer skips; keeps[i] says update item i left the first
	// layer's parameters it steps fit to skip over (finite weights, no
	// −0 bias); skipStep says every item did, for the step in flight.
	skip     bool
	keeps    []bool
	skipStep bool

	// epochStart holds the caller's weights as the epoch began, put back
	// when the epoch is cancelled; nil when p is a padded copy, which
	// reaches the caller's model only at the end of an epoch.
	epochStart *Model

	// The batch the workers are on, and its learning rate.
	batchStart, batchRows int
	lr                    float32
	blocks                int
	phase                 int // phaseBlocks or phaseUpdate
	items                 int // work items in the phase
	next                  atomic.Int32
	pool                  *pool // the helper threads
}

// The phases of a step.
const (
	phaseBlocks = iota // forward and backward pass of each block
	phaseUpdate        // ordered reduction and optimizer step of each parameter chunk
)

// updateItem is a chunk of one layer's weights or biases.
type updateItem struct {
	layer  int
	bias   bool
	lo, hi int
	id     int // its index in trainer.updates
}

// workspace is one thread's activations and deltas for one block.
type workspace struct {
	id    int         // its index in trainer.ws
	x     []float32   // BlockRows × inputs, the gathered rows
	lab   []int32     // BlockRows labels
	act   [][]float32 // act[l]: BlockRows × Sizes[l+1], post-activation outputs
	delta [][]float32 // delta[l]: BlockRows × Sizes[l+1], dLoss/d(pre-activation)

	// With zero-column skipping: the block's non-zero columns and their
	// runs, the first layer's weights of those columns.
	cols []uint64
	runs []colRun
	w0   []float32
}

// blockGrads is one block's gradients, scaled by the block's share of the
// batch (so the blocks' gradients sum to the batch's), and its metrics.
type blockGrads struct {
	dW, dB [][]float32
	// With zero-column skipping, when kept is set the first layer's
	// weight gradient is not in dW[0] but in dw0, its rows of the
	// columns runs keeps, in order (the others are zero).
	kept    bool
	dw0     []float32
	runs    []colRun
	loss    float32 // mean over the block's rows
	correct int
	rows    int
}

// newTrainer prepares cfg's job on m over x and labels, training hidden
// layers padded to multiples of pad (1: no padding).
func newTrainer(m *Model, cfg Config, data Rows, pad int) *trainer {
	rows := len(data.labels)
	t := &trainer{k: products{Kernels: simdnn.ActiveKernels(), bf16: cfg.Precision == BF16}, m: m, p: padded(m, pad), cfg: cfg, labels: data.labels, rows: rows,
		shuf: shuffler{src: rand.NewPCG(cfg.Seed, 0x73687566666c65)}} // "shuffle"
	p := t.p
	t.perm = make([]int32, rows)
	for i := range t.perm {
		t.perm[i] = int32(i)
	}
	t.lr = cfg.LR // until the epoch loop sets each batch's
	t.threads = cfg.Threads
	if t.threads == 0 {
		t.threads = AllThreads()
	}
	nblocks := (cfg.BatchSize + BlockRows - 1) / BlockRows
	for l := range p.Layers() {
		for lo := 0; lo < len(p.W[l]); lo += updateChunk {
			t.updates = append(t.updates, updateItem{layer: l, lo: lo, hi: min(lo+updateChunk, len(p.W[l])), id: len(t.updates)})
		}
		t.updates = append(t.updates, updateItem{layer: l, bias: true, hi: len(p.B[l]), id: len(t.updates)})
	}
	t.skip = skips(data) && (cfg.Precision != BF16 || data.div <= 1<<22) // (fitBF16)
	entries := t.skip && !t.k.bf16 && data.div <= 1<<22 && entriesPay(p) // (fitEntries)
	t.threads = min(t.threads, max(nblocks, len(t.updates)))
	t.in = newInput(data, p.Inputs())
	if p == m {
		t.epochStart = m.Clone()
	}
	if !cfg.Val.empty() {
		t.infer, _ = NewPredictor(m, t.threads) // m is valid: Train checked it; t.threads ≤ MaxThreads
		valRows, _ := cfg.Val.check(m, true)
		t.infer.reserve(valRows, cfg.Val.bytes != nil)
		t.infer.k, t.infer.fixed = t.k.Kernels, true
	}
	for i := range t.threads {
		ws := newWorkspace(p)
		ws.id = i
		t.ws = append(t.ws, ws)
	}
	for range nblocks {
		g := &blockGrads{}
		for l := range p.Layers() {
			g.dW = append(g.dW, make([]float32, len(p.W[l])))
			g.dB = append(g.dB, make([]float32, len(p.B[l])))
		}
		t.grads = append(t.grads, g)
	}
	t.opt = cfg.resolved()
	state := func() (w, b [][]float32) {
		for l := range p.Layers() {
			w = append(w, make([]float32, len(p.W[l])))
			b = append(b, make([]float32, len(p.B[l])))
		}
		return w, b
	}
	if n := stateBuffers(t.opt); n > 0 {
		t.vW, t.vB = state()
		if n > 1 {
			t.sW, t.sB = state()
		}
	}
	// The rows' entries come last, when all else is allocated, and only
	// when the process can still have them; else, as on a trainer that
	// does not take them, the zero-column buffers: per thread the block's
	// column set and its weights, per block their gradient.
	if entries {
		limit := uint64(math.MaxUint64)
		if r, ok := room(); ok {
			limit = r.Bytes
		}
		// Too wide, too many, or another implementation made active since
		// t.k was taken: zero columns only.
		// In a mapping of their own, as the packed rows (gather.go):
		// a trainer made on every call leaves no heap behind.
		free := func() {}
		e, err := byterows.NewEntriesWith(data.bytes, p.Inputs(), limit, func(n int) []uint8 {
			b, f := hugepage.Bytes(n)
			free = f
			return b
		})
		if err == nil && e.Impl() == t.k.Impl() {
			t.in.entries, t.in.freeEntries = e, free
		} else {
			free()
		}
	}
	if t.skip && t.in.entries == nil {
		for _, ws := range t.ws {
			ws.cols = make([]uint64, byterows.ColWords(p.Inputs()))
			ws.w0 = make([]float32, len(p.W[0]))
		}
		for _, g := range t.grads {
			g.dw0 = make([]float32, len(p.W[0]))
		}
	}
	t.keeps = make([]bool, len(t.updates))
	for _, u := range t.updates {
		t.keeps[u.id] = t.keepsSkip(u)
	}
	// Threads beyond the first are goroutines that wait for a phase.
	t.pool = newPool(t.threads-1, func(w int) { t.work(t.ws[w]) })
	return t
}

func newWorkspace(m *Model) *workspace {
	ws := &workspace{x: make([]float32, BlockRows*m.Inputs()), lab: make([]int32, BlockRows)}
	for l := range m.Layers() {
		ws.act = append(ws.act, make([]float32, BlockRows*m.Sizes[l+1]))
		ws.delta = append(ws.delta, make([]float32, BlockRows*m.Sizes[l+1]))
	}
	return ws
}

// close ends the helper threads and releases the packed rows and the
// entries.
func (t *trainer) close() {
	t.pool.stop()
	t.in.release()
}

// sync copies the trained weights into the caller's model.
func (t *trainer) sync() {
	if t.p != t.m {
		copyUnits(t.m, t.p)
	}
}

// step trains on the n rows perm[start:start+n]: every block's forward and
// backward pass, then the ordered reduction and the update. It returns the
// batch's mean loss and correct count, computed before the update. A loss
// that is not finite leaves the model untouched.
func (t *trainer) step(start, n int) (float32, int) {
	t.batchStart, t.batchRows = start, n
	t.blocks = (n + BlockRows - 1) / BlockRows
	t.skipStep = t.skip && !slices.Contains(t.keeps, false)
	t.parallel(phaseBlocks, t.blocks)

	var loss float32
	correct := 0
	for _, g := range t.grads[:t.blocks] {
		loss += g.loss * (float32(g.rows) / float32(n))
		correct += g.correct
	}
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
		return loss, correct
	}
	t.steps++
	t.parallel(phaseUpdate, len(t.updates))
	return loss, correct
}

// block runs the forward and backward pass of the rows idx into g.
func (t *trainer) block(ws *workspace, g *blockGrads, idx []int32) {
	m := t.p
	in := m.Inputs()
	rows := len(idx)
	lab := ws.lab[:rows]
	for i, r := range idx {
		lab[i] = t.labels[r]
	}
	// The first layer's inputs and weights: whole, or without the
	// columns zero in every row (skip.go).
	kept, w0 := in, m.W[0]
	entries := t.skipStep && t.in.entries != nil
	if t.skipStep && !entries {
		t.in.nonZeroCols(ws.cols, idx)
		if t.k.bf16 {
			pairCols(ws.cols, in)
		}
		if kept = byterows.CountCols(ws.cols); kept < in {
			ws.runs = keptRuns(ws.runs, ws.cols)
			w0 = ws.w0[:kept*m.Sizes[1]]
			keptRows(w0, m.W[0], ws.runs, m.Sizes[1])
		}
	}
	last := m.Layers() - 1
	x := ws.x[:rows*kept]
	var a []float32
	switch {
	case entries:
		// The first layer from the rows' non-zero bytes (skip.go).
		y := ws.act[0][:rows*m.Sizes[1]]
		t.in.entries.Forward(y, m.W[0], m.B[0], idx, m.Sizes[1], t.in.data.div)
		t.k.ReLU(y)
		a = forwardFrom(t.k, m, ws.act, y, 1, rows, nil)
	case kept < in:
		t.in.gatherCols(x, idx, ws.cols)
		a = forward(t.k, m, ws.act, x, w0, kept, rows, nil)
	default:
		t.in.gather(x, idx)
		a = forward(t.k, m, ws.act, x, w0, kept, rows, nil)
	}
	d := ws.delta[last][:rows*m.Classes()]
	g.loss, g.correct = t.k.SoftmaxCrossEntropy(d, a, lab, rows, m.Classes())
	g.rows = rows
	// The kernel's gradient is the mean over the block; weighted by the
	// block's share of the batch the blocks sum to the batch mean.
	if share := float32(rows) / float32(t.batchRows); share != 1 {
		for i := range d {
			d[i] *= share
		}
	}
	for l := last; l > 0; l-- {
		in := ws.act[l-1][:rows*m.Sizes[l]]
		dx := ws.delta[l-1][:rows*m.Sizes[l]]
		t.k.denseBackward(g.dW[l], g.dB[l], dx, in, m.W[l], ws.delta[l][:rows*m.Sizes[l+1]], rows, m.Sizes[l], m.Sizes[l+1])
		t.k.ReLUBackward(dx, in)
	}
	n, dy := m.Sizes[1], ws.delta[0][:rows*m.Sizes[1]]
	if entries {
		g.kept = false
		if !fitEntries(dy) {
			// A zero byte's term would be NaN, not 0, or a sum could round
			// to −0 (skip.go): the whole rows.
			t.in.gather(x, idx)
			t.k.denseBackward(g.dW[0], g.dB[0], nil, x, m.W[0], dy, rows, in, n)
			return
		}
		t.in.entries.Grad(g.dW[0], dy, idx, n, t.in.data.div)
		t.k.DenseBackward(nil, g.dB[0], nil, nil, nil, dy, rows, 0, n) // the column sums of dy
		return
	}
	g.kept = kept < in
	if !g.kept {
		t.k.denseBackward(g.dW[0], g.dB[0], nil, x, m.W[0], dy, rows, in, n)
		return
	}
	t.k.denseBackward(g.dw0[:kept*n], g.dB[0], nil, x, w0, dy, rows, kept, n)
	if !skippedZero(t.k.bf16, g.dB[0], g.dw0[:kept*n], dy) {
		// A skipped column's gradient would be NaN, not 0: the whole rows.
		x = ws.x[:rows*in]
		t.in.gather(x, idx)
		t.k.denseBackward(g.dW[0], g.dB[0], nil, x, m.W[0], dy, rows, in, n)
		g.kept = false
		return
	}
	g.runs = append(g.runs[:0], ws.runs...)
}

// keepsSkip reports whether the parameters u steps leave the first layer
// fit for zero-column skipping: its weights finite, its biases not −0,
// in bf16 both fitBF16, and with entries the weights fitEntries
// (skip.go). Items of other layers always do.
func (t *trainer) keepsSkip(u updateItem) bool {
	switch {
	case u.layer != 0:
		return true
	case u.bias:
		b := t.p.B[0][u.lo:u.hi]
		return noNegativeZero(b) && (!t.k.bf16 || fitBF16(b))
	case t.k.bf16:
		return fitBF16(t.p.W[0][u.lo:u.hi])
	case t.in.entries != nil:
		return fitEntries(t.p.W[0][u.lo:u.hi])
	}
	return finite(t.p.W[0][u.lo:u.hi])
}

// update sums the blocks' gradients for one parameter chunk in block
// order, into block 0's buffer, and steps the chunk's parameters; a
// step of one block whose first-layer gradient is in compact form
// (skip.go) steps that layer's chunks from it, without the sum.
func (t *trainer) update(u updateItem) {
	if t.skip && u.layer == 0 {
		defer func() { t.keeps[u.id] = t.keepsSkip(u) }()
	}
	g := t.grads[0]
	if t.blocks == 1 && g.kept && u.layer == 0 && !u.bias && !t.decayInGrad() {
		// One block, its first-layer gradient in compact form: the
		// optimizer steps each kept run from it and the rows between
		// with a zero gradient, the values the sum would hold, without
		// the sum (the step writes no gradient).
		pos := u.lo
		for s, src := range keptSpans(g.dw0, g.runs, t.p.Sizes[1], u.lo, u.hi) {
			if pos < s {
				t.stepParams(u, pos, s, zeroChunk[:s-pos])
			}
			pos = s + len(src)
			t.stepParams(u, s, pos, src)
		}
		if pos < u.hi {
			t.stepParams(u, pos, u.hi, zeroChunk[:u.hi-pos])
		}
		return
	}
	pick := func(g *blockGrads) []float32 {
		if u.bias {
			return g.dB[u.layer][u.lo:u.hi]
		}
		return g.dW[u.layer][u.lo:u.hi]
	}
	sum := pick(g)
	for b, g := range t.grads[:t.blocks] {
		switch {
		case g.kept && u.layer == 0 && !u.bias:
			addKept(t.k.Kernels, sum, g.dw0, g.runs, t.p.Sizes[1], u.lo, b == 0)
		case b > 0:
			t.k.SGD(sum, pick(g), -1) // sum += g, exactly
		}
	}
	t.stepParams(u, u.lo, u.hi, sum)
}

// decayInGrad reports whether stepParams adds the weight decay to the
// gradient it is given (plain SGD with decay), so that the gradient must
// be a buffer of its own.
func (t *trainer) decayInGrad() bool {
	switch t.opt.Optimizer {
	case Momentum, Nesterov, Adam, AdamW:
		return false
	}
	return t.opt.WeightDecay != 0
}

// zeroChunk is the gradient of first-layer rows a block skipped, for an
// update item's step: never written.
var zeroChunk [updateChunk]float32

// stepParams applies the optimizer's step to elements lo to hi of u's
// layer's weights or biases, given their gradient g. The optimizers are
// elementwise, so stepping a chunk in pieces changes no bit. Plain SGD
// with weight decay adds the decay to g (decayInGrad).
func (t *trainer) stepParams(u updateItem, lo, hi int, g []float32) {
	w, v, s := t.p.W, t.vW, t.sW
	if u.bias {
		w, v, s = t.p.B, t.vB, t.sB
	}
	o := &t.opt
	wc := w[u.layer][lo:hi]
	switch o.Optimizer {
	case Momentum:
		t.k.SGDTorch(wc, v[u.layer][lo:hi], g, t.lr, o.Momentum, o.WeightDecay)
	case Nesterov:
		t.k.SGDNesterov(wc, v[u.layer][lo:hi], g, t.lr, o.Momentum, o.WeightDecay)
	case Adam:
		t.k.Adam(wc, v[u.layer][lo:hi], s[u.layer][lo:hi], g, t.lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, t.steps)
	case AdamW:
		t.k.AdamW(wc, v[u.layer][lo:hi], s[u.layer][lo:hi], g, t.lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, t.steps)
	default: // SGD
		if o.WeightDecay != 0 {
			t.k.SGD(g, wc, -o.WeightDecay) // g += wd·w, rounded once, as torch adds it
		}
		if v != nil {
			t.k.SGDMomentum(wc, v[u.layer][lo:hi], g, t.lr, o.Momentum)
		} else {
			t.k.SGD(wc, g, t.lr)
		}
	}
}

// stateBuffers is how many buffers the size of the parameters cfg's
// optimizer keeps: Keras' momentum, torch's momentum buffer, Adam's two
// moments.
func stateBuffers(cfg Config) int {
	switch cfg.resolved().Optimizer {
	case Adam, AdamW:
		return 2
	case Momentum, Nesterov:
		return 1
	}
	if cfg.Momentum != 0 {
		return 1
	}
	return 0
}
