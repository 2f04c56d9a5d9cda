//go:build !purego && (amd64 || arm64)

package simdnn

import (
	"unsafe"
)

// The dense kernels of every assembly implementation are one design: the
// Go driver in this file blocks the product for the caches and packs
// panels of B, and per-ISA tile routines (micro-kernels, in each ISA's .s
// file) do the arithmetic on register tiles. A tile of R rows × W
// columns computes, for t < tiles, r < R and each column q < W whose bit
// is set in masks,
//
//	C[ρ][q] = init(ρ)[q] + Σ_{s<steps} A(ρ, s)·B[s][q]    (ρ = t·R + r)
//
// with one fused multiply-add per step, in order of s, then clamps at 0
// (NaN and -0 kept) when flags has tileReLU. A(ρ, s) lies at a + ρ·aRow +
// s·aStep bytes; B, C and init rows are ldb, ldc and ldi bytes apart
// (ldi = 0: one row for all, a bias). init may be C itself: a tile reads
// all of its init before it writes C, so a product split into blocks of
// steps continues each sum where the last block left it and gives the same
// bits as one pass. The arguments are those of every tile routine:
//
//	func xxxTileRxW(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
//
// flags may also have tileFlush: the tile's fused multiply-adds then run
// with the CPU's flushing of denormals on (MXCSR's DAZ and FTZ, FPCR.FZ),
// set and reset by the routine itself (bf16_tiles.go); and tileNextPanel,
// a hint: B is read in place with more columns to its right, which a
// tile may ask the memory for ahead of the next panel (a prefetch, no
// read that could fault); and tileNextRows, a hint: C's rows (ldc bytes
// apart) do not crowd into a few of L1's sets (crowdedRows), so a tile
// may ask the memory for the next tile's rows of C while it computes its
// own (a prefetch again).
//
// A masked ISA (AVX-512's opmask registers) reads and writes no column
// whose bit is clear; the others read and write all W, and the driver
// hands them only whole panels: the last, partial panel of columns, like
// the last rows that do not fill a tile, goes through a scratch tile.
const (
	tileReLU      = 1
	tileFlush     = 2
	tileNextPanel = 4
	tileNextRows  = 8
)

// packGo, as a gemmISA's packT or packR, packs in Go: a transposed B, or
// the whole panels of a B in rows.
const packGo = 0

// tileClass is one tile routine: kind selects it in runTile.
type tileClass struct {
	kind       int
	rows, cols int
	// halfKind, when halfRows > 0, is a tile of halfRows rows and the same
	// columns, for the rows below the whole tiles on a masked ISA.
	halfKind, halfRows int
}

// gemmISA is what the driver needs of one implementation.
type gemmISA struct {
	// classes are the tiles, widest first; a block of columns is cut into
	// panels of the widest class that fits and a last one of the
	// narrowest that covers the rest.
	classes []tileClass
	// oneRest: a rest of columns narrower than the widest class runs as
	// one panel of the narrowest class that covers it (or a whole panel
	// of a class exactly as wide) instead of as whole panels of narrower
	// classes and a partial one: each row of A is then read once.
	oneRest bool
	masked  bool
	// rowKind, on a masked ISA, is a one-row tile as wide as the widest
	// class (its masks cover any narrower panel): the rows left below the
	// whole tiles run through it in place.
	rowKind int
	// block is the driver's blocking for the caches where the steps
	// outnumber gemmBlock's kc; gemmBlock where they do not (one block of
	// steps: the tiles are short, and a smaller mc or nc only calls them
	// more often). blockAT, when its kc is not 0, replaces block where A
	// is transposed (a step's rows lie side by side: dw = xᵀ·dy), each
	// step of a tile's rows then on a cache line of its own.
	block, blockAT blocking
	// packT, when not packGo, is the routine that packs a panel of a
	// transposed B (runPackT's kind); packGo packs it in Go.
	packT int
	// packR, when not packGo, is the routine that copies the whole panels
	// of the widest class at the left of a block of a B in rows
	// (runPackRows's kind); packGo copies them in Go, a panel's row at a
	// time.
	packR int
	// packRows is the fewest rows for which B is packed when it could be
	// read in place (a transposed B is always packed).
	packRows int
	// dxT: DenseBackward's dx goes through its transpose where few rows
	// make packing wᵀ the larger cost (dxTransposed, dxTRows).
	dxT bool
	// vecMat and rowDots, when not nil, are DenseForward's matrix–vector
	// forms (gemv.go): vecMat for one row of x and at least vecMatCols
	// outputs, rowDots for one output (rows in multiples of rowLanes).
	vecMat     func(y, x, w *float32, k, n int)
	vecMatCols int
	rowDots    func(y, x, w *float32, m, k int)
	rowLanes   int
}

// blocking cuts a product for the caches: steps go in blocks of kc, so
// that a panel of B (kc × W floats) stays in L1 while the rows of a block
// of A pass over it; mc rows of A (mc × kc floats) stay in L2 while they
// pass over a block of nc columns of B (kc × nc floats, packed). mc is a
// multiple of every tile's rows, nc of the widest tile's columns. Fewer,
// longer blocks of steps mean fewer passes over C, each of which loads and
// stores every element of C once.
type blocking struct{ kc, mc, nc int }

// gemmBlock is the blocking of avx512 and neon, and of avx2 where A is
// transposed: A's block ≤ 120 KB and B's ≤ 256 KB.
var gemmBlock = blocking{kc: 128, mc: 240, nc: 512}

// The largest blocks of every implementation, which size gemmBuf
// (TestBlockingsFit holds each blocking to them).
const (
	maxKC    = 384
	maxNC    = 512
	maxBlkA  = max(128*240, 384*96)
	maxBlkB  = max(128*512, 384*256)
	maxTileR = 16
	maxTileW = 64
)

// gemmBuf is the driver's working memory: the packed blocks of B and A
// and the scratch tile for edges (about 560 KB). Kept in gemmBufs, so
// that a kernel call allocates nothing once warm and concurrent calls
// each have their own.
type gemmBuf struct {
	b [maxBlkB + 16]float32
	a [maxBlkA + 16]float32        // packed A
	e [maxTileR*maxKC + 16]float32 // scratch A
	c [maxTileR*maxTileW + 16]float32
}

// gemmBufs holds the buffers not in use: up to 64, one per kernel call
// running at once (a channel rather than a sync.Pool, which the garbage
// collector empties and the race detector drops from at random, so that
// a warm call never allocates).
var gemmBufs = make(chan *gemmBuf, 64)

func getGemmBuf() *gemmBuf {
	select {
	case b := <-gemmBufs:
		return b
	default:
		return new(gemmBuf)
	}
}

func putGemmBuf(b *gemmBuf) {
	select {
	case gemmBufs <- b:
	default: // more calls at once than kept: let it go
	}
}

// zeros is the init of a product without one.
var zeros [maxTileW]float32

// aligned64 returns s from its first element on a 64-byte boundary (s has
// 16 floats to spare).
func aligned64(s []float32) []float32 {
	off := int(uintptr(unsafe.Pointer(&s[0]))%64) / 4
	return s[(16-off)%16:]
}

// panel returns the tile class and the number of columns of the next
// panel of a block with left columns to go.
func (g *gemmISA) panel(left int) (tileClass, int) {
	for _, cl := range g.classes {
		if cl.cols <= left && (!g.oneRest || left >= g.classes[0].cols || cl.cols == left) {
			return cl, cl.cols
		}
	}
	cl := g.classes[len(g.classes)-1]
	for _, c := range g.classes {
		if c.cols >= left {
			cl = c
		}
	}
	return cl, left
}

// partial reports whether a block of nb columns ends in a partial panel.
func (g *gemmISA) partial(nb int) bool {
	for q := 0; q < nb; {
		cl, cw := g.panel(nb - q)
		if cw < cl.cols {
			return true
		}
		q += cw
	}
	return false
}

// gemm sets, for r < rows and q < cols,
//
//	c[r·ldc + q] = init[r·ldi + q] + Σ_{s<steps} a[r·aRow + s·aStep]·b[s·bs + q·bq]
//
// (init nil: zeros), one fused multiply-add per step in order of s, then
// clamps at 0 when relu is set. Strides count floats; b is read in place
// when bq = 1, else packed.
func (g *gemmISA) gemm(c []float32, ldc int, a []float32, aRow, aStep int, b []float32, bs, bq int, init []float32, ldi int, rows, cols, steps int, relu bool) {
	g.gemmB(c, ldc, a, aRow, aStep, b, bs, bq, 0, 0, init, ldi, rows, cols, steps, relu)
}

// gemmFlush is gemm with the tiles' flushing of denormals on (tileFlush).
func (g *gemmISA) gemmFlush(c []float32, ldc int, a []float32, aRow, aStep int, b []float32, bs, bq int, init []float32, ldi int, rows, cols, steps int, relu bool) {
	g.gemmB(c, ldc, a, aRow, aStep, b, bs, bq, 0, tileFlush, init, ldi, rows, cols, steps, relu)
}

// gemmPairs is gemm on a bf16 ISA (whose tiles take pairs of steps as
// words of two bf16: bf16.go) with B given as bRows float32 rows, bs
// floats apart: the packing pairs them, rows 2s and 2s + 1 into step s
// (pairSteps). A is in words already; the steps are ⌈bRows/2⌉.
func (g *gemmISA) gemmPairs(c []float32, ldc int, a []float32, aRow, aStep int, b []float32, bs, bRows int, init []float32, ldi int, rows, cols int, relu bool) {
	g.gemmB(c, ldc, a, aRow, aStep, b, bs, 1, bRows, 0, init, ldi, rows, cols, (bRows+1)/2, relu)
}

// gemmB is gemm, with B's float32 rows paired while packed when bRows > 0
// (gemmPairs), and flags (tileFlush) handed to every tile.
func (g *gemmISA) gemmB(c []float32, ldc int, a []float32, aRow, aStep int, b []float32, bs, bq, bRows, flags int, init []float32, ldi int, rows, cols, steps int, relu bool) {
	if rows == 0 || cols == 0 {
		return
	}
	// B is packed when its rows are to be paired (gemmPairs), when it is
	// transposed, when enough rows pass over it and its rows are not
	// already panels, and, on an ISA without masks, when a partial panel
	// must be zero-padded.
	// A whose rows lie side by side (xᵀ, for dw) is packed when more
	// than one panel reads it and its steps are a multiple of 512 bytes
	// apart: they then fall into at most 8 of L1's 64 sets and evict each
	// other before a tile's kc steps are done. Other strides spread over
	// the sets, and A is read in place.
	packA := aRow == 1 && aStep > 0 && aStep%128 == 0 && cols > g.classes[0].cols
	bl := g.block
	if aRow == 1 && aStep != 1 && g.blockAT.kc > 0 {
		bl = g.blockAT
	}
	if steps <= gemmBlock.kc {
		bl = gemmBlock
	}
	nc := bl.nc
	pack := bRows > 0 || bq != 1 || (rows >= g.packRows && (bs > g.classes[0].cols || (bs%16 != 0 && rows >= 4*gemmBlock.mc))) ||
		(!g.masked && (g.partial(min(cols, nc)) || g.partial(cols%nc)))
	var buf *gemmBuf // only when packing or scratch is needed
	if pack || packA || !g.masked {
		buf = getGemmBuf()
		defer putGemmBuf(buf)
	}
	// Steps go in blocks of kc so that a packed panel stays in L1; B read
	// in place in one narrow panel has nothing to keep there, and one
	// block leaves init apart from C (see run).
	kc, mc := bl.kc, bl.mc
	if !pack && cols <= g.classes[0].cols && g.masked { // (the scratch tile holds kc steps)
		kc = max(steps, 1)
	}
	if cols <= g.classes[0].cols {
		mc = rows // one panel: no block of A is read twice
	}
	// C's rows are loaded at a tile's start (init is C past the first
	// block of steps) and stored at its end; where they lie apart (ldc ≥
	// 64 floats: rows closer than that the hardware's stream prefetcher
	// fetches) and spread over L1's sets, a tile asks for the next tile's
	// ahead. Rows that crowd a few sets (ldc a multiple of 512 floats or
	// near one) would evict the tile's own rows and its panel of B. On
	// avx2 (Zen 3; one process, by turns, the median of the paired
	// ratios): 999×1001×997 backward ×1.10–1.14 and forward ×1.06 with
	// the prefetch; 1024³ (crowded) 3 % slower and 1024×15×10 (rows 40
	// bytes apart) 20 % slower, both now left without it.
	nextRows := 0
	if rows > g.classes[0].rows && ldc >= 64 && !crowdedRows(ldc) {
		nextRows = tileNextRows
	}
	var packed []float32
	if pack {
		packed = aligned64(buf.b[:])
	}
	for j0 := 0; j0 < cols; j0 += nc {
		nb := min(nc, cols-j0)
		for k0 := 0; ; {
			ks := min(kc, steps-k0)
			p := gemmPass{g: g, buf: buf, c: c, ldc: ldc, ks: ks, flags: flags | nextRows}
			p.init, p.ldi = init, ldi
			p.fresh = init == nil || unsafe.SliceData(init) != unsafe.SliceData(c)
			if k0 > 0 {
				p.init, p.ldi, p.fresh = c, ldc, false // continue the sums
			}
			if k0+ks >= steps && relu {
				p.flags |= tileReLU
			}
			if !pack && cols > g.classes[0].cols {
				p.flags |= tileNextPanel
			}
			switch {
			case bRows > 0:
				g.packPairs(packed, b, bs, k0, ks, j0, nb, bRows)
			case pack:
				g.packBlock(packed, b, bs, bq, k0, ks, j0, nb)
			}
			for i0 := 0; i0 < rows; i0 += mc {
				mb := min(mc, rows-i0)
				p.a, p.aRow, p.aStep, p.a0 = a, aRow, aStep, k0*aStep
				if packA && ks > 0 {
					// A(i, s) at packedA[i − i0 + s·mb]: each step's rows
					// side by side, as the tiles move down them.
					pa := aligned64(buf.a[:])[:ks*mb]
					for s := range ks {
						src := i0*aRow + (k0+s)*aStep
						copy(pa[s*mb:s*mb+mb], a[src:src+mb])
					}
					p.a, p.aRow, p.aStep, p.a0 = pa, 1, mb, -i0
				}
				off := 0 // of the panel in packed
				for q := 0; q < nb; {
					cl, cw := g.panel(nb - q)
					switch {
					case ks == 0: // the tile reads no B
						p.run(cl, i0, mb, j0+q, cw, &zeros[0], 0)
					case pack:
						p.run(cl, i0, mb, j0+q, cw, &packed[off], cl.cols)
					default:
						p.run(cl, i0, mb, j0+q, cw, &b[k0*bs+j0+q], bs)
					}
					off += ks * cl.cols
					q += cw
				}
			}
			if k0 += ks; k0 >= steps {
				break
			}
		}
	}
}

// packBlock copies B's steps k0… k0+ks and columns j0… j0+nb into dst,
// panel by panel as gemm walks them: each panel ks rows of its class's
// width, the columns past the block's edge zero.
func (g *gemmISA) packBlock(dst, b []float32, bs, bq, k0, ks, j0, nb int) {
	if ks == 0 {
		return
	}
	if bq == 1 {
		g.packRowsBlock(dst, b, bs, k0, ks, j0, nb)
		return
	}
	off := 0
	for q := 0; q < nb; {
		cl, cw := g.panel(nb - q)
		w := cl.cols
		g.transposeTo(dst[off:], b[k0*bs+(j0+q)*bq:], ks, cw, w, bs, bq) // from B(k0, j0+q)
		for s := range ks {
			clear(dst[off+s*w+cw : off+s*w+w])
		}
		off += ks * w
		q += cw
	}
}

// transposeTo sets dst[s·w + q] = src[s·bs + q·bq] for s < ks and q <
// cols: where the steps are adjacent (bs = 1), the ISA's transposing
// routine, when it has one, takes the whole blocks of 16 steps × 16
// columns, and this loop the rest.
func (g *gemmISA) transposeTo(dst, src []float32, ks, cols, w, bs, bq int) {
	s16, q16 := 0, 0
	if bs == 1 && g.packT != packGo && ks >= 16 && cols >= 16 {
		s16, q16 = ks&^15, cols&^15
		runPackT(g.packT, &dst[0], &src[0], s16, q16/16, w, bq)
	}
	for s := range ks {
		q0 := 0
		if s < s16 {
			q0 = q16
		}
		row := dst[s*w : s*w+cols]
		for q := q0; q < cols; q++ {
			row[q] = src[s*bs+q*bq]
		}
	}
}

// packRowsBlock is packBlock for a B in rows (bq = 1), a row of B at a
// time: each row is read once, in order, and its columns go to the
// panels' rows. Panel by panel, each read of a panel's row lands on
// another line of B than the last (the rows lie bs floats apart), and the
// copying waited for memory more than it copied. The whole panels of the
// widest class, which lead the block, go to the ISA's routine where it
// has one (packR); the rest, and every panel without one, to this loop.
func (g *gemmISA) packRowsBlock(dst, b []float32, bs, k0, ks, j0, nb int) {
	var offs, widths, cws [maxNC/4 + 1]int // each panel's offset in dst, width and columns of B (the narrowest class is 4 wide)
	np := 0
	for q, off := 0, 0; q < nb; np++ {
		cl, cw := g.panel(nb - q)
		offs[np], widths[np], cws[np] = off, cl.cols, cw
		off += ks * cl.cols
		q += cw
	}
	lead, wide := 0, g.classes[0].cols
	if g.packR != packGo {
		for lead < np && widths[lead] == wide && cws[lead] == wide {
			lead++
		}
	}
	if lead > 0 {
		_, _ = dst[lead*ks*wide-1], b[(k0+ks-1)*bs+j0+lead*wide-1]
		runPackRows(g.packR, &dst[0], &b[k0*bs+j0], ks, lead, wide, bs, ks*wide)
	}
	for s := range ks {
		src := b[(k0+s)*bs+j0 : (k0+s)*bs+j0+nb]
		q := lead * wide
		for p := lead; p < np; p++ {
			w, cw := widths[p], cws[p]
			row := dst[offs[p]+s*w : offs[p]+s*w+w]
			copy(row, src[q:q+cw])
			clear(row[cw:])
			q += cw
		}
	}
}

// packPairs is packBlock for gemmPairs: steps k0… k0+ks of the block
// are B's rows 2k0… of the bRows, paired (a masked ISA's panels need no
// zero columns past the edge).
func (g *gemmISA) packPairs(dst, b []float32, bs, k0, ks, j0, nb, bRows int) {
	if !g.masked {
		panic("simdnn: packPairs leaves the columns past a panel's edge as they were: a masked ISA only")
	}
	if ks == 0 {
		return
	}
	off := 0
	for q := 0; q < nb; {
		cl, cw := g.panel(nb - q)
		pairSteps(&dst[off], &b[2*k0*bs+j0+q], min(2*ks, bRows-2*k0), cw, bs, cl.cols)
		off += ks * cl.cols
		q += cw
	}
}

// gemmPass is one block of steps of one block of columns.
type gemmPass struct {
	g        *gemmISA
	buf      *gemmBuf
	c        []float32
	ldc      int
	a        []float32 // A(i, s) at a[a0 + i·aRow + s·aStep]
	a0, aRow int
	aStep    int
	init     []float32
	ldi      int
	fresh    bool // init is not C: a row may be computed twice
	ks       int
	flags    int
}

// run does rows i0… i0+mb of one panel: cw columns from q0 whose B rows
// start at bp, ldb floats apart. Whole tiles write C in place; the rows
// that do not fill a tile, and every row of a partial panel on an ISA
// without masks, go through the scratch tile.
func (p *gemmPass) run(cl tileClass, i0, mb, q0, cw int, bp *float32, ldb int) {
	masks := ^uint64(0) >> (64 - cw)
	R, end := cl.rows, i0+mb
	// call runs n tiles of the given kind from row r down.
	call := func(kind, r, n int) {
		init := &zeros[0]
		if p.init != nil {
			init = &p.init[r*p.ldi+q0]
		}
		runTile(kind, &p.c[r*p.ldc+q0], p.at(r), bp, init,
			p.ks, p.aStep*4, p.aRow*4, ldb*4, p.ldc*4, p.ldi*4, masks, p.flags, n)
	}
	if !p.g.masked {
		r := i0
		if cw == cl.cols && mb >= R {
			call(cl.kind, i0, mb/R)
			r += mb / R * R
		}
		for ; r < end; r += R {
			p.edge(cl, r, min(R, end-r), q0, cw, bp, ldb, masks)
		}
		return
	}
	// Below the whole tiles: while init is not C, a tile may end at the
	// last row and rewrite rows above it with the same values; else a
	// half-height tile, then one-row tiles.
	r := i0
	if mb >= R {
		call(cl.kind, r, mb/R)
		r += mb / R * R
		if r < end && p.fresh {
			call(cl.kind, end-R, 1)
			return
		}
	}
	if h := cl.halfRows; h > 0 && end-r >= h {
		call(cl.halfKind, r, 1)
		if r += h; r < end && p.fresh {
			call(cl.halfKind, end-h, 1)
			return
		}
	}
	if r < end {
		call(p.g.rowKind, r, end-r)
	}
}

// at is A's first element of row i in this block of steps (any valid
// address when the block has no steps: the tile reads none).
func (p *gemmPass) at(i int) *float32 {
	if p.ks == 0 {
		return &zeros[0]
	}
	return &p.a[p.a0+i*p.aRow]
}

// edge computes rows r0… r0+e (e ≤ R) of a panel in the scratch tile:
// init copied in, the tile run once, the result copied out.
func (p *gemmPass) edge(cl tileClass, r0, e, q0, cw int, bp *float32, ldb int, masks uint64) {
	R, W, ks := cl.rows, cl.cols, p.ks
	sc := aligned64(p.buf.c[:])[:R*W]
	clear(sc)
	for r := range e {
		if p.init != nil {
			i := (r0+r)*p.ldi + q0
			copy(sc[r*W:r*W+cw], p.init[i:i+cw])
		}
	}
	// A in place when the tile's rows all exist (a partial panel), else
	// its rows copied, the missing ones zero.
	ap, aStep, aRow := p.at(r0), p.aStep, p.aRow
	if e < R && ks > 0 {
		sa := aligned64(p.buf.e[:])[:R*ks]
		for r := range R {
			row := sa[r*ks : r*ks+ks]
			if r >= e {
				clear(row)
				continue
			}
			src := p.a0 + (r0+r)*p.aRow
			for s := range row {
				row[s] = p.a[src+s*p.aStep]
			}
		}
		ap, aStep, aRow = &sa[0], 1, ks
	}
	runTile(cl.kind, &sc[0], ap, bp, &sc[0], ks, aStep*4, aRow*4, ldb*4, W*4, W*4, masks, p.flags, 1)
	for r := range e {
		i := (r0+r)*p.ldc + q0
		copy(p.c[i:i+cw], sc[r*W:r*W+cw])
	}
}

// denseForwardTiles computes DenseForward with g's tiles, or with its
// matrix–vector routines where the shape is one they take (gemv.go).
func denseForwardTiles(g *gemmISA, y, x, w, b []float32, m, k, n int, relu bool) {
	if g.gemv(y, x, w, b, m, k, n, relu) {
		return
	}
	g.gemm(y, n, x, k, 1, w, n, 1, b, 0, m, n, k, relu)
}

// denseBackwardTiles computes DenseBackward's dw and dx with g's tiles
// (db is each ISA's column sums):
//   - dw = xᵀ·dy: A(p, i) = x[i·k + p] (row stride 1, step k), B = dy;
//   - dx = dy·wᵀ: A = dy, B(j, p) = w[p·n + j], packed transposed.
func denseBackwardTiles(g *gemmISA, dw, dx, x, w, dy []float32, m, k, n int) {
	g.gemm(dw, n, x, 1, k, dy, n, 1, nil, 0, k, n, m, false)
	switch {
	case dx == nil:
	case g.dxT && m >= 1 && m <= dxTRows && m*(k+n) < k*n:
		g.dxTransposed(dx, w, dy, m, k, n)
	default:
		g.gemm(dx, k, dy, n, 1, w, 1, n, nil, 0, m, k, n, false)
	}
}

// dxTRows bounds the rows for which dxTransposed may run: each block of
// w's rows (len(gemmBuf.b)/m of them) packs dyᵀ again. Below it, the
// transposed form runs where m·(k + n) < k·n, where packing wᵀ (k·n
// floats, the work of the usual form beyond the product's) costs more
// than packing dyᵀ (n·m) and transposing dx (m·k): measured on avx2
// (bench/README.md), it ran faster or level (within 1 %) at every shape
// tried that meets this, and slower at every one tried that does not.
const dxTRows = 128

// dxTransposed computes dx = dy·wᵀ as its transpose, dxᵀ = w·dyᵀ: A = w
// in rows, read in place, and B = dyᵀ (n × m) packed, rather than wᵀ (n ×
// k) packed. A product's sums are the same either way (each step's
// product a·b is b·a), so are the bits. dxᵀ goes through a buffer, a
// block of w's rows at a time, and is transposed into dx.
func (g *gemmISA) dxTransposed(dx, w, dy []float32, m, k, n int) {
	if m == 1 { // dxᵀ = w·dyᵀ is dx itself, a forward of one output
		denseForwardTiles(g, dx, w, dy, zeros[:1], k, n, 1, false)
		return
	}
	buf := getGemmBuf()
	defer putGemmBuf(buf)
	t := buf.b[:]
	rows := len(t) / m
	for p0 := 0; p0 < k; p0 += rows {
		pb := min(rows, k-p0)
		ct := t[:pb*m]
		g.gemm(ct, m, w[p0*n:], n, 1, dy, 1, n, nil, 0, pb, m, n, false)
		g.transposeTo(dx[p0:], ct, m, pb, k, 1, m) // dx[i·k + p0 + p] = ct[p·m + i]
	}
}

// crowdedRows reports whether the lines where sixteen rows k floats
// apart start put more than four in one of L1's 64 sets (4 KiB a way),
// taking the first row to start on a line (rows that do not may fall
// either side of a near multiple: the speed, never the result, changes).
func crowdedRows(k int) bool {
	var n [64]int
	for r := range 16 {
		line := r * k * 4 / 64
		if r > 0 && line == (r-1)*k*4/64 {
			continue // the row starts in the line before it
		}
		if n[line%64]++; n[line%64] > 4 {
			return true
		}
	}
	return false
}
