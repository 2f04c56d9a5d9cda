//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON tiles of the dense kernels (gemm.go has the contract):
//
//	func neonTileRxW(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
//
// Each step loads B row s once (W/4 vectors) and A(r, s) of each row r
// with a scalar LDR S, which fills lane 0 of a V register and takes only
// a load pipe (LD1R would take a vector pipe as well on Neoverse cores);
// FMLA by element then multiplies the B vectors by that lane into the
// row's accumulators, one fused multiply-add per step. The accumulators
// (24, or 16 in the four-column tile) stay in V8…V31 for the whole loop.
// The A values come in small groups of loads, each a group ahead of the
// FMLAs that use it, through a few registers used in turn: an in-order
// core (Cortex-A53) then waits for neither a load's result nor, between
// the groups, the write-back of the long FMLAs before it (llvm-mca's model
// of the A53 makes a load issued right after an FMLA wait for it). NEON
// has no masked loads or stores: a tile reads and writes all W columns
// (masks is unused), and the driver hands it only whole panels.

#define C_PTR R0
#define A_TILE R1   // A of the current tile
#define B_PTR R2
#define INIT_PTR R3
#define STEPS R4
#define A_STEP R5
#define A_ROW R6
#define LDB R7
#define LDC R8
#define LDI R9
#define A_PTR R10   // A(row 0, s)
#define A_PTR8 R11  // A(row 8, s), for the 12- and 16-row tiles
#define A_ROW2 R12  // 2·aRow … 7·aRow: the offsets of rows 2…7 from A_PTR
#define A_ROW3 R13
#define A_ROW4 R14
#define A_ROW5 R15
#define A_ROW6 R16
#define A_ROW7 R17
#define TILES R19
#define FLAGS R20

#define TILE_FLUSH 2

// FLUSH_ON(skip), at a tile's start, and FLUSH_OFF(skip), before its
// return: with TILE_FLUSH in flags (the bf16 sums on the float32 tiles,
// bf16_tiles.go) FPCR.FZ is on for the tile's arithmetic, FPCR as it was
// kept in R22 and put back at the end. Assembly is not preempted
// asynchronously, so no Go code runs under the mode (a signal handler
// could, which does no floating-point work).
#define FLUSH_ON(skip) TBZ $1, FLAGS, skip; MRS FPCR, R22; ORR $(1<<24), R22, R21; MSR R21, FPCR; skip:
#define FLUSH_OFF(skip) TBZ $1, FLAGS, skip; MSR R22, FPCR; skip:

// TILE_ARGS loads the arguments every tile uses and the row offsets.
#define TILE_ARGS \
	MOVD c+0(FP), C_PTR; \
	MOVD a+8(FP), A_TILE; \
	MOVD init+24(FP), INIT_PTR; \
	MOVD aStep+40(FP), A_STEP; \
	MOVD aRow+48(FP), A_ROW; \
	MOVD ldb+56(FP), LDB; \
	MOVD ldc+64(FP), LDC; \
	MOVD ldi+72(FP), LDI; \
	MOVD flags+88(FP), FLAGS; \
	MOVD tiles+96(FP), TILES; \
	ADD  A_ROW, A_ROW, A_ROW2; \
	ADD  A_ROW, A_ROW2, A_ROW3; \
	ADD  A_ROW2, A_ROW2, A_ROW4; \
	ADD  A_ROW, A_ROW4, A_ROW5; \
	ADD  A_ROW3, A_ROW3, A_ROW6; \
	ADD  A_ROW, A_ROW6, A_ROW7

// TILE_START begins a tile's step loop: B and the step count from the
// arguments, the row pointers from A_TILE.
#define TILE_START \
	MOVD b+16(FP), B_PTR; \
	MOVD steps+32(FP), STEPS; \
	MOVD A_TILE, A_PTR; \
	ADD  A_ROW4<<1, A_TILE, A_PTR8

// Row pieces: an init row (INIT_PTR then moves on by ldi, 0 for a bias)
// and a C row, of 1, 2 or 4 vectors.
#define INIT1(v0) VLD1.P (INIT_PTR)(LDI), [v0.S4]
#define INIT2(v0, v1) VLD1.P (INIT_PTR)(LDI), [v0.S4, v1.S4]
#define INIT4(v0, v1, v2, v3) VLD1.P (INIT_PTR)(LDI), [v0.S4, v1.S4, v2.S4, v3.S4]
#define STORE1(v0) VST1.P [v0.S4], (C_PTR)(LDC)
#define STORE2(v0, v1) VST1.P [v0.S4, v1.S4], (C_PTR)(LDC)
#define STORE4(v0, v1, v2, v3) VST1.P [v0.S4, v1.S4, v2.S4, v3.S4], (C_PTR)(LDC)

// FMAn(a, c…): the row's accumulators c… += B (V0, V1, …) · lane 0 of Va.
#define FMA1(a, c0) FMLA4SE(0, a, 0, c0)
#define FMA2(a, c0, c1) FMLA4SE(0, a, 0, c0); FMLA4SE(0, a, 1, c1)
#define FMA4(a, c0, c1, c2, c3) FMLA4SE(0, a, 0, c0); FMLA4SE(0, a, 1, c1); FMLA4SE(0, a, 2, c2); FMLA4SE(0, a, 3, c3)

// CLAMP(v, t): v = 0 where v < 0, t scratch. FCMLT #0 is false for NaN
// and -0, so they pass. CLAMP_16_31 and CLAMP_8_31 clamp the
// accumulators with V0…V3 as scratch.
#define CLAMP(v, t) FCMLT4SZ(v, t); BIC16B(t, v, v)
#define CLAMP4(v0, v1, v2, v3) CLAMP(v0, 0); CLAMP(v1, 1); CLAMP(v2, 2); CLAMP(v3, 3)
#define CLAMP_16_31 CLAMP4(16, 17, 18, 19); CLAMP4(20, 21, 22, 23); CLAMP4(24, 25, 26, 27); CLAMP4(28, 29, 30, 31)
#define CLAMP_8_31 CLAMP4(8, 9, 10, 11); CLAMP4(12, 13, 14, 15); CLAMP_16_31

// func neonTile6x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 6 rows × 16 columns, the tile of wide panels: V0…V3 hold B row s,
// V4…V7 the A values of rows 0–3 and then of rows 4 and 5 (loaded once
// rows 0 and 1 are done), V8…V31 the accumulators (row r in
// V8+4r…V11+4r). Per step 4 + 6 loads feed 24 FMLAs.
TEXT ·neonTile6x16(SB), NOSPLIT, $0-104
	TILE_ARGS
	FLUSH_ON(neonTile6x16fon)

t6x16tile:
	INIT4(V8, V9, V10, V11); INIT4(V12, V13, V14, V15); INIT4(V16, V17, V18, V19)
	INIT4(V20, V21, V22, V23); INIT4(V24, V25, V26, V27); INIT4(V28, V29, V30, V31)
	TILE_START
	CBZ STEPS, t6x16done

t6x16loop:
	VLD1.P (B_PTR)(LDB), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMOVS  (A_PTR), F4; FMOVS (A_PTR)(A_ROW), F5
	FMOVS  (A_PTR)(A_ROW2), F6; FMOVS (A_PTR)(A_ROW3), F7
	FMA4(4, 8, 9, 10, 11); FMA4(5, 12, 13, 14, 15)
	FMOVS  (A_PTR)(A_ROW4), F4; FMOVS (A_PTR)(A_ROW5), F5
	FMA4(6, 16, 17, 18, 19); FMA4(7, 20, 21, 22, 23)
	FMA4(4, 24, 25, 26, 27); FMA4(5, 28, 29, 30, 31)
	ADD    A_STEP, A_PTR
	SUBS   $1, STEPS
	BNE    t6x16loop

t6x16done:
	TBZ $0, FLAGS, t6x16store // flags has no tileReLU
	CLAMP_8_31

t6x16store:
	STORE4(V8, V9, V10, V11); STORE4(V12, V13, V14, V15); STORE4(V16, V17, V18, V19)
	STORE4(V20, V21, V22, V23); STORE4(V24, V25, V26, V27); STORE4(V28, V29, V30, V31)
	ADD  A_ROW6, A_TILE
	SUBS $1, TILES
	BNE  t6x16tile
	FLUSH_OFF(neonTile6x16foff1)
	RET

// func neonTile12x8(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 12 rows × 8 columns, for panels of 5–8 columns: V0, V1 hold B row s,
// V2…V7 the A values (row r in V2 + r mod 6, loaded in threes), V8…V31 the
// accumulators (row r in V8+2r, V9+2r). Rows 8–11 are addressed from
// A_PTR8. Per step 2 + 12 loads feed 24 FMLAs.
TEXT ·neonTile12x8(SB), NOSPLIT, $0-104
	TILE_ARGS
	FLUSH_ON(neonTile12x8fon)

t12x8tile:
	INIT2(V8, V9); INIT2(V10, V11); INIT2(V12, V13); INIT2(V14, V15); INIT2(V16, V17); INIT2(V18, V19)
	INIT2(V20, V21); INIT2(V22, V23); INIT2(V24, V25); INIT2(V26, V27); INIT2(V28, V29); INIT2(V30, V31)
	TILE_START
	CBZ STEPS, t12x8done

t12x8loop:
	VLD1.P (B_PTR)(LDB), [V0.S4, V1.S4]
	FMOVS  (A_PTR), F2; FMOVS (A_PTR)(A_ROW), F3; FMOVS (A_PTR)(A_ROW2), F4
	FMOVS  (A_PTR)(A_ROW3), F5; FMOVS (A_PTR)(A_ROW4), F6; FMOVS (A_PTR)(A_ROW5), F7
	FMA2(2, 8, 9); FMA2(3, 10, 11); FMA2(4, 12, 13)
	FMOVS  (A_PTR)(A_ROW6), F2; FMOVS (A_PTR)(A_ROW7), F3; FMOVS (A_PTR8), F4
	FMA2(5, 14, 15); FMA2(6, 16, 17); FMA2(7, 18, 19)
	FMOVS  (A_PTR8)(A_ROW), F5; FMOVS (A_PTR8)(A_ROW2), F6; FMOVS (A_PTR8)(A_ROW3), F7
	FMA2(2, 20, 21); FMA2(3, 22, 23); FMA2(4, 24, 25)
	FMA2(5, 26, 27); FMA2(6, 28, 29); FMA2(7, 30, 31)
	ADD    A_STEP, A_PTR
	ADD    A_STEP, A_PTR8
	SUBS   $1, STEPS
	BNE    t12x8loop

t12x8done:
	TBZ $0, FLAGS, t12x8store // flags has no tileReLU
	CLAMP_8_31

t12x8store:
	STORE2(V8, V9); STORE2(V10, V11); STORE2(V12, V13); STORE2(V14, V15); STORE2(V16, V17); STORE2(V18, V19)
	STORE2(V20, V21); STORE2(V22, V23); STORE2(V24, V25); STORE2(V26, V27); STORE2(V28, V29); STORE2(V30, V31)
	ADD  A_ROW6<<1, A_TILE
	SUBS $1, TILES
	BNE  t12x8tile
	FLUSH_OFF(neonTile12x8foff1)
	RET

// func neonTile16x4(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 16 rows × 4 columns, for the narrowest panels: V0 holds B row s,
// V1…V12 the A values (row r in V1 + r mod 12, loaded in fours), V16…V31
// the accumulators (row r in V16+r). Rows 8–15 are addressed from A_PTR8.
// Per step 1 + 16 loads feed 16 FMLAs: two load pipes are as busy as two
// FMLA pipes.
TEXT ·neonTile16x4(SB), NOSPLIT, $0-104
	TILE_ARGS
	FLUSH_ON(neonTile16x4fon)

t16x4tile:
	INIT1(V16); INIT1(V17); INIT1(V18); INIT1(V19); INIT1(V20); INIT1(V21); INIT1(V22); INIT1(V23)
	INIT1(V24); INIT1(V25); INIT1(V26); INIT1(V27); INIT1(V28); INIT1(V29); INIT1(V30); INIT1(V31)
	TILE_START
	CBZ STEPS, t16x4done

t16x4loop:
	VLD1.P (B_PTR)(LDB), [V0.S4]
	FMOVS  (A_PTR), F1; FMOVS (A_PTR)(A_ROW), F2; FMOVS (A_PTR)(A_ROW2), F3; FMOVS (A_PTR)(A_ROW3), F4
	FMOVS  (A_PTR)(A_ROW4), F5; FMOVS (A_PTR)(A_ROW5), F6; FMOVS (A_PTR)(A_ROW6), F7; FMOVS (A_PTR)(A_ROW7), F8
	FMOVS  (A_PTR8), F9; FMOVS (A_PTR8)(A_ROW), F10; FMOVS (A_PTR8)(A_ROW2), F11; FMOVS (A_PTR8)(A_ROW3), F12
	FMA1(1, 16); FMA1(2, 17); FMA1(3, 18); FMA1(4, 19)
	FMOVS  (A_PTR8)(A_ROW4), F1; FMOVS (A_PTR8)(A_ROW5), F2; FMOVS (A_PTR8)(A_ROW6), F3; FMOVS (A_PTR8)(A_ROW7), F4
	FMA1(5, 20); FMA1(6, 21); FMA1(7, 22); FMA1(8, 23)
	FMA1(9, 24); FMA1(10, 25); FMA1(11, 26); FMA1(12, 27)
	FMA1(1, 28); FMA1(2, 29); FMA1(3, 30); FMA1(4, 31)
	ADD    A_STEP, A_PTR
	ADD    A_STEP, A_PTR8
	SUBS   $1, STEPS
	BNE    t16x4loop

t16x4done:
	TBZ $0, FLAGS, t16x4store // flags has no tileReLU
	CLAMP_16_31

t16x4store:
	STORE1(V16); STORE1(V17); STORE1(V18); STORE1(V19); STORE1(V20); STORE1(V21); STORE1(V22); STORE1(V23)
	STORE1(V24); STORE1(V25); STORE1(V26); STORE1(V27); STORE1(V28); STORE1(V29); STORE1(V30); STORE1(V31)
	ADD  A_ROW4<<2, A_TILE
	SUBS $1, TILES
	BNE  t16x4tile
	FLUSH_OFF(neonTile16x4foff1)
	RET

#define DB_PTR R0
#define DY_PTR R1
#define ROWS R2
#define COLS R3
#define ROW_BYTES R4
#define COL_PTR R5
#define LEFT R6

// func neonColumnSums(db, dy *float32, m, n int)
// db[j] = Σ_{i<m} dy[i·n + j] for n ≥ 1, added in order of i from +0 (the
// reference's order): 16 columns at a time in V0…V3, each block a walk
// down the rows (n floats apart), then 4 columns in V0, then one at a
// time in lane 0 of F0.
TEXT ·neonColumnSums(SB), NOSPLIT, $0-32
	MOVD db+0(FP), DB_PTR
	MOVD dy+8(FP), DY_PTR
	MOVD m+16(FP), ROWS
	MOVD n+24(FP), COLS
	LSL  $2, COLS, ROW_BYTES

cs16:
	CMP  $16, COLS
	BLT  cs4
	VEOR V0.B16, V0.B16, V0.B16; VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16; VEOR V3.B16, V3.B16, V3.B16
	MOVD DY_PTR, COL_PTR
	MOVD ROWS, LEFT
	CBZ  LEFT, cs16store

cs16row:
	VLD1.P (COL_PTR)(ROW_BYTES), [V4.S4, V5.S4, V6.S4, V7.S4]
	FADD4S(4, 0, 0); FADD4S(5, 1, 1); FADD4S(6, 2, 2); FADD4S(7, 3, 3)
	SUBS   $1, LEFT
	BNE    cs16row

cs16store:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(DB_PTR)
	ADD    $64, DY_PTR
	SUB    $16, COLS
	B      cs16

cs4:
	CMP  $4, COLS
	BLT  cs1
	VEOR V0.B16, V0.B16, V0.B16
	MOVD DY_PTR, COL_PTR
	MOVD ROWS, LEFT
	CBZ  LEFT, cs4store

cs4row:
	VLD1.P (COL_PTR)(ROW_BYTES), [V4.S4]
	FADD4S(4, 0, 0)
	SUBS   $1, LEFT
	BNE    cs4row

cs4store:
	VST1.P [V0.S4], 16(DB_PTR)
	ADD    $16, DY_PTR
	SUB    $4, COLS
	B      cs4

cs1:
	CBZ  COLS, csdone
	VEOR V0.B16, V0.B16, V0.B16
	MOVD DY_PTR, COL_PTR
	MOVD ROWS, LEFT
	CBZ  LEFT, cs1store

cs1row:
	FMOVS (COL_PTR), F4
	FADDS F4, F0, F0
	ADD   ROW_BYTES, COL_PTR
	SUBS  $1, LEFT
	BNE   cs1row

cs1store:
	FMOVS.P F0, 4(DB_PTR)
	ADD     $4, DY_PTR
	SUB     $1, COLS
	B       cs1

csdone:
	RET

// func neonVecMat(y, x, w *float32, k, cols, ldw int)
// gemv.go's vecMat on the first cols columns (a multiple of 4) of w's
// rows, ldw floats apart: for r = 0, 1, …, k−1 in turn and j < cols,
// y[j] = fma(x[r], w[r·ldw + j], y[j]). Four rows of w at a time (their
// x in the lanes of V4), then one (x in lane 0): each group of 16
// columns of y (V0…V3) is loaded once, given the group's FMLAs row by
// row, and stored; then 4 columns at a time. w streams once, in order.
#define VM_Y R0
#define VM_X R1
#define VM_W R2
#define VM_ROWS R3
#define VM_COLS R4
#define VM_LD R5  // ldw in bytes
#define VM_R0 R6  // rows r … r+3 of the group
#define VM_R1 R7
#define VM_R2 R8
#define VM_R3 R9
#define VM_YC R10 // y at the current columns
#define VM_LEFT R11

// VM_GROUP runs one group of rows of w over every column of y: 16 at a
// time (load16 fetches the group's w into V16…, fma16 adds it into
// V0…V3), then 4 (load4, fma4 into V0). The row pointers are set and
// VM_YC = y, VM_LEFT = cols on entry.
#define VM_GROUP(load16, fma16, load4, fma4, c16, c4, done) \
c16: \
	CMP    $16, VM_LEFT; \
	BLT    c4; \
	VLD1   (VM_YC), [V0.S4, V1.S4, V2.S4, V3.S4]; \
	load16; \
	fma16; \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(VM_YC); \
	SUB    $16, VM_LEFT; \
	B      c16; \
c4: \
	CBZ    VM_LEFT, done; \
	VLD1   (VM_YC), [V0.S4]; \
	load4; \
	fma4; \
	VST1.P [V0.S4], 16(VM_YC); \
	SUB    $4, VM_LEFT; \
	B      c4

// The pieces of four rows (x in the lanes of V4; row r's w in V16+4r…)
// and of one (x in lane 0 of V4; w in V16…V19).
#define VM_LOAD16_4 \
	VLD1.P 64(VM_R0), [V16.S4, V17.S4, V18.S4, V19.S4]; \
	VLD1.P 64(VM_R1), [V20.S4, V21.S4, V22.S4, V23.S4]; \
	VLD1.P 64(VM_R2), [V24.S4, V25.S4, V26.S4, V27.S4]; \
	VLD1.P 64(VM_R3), [V28.S4, V29.S4, V30.S4, V31.S4]
#define VM_FMA16_4 \
	FMLA4SE(0, 4, 16, 0); FMLA4SE(0, 4, 17, 1); FMLA4SE(0, 4, 18, 2); FMLA4SE(0, 4, 19, 3); \
	FMLA4SE(1, 4, 20, 0); FMLA4SE(1, 4, 21, 1); FMLA4SE(1, 4, 22, 2); FMLA4SE(1, 4, 23, 3); \
	FMLA4SE(2, 4, 24, 0); FMLA4SE(2, 4, 25, 1); FMLA4SE(2, 4, 26, 2); FMLA4SE(2, 4, 27, 3); \
	FMLA4SE(3, 4, 28, 0); FMLA4SE(3, 4, 29, 1); FMLA4SE(3, 4, 30, 2); FMLA4SE(3, 4, 31, 3)
#define VM_LOAD4_4 \
	VLD1.P 16(VM_R0), [V16.S4]; VLD1.P 16(VM_R1), [V20.S4]; \
	VLD1.P 16(VM_R2), [V24.S4]; VLD1.P 16(VM_R3), [V28.S4]
#define VM_FMA4_4 FMLA4SE(0, 4, 16, 0); FMLA4SE(1, 4, 20, 0); FMLA4SE(2, 4, 24, 0); FMLA4SE(3, 4, 28, 0)
#define VM_LOAD16_1 VLD1.P 64(VM_R0), [V16.S4, V17.S4, V18.S4, V19.S4]
#define VM_FMA16_1 FMLA4SE(0, 4, 16, 0); FMLA4SE(0, 4, 17, 1); FMLA4SE(0, 4, 18, 2); FMLA4SE(0, 4, 19, 3)
#define VM_LOAD4_1 VLD1.P 16(VM_R0), [V16.S4]
#define VM_FMA4_1 FMLA4SE(0, 4, 16, 0)

TEXT ·neonVecMat(SB), NOSPLIT, $0-48
	MOVD y+0(FP), VM_Y
	MOVD x+8(FP), VM_X
	MOVD w+16(FP), VM_W
	MOVD k+24(FP), VM_ROWS
	MOVD cols+32(FP), VM_COLS
	MOVD ldw+40(FP), VM_LD
	LSL  $2, VM_LD
	CBZ  VM_COLS, vmdone

vm4:
	CMP    $4, VM_ROWS
	BLT    vm1
	VLD1.P 16(VM_X), [V4.S4]
	MOVD   VM_W, VM_R0
	ADD    VM_LD, VM_R0, VM_R1
	ADD    VM_LD, VM_R1, VM_R2
	ADD    VM_LD, VM_R2, VM_R3
	MOVD   VM_Y, VM_YC
	MOVD   VM_COLS, VM_LEFT
	VM_GROUP(VM_LOAD16_4, VM_FMA16_4, VM_LOAD4_4, VM_FMA4_4, vm4c16, vm4c4, vm4next)

vm4next:
	ADD VM_LD<<2, VM_W, VM_W
	SUB $4, VM_ROWS
	B   vm4

vm1:
	CBZ     VM_ROWS, vmdone
	FMOVS.P 4(VM_X), F4
	MOVD    VM_W, VM_R0
	MOVD    VM_Y, VM_YC
	MOVD    VM_COLS, VM_LEFT
	VM_GROUP(VM_LOAD16_1, VM_FMA16_1, VM_LOAD4_1, VM_FMA4_1, vm1c16, vm1c4, vm1next)

vm1next:
	ADD VM_LD, VM_W
	SUB $1, VM_ROWS
	B   vm1

vmdone:
	RET
