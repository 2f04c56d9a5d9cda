//go:build !purego

#include "textflag.h"

// AVX-512 tiles of the dense kernels (gemm.go has the contract):
//
//	func avx512TileRxW(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
//
// Each step loads B row s once (V = W/16 vectors) and broadcasts A(r, s)
// of each row r into the FMAs of that row, so the R rows share every B
// load and the R·V accumulators stay in registers for the whole loop.
// K1…K4 hold the 16-bit fields of masks: masked loads read nothing and
// masked stores write nothing in the columns past the edge. Go's operand
// order is reversed from Intel's.

#include "gemm_amd64.h"
#include "bf16_amd64.h"

#define A_ROW7 R13

// TILE_ARGS loads the arguments every tile uses, masks into K1…K4.
#define TILE_ARGS \
	TILE_PTRS; \
	MOVQ masks+80(FP), AX; \
	KMOVW AX, K1; SHRQ $16, AX; KMOVW AX, K2; SHRQ $16, AX; KMOVW AX, K3; SHRQ $16, AX; KMOVW AX, K4

// Row pieces: p walks the rows of init (LDI apart) or C (LDC apart).
#define INIT1(z0) VMOVUPS.Z (INIT_PTR), K1, z0; ADDQ LDI, INIT_PTR
#define INIT2(z0, z1) VMOVUPS.Z (INIT_PTR), K1, z0; VMOVUPS.Z 64(INIT_PTR), K2, z1; ADDQ LDI, INIT_PTR
#define INIT4(z0, z1, z2, z3) \
	VMOVUPS.Z (INIT_PTR), K1, z0; VMOVUPS.Z 64(INIT_PTR), K2, z1; \
	VMOVUPS.Z 128(INIT_PTR), K3, z2; VMOVUPS.Z 192(INIT_PTR), K4, z3; ADDQ LDI, INIT_PTR
#define STORE1(z0) VMOVUPS z0, K1, (C_PTR); ADDQ LDC, C_PTR
#define STORE2(z0, z1) VMOVUPS z0, K1, (C_PTR); VMOVUPS z1, K2, 64(C_PTR); ADDQ LDC, C_PTR
#define STORE4(z0, z1, z2, z3) \
	VMOVUPS z0, K1, (C_PTR); VMOVUPS z1, K2, 64(C_PTR); \
	VMOVUPS z2, K3, 128(C_PTR); VMOVUPS z3, K4, 192(C_PTR); ADDQ LDC, C_PTR

// RELU4: max(0, z) with Z31 = 0; MAXPS returns its second operand (z)
// when either is NaN and when both are zero, so NaN and -0 pass.
#define RELU4(z0, z1, z2, z3) \
	VMAXPS z0, Z31, z0; VMAXPS z1, Z31, z1; VMAXPS z2, Z31, z2; VMAXPS z3, Z31, z3

// RELU_24 clamps Z4…Z27 when flags has TILE_RELU.
#define RELU_24(skip) \
	TESTQ $TILE_RELU, flags+88(FP); JZ skip; VPXORD Z31, Z31, Z31; \
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11); RELU4(Z12, Z13, Z14, Z15); \
	RELU4(Z16, Z17, Z18, Z19); RELU4(Z20, Z21, Z22, Z23); RELU4(Z24, Z25, Z26, Z27)

// Z31 = A(r, s) broadcast, then FMAs into the row's accumulators.
#define ROW4(addr, z0, z1, z2, z3) \
	VBROADCASTSS addr, Z31; \
	VFMADD231PS Z31, Z0, z0; VFMADD231PS Z31, Z1, z1; VFMADD231PS Z31, Z2, z2; VFMADD231PS Z31, Z3, z3
#define ROW2(addr, z0, z1) VBROADCASTSS addr, Z31; VFMADD231PS Z31, Z0, z0; VFMADD231PS Z31, Z1, z1

// The same with A broadcast from memory by each FMA: more loads, but no
// shuffle. Zen 4/5 run a zmm VBROADCASTSS on one of the two FMA pipes
// (LLVM's znver4 model charges it a cycle there), so a tile mixes the
// two kinds to keep the FMA pipes for FMAs and the load pipes in reach.
#define ROW4M(addr, z0, z1, z2, z3) \
	VFMADD231PS.BCST addr, Z0, z0; VFMADD231PS.BCST addr, Z1, z1; \
	VFMADD231PS.BCST addr, Z2, z2; VFMADD231PS.BCST addr, Z3, z3
#define ROW2M(addr, z0, z1) VFMADD231PS.BCST addr, Z0, z0; VFMADD231PS.BCST addr, Z1, z1

// STEP6x64 is one step of the 6×64 tile, counted (JNZ to loop follows).
#define STEP6x64 \
	VMOVUPS.Z (B_PTR), K1, Z0; \
	VMOVUPS.Z 64(B_PTR), K2, Z1; \
	VMOVUPS.Z 128(B_PTR), K3, Z2; \
	VMOVUPS.Z 192(B_PTR), K4, Z3; \
	ROW4((A_PTR), Z4, Z5, Z6, Z7); \
	ROW4((A_PTR)(A_ROW*1), Z8, Z9, Z10, Z11); \
	ROW4((A_PTR)(A_ROW*2), Z12, Z13, Z14, Z15); \
	ROW4((A_PTR)(A_ROW3*1), Z16, Z17, Z18, Z19); \
	ROW4M((A_PTR)(A_ROW*4), Z20, Z21, Z22, Z23); \
	ROW4M((A_PTR)(A_ROW5*1), Z24, Z25, Z26, Z27); \
	ADDQ A_STEP, A_PTR; \
	ADDQ LDB, B_PTR; \
	DECQ STEPS

// func avx512Tile6x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 6 rows × 64 columns: Z0…Z3 hold B row s, Z4…Z27 the 24 accumulators
// (row r in Z4+4r…Z7+4r). Per step 4 loads of B and 4 broadcasts (rows
// 0…3) and 8 broadcasting FMAs (rows 4, 5) feed 24 FMAs.
TEXT ·avx512Tile6x64(SB), NOSPLIT, $8-104
	TILE_ARGS
	FLUSH_ON(avx512Tile6x64fon)

t6x64tile:
	INIT4(Z4, Z5, Z6, Z7); INIT4(Z8, Z9, Z10, Z11); INIT4(Z12, Z13, Z14, Z15)
	INIT4(Z16, Z17, Z18, Z19); INIT4(Z20, Z21, Z22, Z23); INIT4(Z24, Z25, Z26, Z27)
	TILE_START(t6x64done)

	TESTQ $TILE_NEXT_PANEL, flags+88(FP)
	JNZ t6x64ploop

t6x64loop:
	STEP6x64
	JNZ t6x64loop
	JMP t6x64done

t6x64ploop: // B in place: the next panel's row of this step asked for
	PREFETCHT0 256(B_PTR)
	PREFETCHT0 320(B_PTR)
	PREFETCHT0 384(B_PTR)
	PREFETCHT0 448(B_PTR)
	STEP6x64
	JNZ t6x64ploop
	ANDQ $~TILE_NEXT_PANEL, flags+88(FP) // once a call: the tiles below find it in the caches

t6x64done:
	RELU_24(t6x64store)

t6x64store:
	STORE4(Z4, Z5, Z6, Z7); STORE4(Z8, Z9, Z10, Z11); STORE4(Z12, Z13, Z14, Z15)
	STORE4(Z16, Z17, Z18, Z19); STORE4(Z20, Z21, Z22, Z23); STORE4(Z24, Z25, Z26, Z27)
	TILE_DOWN(4, 2)
	JNZ t6x64tile
	FLUSH_OFF(avx512Tile6x64foff1)
	VZEROUPPER
	RET

// func avx512Tile12x32(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 12 rows × 32 columns: Z0, Z1 hold B row s, Z4…Z27 the accumulators (row
// r in Z4+2r, Z5+2r); rows 6…11 are addressed from A_PTR2 = A_PTR +
// 6·aRow. Per step 2 loads of B and 4 broadcasts (rows 0…3) and 16
// broadcasting FMAs (rows 4…11) feed 24 FMAs.
TEXT ·avx512Tile12x32(SB), NOSPLIT, $8-104
	TILE_ARGS
	FLUSH_ON(avx512Tile12x32fon)

t12x32tile:
	INIT2(Z4, Z5); INIT2(Z6, Z7); INIT2(Z8, Z9); INIT2(Z10, Z11)
	INIT2(Z12, Z13); INIT2(Z14, Z15); INIT2(Z16, Z17); INIT2(Z18, Z19)
	INIT2(Z20, Z21); INIT2(Z22, Z23); INIT2(Z24, Z25); INIT2(Z26, Z27)
	TILE_START(t12x32done)
	LEAQ (A_PTR)(A_ROW*4), A_PTR2
	LEAQ (A_PTR2)(A_ROW*2), A_PTR2

t12x32loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VMOVUPS.Z 64(B_PTR), K2, Z1
	ROW2((A_PTR), Z4, Z5)
	ROW2((A_PTR)(A_ROW*1), Z6, Z7)
	ROW2((A_PTR)(A_ROW*2), Z8, Z9)
	ROW2((A_PTR)(A_ROW3*1), Z10, Z11)
	ROW2M((A_PTR)(A_ROW*4), Z12, Z13)
	ROW2M((A_PTR)(A_ROW5*1), Z14, Z15)
	ROW2M((A_PTR2), Z16, Z17)
	ROW2M((A_PTR2)(A_ROW*1), Z18, Z19)
	ROW2M((A_PTR2)(A_ROW*2), Z20, Z21)
	ROW2M((A_PTR2)(A_ROW3*1), Z22, Z23)
	ROW2M((A_PTR2)(A_ROW*4), Z24, Z25)
	ROW2M((A_PTR2)(A_ROW5*1), Z26, Z27)
	ADDQ A_STEP, A_PTR
	ADDQ A_STEP, A_PTR2
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ t12x32loop

t12x32done:
	RELU_24(t12x32store)

t12x32store:
	STORE2(Z4, Z5); STORE2(Z6, Z7); STORE2(Z8, Z9); STORE2(Z10, Z11)
	STORE2(Z12, Z13); STORE2(Z14, Z15); STORE2(Z16, Z17); STORE2(Z18, Z19)
	STORE2(Z20, Z21); STORE2(Z22, Z23); STORE2(Z24, Z25); STORE2(Z26, Z27)
	TILE_DOWN(8, 4)
	JNZ t12x32tile
	FLUSH_OFF(avx512Tile12x32foff1)
	VZEROUPPER
	RET

// The one-row tiles' group of four rows (row r of the group in
// Z4+4r…Z7+4r; gemm_amd64.h): GROUP_INIT loads their init, GROUP_RELU
// clamps them when flags has TILE_RELU, GROUP_STORE writes them.
#define GROUP_INIT \
	INIT4(Z4, Z5, Z6, Z7); \
	GROUP_ROW(1, LDI, INIT_PTR); INIT4(Z8, Z9, Z10, Z11); \
	GROUP_ROW(2, LDI, INIT_PTR); INIT4(Z12, Z13, Z14, Z15); \
	GROUP_ROW(3, LDI, INIT_PTR); INIT4(Z16, Z17, Z18, Z19)
#define GROUP_RELU(skip) \
	TESTQ $TILE_RELU, flags+88(FP); JZ skip; VPXORD Z31, Z31, Z31; \
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11); \
	RELU4(Z12, Z13, Z14, Z15); RELU4(Z16, Z17, Z18, Z19)
#define GROUP_STORE \
	STORE4(Z4, Z5, Z6, Z7); \
	GROUP_ROW(1, LDC, C_PTR); STORE4(Z8, Z9, Z10, Z11); \
	GROUP_ROW(2, LDC, C_PTR); STORE4(Z12, Z13, Z14, Z15); \
	GROUP_ROW(3, LDC, C_PTR); STORE4(Z16, Z17, Z18, Z19)

// func avx512Tile1x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// One row × up to 64 columns, the rows below a panel's whole tiles (its
// masks cover any narrower panel), four rows at a time so that they share
// each load of B: Z0…Z3 hold B row s, Z4…Z19 the sums (row r in
// Z4+4r…Z7+4r), each FMA broadcasting its A from memory (no VBROADCASTSS
// on an FMA pipe of Zen 4/5). A group of g < 4 rows repeats its last row
// (gemm_amd64.h).
TEXT ·avx512Tile1x64(SB), NOSPLIT, $8-104
	TILE_ARGS
	FLUSH_ON(avx512Tile1x64fon)

t1x64group:
	ROW_OFFSETS
	GROUP_INIT
	TILE_START(t1x64done)

t1x64loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VMOVUPS.Z 64(B_PTR), K2, Z1
	VMOVUPS.Z 128(B_PTR), K3, Z2
	VMOVUPS.Z 192(B_PTR), K4, Z3
	ROW4M((A_PTR), Z4, Z5, Z6, Z7)
	ROW4M((A_PTR)(OFF1*1), Z8, Z9, Z10, Z11)
	ROW4M((A_PTR)(OFF2*1), Z12, Z13, Z14, Z15)
	ROW4M((A_PTR)(OFF3*1), Z16, Z17, Z18, Z19)
	ADDQ A_STEP, A_PTR
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ t1x64loop

t1x64done:
	GROUP_RELU(t1x64store)

t1x64store:
	GROUP_STORE
	GROUP_DOWN
	JGT t1x64group
	FLUSH_OFF(avx512Tile1x64foff1)
	VZEROUPPER
	RET

// Z0 = B row s against A(r, s) broadcast from memory into the FMA.
#define FMA1(addr, z) VFMADD231PS.BCST addr, Z0, z

// func avx512Tile16x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 16 rows × 16 columns, for narrow layers (the tutorial's n = 15 and 10):
// Z0 holds B row s, Z4…Z19 the accumulators; each FMA broadcasts its A
// from memory. Rows 8…15 are addressed from A_PTR2 = A_PTR + 8·aRow.
TEXT ·avx512Tile16x16(SB), NOSPLIT, $8-104
	TILE_ARGS
	FLUSH_ON(avx512Tile16x16fon)
	LEAQ (A_ROW3)(A_ROW*4), A_ROW7

t16x16tile:
	INIT1(Z4); INIT1(Z5); INIT1(Z6); INIT1(Z7); INIT1(Z8); INIT1(Z9); INIT1(Z10); INIT1(Z11)
	INIT1(Z12); INIT1(Z13); INIT1(Z14); INIT1(Z15); INIT1(Z16); INIT1(Z17); INIT1(Z18); INIT1(Z19)
	TILE_START(t16x16done)
	LEAQ (A_PTR)(A_ROW*8), A_PTR2

t16x16loop:
	PREFETCHT0 (A_PTR)(A_STEP*8) // dw walks x down a column strip: fetch 8 rows ahead
	VMOVUPS.Z (B_PTR), K1, Z0
	FMA1((A_PTR), Z4); FMA1((A_PTR)(A_ROW*1), Z5); FMA1((A_PTR)(A_ROW*2), Z6); FMA1((A_PTR)(A_ROW3*1), Z7)
	FMA1((A_PTR)(A_ROW*4), Z8); FMA1((A_PTR)(A_ROW5*1), Z9); FMA1((A_PTR)(A_ROW3*2), Z10); FMA1((A_PTR)(A_ROW7*1), Z11)
	FMA1((A_PTR2), Z12); FMA1((A_PTR2)(A_ROW*1), Z13); FMA1((A_PTR2)(A_ROW*2), Z14); FMA1((A_PTR2)(A_ROW3*1), Z15)
	FMA1((A_PTR2)(A_ROW*4), Z16); FMA1((A_PTR2)(A_ROW5*1), Z17); FMA1((A_PTR2)(A_ROW3*2), Z18); FMA1((A_PTR2)(A_ROW7*1), Z19)
	ADDQ A_STEP, A_PTR
	ADDQ A_STEP, A_PTR2
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ t16x16loop

t16x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t16x16store
	VPXORD Z31, Z31, Z31
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11); RELU4(Z12, Z13, Z14, Z15); RELU4(Z16, Z17, Z18, Z19)

t16x16store:
	STORE1(Z4); STORE1(Z5); STORE1(Z6); STORE1(Z7); STORE1(Z8); STORE1(Z9); STORE1(Z10); STORE1(Z11)
	STORE1(Z12); STORE1(Z13); STORE1(Z14); STORE1(Z15); STORE1(Z16); STORE1(Z17); STORE1(Z18); STORE1(Z19)
	TILE_DOWN(8, 8)
	JNZ t16x16tile
	FLUSH_OFF(avx512Tile16x16foff1)
	VZEROUPPER
	RET

// func avx512Tile8x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// 8 rows × 16 columns: the first half of 16x16, for the 8 to 15 rows
// below a narrow panel's whole tiles (Z4…Z11 the accumulators).
TEXT ·avx512Tile8x16(SB), NOSPLIT, $8-104
	TILE_ARGS
	FLUSH_ON(avx512Tile8x16fon)
	LEAQ (A_ROW3)(A_ROW*4), A_ROW7

t8x16tile:
	INIT1(Z4); INIT1(Z5); INIT1(Z6); INIT1(Z7); INIT1(Z8); INIT1(Z9); INIT1(Z10); INIT1(Z11)
	TILE_START(t8x16done)

t8x16loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	FMA1((A_PTR), Z4); FMA1((A_PTR)(A_ROW*1), Z5); FMA1((A_PTR)(A_ROW*2), Z6); FMA1((A_PTR)(A_ROW3*1), Z7)
	FMA1((A_PTR)(A_ROW*4), Z8); FMA1((A_PTR)(A_ROW5*1), Z9); FMA1((A_PTR)(A_ROW3*2), Z10); FMA1((A_PTR)(A_ROW7*1), Z11)
	ADDQ A_STEP, A_PTR
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ t8x16loop

t8x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ t8x16store
	VPXORD Z31, Z31, Z31
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11)

t8x16store:
	STORE1(Z4); STORE1(Z5); STORE1(Z6); STORE1(Z7); STORE1(Z8); STORE1(Z9); STORE1(Z10); STORE1(Z11)
	LEAQ (A_TILE)(A_ROW*8), A_TILE
	DECQ tiles+96(FP)
	JNZ t8x16tile
	FLUSH_OFF(avx512Tile8x16foff1)
	VZEROUPPER
	RET

// func avx512ColumnSums(db, dy *float32, m, n int)
// db[j] = Σ_{i<m} dy[i·n + j], added in order of i from +0 (the
// reference's order): 64 columns at a time in Z0…Z3, masked past n.
TEXT ·avx512ColumnSums(SB), NOSPLIT, $0-32
	MOVQ db+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ n+24(FP), BX
	LEAQ (BX*4), R8 // row stride in bytes
	XORQ R9, R9     // first column of the block

csblock:
	MOVQ BX, AX
	SUBQ R9, AX // columns left
	JLE csdone
	MOVQ $-1, R10
	CMPQ AX, $64
	JGE csmask
	MOVQ $1, R10
	SHLXQ AX, R10, R10
	DECQ R10

csmask:
	KMOVW R10, K1; SHRQ $16, R10; KMOVW R10, K2; SHRQ $16, R10; KMOVW R10, K3; SHRQ $16, R10; KMOVW R10, K4
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2; VPXORD Z3, Z3, Z3
	LEAQ (SI)(R9*4), DX
	MOVQ m+16(FP), CX
	TESTQ CX, CX
	JZ csstore

csrow:
	VADDPS (DX), Z0, K1, Z0
	VADDPS 64(DX), Z1, K2, Z1
	VADDPS 128(DX), Z2, K3, Z2
	VADDPS 192(DX), Z3, K4, Z3
	ADDQ R8, DX
	DECQ CX
	JNZ csrow

csstore:
	LEAQ (DI)(R9*4), DX
	VMOVUPS Z0, K1, (DX)
	VMOVUPS Z1, K2, 64(DX)
	VMOVUPS Z2, K3, 128(DX)
	VMOVUPS Z3, K4, 192(DX)
	ADDQ $64, R9
	JMP csblock

csdone:
	VZEROUPPER
	RET

// Transposing 16×16 floats: Z0…Z15 hold rows 0…15 of the block; after
// the first two stages Z0+c, Z4+c, Z8+c, Z12+c (c < 4) hold, in 128-bit
// lane L, column 4L + c of rows 0…3, 4…7, 8…11, 12…15; the last two
// gather those lanes into whole columns.
#define UNPCK_PS(i, j, lo, hi) VUNPCKLPS j, i, lo; VUNPCKHPS j, i, hi
#define UNPCK_PD(i, j, lo, hi) VUNPCKLPD j, i, lo; VUNPCKHPD j, i, hi

// COLUMNS4 stores columns c, 4+c, 8+c and 12+c from u0 = Z(c), u1 = Z(4+c),
// u2 = Z(8+c), u3 = Z(12+c) at dst rows c, 4+c, 8+c, 12+c; row c is at
// start.
#define COLUMNS4(start, u0, u1, u2, u3) \
	VSHUFF32X4 $0x88, u1, u0, Z16; VSHUFF32X4 $0xdd, u1, u0, Z17; \
	VSHUFF32X4 $0x88, u3, u2, Z18; VSHUFF32X4 $0xdd, u3, u2, Z19; \
	LEAQ start, AX; \
	VSHUFF32X4 $0x88, Z18, Z16, Z20; VMOVUPS Z20, (AX); ADDQ R12, AX; \
	VSHUFF32X4 $0x88, Z19, Z17, Z21; VMOVUPS Z21, (AX); ADDQ R12, AX; \
	VSHUFF32X4 $0xdd, Z18, Z16, Z22; VMOVUPS Z22, (AX); ADDQ R12, AX; \
	VSHUFF32X4 $0xdd, Z19, Z17, Z23; VMOVUPS Z23, (AX)

// func avx512PackT(dst, src *float32, ks, groups, w, bq int)
// Packs groups·16 columns of a transposed B into a panel w floats wide:
// dst[s·w + q] = src[q·bq + s] for s < ks (a multiple of 16) and q <
// 16·groups: per 16 columns and 16 steps, 16 rows of src (each q, 16
// steps) are loaded and transposed in registers into 16 rows of dst. The
// driver packs the columns and steps past the last whole 16.
TEXT ·avx512PackT(SB), NOSPLIT, $0-48
	MOVQ w+32(FP), R9
	SHLQ $2, R9 // a dst row, in bytes
	LEAQ (R9)(R9*2), R11 // 3 dst rows
	LEAQ (R9*4), R12 // 4 dst rows
	MOVQ bq+40(FP), R10
	SHLQ $2, R10 // a src row (one column), in bytes
	MOVQ src+8(FP), R13 // src of this group
	MOVQ dst+0(FP), R14 // dst of this group
	MOVQ groups+24(FP), R15

ptgroup:
	MOVQ R13, SI
	MOVQ R14, DI
	MOVQ ks+16(FP), CX

ptblock:
	MOVQ SI, AX
	VMOVUPS (AX), Z0; ADDQ R10, AX; VMOVUPS (AX), Z1; ADDQ R10, AX
	VMOVUPS (AX), Z2; ADDQ R10, AX; VMOVUPS (AX), Z3; ADDQ R10, AX
	VMOVUPS (AX), Z4; ADDQ R10, AX; VMOVUPS (AX), Z5; ADDQ R10, AX
	VMOVUPS (AX), Z6; ADDQ R10, AX; VMOVUPS (AX), Z7; ADDQ R10, AX
	VMOVUPS (AX), Z8; ADDQ R10, AX; VMOVUPS (AX), Z9; ADDQ R10, AX
	VMOVUPS (AX), Z10; ADDQ R10, AX; VMOVUPS (AX), Z11; ADDQ R10, AX
	VMOVUPS (AX), Z12; ADDQ R10, AX; VMOVUPS (AX), Z13; ADDQ R10, AX
	VMOVUPS (AX), Z14; ADDQ R10, AX; VMOVUPS (AX), Z15
	UNPCK_PS(Z0, Z1, Z16, Z17); UNPCK_PS(Z2, Z3, Z18, Z19)
	UNPCK_PS(Z4, Z5, Z20, Z21); UNPCK_PS(Z6, Z7, Z22, Z23)
	UNPCK_PS(Z8, Z9, Z24, Z25); UNPCK_PS(Z10, Z11, Z26, Z27)
	UNPCK_PS(Z12, Z13, Z28, Z29); UNPCK_PS(Z14, Z15, Z30, Z31)
	UNPCK_PD(Z16, Z18, Z0, Z1); UNPCK_PD(Z17, Z19, Z2, Z3)
	UNPCK_PD(Z20, Z22, Z4, Z5); UNPCK_PD(Z21, Z23, Z6, Z7)
	UNPCK_PD(Z24, Z26, Z8, Z9); UNPCK_PD(Z25, Z27, Z10, Z11)
	UNPCK_PD(Z28, Z30, Z12, Z13); UNPCK_PD(Z29, Z31, Z14, Z15)
	COLUMNS4((DI), Z0, Z4, Z8, Z12)
	COLUMNS4((DI)(R9*1), Z1, Z5, Z9, Z13)
	COLUMNS4((DI)(R9*2), Z2, Z6, Z10, Z14)
	COLUMNS4((DI)(R11*1), Z3, Z7, Z11, Z15)
	ADDQ $64, SI // 16 steps on
	LEAQ (DI)(R12*4), DI // 16 dst rows on
	SUBQ $16, CX
	JNZ ptblock
	MOVQ R10, AX
	SHLQ $4, AX
	ADDQ AX, R13 // 16 columns on
	ADDQ $64, R14
	DECQ R15
	JNZ ptgroup
	VZEROUPPER
	RET

// The bf16 tiles (gemm.go's gemmISA.bf16, bf16.go's arithmetic): the same
// tiles with each step a pair of steps, A(r, s) and each column of B row
// s one 32-bit word of two bf16, and VDPBF16PS for the FMA. The
// broadcasting forms address A through these register numbers (the
// registers of gemm_amd64.h).
#define N_A_PTR 6   // SI
#define N_A_PTR2 0  // AX
#define N_A_ROW 10  // R10
#define N_A_ROW3 11 // R11
#define N_A_ROW5 12 // R12
#define N_A_ROW7 13 // R13
#define N_OFF1 11   // R11 (gemm_amd64.h)
#define N_OFF2 12   // R12
#define N_OFF3 13   // R13

// Z31 = A(r, s) broadcast, then one VDPBF16PS per accumulator (B row s in
// Z0…Z3); the M forms broadcast A from memory in each instruction.
#define DP_ROW4(addr, a0, a1, a2, a3) \
	VBROADCASTSS addr, Z31; \
	VDPBF16PS_R(31, 0, a0); VDPBF16PS_R(31, 1, a1); VDPBF16PS_R(31, 2, a2); VDPBF16PS_R(31, 3, a3)
#define DP_ROW2(addr, a0, a1) VBROADCASTSS addr, Z31; VDPBF16PS_R(31, 0, a0); VDPBF16PS_R(31, 1, a1)
#define DP_ROW4M(b, i, s, a0, a1, a2, a3) \
	VDPBF16PS_BI(b, i, s, 0, a0); VDPBF16PS_BI(b, i, s, 1, a1); \
	VDPBF16PS_BI(b, i, s, 2, a2); VDPBF16PS_BI(b, i, s, 3, a3)
#define DP_ROW2M(b, i, s, a0, a1) VDPBF16PS_BI(b, i, s, 0, a0); VDPBF16PS_BI(b, i, s, 1, a1)
#define DP_ROW4M0(b, a0, a1, a2, a3) \
	VDPBF16PS_B(b, 0, a0); VDPBF16PS_B(b, 1, a1); VDPBF16PS_B(b, 2, a2); VDPBF16PS_B(b, 3, a3)
#define DP_ROW2M0(b, a0, a1) VDPBF16PS_B(b, 0, a0); VDPBF16PS_B(b, 1, a1)

// func avx512BF16Tile6x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// avx512Tile6x64 in bf16: Z4…Z27 the accumulators (row r in Z4+4r…Z7+4r).
TEXT ·avx512BF16Tile6x64(SB), NOSPLIT, $8-104
	TILE_ARGS

b6x64tile:
	INIT4(Z4, Z5, Z6, Z7); INIT4(Z8, Z9, Z10, Z11); INIT4(Z12, Z13, Z14, Z15)
	INIT4(Z16, Z17, Z18, Z19); INIT4(Z20, Z21, Z22, Z23); INIT4(Z24, Z25, Z26, Z27)
	TILE_START(b6x64done)

b6x64loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VMOVUPS.Z 64(B_PTR), K2, Z1
	VMOVUPS.Z 128(B_PTR), K3, Z2
	VMOVUPS.Z 192(B_PTR), K4, Z3
	DP_ROW4((A_PTR), 4, 5, 6, 7)
	DP_ROW4((A_PTR)(A_ROW*1), 8, 9, 10, 11)
	DP_ROW4((A_PTR)(A_ROW*2), 12, 13, 14, 15)
	DP_ROW4((A_PTR)(A_ROW3*1), 16, 17, 18, 19)
	DP_ROW4M(N_A_PTR, N_A_ROW, 4, 20, 21, 22, 23)
	DP_ROW4M(N_A_PTR, N_A_ROW5, 1, 24, 25, 26, 27)
	ADDQ A_STEP, A_PTR
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ b6x64loop

b6x64done:
	RELU_24(b6x64store)

b6x64store:
	STORE4(Z4, Z5, Z6, Z7); STORE4(Z8, Z9, Z10, Z11); STORE4(Z12, Z13, Z14, Z15)
	STORE4(Z16, Z17, Z18, Z19); STORE4(Z20, Z21, Z22, Z23); STORE4(Z24, Z25, Z26, Z27)
	TILE_DOWN(4, 2)
	JNZ b6x64tile
	VZEROUPPER
	RET

// func avx512BF16Tile12x32(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// avx512Tile12x32 in bf16: row r in Z4+2r, Z5+2r; rows 6…11 from A_PTR2.
TEXT ·avx512BF16Tile12x32(SB), NOSPLIT, $8-104
	TILE_ARGS

b12x32tile:
	INIT2(Z4, Z5); INIT2(Z6, Z7); INIT2(Z8, Z9); INIT2(Z10, Z11)
	INIT2(Z12, Z13); INIT2(Z14, Z15); INIT2(Z16, Z17); INIT2(Z18, Z19)
	INIT2(Z20, Z21); INIT2(Z22, Z23); INIT2(Z24, Z25); INIT2(Z26, Z27)
	TILE_START(b12x32done)
	LEAQ (A_PTR)(A_ROW*4), A_PTR2
	LEAQ (A_PTR2)(A_ROW*2), A_PTR2

b12x32loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VMOVUPS.Z 64(B_PTR), K2, Z1
	DP_ROW2((A_PTR), 4, 5)
	DP_ROW2((A_PTR)(A_ROW*1), 6, 7)
	DP_ROW2((A_PTR)(A_ROW*2), 8, 9)
	DP_ROW2((A_PTR)(A_ROW3*1), 10, 11)
	DP_ROW2M(N_A_PTR, N_A_ROW, 4, 12, 13)
	DP_ROW2M(N_A_PTR, N_A_ROW5, 1, 14, 15)
	DP_ROW2M0(N_A_PTR2, 16, 17)
	DP_ROW2M(N_A_PTR2, N_A_ROW, 1, 18, 19)
	DP_ROW2M(N_A_PTR2, N_A_ROW, 2, 20, 21)
	DP_ROW2M(N_A_PTR2, N_A_ROW3, 1, 22, 23)
	DP_ROW2M(N_A_PTR2, N_A_ROW, 4, 24, 25)
	DP_ROW2M(N_A_PTR2, N_A_ROW5, 1, 26, 27)
	ADDQ A_STEP, A_PTR
	ADDQ A_STEP, A_PTR2
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ b12x32loop

b12x32done:
	RELU_24(b12x32store)

b12x32store:
	STORE2(Z4, Z5); STORE2(Z6, Z7); STORE2(Z8, Z9); STORE2(Z10, Z11)
	STORE2(Z12, Z13); STORE2(Z14, Z15); STORE2(Z16, Z17); STORE2(Z18, Z19)
	STORE2(Z20, Z21); STORE2(Z22, Z23); STORE2(Z24, Z25); STORE2(Z26, Z27)
	TILE_DOWN(8, 4)
	JNZ b12x32tile
	VZEROUPPER
	RET

// func avx512BF16Tile1x64(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// avx512Tile1x64 in bf16: four rows at a time, Z4…Z19 the accumulators.
TEXT ·avx512BF16Tile1x64(SB), NOSPLIT, $8-104
	TILE_ARGS

b1x64group:
	ROW_OFFSETS
	GROUP_INIT
	TILE_START(b1x64done)

b1x64loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VMOVUPS.Z 64(B_PTR), K2, Z1
	VMOVUPS.Z 128(B_PTR), K3, Z2
	VMOVUPS.Z 192(B_PTR), K4, Z3
	DP_ROW4M0(N_A_PTR, 4, 5, 6, 7)
	DP_ROW4M(N_A_PTR, N_OFF1, 1, 8, 9, 10, 11)
	DP_ROW4M(N_A_PTR, N_OFF2, 1, 12, 13, 14, 15)
	DP_ROW4M(N_A_PTR, N_OFF3, 1, 16, 17, 18, 19)
	ADDQ A_STEP, A_PTR
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ b1x64loop

b1x64done:
	GROUP_RELU(b1x64store)

b1x64store:
	GROUP_STORE
	GROUP_DOWN
	JGT b1x64group
	VZEROUPPER
	RET

// DP1 is FMA1 in bf16: Z0 = B row s, A broadcast from [b + s·i].
#define DP1(b, i, s, a) VDPBF16PS_BI(b, i, s, 0, a)

// func avx512BF16Tile16x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// avx512Tile16x16 in bf16: Z4…Z19 the accumulators.
TEXT ·avx512BF16Tile16x16(SB), NOSPLIT, $8-104
	TILE_ARGS
	LEAQ (A_ROW3)(A_ROW*4), A_ROW7

b16x16tile:
	INIT1(Z4); INIT1(Z5); INIT1(Z6); INIT1(Z7); INIT1(Z8); INIT1(Z9); INIT1(Z10); INIT1(Z11)
	INIT1(Z12); INIT1(Z13); INIT1(Z14); INIT1(Z15); INIT1(Z16); INIT1(Z17); INIT1(Z18); INIT1(Z19)
	TILE_START(b16x16done)
	LEAQ (A_PTR)(A_ROW*8), A_PTR2

b16x16loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VDPBF16PS_B(N_A_PTR, 0, 4); DP1(N_A_PTR, N_A_ROW, 1, 5); DP1(N_A_PTR, N_A_ROW, 2, 6); DP1(N_A_PTR, N_A_ROW3, 1, 7)
	DP1(N_A_PTR, N_A_ROW, 4, 8); DP1(N_A_PTR, N_A_ROW5, 1, 9); DP1(N_A_PTR, N_A_ROW3, 2, 10); DP1(N_A_PTR, N_A_ROW7, 1, 11)
	VDPBF16PS_B(N_A_PTR2, 0, 12); DP1(N_A_PTR2, N_A_ROW, 1, 13); DP1(N_A_PTR2, N_A_ROW, 2, 14); DP1(N_A_PTR2, N_A_ROW3, 1, 15)
	DP1(N_A_PTR2, N_A_ROW, 4, 16); DP1(N_A_PTR2, N_A_ROW5, 1, 17); DP1(N_A_PTR2, N_A_ROW3, 2, 18); DP1(N_A_PTR2, N_A_ROW7, 1, 19)
	ADDQ A_STEP, A_PTR
	ADDQ A_STEP, A_PTR2
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ b16x16loop

b16x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ b16x16store
	VPXORD Z31, Z31, Z31
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11); RELU4(Z12, Z13, Z14, Z15); RELU4(Z16, Z17, Z18, Z19)

b16x16store:
	STORE1(Z4); STORE1(Z5); STORE1(Z6); STORE1(Z7); STORE1(Z8); STORE1(Z9); STORE1(Z10); STORE1(Z11)
	STORE1(Z12); STORE1(Z13); STORE1(Z14); STORE1(Z15); STORE1(Z16); STORE1(Z17); STORE1(Z18); STORE1(Z19)
	TILE_DOWN(8, 8)
	JNZ b16x16tile
	VZEROUPPER
	RET

// func avx512BF16Tile8x16(c, a, b, init *float32, steps, aStep, aRow, ldb, ldc, ldi int, masks uint64, flags, tiles int)
// The first half of avx512BF16Tile16x16 (Z4…Z11).
TEXT ·avx512BF16Tile8x16(SB), NOSPLIT, $8-104
	TILE_ARGS
	LEAQ (A_ROW3)(A_ROW*4), A_ROW7

b8x16tile:
	INIT1(Z4); INIT1(Z5); INIT1(Z6); INIT1(Z7); INIT1(Z8); INIT1(Z9); INIT1(Z10); INIT1(Z11)
	TILE_START(b8x16done)

b8x16loop:
	VMOVUPS.Z (B_PTR), K1, Z0
	VDPBF16PS_B(N_A_PTR, 0, 4); DP1(N_A_PTR, N_A_ROW, 1, 5); DP1(N_A_PTR, N_A_ROW, 2, 6); DP1(N_A_PTR, N_A_ROW3, 1, 7)
	DP1(N_A_PTR, N_A_ROW, 4, 8); DP1(N_A_PTR, N_A_ROW5, 1, 9); DP1(N_A_PTR, N_A_ROW3, 2, 10); DP1(N_A_PTR, N_A_ROW7, 1, 11)
	ADDQ A_STEP, A_PTR
	ADDQ LDB, B_PTR
	DECQ STEPS
	JNZ b8x16loop

b8x16done:
	TESTQ $TILE_RELU, flags+88(FP)
	JZ b8x16store
	VPXORD Z31, Z31, Z31
	RELU4(Z4, Z5, Z6, Z7); RELU4(Z8, Z9, Z10, Z11)

b8x16store:
	STORE1(Z4); STORE1(Z5); STORE1(Z6); STORE1(Z7); STORE1(Z8); STORE1(Z9); STORE1(Z10); STORE1(Z11)
	LEAQ (A_TILE)(A_ROW*8), A_TILE
	DECQ tiles+96(FP)
	JNZ b8x16tile
	VZEROUPPER
	RET
