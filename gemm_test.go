//go:build !purego && (amd64 || arm64)

package simdnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
	"github.com/simdnn/simdnn/internal/testmem"
)

// The tile routines are tested one by one against the tile contract
// (gemm.go) with exact arithmetic: one fma32 per step, in order. Every
// tile of every implementation runs at step counts below, at and past its
// unrolling, 1–3 tiles per call, every kind of init (a bias row, rows of
// their own, C itself), A in both layouts the kernels use (x and xᵀ),
// padded strides, ReLU, NaN/Inf/-0/denormals, and, on a masked ISA,
// partial panels whose B, init and C end at a PROT_NONE page.

// tileCase is one call of a tile routine.
type tileCase struct {
	R, W, cw       int  // tile rows and columns, columns set in masks
	steps, tiles   int  // steps and tiles
	colMajorA      bool // A as xᵀ: row stride 1, step stride rows
	init           int  // 0: bias row (ldi 0), 1: rows of their own, 2: C itself
	relu           bool
	nextPanel      bool // the tileNextPanel hint
	nextRows       bool // the tileNextRows hint
	ldbPad, ldcPad int
}

func (tc tileCase) String() string {
	return fmt.Sprintf("%dx%d cw=%d steps=%d tiles=%d colMajorA=%v init=%d relu=%v nextPanel=%v nextRows=%v", tc.R, tc.W, tc.cw, tc.steps, tc.tiles, tc.colMajorA, tc.init, tc.relu, tc.nextPanel, tc.nextRows)
}

// tileKinds lists an ISA's tiles: its classes and, on a masked ISA, its
// one-row tile (as wide as the widest class).
func tileKinds(g *gemmISA) []tileClass {
	kinds := append([]tileClass(nil), g.classes...)
	for _, cl := range g.classes {
		if cl.halfRows > 0 {
			kinds = append(kinds, tileClass{kind: cl.halfKind, rows: cl.halfRows, cols: cl.cols})
		}
	}
	if g.masked {
		kinds = append(kinds, tileClass{kind: g.rowKind, rows: 1, cols: g.classes[0].cols})
	}
	return kinds
}

// runTileCase runs tc on the tile kind and compares every element of C,
// and the columns and rows it must not touch, with the contract.
func runTileCase(t *testing.T, kind int, tc tileCase, r *rand.Rand, fill testmem.Filler, mem testmem.Placement) {
	rows := tc.R * tc.tiles
	ldb, ldc := tc.cw+tc.ldbPad, tc.W+tc.ldcPad
	if tc.cw < tc.W {
		ldc = tc.cw + tc.ldcPad // a partial panel: C's row ends where the columns do
	}
	a := mem.F32(0, max(1, rows*tc.steps))
	// B's last row holds exactly cw columns, so a read past them reaches
	// the guard page (or the end of its slice).
	b := mem.F32(1, max(1, (tc.steps-1)*ldb+tc.cw))
	c := mem.F32(2, (rows-1)*ldc+tc.cw)
	fill(r, a)
	fill(r, b)
	fill(r, c)
	aRow, aStep := tc.steps, 1
	if tc.colMajorA {
		aRow, aStep = 1, rows
	}
	var init []float32
	ldi := 0
	switch tc.init {
	case 0:
		init = mem.F32(3, tc.cw)
	case 1:
		ldi = tc.cw + 1
		init = mem.F32(3, (rows-1)*ldi+tc.cw)
	case 2:
		init, ldi = c, ldc
	}
	if tc.init != 2 {
		fill(r, init)
	}
	// The contract, exactly.
	want := testmem.Clone(c)
	for i := range rows {
		for q := range tc.cw {
			acc := init[i*ldi+q]
			for s := range tc.steps {
				acc = fma32(a[i*aRow+s*aStep], b[s*ldb+q], acc)
			}
			if tc.relu && acc < 0 {
				acc = 0
			}
			want[i*ldc+q] = acc
		}
	}
	flags := 0
	if tc.relu {
		flags = tileReLU
	}
	if tc.nextPanel {
		flags |= tileNextPanel // a hint: the same results
	}
	if tc.nextRows {
		flags |= tileNextRows // likewise, reaching past C's last row
	}
	masks := ^uint64(0) >> (64 - tc.cw)
	runTile(kind, &c[0], &a[0], &b[0], &init[0], tc.steps, aStep*4, aRow*4, ldb*4, ldc*4, ldi*4, masks, flags, tc.tiles)
	mem.Verify(t)
	for i := range c {
		if !testmem.SameBits(c[i], want[i]) {
			t.Fatalf("%v %s: c[%d][%d] = %g (%#08x), want %g (%#08x)", tc, mem.Name(), i/ldc, i%ldc, c[i], math.Float32bits(c[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestTiles runs every tile routine of every implementation against the
// contract.
func TestTiles(t *testing.T) {
	impltest.RunAsm(t, func(t *testing.T) {
		g := gemmISAs[impl.Active()]
		require.NotNil(t, g, "%s has no tile set in gemmISAs", impl.Name(impl.Active()))
		r := rand.New(rand.NewPCG(5, 16))
		special := testmem.Special(denseSpecials)
		for _, cl := range tileKinds(g) {
			t.Run(fmt.Sprintf("%dx%d", cl.rows, cl.cols), func(t *testing.T) {
				widths := []int{cl.cols}
				if g.masked {
					widths = []int{1, 2, cl.cols/2 + 1, cl.cols - 1, cl.cols}
				}
				// A one-row tile takes its rows four at a time: groups
				// whole, partial and several (ten counts, so that init,
				// fill and ReLU, which cycle with n, meet every count).
				counts := []int{1, 2, 3}
				if cl.rows == 1 {
					counts = append(counts, 4, 5, 6, 7, 8, 10, 11)
				}
				n := 0
				for _, steps := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 130} {
					for _, cw := range widths {
						for _, tiles := range counts {
							n++
							tc := tileCase{R: cl.rows, W: cl.cols, cw: cw, steps: steps, tiles: tiles,
								colMajorA: n%2 == 0, init: n % 3, relu: n%4 < 2, nextPanel: n%7 < 3, nextRows: n%5 < 3, ldbPad: n % 5, ldcPad: n % 3}
							fill := testmem.Uniform
							if n%3 == 1 {
								fill = special
							}
							var mem testmem.Placement = &testmem.Offset{Off: n % 8}
							if guards := testmem.Guards(t); len(guards) > 0 && n%4 == 3 {
								mem = guards[n/4%len(guards)]
							}
							runTileCase(t, cl.kind, tc, r, fill, mem)
						}
					}
				}
			})
		}
	})
}

// exactForward is DenseForward with one fma32 per step in order of p:
// what the driver must give, bit for bit, however it blocks.
func exactForward(x, w, b []float32, m, k, n int, relu bool) []float32 {
	y := make([]float32, m*n)
	for i := range m {
		for j := range n {
			acc := b[j]
			for p := range k {
				acc = fma32(x[i*k+p], w[p*n+j], acc)
			}
			if relu && acc < 0 {
				acc = 0
			}
			y[i*n+j] = acc
		}
	}
	return y
}

// exactBackward is DenseBackward summed the same way: dw over i from +0
// by fma32, db by adds in order of i, dx over j from +0 by fma32.
func exactBackward(x, w, dy []float32, m, k, n int) (dw, db, dx []float32) {
	dw, db, dx = make([]float32, k*n), make([]float32, n), make([]float32, m*k)
	for p := range k {
		for j := range n {
			var acc float32
			for i := range m {
				acc = fma32(x[i*k+p], dy[i*n+j], acc)
			}
			dw[p*n+j] = acc
		}
	}
	for i := range m {
		for j := range n {
			db[j] += dy[i*n+j]
		}
	}
	for i := range m {
		for p := range k {
			var acc float32
			for j := range n {
				acc = fma32(dy[i*n+j], w[p*n+j], acc)
			}
			dx[i*k+p] = acc
		}
	}
	return dw, db, dx
}

// TestGemmBlocksExact: across the driver's block edges (steps around kc,
// rows around the row blocks mc, columns around nc and every
// panel width, and the matrix–vector forms' tails), DenseForward and
// DenseBackward give exactly the sums of one pass, on every
// implementation with tiles.
func TestGemmBlocksExact(t *testing.T) {
	shapes := [][3]int{
		{7, 127, 33}, {13, 128, 64}, {25, 129, 65}, {6, 257, 100},
		{gemmBlock.mc - 1, 40, 17}, {gemmBlock.mc + 1, 9, 48}, {2*gemmBlock.mc + 5, 3, 7},
		{5, 20, gemmBlock.nc - 1}, {3, 11, gemmBlock.nc + 1}, {31, 130, 2*gemmBlock.nc + 37},
		{95, 383, 255}, {97, 385, 257}, {193, 769, 530}, {7, 384, 256}, // avx2's blocks (kernels_amd64.go)
		{1, 300, 200}, {130, 1, 5}, {2, 2, 1},
		{64, 16, 1}, {333, 4100, 1}, {100, 31, 1}, {16, 1, 1}, {47, 33, 1}, // n = 1: rowDots (gemv.go)
		{40, 512, 1}, {24, 1027, 1}, {16, 1025, 1}, {32, 1026, 1}, {16, 36, 1}, {33, 259, 1}, // avx2: crowding L1's sets (eight rows at a time, tails of 0–3 steps) and not
		{48, 2048, 1}, {64, 2055, 1}, {96, 4095, 1}, // avx512: sixteen rows at a time where they crowd L1's sets, thirty-two where not
		{1, 4100, 33}, {1, 7, 1000}, {1, 13, 17}, {1, 9, 16}, // m = 1: vecMat (gemv.go)
		// avx2's dx through dxᵀ (dxTransposed): one row (a forward of one
		// output, by rowDots or the tiles), panels of dxᵀ's columns whole,
		// narrow and partial, and w's rows in two blocks of the buffer
		// (98320/m rows each), the second transposed by avx2PackT alone
		// (64×1600), by it and Go (37×2700: 43 rows of 37) and by Go
		// alone (64×1545: 9 rows).
		{1, 64, 200}, {1, 7, 130}, {2, 3, 128}, {16, 512, 300}, {37, 70, 129}, {64, 200, 128},
		{64, 1600, 128}, {37, 2700, 64}, {64, 1545, 128},
	}
	// The matrix–vector forms' every tail: of steps (rowDots' last 1–15)
	// with rows left after the last group of sixteen or of thirty-two, and of columns (vecMat's last
	// partial vector) after groups of eight, four and one row of w.
	for k := 1; k <= 40; k++ {
		shapes = append(shapes, [3]int{16 + k%17, k, 1}, [3]int{32 + 3*k%37, k, 1}, [3]int{1, k, 16 + 3*k%67})
	}
	impltest.RunAsm(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 9))
		for i, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			fill := testmem.Uniform
			if i%2 == 1 {
				fill = testmem.Special(denseSpecials)
			}
			x, w, b, dy := make([]float32, m*k), make([]float32, k*n), make([]float32, n), make([]float32, m*n)
			for _, v := range [][]float32{x, w, b, dy} {
				fill(r, v)
			}
			y := make([]float32, m*n)
			DenseForward(y, x, w, b, m, k, n, i%3 == 0)
			sameAll(t, fmt.Sprintf("y %v", s), y, exactForward(x, w, b, m, k, n, i%3 == 0))
			dw, db, dx := make([]float32, k*n), make([]float32, n), make([]float32, m*k)
			DenseBackward(dw, db, dx, x, w, dy, m, k, n)
			wdw, wdb, wdx := exactBackward(x, w, dy, m, k, n)
			sameAll(t, fmt.Sprintf("dw %v", s), dw, wdw)
			sameAll(t, fmt.Sprintf("db %v", s), db, wdb)
			sameAll(t, fmt.Sprintf("dx %v", s), dx, wdx)
		}
	})
}

func sameAll(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if !testmem.SameBits(got[i], want[i]) {
			t.Fatalf("%s %s: [%d] = %g, want %g", Impl(), what, i, got[i], want[i])
		}
	}
}

// TestBlockingsFit: every implementation's blockings fit the driver's
// buffers (gemmBuf) and cut whole tiles: mc rows a multiple of every
// tile's rows, nc columns of the widest tile's.
func TestBlockingsFit(t *testing.T) {
	for id, g := range gemmISAs {
		checkBlockingsFit(t, impl.Name(id), g)
	}
}

// checkBlockingsFit holds each blocking of g to gemmBuf's sizes and to
// g's whole tiles.
func checkBlockingsFit(t *testing.T, isa string, g *gemmISA) {
	t.Helper()
	for _, bl := range []blocking{g.block, g.blockAT, gemmBlock} {
		if bl.kc == 0 {
			continue
		}
		name := fmt.Sprintf("%s %+v", isa, bl)
		require.LessOrEqual(t, bl.kc, maxKC, name)
		require.LessOrEqual(t, bl.nc, maxNC, name)
		require.LessOrEqual(t, bl.kc*bl.mc, maxBlkA, name)
		require.LessOrEqual(t, bl.kc*bl.nc, maxBlkB, name)
		require.Zero(t, bl.nc%g.classes[0].cols, name)
		for _, cl := range g.classes {
			require.Zero(t, bl.mc%cl.rows, name)
			if cl.halfRows > 0 {
				require.Zero(t, bl.mc%cl.halfRows, name)
			}
		}
	}
}
