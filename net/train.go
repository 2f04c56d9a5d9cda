package net

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/simdnn/simdnn"
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

// MaxThreads bounds Config.Threads.
const MaxThreads = 1024

// Config is a training job. The zero value is not usable; DefaultConfig
// gives the Keras MNIST tutorial's settings.
type Config struct {
	Epochs    int     // passes over the training set, > 0
	BatchSize int     // rows per SGD step, > 0 and ≤ the training rows
	LR        float32 // learning rate, > 0
	Momentum  float32 // 0 for plain SGD, else in (0, 1): SGDMomentum
	Seed      uint64  // seeds the shuffle of every epoch
	Threads   int     // worker goroutines; 0 means runtime.GOMAXPROCS(0)

	// ValX and ValLabels, when set, are evaluated after every epoch.
	ValX      []float32
	ValLabels []int32
	// Patience > 0 stops training when the validation loss has not improved
	// for that many epochs; the model then holds the weights of the epoch
	// with the best validation loss, also when ctx cancels training.
	Patience int

	// OnEpoch, when set, is called after every epoch; an error it returns
	// stops training and is returned.
	OnEpoch func(EpochStats) error
	// OnBatch, when set, is called after every batch with the epoch
	// (1-based) and the batches done and total in it. The model passed to
	// Train receives the trained weights at the end of every epoch (before
	// OnEpoch), not after every batch.
	OnBatch func(epoch, done, total int)
}

// DefaultConfig is the Keras MNIST tutorial: 50 epochs of batches of 1024,
// plain SGD with learning rate 0.2, seed 1, all cores.
func DefaultConfig() Config {
	return Config{Epochs: 50, BatchSize: 1024, LR: 0.2, Seed: 1}
}

// EpochStats is what one epoch measured. Loss and Accuracy are the means
// over the epoch's batches, weighted by rows, each taken before that
// batch's update (as Keras reports them).
type EpochStats struct {
	Epoch       int // 1-based
	Loss        float64
	Accuracy    float64
	ValLoss     float64 // NaN without validation data
	ValAccuracy float64 // NaN without validation data
	Seconds     float64 // training time of the epoch, evaluation excluded
}

// History is the per-epoch record of a training run.
type History []EpochStats

func (c *Config) validate(rows int) error {
	switch {
	case c.Epochs <= 0:
		return fmt.Errorf("net: epochs = %d, want > 0", c.Epochs)
	case c.BatchSize <= 0:
		return fmt.Errorf("net: batch size = %d, want > 0", c.BatchSize)
	case rows == 0:
		return fmt.Errorf("net: no training rows")
	case c.BatchSize > rows:
		return fmt.Errorf("net: batch size %d is larger than the %d training rows", c.BatchSize, rows)
	case !(c.LR > 0) || math.IsInf(float64(c.LR), 0):
		return fmt.Errorf("net: learning rate = %g, want a finite number > 0", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("net: momentum = %g, want in [0, 1)", c.Momentum)
	case c.Threads < 0 || c.Threads > MaxThreads:
		return fmt.Errorf("net: threads = %d, want 0 (all cores) to %d", c.Threads, MaxThreads)
	case c.Patience < 0:
		return fmt.Errorf("net: patience = %d, want ≥ 0", c.Patience)
	case c.Patience > 0 && c.ValX == nil:
		return fmt.Errorf("net: patience needs validation data")
	}
	return nil
}

// Train runs cfg on model over the rows of x (each model.Inputs() wide)
// with their labels, updating model in place. It returns the epochs
// completed. It stops early, returning the epochs so far and an error,
// when ctx is cancelled (after the batch in flight), when OnEpoch fails, or
// when the loss turns NaN or infinite (the error wraps ErrDiverged and
// names the epoch and batch; model then holds the weights from before the
// update that diverged).
//
// When every value of x is exactly a byte b stored as float32(b)/255, as
// MNIST's pixels are, Train keeps a byte copy of x (a quarter of its size)
// for the run and gathers the shuffled rows from it with
// simdnn.DequantizeRows: the same values bit for bit, at a quarter of the
// memory traffic. Where the active kernels gather packed rows in assembly
// (simdnn.PackedNative: avx512) and packing saves a quarter of the bytes
// (about 38 % of them zero, or more), it keeps them packed instead (simdnn.PackRows; MNIST's take a
// third of the lines) and gathers with PackedRows.Dequantize, again the
// same values. Finding out costs one pass over x (simdnn.Quantize, on
// every thread), which stops soon after the first value that is not such
// a byte, and packing a second pass over the bytes. x and labels must not
// change while Train runs.
func Train(ctx context.Context, model *Model, x []float32, labels []int32, cfg Config) (History, error) {
	return train(ctx, model, x, labels, cfg, PadMultiple)
}

// train is Train with hidden layers padded to multiples of pad.
func train(ctx context.Context, model *Model, x []float32, labels []int32, cfg Config, pad int) (History, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	rows, err := model.checkData(x, labels)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(rows); err != nil {
		return nil, err
	}
	valRows := 0
	if cfg.ValX != nil {
		if valRows, err = model.checkData(cfg.ValX, cfg.ValLabels); err != nil {
			return nil, fmt.Errorf("validation data: %w", err)
		}
	}
	t := newTrainer(model, cfg, x, labels, pad)
	defer t.close()

	var hist History
	var best *Model
	bestLoss, sinceBest := math.Inf(1), 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		loss, acc, err := t.epoch(ctx, epoch)
		if err != nil {
			if best != nil && ctx.Err() != nil {
				model.CopyFrom(best) // cancelled: the caller asked for the best weights
			}
			return hist, err
		}
		st := EpochStats{Epoch: epoch, Loss: loss, Accuracy: acc, ValLoss: math.NaN(), ValAccuracy: math.NaN(),
			Seconds: time.Since(start).Seconds()}
		if valRows > 0 {
			st.ValLoss, st.ValAccuracy = t.evaluate(cfg.ValX, cfg.ValLabels)
		}
		hist = append(hist, st)
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(st); err != nil {
				return hist, err
			}
		}
		if cfg.Patience > 0 {
			if st.ValLoss < bestLoss {
				bestLoss, sinceBest = st.ValLoss, 0
				if best == nil {
					best = model.Clone()
				} else {
					best.CopyFrom(model)
				}
			} else if sinceBest++; sinceBest >= cfg.Patience {
				break
			}
		}
	}
	if best != nil {
		model.CopyFrom(best)
	}
	return hist, nil
}

// PadMultiple is the width hidden layers are padded to inside the
// trainer: a hidden layer of n units trains as one of n rounded up to a
// multiple of PadMultiple, so the kernels run on whole SIMD vectors. The
// extra units have zero weights in and out and zero biases; their
// pre-activation is exactly 0, ReLU keeps them at 0, their gradients are
// exactly 0, so they stay 0 and every real unit computes what it would
// without them (for finite inputs: a non-finite input makes 0·x a NaN, and
// such an input turns the weights NaN in either case). Model.W and Model.B
// keep their shapes: the trainer copies the real units back after every
// epoch.
const PadMultiple = 8

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
// gradients for its chunk in block order and applies the SGD step to it.
// Which thread does what never changes a result, so a run is bitwise the
// same on any number of threads.
type trainer struct {
	m       *Model // the caller's model
	p       *Model // the model trained: m with hidden layers padded (m itself when no padding applies)
	cfg     Config
	x       []float32
	xb      []uint8            // x as bytes over 255 when it is exactly that (see asPixelBytes), else nil
	xp      *simdnn.PackedRows // x as packed bytes over 255 instead of xb (see packPixels), else nil
	freeXB  func()             // releases xb's or xp's memory
	labels  []int32
	rows    int
	perm    []int32
	shuf    shuffler // the rows' order, every epoch
	threads int

	ws      []*workspace  // one per thread
	grads   []*blockGrads // one per block of a batch
	vW, vB  [][]float32   // momentum velocity (nil for plain SGD)
	updates []updateItem  // the parameter chunks of the update phase

	// The batch the workers are on.
	batchStart, batchRows int
	blocks                int
	phase                 int // phaseBlocks or phaseUpdate
	items                 int // work items in the phase
	next                  atomic.Int32
	pool                  *pool // the helper threads
}

// The phases of a step.
const (
	phaseBlocks = iota // forward and backward pass of each block
	phaseUpdate        // ordered reduction and SGD step of each parameter chunk
)

// updateItem is a chunk of one layer's weights or biases.
type updateItem struct {
	layer  int
	bias   bool
	lo, hi int
}

// workspace is one thread's activations and deltas for one block.
type workspace struct {
	x     []float32   // BlockRows × inputs, the gathered rows
	lab   []int32     // BlockRows labels
	act   [][]float32 // act[l]: BlockRows × Sizes[l+1], post-activation outputs
	delta [][]float32 // delta[l]: BlockRows × Sizes[l+1], dLoss/d(pre-activation)
}

// blockGrads is one block's gradients, scaled by the block's share of the
// batch (so the blocks' gradients sum to the batch's), and its metrics.
type blockGrads struct {
	dW, dB  [][]float32
	loss    float32 // mean over the block's rows
	correct int
	rows    int
}

// padded returns m with every hidden layer widened to a multiple of
// multiple by units whose weights and biases are zero, or m itself when
// no layer widens.
func padded(m *Model, multiple int) *Model {
	sizes := padSizes(m.Sizes, multiple)
	if slices.Equal(sizes, m.Sizes) {
		return m
	}
	p := &Model{Sizes: sizes}
	for l := range m.Layers() {
		p.W = append(p.W, make([]float32, sizes[l]*sizes[l+1]))
		p.B = append(p.B, make([]float32, sizes[l+1]))
	}
	copyUnits(p, m)
	return p
}

// TrainSizes returns the layer sizes Train computes with for a model of
// the given sizes: every hidden layer padded to a multiple of PadMultiple.
// The kernels run at these widths.
func TrainSizes(sizes []int) []int { return padSizes(sizes, PadMultiple) }

// padSizes returns sizes with every hidden width rounded up to a multiple
// of multiple.
func padSizes(sizes []int, multiple int) []int {
	out := append([]int(nil), sizes...)
	for l := 1; l < len(out)-1; l++ {
		out[l] = (out[l] + multiple - 1) / multiple * multiple
	}
	return out
}

// copyUnits copies the weights and biases of the units dst and src have
// in common: for each layer, the leading rows and columns of the smaller.
func copyUnits(dst, src *Model) {
	for l := range dst.Layers() {
		in, out := min(dst.Sizes[l], src.Sizes[l]), min(dst.Sizes[l+1], src.Sizes[l+1])
		dn, sn := dst.Sizes[l+1], src.Sizes[l+1]
		for r := range in {
			copy(dst.W[l][r*dn:r*dn+out], src.W[l][r*sn:r*sn+out])
		}
		copy(dst.B[l][:out], src.B[l][:out])
	}
}

// newTrainer prepares cfg's job on m over x and labels, training hidden
// layers padded to multiples of pad (1: no padding).
func newTrainer(m *Model, cfg Config, x []float32, labels []int32, pad int) *trainer {
	rows := len(labels)
	t := &trainer{m: m, p: padded(m, pad), cfg: cfg, x: x, labels: labels, rows: rows,
		shuf: shuffler{src: rand.NewPCG(cfg.Seed, 0x73687566666c65)}} // "shuffle"
	p := t.p
	t.perm = make([]int32, rows)
	for i := range t.perm {
		t.perm[i] = int32(i)
	}
	t.threads = cfg.Threads
	if t.threads == 0 {
		t.threads = runtime.GOMAXPROCS(0)
	}
	nblocks := (cfg.BatchSize + BlockRows - 1) / BlockRows
	for l := range p.Layers() {
		for lo := 0; lo < len(p.W[l]); lo += updateChunk {
			t.updates = append(t.updates, updateItem{layer: l, lo: lo, hi: min(lo+updateChunk, len(p.W[l]))})
		}
		t.updates = append(t.updates, updateItem{layer: l, bias: true, hi: len(p.B[l])})
	}
	t.threads = min(t.threads, max(nblocks, len(t.updates)))
	t.xb, t.freeXB = asPixelBytes(x, t.threads)
	if t.xb != nil {
		if xp, free := packPixels(t.xb, p.Inputs()); xp != nil {
			t.freeXB()
			t.xb, t.xp, t.freeXB = nil, xp, free
		}
	}
	for range t.threads {
		t.ws = append(t.ws, newWorkspace(p))
	}
	for range nblocks {
		g := &blockGrads{}
		for l := range p.Layers() {
			g.dW = append(g.dW, make([]float32, len(p.W[l])))
			g.dB = append(g.dB, make([]float32, len(p.B[l])))
		}
		t.grads = append(t.grads, g)
	}
	if cfg.Momentum != 0 {
		for l := range p.Layers() {
			t.vW = append(t.vW, make([]float32, len(p.W[l])))
			t.vB = append(t.vB, make([]float32, len(p.B[l])))
		}
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

// close ends the helper threads and releases the byte copy of x.
func (t *trainer) close() {
	t.pool.stop()
	if t.freeXB != nil {
		t.freeXB()
		t.xb, t.xp, t.freeXB = nil, nil, nil
	}
}

// sync copies the trained weights into the caller's model.
func (t *trainer) sync() {
	if t.p != t.m {
		copyUnits(t.m, t.p)
	}
}

// epoch shuffles the rows and runs every batch; it returns the epoch's
// row-weighted mean loss and accuracy. The caller's model holds the
// weights when it returns, whatever the outcome.
func (t *trainer) epoch(ctx context.Context, epoch int) (float64, float64, error) {
	defer t.sync()
	t.shuf.shuffle(t.perm)
	var lossSum float64
	correct := 0
	batches := (t.rows + t.cfg.BatchSize - 1) / t.cfg.BatchSize
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		start := b * t.cfg.BatchSize
		n := min(t.cfg.BatchSize, t.rows-start)
		loss, c := t.step(start, n)
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			return 0, 0, fmt.Errorf("net: %w at epoch %d, batch %d of %d: loss is %g", ErrDiverged, epoch, b+1, batches, loss)
		}
		lossSum += float64(loss) * float64(n)
		correct += c
		if t.cfg.OnBatch != nil {
			t.cfg.OnBatch(epoch, b+1, batches)
		}
	}
	return lossSum / float64(t.rows), float64(correct) / float64(t.rows), nil
}

// step trains on the n rows perm[start:start+n]: every block's forward and
// backward pass, then the ordered reduction and the update. It returns the
// batch's mean loss and correct count, computed before the update. A loss
// that is not finite leaves the model untouched.
func (t *trainer) step(start, n int) (float32, int) {
	t.batchStart, t.batchRows = start, n
	t.blocks = (n + BlockRows - 1) / BlockRows
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
	t.parallel(phaseUpdate, len(t.updates))
	return loss, correct
}

// parallel runs the items of a phase on the calling goroutine and the
// helpers, each taking the next item until none are left.
func (t *trainer) parallel(phase, items int) {
	t.phase, t.items = phase, items
	t.next.Store(0)
	t.pool.run()
}

// work takes items of the current phase until none are left. In the
// blocks phase, on byte data, it claims its next block before running the
// current one and prefetches that block's rows, which then arrive from
// DRAM while this block computes; it claims ahead only while it holds
// fewer than its share of the phase's blocks, so that with as many
// threads as blocks each still gets one.
func (t *trainer) work(ws *workspace) {
	share := (t.items + t.threads - 1) / t.threads
	mine := 1
	i := int(t.next.Add(1)) - 1
	for i < t.items {
		if t.phase != phaseBlocks {
			t.update(t.updates[i])
			i = int(t.next.Add(1)) - 1
			continue
		}
		j := -1 // not claimed yet
		if (t.xb != nil || t.xp != nil) && mine < share {
			mine++
			if j = int(t.next.Add(1)) - 1; j < t.items {
				t.prefetch(t.blockIdx(j))
			}
		}
		t.block(ws, t.grads[i], t.blockIdx(i))
		if i = j; i < 0 {
			mine++
			i = int(t.next.Add(1)) - 1
		}
	}
}

// prefetch starts loading the byte rows idx into the cache.
func (t *trainer) prefetch(idx []int32) {
	if t.xp != nil {
		t.xp.Prefetch(idx)
	} else {
		simdnn.PrefetchRows(t.xb, idx, t.p.Inputs())
	}
}

// blockIdx is the rows of block i of the current batch.
func (t *trainer) blockIdx(i int) []int32 {
	lo := t.batchStart + i*BlockRows
	return t.perm[lo : lo+min(BlockRows, t.batchRows-i*BlockRows)]
}

// block runs the forward and backward pass of the rows idx into g.
func (t *trainer) block(ws *workspace, g *blockGrads, idx []int32) {
	m := t.p
	in := m.Inputs()
	rows := len(idx)
	x := ws.x[:rows*in]
	lab := ws.lab[:rows]
	switch {
	case t.xp != nil:
		t.xp.Dequantize(x, idx, pixelDiv)
	case t.xb != nil:
		simdnn.DequantizeRows(x, t.xb, idx, in, pixelDiv)
	default:
		for i, r := range idx {
			copy(x[i*in:i*in+in], t.x[int(r)*in:int(r)*in+in])
		}
	}
	for i, r := range idx {
		lab[i] = t.labels[r]
	}
	last := m.Layers() - 1
	a := forward(m, ws, x, rows)
	d := ws.delta[last][:rows*m.Classes()]
	g.loss, g.correct = simdnn.SoftmaxCrossEntropy(d, a, lab, rows, m.Classes())
	g.rows = rows
	// The kernel's gradient is the mean over the block; weighted by the
	// block's share of the batch the blocks sum to the batch mean.
	if share := float32(rows) / float32(t.batchRows); share != 1 {
		for i := range d {
			d[i] *= share
		}
	}
	for l := last; l >= 0; l-- {
		in := x
		var dx []float32
		if l > 0 {
			in = ws.act[l-1][:rows*m.Sizes[l]]
			dx = ws.delta[l-1][:rows*m.Sizes[l]]
		}
		simdnn.DenseBackward(g.dW[l], g.dB[l], dx, in, m.W[l], ws.delta[l][:rows*m.Sizes[l+1]], rows, m.Sizes[l], m.Sizes[l+1])
		if l > 0 {
			simdnn.ReLUBackward(dx, in)
		}
	}
}

// update sums the blocks' gradients for one parameter chunk in block
// order, into block 0's buffer, and steps the chunk's parameters.
func (t *trainer) update(u updateItem) {
	pick := func(g *blockGrads) []float32 {
		if u.bias {
			return g.dB[u.layer][u.lo:u.hi]
		}
		return g.dW[u.layer][u.lo:u.hi]
	}
	sum := pick(t.grads[0])
	for _, g := range t.grads[1:t.blocks] {
		simdnn.SGD(sum, pick(g), -1) // sum += g, exactly
	}
	w, v := t.p.W, t.vW
	if u.bias {
		w, v = t.p.B, t.vB
	}
	if v != nil {
		simdnn.SGDMomentum(w[u.layer][u.lo:u.hi], v[u.layer][u.lo:u.hi], sum, t.cfg.LR, t.cfg.Momentum)
	} else {
		simdnn.SGD(w[u.layer][u.lo:u.hi], sum, t.cfg.LR)
	}
}

// evaluate returns the mean loss and the accuracy of the trainer's model
// on x, using the first workspace.
func (t *trainer) evaluate(x []float32, labels []int32) (float64, float64) {
	return evaluate(t.m, t.ws[0], x, labels)
}

func evaluate(m *Model, ws *workspace, x []float32, labels []int32) (float64, float64) {
	in := m.Inputs()
	rows := len(labels)
	var lossSum float64
	correct := 0
	for lo := 0; lo < rows; lo += BlockRows {
		n := min(BlockRows, rows-lo)
		logits := forward(m, ws, x[lo*in:(lo+n)*in], n)
		loss, c := simdnn.SoftmaxCrossEntropy(logits, logits, labels[lo:lo+n], n, m.Classes())
		lossSum += float64(loss) * float64(n)
		correct += c
	}
	return lossSum / float64(rows), float64(correct) / float64(rows)
}

// forward runs rows rows of x (at most BlockRows) through m and returns
// the logits, which live in ws.
func forward(m *Model, ws *workspace, x []float32, rows int) []float32 {
	a := x
	last := m.Layers() - 1
	for l := range m.Layers() {
		out := ws.act[l][:rows*m.Sizes[l+1]]
		simdnn.DenseForward(out, a, m.W[l], m.B[l], rows, m.Sizes[l], m.Sizes[l+1], l < last)
		a = out
	}
	return a
}

// Evaluate returns the mean cross-entropy loss and the accuracy of m on
// the rows of x with their labels.
func (m *Model) Evaluate(x []float32, labels []int32) (loss, accuracy float64, err error) {
	if err := m.Validate(); err != nil {
		return 0, 0, err
	}
	rows, err := m.checkData(x, labels)
	if err != nil {
		return 0, 0, err
	}
	if rows == 0 {
		return 0, 0, fmt.Errorf("net: no rows to evaluate")
	}
	loss, accuracy = evaluate(m, newWorkspace(m), x, labels)
	return loss, accuracy, nil
}

// Probabilities returns, for every row of x, the softmax of m's logits:
// Classes() probabilities per row.
func (m *Model) Probabilities(x []float32) ([]float32, error) {
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	c := m.Classes()
	for i := 0; i < len(logits); i += c {
		softmax(logits[i : i+c])
	}
	return logits, nil
}

// Logits returns m's outputs before the softmax for every row of x:
// Classes() values per row.
func (m *Model) Logits(x []float32) ([]float32, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	rows, err := m.checkData(x, nil)
	if err != nil {
		return nil, err
	}
	ws := newWorkspace(m)
	in, c := m.Inputs(), m.Classes()
	out := make([]float32, rows*c)
	for lo := 0; lo < rows; lo += BlockRows {
		n := min(BlockRows, rows-lo)
		copy(out[lo*c:], forward(m, ws, x[lo*in:(lo+n)*in], n))
	}
	return out, nil
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

// Predict returns the class m gives every row of x: the first arg-max of
// its logits.
func (m *Model) Predict(x []float32) ([]int32, error) {
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	c := m.Classes()
	out := make([]int32, len(logits)/c)
	for i := range out {
		row := logits[i*c : i*c+c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = int32(best)
	}
	return out, nil
}
