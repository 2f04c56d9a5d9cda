//go:build !purego

// Products over byte rows kept as entries (entries.go), AVX2 and FMA:
// each entry is column<<8 | byte; its value is the quotient table's
// (byte), and its column picks a row of w or dw, LD bytes apart. Every
// term is one fused multiply-add, added in the entries' order. Go's
// operand order is reversed from Intel's.

#include "textflag.h"

#define W  SI // w, or dw
#define Q  DI // the quotient table
#define LD R12 // bytes from one row of w to the next
#define I  BX // the entry

// TERM16(e, v, a0, a1) adds the term of entry I of the list e to the
// accumulators a0, a1 (16 floats): v = q[byte], a += v·w[column].
#define TERM16(e, v, a0, a1) \
	MOVL    (e)(I*4), AX; \
	MOVBLZX AX, DX; \
	SHRL    $8, AX; \
	IMULQ   LD, AX; \
	VBROADCASTSS (Q)(DX*4), v; \
	VFMADD231PS (W)(AX*1), v, a0; \
	VFMADD231PS 32(W)(AX*1), v, a1

// TERM8 is TERM16 on 8 floats.
#define TERM8(e, v, a0) \
	MOVL    (e)(I*4), AX; \
	MOVBLZX AX, DX; \
	SHRL    $8, AX; \
	IMULQ   LD, AX; \
	VBROADCASTSS (Q)(DX*4), v; \
	VFMADD231PS (W)(AX*1), v, a0

// func avx2EntriesFwd4(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)
//
// Four rows in lockstep: y_r (16 floats, or 8 unless wide) += the terms
// of entries e_r[0:steps], in order. Eight chains of fused multiply-adds
// (four when narrow) hide the FMA's latency.
TEXT ·avx2EntriesFwd4(SB), NOSPLIT, $0-97
	MOVQ w+32(FP), W
	MOVQ e0+40(FP), R8
	MOVQ e1+48(FP), R9
	MOVQ e2+56(FP), R10
	MOVQ e3+64(FP), R11
	MOVQ steps+72(FP), CX
	MOVQ ld+80(FP), LD
	MOVQ q+88(FP), Q
	MOVQ y0+0(FP), R13
	MOVQ y1+8(FP), R14
	MOVQ y2+16(FP), DX
	MOVQ y3+24(FP), AX
	XORQ I, I
	CMPB wide+96(FP), $0
	JEQ  narrow
	VMOVUPS (R13), Y0
	VMOVUPS 32(R13), Y1
	VMOVUPS (R14), Y2
	VMOVUPS 32(R14), Y3
	VMOVUPS (DX), Y4
	VMOVUPS 32(DX), Y5
	VMOVUPS (AX), Y6
	VMOVUPS 32(AX), Y7
	TESTQ CX, CX
	JZ    store16
loop16:
	TERM16(R8, Y8, Y0, Y1)
	TERM16(R9, Y9, Y2, Y3)
	TERM16(R10, Y10, Y4, Y5)
	TERM16(R11, Y11, Y6, Y7)
	INCQ I
	CMPQ I, CX
	JLT  loop16
store16:
	MOVQ y2+16(FP), DX
	MOVQ y3+24(FP), AX
	VMOVUPS Y0, (R13)
	VMOVUPS Y1, 32(R13)
	VMOVUPS Y2, (R14)
	VMOVUPS Y3, 32(R14)
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	VZEROUPPER
	RET

narrow:
	VMOVUPS (R13), Y0
	VMOVUPS (R14), Y2
	VMOVUPS (DX), Y4
	VMOVUPS (AX), Y6
	TESTQ CX, CX
	JZ    store8
loop8:
	TERM8(R8, Y8, Y0)
	TERM8(R9, Y9, Y2)
	TERM8(R10, Y10, Y4)
	TERM8(R11, Y11, Y6)
	INCQ I
	CMPQ I, CX
	JLT  loop8
store8:
	MOVQ y2+16(FP), DX
	MOVQ y3+24(FP), AX
	VMOVUPS Y0, (R13)
	VMOVUPS Y2, (R14)
	VMOVUPS Y4, (DX)
	VMOVUPS Y6, (AX)
	VZEROUPPER
	RET

// func avx2EntriesFwd1(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)
//
// One row: y (16 floats, or 8 unless wide) += the terms of e[0:steps].
TEXT ·avx2EntriesFwd1(SB), NOSPLIT, $0-49
	MOVQ y+0(FP), R13
	MOVQ w+8(FP), W
	MOVQ e+16(FP), R8
	MOVQ steps+24(FP), CX
	MOVQ ld+32(FP), LD
	MOVQ q+40(FP), Q
	XORQ I, I
	CMPB wide+48(FP), $0
	JEQ  narrow1
	VMOVUPS (R13), Y0
	VMOVUPS 32(R13), Y1
	TESTQ CX, CX
	JZ    store1
loop1:
	TERM16(R8, Y8, Y0, Y1)
	INCQ I
	CMPQ I, CX
	JLT  loop1
store1:
	VMOVUPS Y0, (R13)
	VMOVUPS Y1, 32(R13)
	VZEROUPPER
	RET

narrow1:
	VMOVUPS (R13), Y0
	TESTQ CX, CX
	JZ    store1n
loop1n:
	TERM8(R8, Y8, Y0)
	INCQ I
	CMPQ I, CX
	JLT  loop1n
store1n:
	VMOVUPS Y0, (R13)
	VZEROUPPER
	RET

// GRAD(v, g, e) adds the term of entry I of the list e to its row of dw:
// dw[column] += v·g, v = q[byte], g the row of dy in registers.
#define GRAD16(e, v, g0, g1) \
	MOVL    (e)(I*4), AX; \
	MOVBLZX AX, DX; \
	SHRL    $8, AX; \
	IMULQ   LD, AX; \
	VBROADCASTSS (Q)(DX*4), v; \
	VMOVUPS (W)(AX*1), Y0; \
	VMOVUPS 32(W)(AX*1), Y1; \
	VFMADD231PS g0, v, Y0; \
	VFMADD231PS g1, v, Y1; \
	VMOVUPS Y0, (W)(AX*1); \
	VMOVUPS Y1, 32(W)(AX*1)

#define GRAD8(e, v, g0) \
	MOVL    (e)(I*4), AX; \
	MOVBLZX AX, DX; \
	SHRL    $8, AX; \
	IMULQ   LD, AX; \
	VBROADCASTSS (Q)(DX*4), v; \
	VMOVUPS (W)(AX*1), Y0; \
	VFMADD231PS g0, v, Y0; \
	VMOVUPS Y0, (W)(AX*1)

// func avx2EntriesGrad(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)
//
// For each row i < m in order, each entry of row rows[i] (e[start[r]:
// start[r+1]]) in order: dw[column] (16 floats, or 8 unless wide) +=
// q[byte]·dy[i], dy's rows ld bytes apart. Each term is a load, a fused
// multiply-add and a store of its row of dw: a column's sum keeps the
// rows' order.
TEXT ·avx2EntriesGrad(SB), NOSPLIT, $0-65
	MOVQ dw+0(FP), W
	MOVQ dy+8(FP), R13
	MOVQ rows+16(FP), R14
	MOVQ m+24(FP), R9
	MOVQ start+32(FP), R10
	MOVQ e+40(FP), R11
	MOVQ ld+48(FP), LD
	MOVQ q+56(FP), Q
	TESTQ R9, R9
	JZ    gdone
	CMPB wide+64(FP), $0
	JEQ  growN
grow:
	MOVLQSX (R14), AX
	MOVL    (R10)(AX*4), I   // the row's first entry
	MOVL    4(R10)(AX*4), CX // one past its last
	VMOVUPS (R13), Y14
	VMOVUPS 32(R13), Y15
	CMPQ I, CX
	JGE  gnext
gterm:
	GRAD16(R11, Y8, Y14, Y15)
	INCQ I
	CMPQ I, CX
	JLT  gterm
gnext:
	ADDQ $4, R14
	ADDQ LD, R13
	DECQ R9
	JNZ  grow
	JMP  gdone
growN:
	MOVLQSX (R14), AX
	MOVL    (R10)(AX*4), I
	MOVL    4(R10)(AX*4), CX
	VMOVUPS (R13), Y14
	CMPQ I, CX
	JGE  gnextN
gtermN:
	GRAD8(R11, Y8, Y14)
	INCQ I
	CMPQ I, CX
	JLT  gtermN
gnextN:
	ADDQ $4, R14
	ADDQ LD, R13
	DECQ R9
	JNZ  growN
gdone:
	VZEROUPPER
	RET

// func avx2EntriesRow(dst *uint32, src *uint8, groups int, table *[256][8]uint32) int
//
// The entries of the first 8·groups bytes of a row: 8 bytes at a time,
// each byte widened to column<<8 | byte, then the non-zero ones moved to
// the front by a permutation picked by their mask (table) and all 8
// stored; dst moves on by the count. It writes up to 7 values past the
// entries it returns the count of.
TEXT ·avx2EntriesRow(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ groups+16(FP), CX
	MOVQ table+24(FP), R8
	MOVQ DI, R9
	VPXOR Y15, Y15, Y15
	VPMOVZXBD entriesIota<>(SB), Y2 // the columns 0–7 of the first group, <<8
	VPSLLD $8, Y2, Y2
	MOVL $0x800, AX          // 8<<8: the next group's columns
	VMOVD AX, X3
	VPBROADCASTD X3, Y3
	TESTQ CX, CX
	JZ    rdone
rgroup:
	VPMOVZXBD (SI), Y0
	VPCMPEQD  Y15, Y0, Y1
	VMOVMSKPS Y1, AX
	XORL      $0xff, AX
	POPCNTL   AX, DX
	SHLQ      $5, AX
	VPOR      Y2, Y0, Y0
	VMOVDQU   (R8)(AX*1), Y1
	VPERMD    Y0, Y1, Y0
	VMOVDQU   Y0, (DI)
	LEAQ      (DI)(DX*4), DI
	VPADDD    Y3, Y2, Y2
	ADDQ      $8, SI
	DECQ      CX
	JNZ       rgroup
rdone:
	SUBQ R9, DI
	SHRQ $2, DI
	MOVQ DI, ret+32(FP)
	VZEROUPPER
	RET

DATA entriesIota<>+0(SB)/8, $0x0706050403020100
GLOBL entriesIota<>(SB), RODATA|NOPTR, $8
