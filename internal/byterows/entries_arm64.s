//go:build !purego

// Products over byte rows kept as entries (entries.go), NEON: the
// routines of entries_amd64.s with 4-lane vectors. Each entry is
// column<<8 | byte; its value is the quotient table's (byte), and its
// column picks a row of w or dw, LD bytes apart. Every term is one fused
// multiply-add (FMLA), added in the entries' order. Go's operand order:
// VFMLA Vm, Vn, Vd is d += n·m.

#include "textflag.h"

#define W  R4  // w, or dw
#define Q  R11 // the quotient table
#define LD R10 // bytes from one row of w to the next

// NADDR(e) reads the next entry of the list e (moving e on) and leaves
// the address of its row of w in R13 and of its value in R14.
#define NADDR(e) \
	MOVWU.P 4(e), R13; \
	AND     $0xff, R13, R14; \
	LSR     $8, R13, R13; \
	MUL     LD, R13, R13; \
	ADD     R14<<2, Q, R14; \
	ADD     R13, W, R13

// NTERM16(e, v, a0…a3, t0…t3) adds the next term of the list e to the
// accumulators a0…a3 (16 floats): v = q[byte], a += v·w[column]; t0…t3
// are scratch.
#define NTERM16(e, v, a0, a1, a2, a3, t0, t1, t2, t3) \
	NADDR(e); \
	VLD1R (R14), [v.S4]; \
	VLD1  (R13), [t0.S4, t1.S4, t2.S4, t3.S4]; \
	VFMLA v.S4, t0.S4, a0.S4; \
	VFMLA v.S4, t1.S4, a1.S4; \
	VFMLA v.S4, t2.S4, a2.S4; \
	VFMLA v.S4, t3.S4, a3.S4

// NTERM8 is NTERM16 on 8 floats.
#define NTERM8(e, v, a0, a1, t0, t1) \
	NADDR(e); \
	VLD1R (R14), [v.S4]; \
	VLD1  (R13), [t0.S4, t1.S4]; \
	VFMLA v.S4, t0.S4, a0.S4; \
	VFMLA v.S4, t1.S4, a1.S4

// func neonEntriesFwd4(y0, y1, y2, y3, w *float32, e0, e1, e2, e3 *uint32, steps, ld int, q *float32, wide bool)
//
// Four rows in lockstep: y_r (16 floats, or 8 unless wide) += the terms
// of entries e_r[0:steps], in order: sixteen chains of FMLA (eight when
// narrow).
TEXT ·neonEntriesFwd4(SB), NOSPLIT, $0-97
	MOVD  y0+0(FP), R0
	MOVD  y1+8(FP), R1
	MOVD  y2+16(FP), R2
	MOVD  y3+24(FP), R3
	MOVD  w+32(FP), W
	MOVD  e0+40(FP), R5
	MOVD  e1+48(FP), R6
	MOVD  e2+56(FP), R7
	MOVD  e3+64(FP), R8
	MOVD  steps+72(FP), R9
	MOVD  ld+80(FP), LD
	MOVD  q+88(FP), Q
	MOVBU wide+96(FP), R12
	CBZ   R12, narrow
	VLD1  (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1  (R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1  (R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1  (R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	CBZ   R9, store16

loop16:
	NTERM16(R5, V16, V0, V1, V2, V3, V20, V21, V22, V23)
	NTERM16(R6, V17, V4, V5, V6, V7, V24, V25, V26, V27)
	NTERM16(R7, V18, V8, V9, V10, V11, V20, V21, V22, V23)
	NTERM16(R8, V19, V12, V13, V14, V15, V24, V25, V26, V27)
	SUBS $1, R9, R9
	BNE  loop16

store16:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R1)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R2)
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R3)
	RET

narrow:
	VLD1 (R0), [V0.S4, V1.S4]
	VLD1 (R1), [V4.S4, V5.S4]
	VLD1 (R2), [V8.S4, V9.S4]
	VLD1 (R3), [V12.S4, V13.S4]
	CBZ  R9, store8

loop8:
	NTERM8(R5, V16, V0, V1, V20, V21)
	NTERM8(R6, V17, V4, V5, V24, V25)
	NTERM8(R7, V18, V8, V9, V20, V21)
	NTERM8(R8, V19, V12, V13, V24, V25)
	SUBS $1, R9, R9
	BNE  loop8

store8:
	VST1 [V0.S4, V1.S4], (R0)
	VST1 [V4.S4, V5.S4], (R1)
	VST1 [V8.S4, V9.S4], (R2)
	VST1 [V12.S4, V13.S4], (R3)
	RET

// func neonEntriesFwd1(y, w *float32, e *uint32, steps, ld int, q *float32, wide bool)
//
// One row: y (16 floats, or 8 unless wide) += the terms of e[0:steps].
TEXT ·neonEntriesFwd1(SB), NOSPLIT, $0-49
	MOVD  y+0(FP), R0
	MOVD  w+8(FP), W
	MOVD  e+16(FP), R5
	MOVD  steps+24(FP), R9
	MOVD  ld+32(FP), LD
	MOVD  q+40(FP), Q
	MOVBU wide+48(FP), R12
	CBZ   R12, narrow1
	VLD1  (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	CBZ   R9, store1

loop1:
	NTERM16(R5, V16, V0, V1, V2, V3, V20, V21, V22, V23)
	SUBS $1, R9, R9
	BNE  loop1

store1:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	RET

narrow1:
	VLD1 (R0), [V0.S4, V1.S4]
	CBZ  R9, store1n

loop1n:
	NTERM8(R5, V16, V0, V1, V20, V21)
	SUBS $1, R9, R9
	BNE  loop1n

store1n:
	VST1 [V0.S4, V1.S4], (R0)
	RET

// func neonEntriesGrad(dw, dy *float32, rows *int32, m int, start, e *uint32, ld int, q *float32, wide bool)
//
// For each row i < m in order, each entry of row rows[i] (e[start[r]:
// start[r+1]]) in order: dw[column] (16 floats, or 8 unless wide) +=
// q[byte]·dy[i], dy's rows ld bytes apart; each term a load, FMLA and
// store of its row of dw.
TEXT ·neonEntriesGrad(SB), NOSPLIT, $0-65
	MOVD  dw+0(FP), W
	MOVD  dy+8(FP), R0
	MOVD  rows+16(FP), R1
	MOVD  m+24(FP), R2
	MOVD  start+32(FP), R3
	MOVD  e+40(FP), R5
	MOVD  ld+48(FP), LD
	MOVD  q+56(FP), Q
	MOVBU wide+64(FP), R12
	CBZ   R2, gdone

grow:
	MOVW  (R1), R6     // sign-extending
	ADD   R6<<2, R3, R7
	MOVWU (R7), R8     // the row's first entry
	MOVWU 4(R7), R9    // one past its last
	SUB   R8, R9, R9
	ADD   R8<<2, R5, R8
	CBZ   R12, grown
	VLD1  (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	CBZ   R9, gnext

gterm:
	NADDR(R8)
	VLD1R (R14), [V16.S4]
	VLD1  (R13), [V0.S4, V1.S4, V2.S4, V3.S4]
	VFMLA V16.S4, V24.S4, V0.S4
	VFMLA V16.S4, V25.S4, V1.S4
	VFMLA V16.S4, V26.S4, V2.S4
	VFMLA V16.S4, V27.S4, V3.S4
	VST1  [V0.S4, V1.S4, V2.S4, V3.S4], (R13)
	SUBS  $1, R9, R9
	BNE   gterm
	B     gnext

grown:
	VLD1 (R0), [V24.S4, V25.S4]
	CBZ  R9, gnext

gtermn:
	NADDR(R8)
	VLD1R (R14), [V16.S4]
	VLD1  (R13), [V0.S4, V1.S4]
	VFMLA V16.S4, V24.S4, V0.S4
	VFMLA V16.S4, V25.S4, V1.S4
	VST1  [V0.S4, V1.S4], (R13)
	SUBS  $1, R9, R9
	BNE   gtermn

gnext:
	ADD  $4, R1, R1
	ADD  LD, R0, R0
	SUBS $1, R2, R2
	BNE  grow

gdone:
	RET
