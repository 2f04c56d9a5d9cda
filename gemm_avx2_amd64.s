//go:build !purego

#include "textflag.h"

// AVX2 tiles of the dense kernels (gemm.go has the contract):
//
//	func avx2TileRxW(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
//
// Each step loads B row s once (W/8 vectors) and broadcasts A(r, s) of
// each row r into the FMAs of that row, so the R rows share every B load
// and the accumulators stay in registers for the whole loop. Columns
// whose bit is clear in masks are neither read nor written. A whole
// panel, and the first 9–15 columns of a 16-wide one (two overlapping
// halves), load B and store C with plain moves; other partial panels
// read init and B with VMASKMOVPS (masked-off lanes read as 0 and never
// fault) and write C with it. A masked load takes an FMA's slot (Zen 5),
// a masked store is slow on older AMD cores. Go's operand order is
// reversed from Intel's.

#include "gemm_amd64.h"

#define PART R13 // the bits of the tile's W columns clear in masks: 0 for a whole panel
#define HI AX    // 6x16: the byte offset of the high 8 columns (32, or (cw − 8)·4 for a rest)

// avx2LaneBits: dword i is 1<<i. Lane i of a panel's vector v (0, 1) is
// live when bit 8v+i of masks is set (LANES).
DATA avx2LaneBits<>+0(SB)/4, $0x1
DATA avx2LaneBits<>+4(SB)/4, $0x2
DATA avx2LaneBits<>+8(SB)/4, $0x4
DATA avx2LaneBits<>+12(SB)/4, $0x8
DATA avx2LaneBits<>+16(SB)/4, $0x10
DATA avx2LaneBits<>+20(SB)/4, $0x20
DATA avx2LaneBits<>+24(SB)/4, $0x40
DATA avx2LaneBits<>+28(SB)/4, $0x80
DATA avx2LaneBits<>+32(SB)/4, $0x100
DATA avx2LaneBits<>+36(SB)/4, $0x200
DATA avx2LaneBits<>+40(SB)/4, $0x400
DATA avx2LaneBits<>+44(SB)/4, $0x800
DATA avx2LaneBits<>+48(SB)/4, $0x1000
DATA avx2LaneBits<>+52(SB)/4, $0x2000
DATA avx2LaneBits<>+56(SB)/4, $0x4000
DATA avx2LaneBits<>+60(SB)/4, $0x8000
GLOBL avx2LaneBits<>(SB), RODATA|NOPTR, $64

// LANES sets y to the lane mask of the vector whose bits lie at byte off
// of avx2LaneBits (0 or 32) from the bits of masks already broadcast in
// y: all ones where the lane's bit is set.
#define LANES(off, y) VPAND avx2LaneBits<>+off(SB), y, y; VPCMPEQD avx2LaneBits<>+off(SB), y, y

// MASK8 sets y0 to the lane mask of columns 0…7, MASK16 y0 and y1 to
// those of columns 0…7 and 8…15.
#define MASK8(y0) VPBROADCASTD masks+80(FP), y0; LANES(0, y0)
#define MASK16(y0, y1) MASK8(y0); VPBROADCASTD masks+80(FP), y1; LANES(32, y1)

// TILE_ARGS loads the arguments every tile uses and PART, for a tile w
// columns wide.
#define TILE_ARGS(w) \
	TILE_PTRS; \
	MOVQ masks+80(FP), PART; \
	NOTQ PART; \
	ANDQ $((1<<w)-1), PART

// NEXT_STEP moves A and B to the next step and counts it.
#define NEXT_STEP ADDQ A_STEP, A_PTR; ADDQ LDB, B_PTR; DECQ STEPS


// Row pieces: init rows are LDI apart, C rows LDC apart. Masked ones take
// the lane masks in Y14 (one vector), Y12 and Y13, or m0 and m1.
#define INIT1(y0) VMASKMOVPS (INIT_PTR), Y14, y0; ADDQ LDI, INIT_PTR
#define INIT2(y0, y1) INIT2M(Y12, Y13, y0, y1)
#define INIT2M(m0, m1, y0, y1) VMASKMOVPS (INIT_PTR), m0, y0; VMASKMOVPS 32(INIT_PTR), m1, y1; ADDQ LDI, INIT_PTR
#define INIT_HALVES(y0, y1) VMOVUPS (INIT_PTR), y0; VMOVUPS (INIT_PTR)(HI*1), y1; ADDQ LDI, INIT_PTR
#define STORE1(y0) VMOVUPS y0, (C_PTR); ADDQ LDC, C_PTR
#define STORE_HALVES(y0, y1) VMOVUPS y0, (C_PTR); VMOVUPS y1, (C_PTR)(HI*1); ADDQ LDC, C_PTR
#define MSTORE1(y0) VMASKMOVPS y0, Y14, (C_PTR); ADDQ LDC, C_PTR
#define MSTORE2(y0, y1) MSTORE2M(Y12, Y13, y0, y1)
#define MSTORE2M(m0, m1, y0, y1) VMASKMOVPS y0, m0, (C_PTR); VMASKMOVPS y1, m1, 32(C_PTR); ADDQ LDC, C_PTR

// NEXT_ROWS6(skip), with tileNextRows in flags, asks for the next
// tile's six rows of C, C_PTR + 6·LDC on (each row's 16 floats may
// straddle two lines: its first float's and its last's). NEXT_C is
// A_PTR, free until TILE_START.
#define NEXT_C A_PTR
#define NEXT_ROWS6(skip) \
	TESTQ $TILE_NEXT_ROWS, flags+88(FP); JZ skip; \
	LEAQ (C_PTR)(LDC*4), NEXT_C; LEAQ (NEXT_C)(LDC*2), NEXT_C; \
	PREFETCHT0 (NEXT_C); PREFETCHT0 60(NEXT_C); \
	PREFETCHT0 (NEXT_C)(LDC*1); PREFETCHT0 60(NEXT_C)(LDC*1); \
	PREFETCHT0 (NEXT_C)(LDC*2); PREFETCHT0 60(NEXT_C)(LDC*2); \
	LEAQ (NEXT_C)(LDC*2), NEXT_C; \
	PREFETCHT0 (NEXT_C)(LDC*1); PREFETCHT0 60(NEXT_C)(LDC*1); \
	PREFETCHT0 (NEXT_C)(LDC*2); PREFETCHT0 60(NEXT_C)(LDC*2); \
	LEAQ (NEXT_C)(LDC*2), NEXT_C; \
	PREFETCHT0 (NEXT_C)(LDC*1); PREFETCHT0 60(NEXT_C)(LDC*1); \
skip:

// ROWS6 and ROWS12 apply a row piece to the rows of the 6x16 and 12x8
// tiles, top to bottom.
#define ROWS6(OP) OP(Y0, Y1); OP(Y2, Y3); OP(Y4, Y5); OP(Y6, Y7); OP(Y8, Y9); OP(Y10, Y11)
#define ROWS12(OP) OP(Y0); OP(Y1); OP(Y2); OP(Y3); OP(Y4); OP(Y5); OP(Y6); OP(Y7); OP(Y8); OP(Y9); OP(Y10); OP(Y11)

// RELU4: max(0, y) with z = 0; MAXPS returns its second operand (y)
// when either is NaN and when both are zero, so NaN and -0 pass.
#define RELU4(z, y0, y1, y2, y3) VMAXPS y0, z, y0; VMAXPS y1, z, y1; VMAXPS y2, z, y2; VMAXPS y3, z, y3
#define RELU_12(z) \
	RELU4(z, Y0, Y1, Y2, Y3); RELU4(z, Y4, Y5, Y6, Y7); RELU4(z, Y8, Y9, Y10, Y11)

// ROW2: Y14 = A(r, s) broadcast, times B's Y12, Y13 into the row's sums.
#define ROW2(addr, y0, y1) VBROADCASTSS addr, Y14; VFMADD231PS Y14, Y12, y0; VFMADD231PS Y14, Y13, y1

// ROW1: Y13 = A(r, s) broadcast, times B's Y12 into the row's sum.
#define ROW1(addr, y0) VBROADCASTSS addr, Y13; VFMADD231PS Y13, Y12, y0

// STEP6x16 is one step of the 6x16 tile after B's row is in Y12, Y13.
#define STEP6x16 \
	ROW2((A_PTR), Y0, Y1); ROW2((A_PTR)(A_ROW*1), Y2, Y3); ROW2((A_PTR)(A_ROW*2), Y4, Y5); \
	ROW2((A_PTR)(A_ROW3*1), Y6, Y7); ROW2((A_PTR)(A_ROW*4), Y8, Y9); ROW2((A_PTR)(A_ROW5*1), Y10, Y11); \
	NEXT_STEP

// func avx2Tile6x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 6 rows × 16 columns, the wide panels and a rest of 9–15 columns: Y12,
// Y13 hold B row s, Y14 the broadcast A, Y0…Y11 the 12 accumulators (row
// r in Y2r, Y2r+1). Per step 2 loads and 6 broadcasts feed 12 FMAs. A
// rest of the first cw = 9–15 columns runs as two overlapping halves,
// columns 0…7 and cw−8…cw−1 (HI bytes on): the columns of both get the
// same bits twice, and no load or store is masked. Any other mask takes
// the masked loop, which rebuilds the low lanes' mask every step. The
// loop prefetches the 64 bytes after B's row: of a B read in place, the
// next panel's columns, which the first tile would otherwise wait for;
// the unmasked tile asks for the next tile's rows of C with tileNextRows
// (gemm.go says where the driver sets it, and what it gained).
TEXT ·avx2Tile6x16(SB), NOSPLIT, $8-104
	TILE_ARGS(16)
	FLUSH_ON(avx2Tile6x16fon)
	MOVQ $32, HI
	TESTQ PART, PART
	JZ t6x16tile
	LEAQ -1(PART), HI
	ORQ PART, HI
	CMPQ HI, $0xffff
	JNE t6x16mtile // not the first cw columns
	BSFQ PART, HI  // cw
	CMPQ HI, $8
	JLE t6x16mtile
	LEAQ -32(HI*4), HI

t6x16tile:
	ROWS6(INIT_HALVES)
	NEXT_ROWS6(t6x16nextc)
	TILE_START(t6x16done)

t6x16loop:
	PREFETCHT0 64(B_PTR) // B read in place: the next panel's line of this step
	VMOVUPS (B_PTR), Y12
	VMOVUPS (B_PTR)(HI*1), Y13
	STEP6x16
	JNZ t6x16loop

t6x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t6x16store
	VXORPS Y14, Y14, Y14
	RELU_12(Y14)

t6x16store:
	ROWS6(STORE_HALVES)
	TILE_DOWN(4, 2)
	JNZ t6x16tile
	FLUSH_OFF(avx2Tile6x16foff1)
	VZEROUPPER
	RET

t6x16mtile:
	MASK16(Y12, Y13)
	ROWS6(INIT2)
	TILE_START(t6x16mdone)
	VMOVUPS Y13, Y15 // the high lanes' mask

t6x16mloop:
	MASK8(Y12)
	VMASKMOVPS (B_PTR), Y12, Y12
	VMASKMOVPS 32(B_PTR), Y15, Y13
	STEP6x16
	JNZ t6x16mloop

t6x16mdone:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t6x16mstore
	VXORPS Y14, Y14, Y14
	RELU_12(Y14)

t6x16mstore:
	MASK16(Y12, Y13)
	ROWS6(MSTORE2)
	TILE_DOWN(4, 2)
	JNZ t6x16mtile
	FLUSH_OFF(avx2Tile6x16foff2)
	VZEROUPPER
	RET

// STEP12x8 is one step of the 12x8 tile after B's row is in Y12.
#define STEP12x8 \
	ROW1((A_PTR), Y0); ROW1((A_PTR)(A_ROW*1), Y1); ROW1((A_PTR)(A_ROW*2), Y2); \
	ROW1((A_PTR)(A_ROW3*1), Y3); ROW1((A_PTR)(A_ROW*4), Y4); ROW1((A_PTR)(A_ROW5*1), Y5); \
	ROW1((A_PTR2), Y6); ROW1((A_PTR2)(A_ROW*1), Y7); ROW1((A_PTR2)(A_ROW*2), Y8); \
	ROW1((A_PTR2)(A_ROW3*1), Y9); ROW1((A_PTR2)(A_ROW*4), Y10); ROW1((A_PTR2)(A_ROW5*1), Y11); \
	ADDQ A_STEP, A_PTR2; \
	NEXT_STEP

// func avx2Tile12x8(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 12 rows × 8 columns, for a rest of 1–8 columns (a narrow layer's or a
// wide one's last): Y12 holds B row s, Y13 the broadcast A, Y14 the lane
// mask, Y0…Y11 the accumulators (row r in Yr); rows 6…11 are addressed
// from A_PTR2 = A_PTR + 6·aRow. Per step 1 load and 12 broadcasts feed
// 12 FMAs; a partial panel loads B with VMASKMOVPS.
TEXT ·avx2Tile12x8(SB), NOSPLIT, $8-104
	TILE_ARGS(8)
	FLUSH_ON(avx2Tile12x8fon)

t12x8tile:
	MASK8(Y14)
	ROWS12(INIT1)
	TILE_START(t12x8done)
	LEAQ (A_PTR)(A_ROW*4), A_PTR2
	LEAQ (A_PTR2)(A_ROW*2), A_PTR2
	TESTQ PART, PART
	JNZ t12x8partloop

t12x8loop:
	VMOVUPS (B_PTR), Y12
	STEP12x8
	JNZ t12x8loop
	JMP t12x8done

t12x8partloop:
	VMASKMOVPS (B_PTR), Y14, Y12
	STEP12x8
	JNZ t12x8partloop

t12x8done:
	VXORPS Y15, Y15, Y15
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t12x8store
	RELU_12(Y15)

t12x8store:
	TESTQ PART, PART
	JNZ t12x8mstore
	ROWS12(STORE1)
	JMP t12x8next

t12x8mstore:
	ROWS12(MSTORE1)

t12x8next:
	TILE_DOWN(8, 4)
	JNZ t12x8tile
	FLUSH_OFF(avx2Tile12x8foff1)
	VZEROUPPER
	RET

// func avx2Tile1x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// One row × up to 16 columns, the rows below a panel's whole tiles (its
// masks cover any narrower panel), four rows at a time so that eight
// sums hide the FMA latency: Y0…Y7 the sums (row r in Y2r, Y2r+1), Y10,
// Y11 the lane masks, Y12, Y13 B row s (always loaded masked), Y14 the
// broadcast A. A group of g < 4 rows repeats its last row.
TEXT ·avx2Tile1x16(SB), NOSPLIT, $8-104
	TILE_ARGS(16)
	FLUSH_ON(avx2Tile1x16fon)
	MASK16(Y10, Y11)

t1x16group:
	ROW_OFFSETS
	INIT2M(Y10, Y11, Y0, Y1)
	GROUP_ROW(1, LDI, INIT_PTR); INIT2M(Y10, Y11, Y2, Y3)
	GROUP_ROW(2, LDI, INIT_PTR); INIT2M(Y10, Y11, Y4, Y5)
	GROUP_ROW(3, LDI, INIT_PTR); INIT2M(Y10, Y11, Y6, Y7)
	TILE_START(t1x16done)

t1x16loop:
	VMASKMOVPS (B_PTR), Y10, Y12
	VMASKMOVPS 32(B_PTR), Y11, Y13
	ROW2((A_PTR), Y0, Y1); ROW2((A_PTR)(OFF1*1), Y2, Y3)
	ROW2((A_PTR)(OFF2*1), Y4, Y5); ROW2((A_PTR)(OFF3*1), Y6, Y7)
	NEXT_STEP
	JNZ t1x16loop

t1x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t1x16store
	VXORPS Y15, Y15, Y15
	RELU4(Y15, Y0, Y1, Y2, Y3); RELU4(Y15, Y4, Y5, Y6, Y7)

t1x16store:
	MSTORE2M(Y10, Y11, Y0, Y1)
	GROUP_ROW(1, LDC, C_PTR); MSTORE2M(Y10, Y11, Y2, Y3)
	GROUP_ROW(2, LDC, C_PTR); MSTORE2M(Y10, Y11, Y4, Y5)
	GROUP_ROW(3, LDC, C_PTR); MSTORE2M(Y10, Y11, Y6, Y7)
	GROUP_DOWN
	JGT t1x16group
	FLUSH_OFF(avx2Tile1x16foff1)
	VZEROUPPER
	RET

// func avx2PackRows(dst, src *float32, rows, panels, width, lds, pstride int)
// Copies whole panels of a B in rows, a row of B at a time: row s's
// floats p·width… of each panel p < panels go to that panel's row s,
// pstride floats past the last panel's start; 8 floats a move (width a
// multiple of 8). Go's copy took a call per panel's row, and the packing
// of B was a tenth of some products.
#define PR_DST DI   // the row's place in panel 0
#define PR_SRC SI   // the row of B
#define PR_ROWS CX  // rows left
#define PR_W R9     // a panel's row, in bytes
#define PR_LDS R10  // B's rows apart, in bytes
#define PR_PS R11   // the panels apart in dst, in bytes
#define PR_FROM AX  // the panel's floats in the row
#define PR_TO DX    // the panel's row in dst
#define PR_LEFT R12 // panels left in the row
#define PR_AT BX    // byte within the panel's row

TEXT ·avx2PackRows(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), PR_DST
	MOVQ src+8(FP), PR_SRC
	MOVQ rows+16(FP), PR_ROWS
	MOVQ width+32(FP), PR_W
	SHLQ $2, PR_W
	MOVQ lds+40(FP), PR_LDS
	SHLQ $2, PR_LDS
	MOVQ pstride+48(FP), PR_PS
	SHLQ $2, PR_PS

prrow:
	MOVQ PR_SRC, PR_FROM
	MOVQ PR_DST, PR_TO
	MOVQ panels+24(FP), PR_LEFT

prpanel:
	XORQ PR_AT, PR_AT

prmove:
	VMOVUPS (PR_FROM)(PR_AT*1), Y0
	VMOVUPS Y0, (PR_TO)(PR_AT*1)
	ADDQ    $32, PR_AT
	CMPQ    PR_AT, PR_W
	JLT     prmove
	ADDQ    PR_W, PR_FROM
	ADDQ    PR_PS, PR_TO
	DECQ    PR_LEFT
	JNZ     prpanel
	ADDQ    PR_LDS, PR_SRC
	ADDQ    PR_W, PR_DST
	DECQ    PR_ROWS
	JNZ     prrow
	VZEROUPPER
	RET

#define UNPCK_PS(i, j, lo, hi) VUNPCKLPS j, i, lo; VUNPCKHPS j, i, hi
#define UNPCK_PD(i, j, lo, hi) VUNPCKLPD j, i, lo; VUNPCKHPD j, i, hi
// HALVES: lo = the low 128 bits of u and v, hi = their high 128 bits.
#define HALVES(u, v, lo, hi) VPERM2F128 $0x20, v, u, lo; VPERM2F128 $0x31, v, u, hi

// func avx2PackT(dst, src *float32, ks, groups, w, bq int)
// Packs groups·16 columns of a transposed B into a panel w floats wide:
// dst[s·w + q] = src[q·bq + s] for s < ks (a multiple of 16) and q <
// 16·groups, 8 columns × 8 steps at a time: Y0…Y7 load 8 steps of 8 rows
// of src (one column q each), two rounds of unpacks and one of 128-bit
// halves transpose them into Y8…Y15, 8 rows of dst. The driver packs the
// columns and steps past the last whole 16.
TEXT ·avx2PackT(SB), NOSPLIT, $0-48
	MOVQ w+32(FP), R9
	SHLQ $2, R9          // a dst row, in bytes
	LEAQ (R9)(R9*2), R11 // 3 dst rows
	MOVQ bq+40(FP), R10
	SHLQ $2, R10         // a src row (one column), in bytes
	LEAQ (R10)(R10*2), R12 // 3 src rows
	MOVQ src+8(FP), R13  // src of these 8 columns
	MOVQ dst+0(FP), R14  // dst of these 8 columns
	MOVQ groups+24(FP), R15
	SHLQ $1, R15         // groups of 8 columns

pt8cols:
	MOVQ R13, SI
	MOVQ R14, DI
	MOVQ ks+16(FP), CX

pt8steps:
	LEAQ (SI)(R10*4), AX
	VMOVUPS (SI), Y0; VMOVUPS (SI)(R10*1), Y1; VMOVUPS (SI)(R10*2), Y2; VMOVUPS (SI)(R12*1), Y3
	VMOVUPS (AX), Y4; VMOVUPS (AX)(R10*1), Y5; VMOVUPS (AX)(R10*2), Y6; VMOVUPS (AX)(R12*1), Y7
	UNPCK_PS(Y0, Y1, Y8, Y9); UNPCK_PS(Y2, Y3, Y10, Y11)
	UNPCK_PS(Y4, Y5, Y12, Y13); UNPCK_PS(Y6, Y7, Y14, Y15)
	UNPCK_PD(Y8, Y10, Y0, Y1); UNPCK_PD(Y9, Y11, Y2, Y3)
	UNPCK_PD(Y12, Y14, Y4, Y5); UNPCK_PD(Y13, Y15, Y6, Y7)
	HALVES(Y0, Y4, Y8, Y12); HALVES(Y1, Y5, Y9, Y13)
	HALVES(Y2, Y6, Y10, Y14); HALVES(Y3, Y7, Y11, Y15)
	LEAQ (DI)(R9*4), AX
	VMOVUPS Y8, (DI); VMOVUPS Y9, (DI)(R9*1); VMOVUPS Y10, (DI)(R9*2); VMOVUPS Y11, (DI)(R11*1)
	VMOVUPS Y12, (AX); VMOVUPS Y13, (AX)(R9*1); VMOVUPS Y14, (AX)(R9*2); VMOVUPS Y15, (AX)(R11*1)
	ADDQ $32, SI         // 8 steps on
	LEAQ (AX)(R9*4), DI  // 8 dst rows on
	SUBQ $8, CX
	JNZ pt8steps
	LEAQ (R13)(R10*8), R13 // 8 columns on
	ADDQ $32, R14
	DECQ R15
	JNZ pt8cols
	VZEROUPPER
	RET

// func avx2ColumnSums(db, dy *float32, m, n int)
// db[j] = Σ_{i<m} dy[i·n + j], added in order of i from +0 (the
// reference's order): 16 columns at a time in Y0, Y1, each row's 16
// floats added from memory; the last 1–15 columns loaded masked (lane
// masks in Y4, Y5) into Y2, Y3.
TEXT ·avx2ColumnSums(SB), NOSPLIT, $0-32
	MOVQ db+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ n+24(FP), BX
	LEAQ (BX*4), R8 // row stride in bytes

csblock:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ SI, DX
	MOVQ m+16(FP), CX
	CMPQ BX, $16
	JLT cstail
	TESTQ CX, CX
	JZ csstore

csrow:
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	ADDQ R8, DX
	DECQ CX
	JNZ csrow

csstore:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, BX
	JNZ csblock
	JMP csdone

cstail:
	MOVQ BX, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX // the low BX bits
	VMOVQ AX, X4
	VPBROADCASTD X4, Y4
	VMOVDQU Y4, Y5
	LANES(0, Y4); LANES(32, Y5)
	MOVQ m+16(FP), CX
	TESTQ CX, CX
	JZ cstailstore

cstailrow:
	VMASKMOVPS (DX), Y4, Y2
	VMASKMOVPS 32(DX), Y5, Y3
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	ADDQ R8, DX
	DECQ CX
	JNZ cstailrow

cstailstore:
	VMASKMOVPS Y0, Y4, (DI)
	VMASKMOVPS Y1, Y5, 32(DI)

csdone:
	VZEROUPPER
	RET
