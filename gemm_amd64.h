// Registers and argument loading of the amd64 tile routines
// (gemm_avx2_amd64.s, gemm_avx512_amd64.s; gemm.go has the contract):
//
//	func xxxTileRxW(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)

#define C_PTR DI
#define A_PTR SI
#define A_PTR2 AX   // A of the second group of rows (12-row and 16-row tiles)
#define B_PTR DX
#define STEPS CX
#define A_STEP R9
#define A_ROW R10
#define A_ROW3 R11
#define A_ROW5 R12
#define LDB R14
#define LDC BX
#define LDI R8
#define INIT_PTR R15
#define A_TILE BP   // A of the current tile (the frame saves BP)

#define TILE_RELU 1
#define TILE_FLUSH 2
#define TILE_NEXT_PANEL 4
#define TILE_NEXT_ROWS 8

// FLUSH_ON(skip), at a tile's start, and FLUSH_OFF(skip), before each
// return: with TILE_FLUSH in flags (the bf16 sums on the float32 tiles,
// bf16_tiles.go) MXCSR's DAZ and FTZ are on for the tile's arithmetic,
// MXCSR as it was kept in the frame's slot 0(SP) and put back at the
// end (the copy at 4(SP) gets the two bits). Assembly is not preempted
// asynchronously, so no Go code runs under the mode (a signal handler
// could, which does no floating-point work).
#define FLUSH_ON(skip) \
	TESTQ $TILE_FLUSH, flags+88(FP); JZ skip; \
	STMXCSR 0(SP); STMXCSR 4(SP); ORL $0x8040, 4(SP); LDMXCSR 4(SP); \
skip:
#define FLUSH_OFF(skip) TESTQ $TILE_FLUSH, flags+88(FP); JZ skip; LDMXCSR 0(SP); skip:

// TILE_PTRS loads the arguments every tile uses but masks, flags and
// tiles, and A_ROW3 = 3·aRow, A_ROW5 = 5·aRow.
#define TILE_PTRS \
	MOVQ c+0(FP), C_PTR; \
	MOVQ a+8(FP), A_TILE; \
	MOVQ init+24(FP), INIT_PTR; \
	MOVQ aStep+40(FP), A_STEP; \
	MOVQ aRow+48(FP), A_ROW; \
	MOVQ ldb+56(FP), LDB; \
	MOVQ ldc+64(FP), LDC; \
	MOVQ ldi+72(FP), LDI; \
	LEAQ (A_ROW)(A_ROW*2), A_ROW3; \
	LEAQ (A_ROW)(A_ROW*4), A_ROW5

// TILE_START begins a tile's step loop: B and the step count from the
// arguments, A from A_TILE; no steps jumps to done.
#define TILE_START(done) \
	MOVQ b+16(FP), B_PTR; \
	MOVQ steps+32(FP), STEPS; \
	MOVQ A_TILE, A_PTR; \
	TESTQ STEPS, STEPS; \
	JZ done

// TILE_DOWN moves A_TILE down a tile of r1 + r2 rows (r1, r2 ∈ {1, 2, 4,
// 8}) and counts the tile; JNZ to the next follows it.
#define TILE_DOWN(r1, r2) \
	LEAQ (A_TILE)(A_ROW*r1), A_TILE; \
	LEAQ (A_TILE)(A_ROW*r2), A_TILE; \
	DECQ tiles+96(FP)

// Rows of the one-row tiles: up to four at a time, sharing each load of
// B, the last row standing in for the missing ones (same A, init and C:
// the same bits written again). OFF1…OFF3 are the byte offsets of rows
// 1…3 in A, clamped to the last row (the registers of A_ROW3, A_ROW5 and
// the ISA's third, which the one-row tiles do not use).
#define OFF1 R11
#define OFF2 R12
#define OFF3 R13

// CLAMP sets dst = off when row i is in the group (tiles > i), else
// keeps it.
#define CLAMP(i, off, dst) CMPQ tiles+96(FP), $i; CMOVQGT off, dst

// NEXT_ROW moves p down one row of ld bytes when row i is in the group.
#define NEXT_ROW(i, ld, p) XORL AX, AX; CLAMP(i, ld, AX); ADDQ AX, p

// GROUP_ROW(i, ld, p) moves p, one row (ld bytes) past row i − 1 of the
// group, to row i when it is in the group, else back to row i − 1.
#define GROUP_ROW(i, ld, p) SUBQ ld, p; NEXT_ROW(i, ld, p)

// ROW_OFFSETS sets OFF1…OFF3 for the group of rows at A_TILE.
#define ROW_OFFSETS \
	XORL OFF1, OFF1; CLAMP(1, A_ROW, OFF1); \
	MOVQ OFF1, OFF2; LEAQ (A_ROW)(A_ROW*1), AX; CLAMP(2, AX, OFF2); \
	MOVQ OFF2, OFF3; LEAQ (A_ROW)(A_ROW*2), AX; CLAMP(3, AX, OFF3)

// GROUP_DOWN moves A_TILE past a group of four rows and counts them; JGT
// to the next group follows it.
#define GROUP_DOWN ADDQ OFF3, A_TILE; ADDQ A_ROW, A_TILE; SUBQ $4, tiles+96(FP)
