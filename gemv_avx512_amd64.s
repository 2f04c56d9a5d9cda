//go:build !purego

#include "textflag.h"

// AVX-512 vector–matrix product of DenseForward (gemv.go has the
// contract): one row of x (m = 1). It streams w once, in order, where
// the one-row tile walks it in blocks of columns. Go's operand order is
// reversed from Intel's.

#define Y_PTR DI
#define X_PTR SI
#define W_PTR DX
#define LEFT CX   // columns left in the row
#define ROWS R8   // rows of w left
#define N R9
#define LDW R10   // bytes between rows of w
#define W0 R11
#define W2 R12
#define YC R13

#define W4 R14
#define W6 R15

// FMA4(off, z): z += the four rows' x times their w at off (bytes) past
// W0 (rows r, r+1) and W2 (rows r+2, r+3); FMA4K the same under K1.
#define FMA4(off, z) \
	VFMADD231PS off(W0), Z24, z; VFMADD231PS off(W0)(LDW*1), Z25, z; \
	VFMADD231PS off(W2), Z26, z; VFMADD231PS off(W2)(LDW*1), Z27, z
#define FMA4K(z) \
	VFMADD231PS (W0), Z24, K1, z; VFMADD231PS (W0)(LDW*1), Z25, K1, z; \
	VFMADD231PS (W2), Z26, K1, z; VFMADD231PS (W2)(LDW*1), Z27, K1, z
// FMA8, FMA8K: the same for eight rows, the last four at W4 and W6.
#define FMA8(off, z) \
	FMA4(off, z); \
	VFMADD231PS off(W4), Z28, z; VFMADD231PS off(W4)(LDW*1), Z29, z; \
	VFMADD231PS off(W6), Z30, z; VFMADD231PS off(W6)(LDW*1), Z31, z
#define FMA8K(z) \
	FMA4K(z); \
	VFMADD231PS (W4), Z28, K1, z; VFMADD231PS (W4)(LDW*1), Z29, K1, z; \
	VFMADD231PS (W6), Z30, K1, z; VFMADD231PS (W6)(LDW*1), Z31, K1, z

// VM_COLS runs one group of rows over every column of y: 64 at a time
// (FMA the group's macro), then 16, then the last 0–15 under K1 (FMAK).
// The row pointers are set and YC = y, LEFT = n on entry.
#define VM_COLS(FMA, FMAK, ADV, c64, c16, tail, done) \
c64: \
	CMPQ LEFT, $64; JLT c16; \
	VMOVUPS (YC), Z0; VMOVUPS 64(YC), Z1; VMOVUPS 128(YC), Z2; VMOVUPS 192(YC), Z3; \
	FMA(0, Z0); FMA(64, Z1); FMA(128, Z2); FMA(192, Z3); \
	VMOVUPS Z0, (YC); VMOVUPS Z1, 64(YC); VMOVUPS Z2, 128(YC); VMOVUPS Z3, 192(YC); \
	ADV($256); SUBQ $64, LEFT; JMP c64; \
c16: \
	CMPQ LEFT, $16; JLT tail; \
	VMOVUPS (YC), Z0; FMA(0, Z0); VMOVUPS Z0, (YC); \
	ADV($64); SUBQ $16, LEFT; JMP c16; \
tail: \
	TESTQ LEFT, LEFT; JZ done; \
	VMOVUPS.Z (YC), K1, Z0; FMAK(Z0); VMOVUPS Z0, K1, (YC); \
done:

#define ADV4(d) ADDQ d, W0; ADDQ d, W2; ADDQ d, YC
#define ADV8(d) ADDQ d, W0; ADDQ d, W2; ADDQ d, W4; ADDQ d, W6; ADDQ d, YC

// func avx512VecMat(y, x, w *float32, k, n int)
//
// y[j] += x[r]·w[r·n + j] for r = 0, 1, …, k−1 in turn, each a fused
// multiply-add, for j < n (k, n ≥ 1). Eight rows of w at a time (then
// four, then one): their x broadcast in Z24…Z31, each 64 columns of y
// loaded, given the rows' products in order and stored, so that the rows
// stream in order and y (in L1) is read and written once per group.
TEXT ·avx512VecMat(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), Y_PTR
	MOVQ x+8(FP), X_PTR
	MOVQ w+16(FP), W_PTR
	MOVQ k+24(FP), ROWS
	MOVQ n+32(FP), N
	LEAQ (N*4), LDW
	MOVQ N, CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1 // the columns of the last partial 16

vm8:
	CMPQ ROWS, $8
	JLT  vm4
	VBROADCASTSS (X_PTR), Z24
	VBROADCASTSS 4(X_PTR), Z25
	VBROADCASTSS 8(X_PTR), Z26
	VBROADCASTSS 12(X_PTR), Z27
	VBROADCASTSS 16(X_PTR), Z28
	VBROADCASTSS 20(X_PTR), Z29
	VBROADCASTSS 24(X_PTR), Z30
	VBROADCASTSS 28(X_PTR), Z31
	MOVQ W_PTR, W0
	LEAQ (W_PTR)(LDW*2), W2
	LEAQ (W_PTR)(LDW*4), W4
	LEAQ (W4)(LDW*2), W6
	MOVQ Y_PTR, YC
	MOVQ N, LEFT
	VM_COLS(FMA8, FMA8K, ADV8, vm8c64, vm8c16, vm8tail, vm8done)
	ADDQ $32, X_PTR
	LEAQ (W_PTR)(LDW*8), W_PTR
	SUBQ $8, ROWS
	JMP  vm8

vm4:
	CMPQ ROWS, $4
	JLT  vm1
	VBROADCASTSS (X_PTR), Z24
	VBROADCASTSS 4(X_PTR), Z25
	VBROADCASTSS 8(X_PTR), Z26
	VBROADCASTSS 12(X_PTR), Z27
	MOVQ W_PTR, W0
	LEAQ (W_PTR)(LDW*2), W2
	MOVQ Y_PTR, YC
	MOVQ N, LEFT
	VM_COLS(FMA4, FMA4K, ADV4, vm4c64, vm4c16, vm4tail, vm4done)
	ADDQ $16, X_PTR
	LEAQ (W_PTR)(LDW*4), W_PTR
	SUBQ $4, ROWS

vm1:
	TESTQ ROWS, ROWS
	JZ    vmdone
	VBROADCASTSS (X_PTR), Z24
	MOVQ W_PTR, W0
	MOVQ Y_PTR, YC
	MOVQ N, LEFT

vm1c16:
	CMPQ LEFT, $16
	JLT  vm1tail
	VMOVUPS (YC), Z0
	VFMADD231PS (W0), Z24, Z0
	VMOVUPS Z0, (YC)
	ADDQ $64, W0
	ADDQ $64, YC
	SUBQ $16, LEFT
	JMP  vm1c16

vm1tail:
	TESTQ LEFT, LEFT
	JZ    vm1next
	VMOVUPS.Z (YC), K1, Z0
	VFMADD231PS (W0), Z24, K1, Z0
	VMOVUPS Z0, K1, (YC)

vm1next:
	ADDQ $4, X_PTR
	ADDQ LDW, W_PTR
	DECQ ROWS
	JMP  vm1

vmdone:
	VZEROUPPER
	RET
