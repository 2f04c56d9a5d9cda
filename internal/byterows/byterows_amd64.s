//go:build !purego

// The byte-row gather on amd64: bytes to float32 rows (AVX2 and
// AVX-512), packed rows (AVX-512) and the prefetch of rows. Go's operand
// order is reversed from Intel's throughout. Routines are named after
// their instruction set (avx2…, avx512…); the prefetches use no vector
// registers and serve every implementation (amd64…).

#include "textflag.h"

// LEFT counts the bytes or floats left in a row.
#define LEFT CX

// DEQ_AHEAD is how many rows ahead the gather prefetches: a row converts
// in some 40 ns from cache and takes several times that from DRAM; 3 to 6
// measure the same on the Zen-5 test machine, 12 and up slower.
#define DEQ_AHEAD 4

// PK_AHEAD is how many packed rows ahead avx512DequantizePacked prefetches:
// a packed MNIST row spans 4–5 lines against 13 of a plain one.
#define PK_AHEAD 8

// PREFETCH_LINES issues op (a PREFETCH instruction) on every 64-byte
// line from p up to last, the address of a row's last byte, which it
// prefetches too (the row need not start on a line). p is advanced;
// loop names the macro's label.
#define PREFETCH_LINES(op, p, last, loop) \
loop: \
	op   (p); \
	ADDQ $64, p; \
	CMPQ p, last; \
	JLT  loop; \
	op   (last)

// DEQ_ROW starts a row: it prefetches every cache line of row
// rows[DEQ_AHEAD] (the last byte included; these lines lie inside src, and
// PREFETCHT0 never faults) when that many rows remain, then points SI at
// row rows[0]. BX walks rows, R8 is src, R9 the rows left, R10 k ≥ 1; AX,
// R11 and R12 are clobbered. pf and now name the macro's labels.
#define DEQ_ROW(pf, now) \
	CMPQ       R9, $DEQ_AHEAD; \
	JLE        now; \
	MOVLQSX    (DEQ_AHEAD*4)(BX), AX; \
	IMULQ      R10, AX; \
	LEAQ       (R8)(AX*1), R11; \
	LEAQ       -1(R11)(R10*1), R12; \
	PREFETCH_LINES(PREFETCHT0, R11, R12, pf); \
now: \
	MOVLQSX    (BX), AX; \
	IMULQ      R10, AX; \
	LEAQ       (R8)(AX*1), SI

// MASK16 sets k to the low min(LEFT, 16) bits; t1, t2 are scratch.
#define MASK16(t1, t2, k) \
	MOVL $16, t1; CMPQ LEFT, t1; CMOVQLT LEFT, t1; \
	MOVL $0xffff, t2; BZHIL t1, t2, t2; KMOVW t2, k

// QUOT8: y = b (8 exact floats) becomes b/d by a multiply and one Newton
// correction: q0 = b·r, e = b − q0·d (exact, fused), q = q0 + e·r
// (fused). d in Y15, r = 1/d in Y14; t is scratch, q ends in y. The
// scalar tail does the same with the X forms of the registers.
#define QUOT8(y, t) \
	VMULPS Y14, y, t; VFNMADD231PS Y15, t, y; VFMADD213PS t, Y14, y

// func avx2DequantizeRows(dst []float32, src []uint8, rows []int32, k int, div, recip float32)
//
// Row i of dst = row rows[i] of src (k bytes a row): zero-extend 8 bytes
// to 8 int32 (exact), convert to float32 (exact, < 2^24) and divide by
// div through QUOT8: three pipelined operations instead of a long
// division. QUOT8 is not a correctly rounded division for every divisor;
// the caller uses this routine only for a divisor it has checked on all
// 256 bytes. 32 bytes a round, then 8, then one at a time for the last
// 0–7 of a row: byte loads cannot be masked, and a wider load would read
// past the row. Before row i it prefetches every cache line of row
// rows[i+DEQ_AHEAD] (inside src; PREFETCHT0 never faults).
TEXT ·avx2DequantizeRows(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), R8
	MOVQ         rows_base+48(FP), BX
	MOVQ         rows_len+56(FP), R9
	MOVQ         k+72(FP), R10
	VBROADCASTSS div+80(FP), Y15
	VBROADCASTSS recip+84(FP), Y14
	TESTQ        R10, R10
	JEQ          deqdone
	TESTQ        R9, R9
	JEQ          deqdone

deqrow:
	DEQ_ROW(deqpf, deqnow)
	MOVQ    R10, LEFT

deq32:
	CMPQ      LEFT, $32
	JLT       deq8
	VPMOVZXBD (SI), Y0
	VPMOVZXBD 8(SI), Y1
	VPMOVZXBD 16(SI), Y2
	VPMOVZXBD 24(SI), Y3
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	QUOT8(Y0, Y4)
	QUOT8(Y1, Y5)
	QUOT8(Y2, Y6)
	QUOT8(Y3, Y7)
	VMOVUPS   Y0, (DI)
	VMOVUPS   Y1, 32(DI)
	VMOVUPS   Y2, 64(DI)
	VMOVUPS   Y3, 96(DI)
	ADDQ      $32, SI
	ADDQ      $128, DI
	SUBQ      $32, LEFT
	JMP       deq32

deq8:
	CMPQ      LEFT, $8
	JLT       deq1
	VPMOVZXBD (SI), Y0
	VCVTDQ2PS Y0, Y0
	QUOT8(Y0, Y4)
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	SUBQ      $8, LEFT
	JMP       deq8

deq1:
	TESTQ        LEFT, LEFT
	JEQ          deqnext
	MOVBLZX      (SI), AX
	VCVTSI2SSL   AX, X0, X0
	VMULSS       X14, X0, X4
	VFNMADD231SS X15, X4, X0
	VFMADD213SS  X4, X14, X0
	VMOVSS       X0, (DI)
	INCQ         SI
	ADDQ         $4, DI
	DECQ         LEFT
	JMP          deq1

deqnext:
	ADDQ $4, BX
	DECQ R9
	JG   deqrow

deqdone:
	VZEROUPPER
	RET

// QUOT: z = b (16 exact floats) becomes q, b/d by a multiply and one
// Newton correction: q0 = b·r, e = b − q0·d (exact, fused), q = q0 + e·r
// (fused). d in Z30, r = 1/d in Z29; t is scratch, q ends in z.
#define QUOT(z, t) \
	VMULPS Z29, z, t; VFNMADD231PS Z30, t, z; VFMADD213PS t, Z29, z

// DEQ_AT: 16 bytes at boff(SI) to 16 floats at foff(DI), divided.
#define DEQ_AT(boff, foff, z, t) \
	VPMOVZXBD boff(SI), z; VCVTDQ2PS z, z; QUOT(z, t); VMOVUPS z, foff(DI)

// func avx512DequantizeRows(dst *float32, src *uint8, rows *int32, m, k int, div, recip float32)
// Row i of dst = row rows[i] of src (k bytes a row), each byte
// zero-extended to int32 (exact), converted (exact) and divided by div
// through QUOT: three pipelined operations instead of a long division.
// QUOT is not a correctly rounded division for every divisor; the caller
// uses this routine only for a divisor it has checked on all 256 bytes.
// Before row i it prefetches every cache line of row rows[i+DEQ_AHEAD]
// (PREFETCHT0 never faults, and these lines lie inside src anyway). The
// last 0–15 bytes of a row go through K1: the masked VPMOVZXBD reads no
// byte past the row.
TEXT ·avx512DequantizeRows(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), R8
	MOVQ rows+16(FP), BX
	MOVQ m+24(FP), R9
	MOVQ k+32(FP), R10
	VBROADCASTSS div+40(FP), Z30
	VBROADCASTSS recip+44(FP), Z29

deqrow:
	DEQ_ROW(deqpf, deqnow)
	MOVQ R10, LEFT

deq64:
	CMPQ LEFT, $64
	JLT deq16
	DEQ_AT(0, 0, Z1, Z5)
	DEQ_AT(16, 64, Z2, Z6)
	DEQ_AT(32, 128, Z3, Z7)
	DEQ_AT(48, 192, Z4, Z8)
	ADDQ $64, SI
	ADDQ $256, DI
	SUBQ $64, LEFT
	JMP deq64

deq16:
	TESTQ LEFT, LEFT
	JLE deqnext
	MASK16(AX, DX, K1)
	VPMOVZXBD.Z (SI), K1, Z1
	VCVTDQ2PS Z1, Z1
	QUOT(Z1, Z5)
	VMOVUPS Z1, K1, (DI)
	MOVQ LEFT, AX
	MOVL $16, DX
	CMPQ AX, DX
	CMOVQGT DX, AX // the floats just written
	ADDQ AX, SI
	LEAQ (DI)(AX*4), DI
	SUBQ AX, LEFT
	JMP deq16

deqnext:
	ADDQ $4, BX
	DECQ R9
	JG deqrow
	VZEROUPPER
	RET

// pkIota: the dwords 0, 1, …, 15, eight bytes a line.
DATA pkIota<>+0(SB)/8, $0x0000000100000000
DATA pkIota<>+8(SB)/8, $0x0000000300000002
DATA pkIota<>+16(SB)/8, $0x0000000500000004
DATA pkIota<>+24(SB)/8, $0x0000000700000006
DATA pkIota<>+32(SB)/8, $0x0000000900000008
DATA pkIota<>+40(SB)/8, $0x0000000b0000000a
DATA pkIota<>+48(SB)/8, $0x0000000d0000000c
DATA pkIota<>+56(SB)/8, $0x0000000f0000000e
GLOBL pkIota<>(SB), RODATA|NOPTR, $64

// PK_MASKS: n = the bytes of masks of k bytes of a packed row, 2·⌈k/16⌉.
#define PK_MASKS(k, n) LEAQ 15(k), n; SHRQ $4, n; SHLQ $1, n

// PK_CLAMP: p = min(p, end), unsigned. A packed row's masks and offsets
// agree by construction, so this never changes p; it keeps every packed
// load and store within the row's end (plus the padding) even when the
// bytes PackRowsWith's caller owns, or a source changed while it was
// packed, make them disagree.
#define PK_CLAMP(p, end) CMPQ p, end; CMOVQHI end, p

// PK_ROW starts a packed row: it prefetches the lines of row
// rows[PK_AHEAD], off[r] to off[r+1], when that many rows remain, then
// points R11 at row rows[0]'s masks, SI at its non-zero bytes and R12 at
// its end, and sets LEFT = k. BX walks rows, R8 is data, R13 off, R9 the
// rows left, R10 k; AX and DX are clobbered. pf and now name the macro's
// labels.
#define PK_ROW(pf, now) \
	CMPQ R9, $PK_AHEAD; \
	JLE  now; \
	MOVLQSX (PK_AHEAD*4)(BX), AX; \
	MOVL    (R13)(AX*4), R11; \
	MOVL    4(R13)(AX*4), DX; \
	ADDQ    R8, R11; \
	LEAQ    -1(R8)(DX*1), DX; \
	PREFETCH_LINES(PREFETCHT0, R11, DX, pf); \
now: \
	MOVLQSX (BX), AX; \
	MOVL    (R13)(AX*4), R11; \
	MOVL    4(R13)(AX*4), R12; \
	ADDQ    R8, R11; \
	ADDQ    R8, R12; \
	PK_MASKS(R10, SI); \
	ADDQ    R11, SI; \
	MOVQ    R10, LEFT

// PK_GROUP: 16 bytes of a packed row to 16 floats at off(DI): the
// group's mask from AX to K2, the next 16 packed bytes widened to dwords
// (VPMOVZXBD), VPEXPANDD moving the first popcount(mask) of them to the
// lanes whose bit is set and zeroing the rest, then the conversion and
// QUOT of DEQ_AT. SI does not move; z, t are scratch.
#define PK_GROUP(z, t) \
	KMOVW AX, K2; VPMOVZXBD (SI), z; VPEXPANDD.Z z, K2, z; \
	VCVTDQ2PS z, z; QUOT(z, t)

// PK_WIDE_AT: the 16 bytes in lane i of Z0 (already expanded) to 16
// floats at off(DI).
#define PK_WIDE_AT(idx, off, z, t) \
	VPERMB.Z Z0, idx, K4, z; VCVTDQ2PS z, z; QUOT(z, t); VMOVUPS z, off(DI)

// func avx512DequantizePacked(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, div, recip float32, wide bool)
// DequantizeRows from PackedRows (packed.go): row r of the packed data
// starts at data+off[r] with ⌈k/16⌉ uint16 masks, then the non-zero
// bytes; the packed data ends in packedPad (64) bytes of padding, so that
// a 64-byte load at any packed byte up to a row's end stays inside it.
// With wide (AVX512 VBMI2, VBMI, BW), 64 bytes of the row at a time: the
// next 64 packed bytes, one VPEXPANDB under the four masks read as one
// uint64, and each 16-byte lane widened by VPERMB, converted and divided as
// in avx512DequantizeRows (QUOT). Then, and without wide for the whole row
// (AVX512F only), 16 at a time (PK_GROUP, VPEXPANDD), K1 storing the last
// 1–15 floats. The packed pointer moves on by the mask's popcount, never
// past the row's end (PK_CLAMP). Before row i it prefetches the lines of
// row rows[i+PK_AHEAD], off[r] to off[r+1]. POPCNT throughout.
TEXT ·avx512DequantizePacked(SB), NOSPLIT, $0-57
	MOVQ dst+0(FP), DI
	MOVQ data+8(FP), R8
	MOVQ off+16(FP), R13
	MOVQ rows+24(FP), BX
	MOVQ m+32(FP), R9
	MOVQ k+40(FP), R10
	VBROADCASTSS div+48(FP), Z30
	VBROADCASTSS recip+52(FP), Z29
	MOVBQZX wide+56(FP), R14
	TESTQ R14, R14
	JZ    pkrow
	// VPERMB indices: byte 0 of dword j of Z10+i takes byte 16i+j of Z0.
	VMOVDQU32 pkIota<>(SB), Z10
	MOVL $16, AX
	VPBROADCASTD AX, Z14
	VPADDD Z14, Z10, Z11
	VPADDD Z14, Z11, Z12
	VPADDD Z14, Z12, Z13
	MOVQ $0x1111111111111111, AX
	KMOVQ AX, K4 // byte 0 of every dword

pkrow:
	PK_ROW(pkpf, pknow)
	TESTQ   R14, R14
	JZ      pk16

pk64:
	CMPQ LEFT, $64
	JLT  pk16
	MOVQ (R11), AX
	KMOVQ AX, K3
	VMOVDQU8 (SI), Z0
	VPEXPANDB.Z Z0, K3, Z0
	POPCNTQ AX, AX
	ADDQ    AX, SI
	PK_CLAMP(SI, R12)
	ADDQ    $8, R11
	PK_WIDE_AT(Z10, 0, Z1, Z5)
	PK_WIDE_AT(Z11, 64, Z2, Z6)
	PK_WIDE_AT(Z12, 128, Z3, Z7)
	PK_WIDE_AT(Z13, 192, Z4, Z8)
	ADDQ $256, DI
	SUBQ $64, LEFT
	JMP  pk64

pk16:
	CMPQ LEFT, $16
	JLT  pktail
	MOVWLZX (R11), AX
	PK_GROUP(Z1, Z5)
	VMOVUPS Z1, (DI)
	POPCNTL AX, AX
	ADDQ    AX, SI
	PK_CLAMP(SI, R12)
	ADDQ    $2, R11
	ADDQ    $64, DI
	SUBQ    $16, LEFT
	JMP     pk16

pktail:
	TESTQ LEFT, LEFT
	JLE   pknext
	MOVWLZX (R11), AX
	PK_GROUP(Z1, Z5)
	MASK16(AX, DX, K1)
	VMOVUPS Z1, K1, (DI)
	LEAQ    (DI)(LEFT*4), DI

pknext:
	ADDQ $4, BX
	DECQ R9
	JG   pkrow
	VZEROUPPER
	RET

// func avx512NonZeroRows(counts *uint32, src *uint8, rows, k int)
// counts[r] = the bytes of row r of src (k ≥ 1 bytes a row, rows ≥ 1) that
// are not zero: VPTESTMB sets a mask bit per non-zero byte, POPCNTQ counts
// them, 64 bytes at a time; K2 loads the last 1–63 bytes without reading
// past the row. AVX512BW.
TEXT ·avx512NonZeroRows(SB), NOSPLIT, $0-32
	MOVQ counts+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), R9
	MOVQ k+24(FP), R10

nzrow:
	XORQ DX, DX
	MOVQ R10, LEFT

nz64:
	CMPQ LEFT, $64
	JLT  nztail
	VMOVDQU8 (SI), Z0
	VPTESTMB Z0, Z0, K1
	KMOVQ    K1, AX
	POPCNTQ  AX, AX
	ADDQ     AX, DX
	ADDQ     $64, SI
	SUBQ     $64, LEFT
	JMP      nz64

nztail:
	TESTQ LEFT, LEFT
	JLE   nznext
	MOVQ  $-1, AX
	BZHIQ LEFT, AX, AX
	KMOVQ AX, K2
	VMOVDQU8.Z (SI), K2, Z0
	VPTESTMB Z0, Z0, K1
	KMOVQ    K1, AX
	POPCNTQ  AX, AX
	ADDQ     AX, DX
	ADDQ     LEFT, SI

nznext:
	MOVL DX, (DI)
	ADDQ $4, DI
	DECQ R9
	JG   nzrow
	VZEROUPPER
	RET

// func avx512PackRows(data *uint8, off *uint32, src *uint8, rows, k int)
// Packs rows ≥ 1 rows of k ≥ 1 bytes into data at the offsets off[r]
// (packed.go's layout), in row order: per 64 bytes, VPTESTMB's mask is
// stored as the row's next 8 mask bytes and VPCOMPRESSB packs the non-zero
// bytes to the front of a register, stored whole at the packed pointer,
// which then moves on by their count, never past the row's end (PK_CLAMP:
// off comes from this source's counts, but the source may have changed
// since). A store's bytes past that count lie in this row's later bytes,
// the rows after it (packed later) or the packedPad bytes at the end, and
// are overwritten or stay padding. The last 1–63 bytes load under K2 and
// their 2–8 mask bytes store under K3 (an X register: AVX512VL). AVX512BW,
// VBMI2, VL.
TEXT ·avx512PackRows(SB), NOSPLIT, $0-40
	MOVQ data+0(FP), R8
	MOVQ off+8(FP), R13
	MOVQ src+16(FP), SI
	MOVQ rows+24(FP), R9
	MOVQ k+32(FP), R10
	PK_MASKS(R10, R12) // bytes of masks a row

pkrowp:
	MOVL (R13), R11
	MOVL 4(R13), R14
	ADDQ R8, R11            // the row's masks
	ADDQ R8, R14            // its end
	LEAQ (R11)(R12*1), DI   // its non-zero bytes
	MOVQ R10, LEFT

pk64p:
	CMPQ LEFT, $64
	JLT  pktailp
	VMOVDQU8 (SI), Z0
	VPTESTMB Z0, Z0, K1
	KMOVQ    K1, AX
	MOVQ     AX, (R11)
	VPCOMPRESSB Z0, K1, Z1
	VMOVDQU8 Z1, (DI)
	POPCNTQ  AX, AX
	ADDQ     AX, DI
	PK_CLAMP(DI, R14)
	ADDQ     $8, R11
	ADDQ     $64, SI
	SUBQ     $64, LEFT
	JMP      pk64p

pktailp:
	TESTQ LEFT, LEFT
	JLE   pknextp
	MOVQ  $-1, AX
	BZHIQ LEFT, AX, AX
	KMOVQ AX, K2
	VMOVDQU8.Z (SI), K2, Z0
	VPTESTMB Z0, Z0, K1
	PK_MASKS(LEFT, DX) // mask bytes left
	MOVQ  $-1, BX
	BZHIQ DX, BX, BX
	KMOVQ BX, K3
	KMOVQ K1, AX
	MOVQ  AX, X2
	VMOVDQU8 X2, K3, (R11)
	VPCOMPRESSB Z0, K1, Z1
	VMOVDQU8 Z1, (DI)
	ADDQ  LEFT, SI

pknextp:
	ADDQ $4, R13
	DECQ R9
	JG   pkrowp
	VZEROUPPER
	RET

// func asmPrefetchRows(src *uint8, rows *int32, m, k int)
//
// PREFETCHT1 (into L2) every cache line of rows rows[0..m−1] of src, k ≥ 1
// bytes a row, its last byte included. Prefetches never fault and retire
// at once; the lines arrive while the caller computes.
TEXT ·asmPrefetchRows(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), R8
	MOVQ rows+8(FP), BX
	MOVQ m+16(FP), CX
	MOVQ k+24(FP), R10

pfrow:
	MOVLQSX (BX), AX
	IMULQ   R10, AX
	LEAQ    (R8)(AX*1), SI
	LEAQ    -1(SI)(R10*1), DI
	PREFETCH_LINES(PREFETCHT1, SI, DI, pfline)
	ADDQ    $4, BX
	DECQ       CX
	JG         pfrow
	RET

// func asmPrefetchSpans(data *uint8, off *uint32, rows *int32, m, shift int)
//
// PREFETCHT1 every cache line of spans rows[0..m−1] of data: span r is
// data[off[r]<<shift:off[r+1]<<shift] (packed rows, shift 0; entries,
// shift 2). An empty span prefetches one line at its start.
TEXT ·asmPrefetchSpans(SB), NOSPLIT, $0-40
	MOVQ data+0(FP), R8
	MOVQ off+8(FP), R9
	MOVQ rows+16(FP), BX
	MOVQ m+24(FP), R11
	MOVQ shift+32(FP), CX

pprow:
	MOVLQSX (BX), AX
	MOVL    (R9)(AX*4), SI
	MOVL    4(R9)(AX*4), DI
	SHLQ    CX, SI
	SHLQ    CX, DI
	ADDQ    R8, SI
	LEAQ    -1(R8)(DI*1), DI
	PREFETCH_LINES(PREFETCHT1, SI, DI, ppline)
	ADDQ    $4, BX
	DECQ       R11
	JG         pprow
	RET

// COLS_PART: the first n (0–15) bytes of lane idx of Z0 to n floats at
// off(DI), K1 storing them; AX is scratch.
#define COLS_PART(n, idx, off) \
	MOVL $0xffff, AX; BZHIL n, AX, AX; KMOVW AX, K1; \
	VPERMB.Z Z0, idx, K4, Z1; VCVTDQ2PS Z1, Z1; QUOT(Z1, Z5); VMOVUPS Z1, K1, off(DI)

// COLS_OUT: the first DX (0–64) bytes of Z0, already gathered to its
// low end, to DX floats at DI, divided as in avx512DequantizeRows (QUOT):
// each whole 16 as PK_WIDE_AT, the last 0–15 through K1 (COLS_PART).
// DI moves on past them; DX and AX are clobbered. p0–p3 and done name the
// macro's labels (done is where it ends).
#define COLS_OUT(p0, p1, p2, p3, done) \
	CMPQ DX, $16; JLT p0; PK_WIDE_AT(Z10, 0, Z1, Z5); \
	CMPQ DX, $32; JLT p1; PK_WIDE_AT(Z11, 64, Z2, Z6); \
	CMPQ DX, $48; JLT p2; PK_WIDE_AT(Z12, 128, Z3, Z7); \
	CMPQ DX, $64; JLT p3; PK_WIDE_AT(Z13, 192, Z4, Z8); \
	ADDQ $256, DI; JMP done; \
p3: \
	SUBQ $48, DX; COLS_PART(DX, Z13, 192); LEAQ 192(DI)(DX*4), DI; JMP done; \
p2: \
	SUBQ $32, DX; COLS_PART(DX, Z12, 128); LEAQ 128(DI)(DX*4), DI; JMP done; \
p1: \
	SUBQ $16, DX; COLS_PART(DX, Z11, 64); LEAQ 64(DI)(DX*4), DI; JMP done; \
p0: \
	TESTQ DX, DX; JZ done; COLS_PART(DX, Z10, 0); LEAQ (DI)(DX*4), DI

// COLS_SETUP: the VPERMB indices of PK_WIDE_AT in Z10–Z13 and K4 = byte
// 0 of every dword, as in avx512DequantizePacked.
#define COLS_SETUP \
	VMOVDQU32 pkIota<>(SB), Z10; \
	MOVL $16, AX; \
	VPBROADCASTD AX, Z14; \
	VPADDD Z14, Z10, Z11; \
	VPADDD Z14, Z11, Z12; \
	VPADDD Z14, Z12, Z13; \
	MOVQ $0x1111111111111111, AX; \
	KMOVQ AX, K4

// func avx512DequantizeCols(dst *float32, src *uint8, rows *int32, m, k int, cols *uint64, div, recip float32)
// DequantizeCols (cols.go) with AVX512 VBMI2, VBMI and BW: row i of dst
// is the columns of cols (a bit set, 64 columns a word) of row rows[i] of
// src, divided. 64 columns at a time: the word of cols loads the kept
// bytes only (a masked load reads no byte past the row), VPCOMPRESSB
// gathers them to the low end, COLS_OUT converts and stores them; a word
// of no columns is skipped. Prefetches as avx512DequantizeRows.
TEXT ·avx512DequantizeCols(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), R8
	MOVQ rows+16(FP), BX
	MOVQ m+24(FP), R9
	MOVQ k+32(FP), R10
	VBROADCASTSS div+48(FP), Z30
	VBROADCASTSS recip+52(FP), Z29
	COLS_SETUP

dcrow:
	DEQ_ROW(dcpf, dcnow)
	MOVQ R10, LEFT
	MOVQ cols+40(FP), R14

dc64:
	TESTQ LEFT, LEFT
	JLE   dcnext
	MOVQ  (R14), DX
	TESTQ DX, DX
	JZ    dcskip
	KMOVQ DX, K5
	VMOVDQU8.Z    (SI), K5, Z0
	VPCOMPRESSB.Z Z0, K5, Z0
	POPCNTQ DX, DX
	COLS_OUT(dcp0, dcp1, dcp2, dcp3, dcskip)

dcskip:
	ADDQ $64, SI
	ADDQ $8, R14
	SUBQ $64, LEFT
	JMP  dc64

dcnext:
	ADDQ $4, BX
	DECQ R9
	JG   dcrow
	VZEROUPPER
	RET

// func avx512DequantizePackedCols(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, cols *uint64, div, recip float32)
// Packed.DequantizeCols with AVX512 VBMI2, VBMI and BW: 64 columns of a
// packed row at a time, as the wide path of avx512DequantizePacked
// (VPEXPANDB under the row's masks, the last word's cut at k), then
// VPCOMPRESSB under the word of cols and COLS_OUT. A word of no columns
// only moves the packed pointer on, by the popcount of the row's mask.
// Prefetches as avx512DequantizePacked.
TEXT ·avx512DequantizePackedCols(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ data+8(FP), R8
	MOVQ off+16(FP), R13
	MOVQ rows+24(FP), BX
	MOVQ m+32(FP), R9
	MOVQ k+40(FP), R10
	VBROADCASTSS div+56(FP), Z30
	VBROADCASTSS recip+60(FP), Z29
	COLS_SETUP

pcrow:
	PK_ROW(pcpf, pcnow)
	MOVQ    cols+48(FP), R14

pc64:
	TESTQ LEFT, LEFT
	JLE   pcnext
	MOVQ  (R11), AX
	CMPQ  LEFT, $64
	JGE   pcword
	BZHIQ LEFT, AX, AX // the masks' last bits, and what follows them

pcword:
	MOVQ  (R14), DX
	TESTQ DX, DX
	JZ    pcskip
	KMOVQ AX, K3
	VMOVDQU8    (SI), Z0
	VPEXPANDB.Z Z0, K3, Z0
	POPCNTQ AX, AX
	ADDQ    AX, SI
	PK_CLAMP(SI, R12)
	KMOVQ DX, K5
	VPCOMPRESSB.Z Z0, K5, Z0
	POPCNTQ DX, DX
	COLS_OUT(pcp0, pcp1, pcp2, pcp3, pcmove)
	JMP pcmove

pcskip:
	POPCNTQ AX, AX
	ADDQ    AX, SI
	PK_CLAMP(SI, R12)

pcmove:
	ADDQ $8, R11
	ADDQ $8, R14
	SUBQ $64, LEFT
	JMP  pc64

pcnext:
	ADDQ $4, BX
	DECQ R9
	JG   pcrow
	VZEROUPPER
	RET

// func avx512NonZeroColsPacked(cols *uint64, data *uint8, off *uint32, rows *int32, m, nm int)
// Packed.NonZeroCols for masks of nm ≤ 128 bytes (k ≤ 1024), m ≥ 1: the
// masks of rows rows[i] ORed into Z0 (bytes 0–63) and Z1 (64–127), K2 and
// K3 loading no byte past them; then Z0 and Z1 stored to cols, its
// 8·⌈nm/8⌉ bytes exactly. Row rows[i+PK_AHEAD]'s masks are prefetched
// (their first and last byte's lines) while row i is read. AVX512BW.
TEXT ·avx512NonZeroColsPacked(SB), NOSPLIT, $0-48
	MOVQ cols+0(FP), DI
	MOVQ data+8(FP), R8
	MOVQ off+16(FP), R13
	MOVQ rows+24(FP), BX
	MOVQ m+32(FP), R9
	MOVQ nm+40(FP), R10
	MOVL $64, AX
	CMPQ R10, AX
	CMOVQLT R10, AX
	MOVQ $-1, DX
	BZHIQ AX, DX, DX
	KMOVQ DX, K2 // the first min(nm, 64) bytes
	MOVQ R10, AX
	SUBQ $64, AX
	MOVL $0, DX
	CMOVQLT DX, AX
	MOVQ $-1, DX
	BZHIQ AX, DX, DX
	KMOVQ DX, K3 // the next nm − 64, if any
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1

nzcrow:
	CMPQ R9, $PK_AHEAD
	JLE  nzcnow
	MOVLQSX     (PK_AHEAD*4)(BX), AX
	MOVL        (R13)(AX*4), AX
	ADDQ        R8, AX
	PREFETCHT0  (AX)
	PREFETCHT0  -1(AX)(R10*1)

nzcnow:
	MOVLQSX (BX), AX
	MOVL    (R13)(AX*4), AX
	ADDQ    R8, AX
	VMOVDQU8.Z (AX), K2, Z2
	VMOVDQU8.Z 64(AX), K3, Z3
	VPORQ Z2, Z0, Z0
	VPORQ Z3, Z1, Z1
	ADDQ $4, BX
	DECQ R9
	JG   nzcrow

	ADDQ $7, R10
	ANDQ $-8, R10 // the bytes of cols
	MOVL $64, AX
	CMPQ R10, AX
	CMOVQLT R10, AX
	MOVQ $-1, DX
	BZHIQ AX, DX, DX
	KMOVQ DX, K2
	SUBQ $64, R10
	MOVL $0, DX
	CMOVQLT DX, R10
	MOVQ $-1, DX
	BZHIQ R10, DX, DX
	KMOVQ DX, K3
	VMOVDQU8 Z0, K2, (DI)
	VMOVDQU8 Z1, K3, 64(DI)
	VZEROUPPER
	RET

// func avx512DequantizeKept(dst *float32, data *uint8, off *uint32, rows *int32, m, k int, cols *uint64, div, recip float32) bool
// avx512DequantizePackedCols for column sets that hold every non-zero
// column of the rows (the trainer's: NonZeroCols of the same rows), in
// one expand per 64 kept columns instead of an expand and a compress per
// 64 columns. Where the columns ⊇ the row's non-zero bytes, the row's
// packed bytes are exactly its kept non-zero values, in order, and their
// places among the kept columns are PEXT(row mask, cols): the words of
// those places are joined into one stream of bits (R8, R13 bits pending),
// and each 64 of them expands the next packed bytes (VPEXPANDB) into 64
// floats (PK_WIDE_AT, no partial group); the last 0–63 of a row go
// through COLS_OUT. It returns false, having written part of dst, at the
// first row with a non-zero byte outside cols.
TEXT ·avx512DequantizeKept(SB), NOSPLIT, $0-65
	MOVQ dst+0(FP), DI
	MOVQ rows+24(FP), BX
	MOVQ m+32(FP), R9
	VBROADCASTSS div+56(FP), Z30
	VBROADCASTSS recip+60(FP), Z29
	COLS_SETUP

kprow:
	MOVQ data+8(FP), R8
	MOVQ off+16(FP), R13
	MOVQ k+40(FP), R10
	PK_ROW(kppf, kpnow)
	MOVQ cols+48(FP), R14
	XORL R8, R8   // the places pending
	XORL R13, R13 // how many

kpword:
	TESTQ LEFT, LEFT
	JLE   kptail
	MOVQ  (R11), AX
	CMPQ  LEFT, $64
	JGE   kpmask
	BZHIQ LEFT, AX, AX // the masks' last bits, and what follows them

kpmask:
	MOVQ  (R14), DX
	ANDNQ AX, DX, R10 // non-zero bytes outside cols
	JNZ   kpfail
	PEXTQ DX, AX, AX  // their places among the kept columns
	POPCNTQ DX, DX    // the kept columns of this word
	SHLXQ R13, AX, R10
	ORQ   R10, R8
	ADDQ  DX, R13
	CMPQ  R13, $64
	JLT   kpnext
	KMOVQ R8, K3
	VMOVDQU8    (SI), Z0
	VPEXPANDB.Z Z0, K3, Z0
	POPCNTQ R8, R10
	ADDQ    R10, SI
	PK_CLAMP(SI, R12)
	PK_WIDE_AT(Z10, 0, Z1, Z5)
	PK_WIDE_AT(Z11, 64, Z2, Z6)
	PK_WIDE_AT(Z12, 128, Z3, Z7)
	PK_WIDE_AT(Z13, 192, Z4, Z8)
	ADDQ  $256, DI
	SUBQ  $64, R13
	SUBQ  R13, DX     // 64 − the places pending before this word
	SHRXQ DX, AX, AX  // this word's places not yet written
	BZHIQ R13, AX, R8

kpnext:
	ADDQ $8, R11
	ADDQ $8, R14
	SUBQ $64, LEFT
	JMP  kpword

kptail:
	TESTQ R13, R13
	JZ    kprowdone
	KMOVQ R8, K3
	VMOVDQU8    (SI), Z0
	VPEXPANDB.Z Z0, K3, Z0
	MOVQ  R13, DX
	COLS_OUT(kpp0, kpp1, kpp2, kpp3, kprowdone)

kprowdone:
	ADDQ $4, BX
	DECQ R9
	JG   kprow
	VZEROUPPER
	MOVB $1, ret+64(FP)
	RET

kpfail:
	VZEROUPPER
	MOVB $0, ret+64(FP)
	RET

// OR_PF(j, loop, skip) prefetches every line of row rows[4 + j] when
// there is one (R9 > 4 + j): the row four after row j of a group of four.
#define OR_PF(j, loop, skip) \
	CMPQ    R9, $(4+j); \
	JLE     skip; \
	MOVLQSX ((4+j)*4)(BX), AX; \
	IMULQ   R10, AX; \
	LEAQ    (R8)(AX*1), R11; \
	LEAQ    -1(R11)(R10*1), R12; \
	PREFETCH_LINES(PREFETCHT0, R11, R12, loop); \
skip:

// OR_ROW(j, p) points p at row rows[j].
#define OR_ROW(j, p) MOVLQSX (j*4)(BX), AX; IMULQ R10, AX; LEAQ (R8)(AX*1), p

// The four rows of a group, and the offset in them and in acc.
#define OR_R0 SI
#define OR_R1 DX
#define OR_R2 R15
#define OR_R3 R12
#define OR_AT AX

// OR4V(w, y) and OR4S(load, or, w, r): acc's w bytes at OR_AT or'd with
// the four rows', stored back; in vector y (VMOVDQU, VPOR) or in register
// r with the scalar load and or of width w.
#define OR4V(w, y) \
	VMOVDQU (OR_R0)(OR_AT*1), y; \
	VPOR    (OR_R1)(OR_AT*1), y, y; \
	VPOR    (OR_R2)(OR_AT*1), y, y; \
	VPOR    (OR_R3)(OR_AT*1), y, y; \
	VPOR    (R13)(OR_AT*1), y, y; \
	VMOVDQU y, (R13)(OR_AT*1); \
	ADDQ    $w, OR_AT; \
	SUBQ    $w, LEFT
#define OR4S(load, or, w, r) \
	load (OR_R0)(OR_AT*1), r; \
	or   (OR_R1)(OR_AT*1), r; \
	or   (OR_R2)(OR_AT*1), r; \
	or   (OR_R3)(OR_AT*1), r; \
	or   r, (R13)(OR_AT*1); \
	ADDQ $w, OR_AT; \
	SUBQ $w, LEFT

// func avx2OrRows(acc *uint8, src *uint8, rows *int32, m, k int)
// acc[j] |= src[rows[i]·k+j] for every row i < m (m, k ≥ 1): four rows
// at a time while there are (acc read and written once for the four), 32,
// 16 and 8 bytes at a time, then one at a time, never past the rows; the
// rest one row at a time; the prefetch of avx2DequantizeRows. NonZeroCols'
// first pass on avx2.
TEXT ·avx2OrRows(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), R13
	MOVQ src+8(FP), R8
	MOVQ rows+16(FP), BX
	MOVQ m+24(FP), R9
	MOVQ k+32(FP), R10

or4group:
	CMPQ R9, $4
	JLT  orrest
	OR_PF(0, or4pf0, or4pf0done)
	OR_PF(1, or4pf1, or4pf1done)
	OR_PF(2, or4pf2, or4pf2done)
	OR_PF(3, or4pf3, or4pf3done)
	OR_ROW(0, OR_R0)
	OR_ROW(1, OR_R1)
	OR_ROW(2, OR_R2)
	OR_ROW(3, OR_R3)
	XORQ OR_AT, OR_AT
	MOVQ R10, LEFT

or4x32:
	CMPQ LEFT, $32
	JLT  or4x16
	OR4V(32, Y0)
	JMP  or4x32

or4x16:
	CMPQ LEFT, $16
	JLT  or4x8
	OR4V(16, X0)

or4x8:
	CMPQ LEFT, $8
	JLT  or4x1
	OR4S(MOVQ, ORQ, 8, R11)

or4x1:
	TESTQ LEFT, LEFT
	JEQ   or4next
	OR4S(MOVBLZX, ORB, 1, R11)
	JMP   or4x1

or4next:
	ADDQ $16, BX
	SUBQ $4, R9
	JMP  or4group

orrest:
	TESTQ R9, R9
	JEQ   ordone

orrow:
	DEQ_ROW(orpf, ornow)
	MOVQ R13, DI
	MOVQ R10, LEFT

or32:
	CMPQ    LEFT, $32
	JLT     or16
	VMOVDQU (SI), Y0
	VPOR    (DI), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $32, LEFT
	JMP     or32

or16:
	CMPQ    LEFT, $16
	JLT     or8
	VMOVDQU (SI), X0
	VPOR    (DI), X0, X0
	VMOVDQU X0, (DI)
	ADDQ    $16, SI
	ADDQ    $16, DI
	SUBQ    $16, LEFT

or8:
	CMPQ LEFT, $8
	JLT  or1
	MOVQ (SI), AX
	ORQ  AX, (DI)
	ADDQ $8, SI
	ADDQ $8, DI
	SUBQ $8, LEFT

or1:
	TESTQ LEFT, LEFT
	JEQ   ornext
	MOVB  (SI), AX
	ORB   AX, (DI)
	INCQ  SI
	INCQ  DI
	DECQ  LEFT
	JMP   or1

ornext:
	ADDQ $4, BX
	DECQ R9
	JG   orrow

ordone:
	VZEROUPPER
	RET

// func avx2DequantizeRuns(dst *float32, src *uint8, rows *int32, m, k int, runs *int32, nruns int, div, recip float32, last *float32)
// DequantizeCols on avx2, its columns given as nruns ≥ 1 runs (pairs
// from, n ≥ 1; in order, from+n ≤ k): row i of dst is the runs of row
// rows[i], each divided as in avx2DequantizeRows (QUOT8). A run goes 8
// bytes at a time; its last 1–7 take one more 8-byte load when that stays
// inside the row and the 8 floats inside dst (last is its last float):
// the floats past the run's land in the places of the next run or row,
// which overwrite them. Otherwise one byte at a time. The prefetch of
// avx2DequantizeRows.
TEXT ·avx2DequantizeRuns(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), R8
	MOVQ         rows+16(FP), BX
	MOVQ         m+24(FP), R9
	MOVQ         k+32(FP), R10
	VBROADCASTSS div+56(FP), Y15
	VBROADCASTSS recip+60(FP), Y14

runrow:
	DEQ_ROW(runpf, runnow)
	LEAQ (SI)(R10*1), R12 // the row's end
	MOVQ runs+40(FP), R14
	MOVQ nruns+48(FP), R13

run:
	MOVLQSX (R14), AX
	MOVLQSX 4(R14), LEFT
	LEAQ    (SI)(AX*1), R11

run8:
	CMPQ      LEFT, $8
	JLT       runtail
	VPMOVZXBD (R11), Y0
	VCVTDQ2PS Y0, Y0
	QUOT8(Y0, Y4)
	VMOVUPS   Y0, (DI)
	ADDQ      $8, R11
	ADDQ      $32, DI
	SUBQ      $8, LEFT
	JMP       run8

runtail:
	TESTQ     LEFT, LEFT
	JEQ       runnext
	LEAQ      8(R11), AX
	CMPQ      AX, R12
	JHI       run1
	LEAQ      28(DI), AX
	CMPQ      AX, last+64(FP)
	JHI       run1
	VPMOVZXBD (R11), Y0
	VCVTDQ2PS Y0, Y0
	QUOT8(Y0, Y4)
	VMOVUPS   Y0, (DI)
	LEAQ      (DI)(LEFT*4), DI
	JMP       runnext

run1:
	MOVBLZX      (R11), AX
	VCVTSI2SSL   AX, X0, X0
	VMULSS       X14, X0, X4
	VFNMADD231SS X15, X4, X0
	VFMADD213SS  X4, X14, X0
	VMOVSS       X0, (DI)
	INCQ         R11
	ADDQ         $4, DI
	DECQ         LEFT
	JNZ          run1

runnext:
	ADDQ $8, R14
	DECQ R13
	JG   run
	ADDQ $4, BX
	DECQ R9
	JG   runrow
	VZEROUPPER
	RET

// func avx2DequantizeChunks(dst *float32, src *uint8, rows *int32, m, k int, chunks *int32, nchunks, kept int, div, recip float32)
// DequantizeCols on avx2 for rows whose runs all take whole 8-byte loads
// (dequantizeColsAVX2 plans them): each of the nchunks ≥ 1 chunks, a
// pair (column, place), converts the row's 8 bytes from that column as
// in avx2DequantizeRows (QUOT8) into its 8 floats from that place of the
// row's kept floats. The chunks are in order of place; a chunk past a
// run's end spills into places of a later chunk or of the next row,
// which overwrite them, so the caller keeps the last row for a routine
// that stays inside dst. Every row takes the same chunks, so the loop's
// branches repeat row after row (a run at a time, the exit of each run's
// loop fell on a different count in each run). The prefetch of
// avx2DequantizeRows.
// The chunks' registers (DEQ_ROW's beside them: BX rows, R8 src, R9 the
// rows left, R10 k, SI the row).
#define CH_DST DI   // the row's first kept float
#define CH_ROW R15  // bytes of a row of dst
#define CH_NEXT R14 // the next chunk's pair
#define CH_LEFT R13 // chunks left in the row
#define CH_COL AX   // the chunk's column
#define CH_AT DX    // the chunk's place among the kept floats

TEXT ·avx2DequantizeChunks(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), CH_DST
	MOVQ         src+8(FP), R8
	MOVQ         rows+16(FP), BX
	MOVQ         m+24(FP), R9
	MOVQ         k+32(FP), R10
	MOVQ         kept+56(FP), CH_ROW
	SHLQ         $2, CH_ROW
	VBROADCASTSS div+64(FP), Y15
	VBROADCASTSS recip+68(FP), Y14

chrow:
	DEQ_ROW(chpf, chnow)
	MOVQ chunks+40(FP), CH_NEXT
	MOVQ nchunks+48(FP), CH_LEFT

chunk:
	MOVLQSX   (CH_NEXT), CH_COL
	MOVLQSX   4(CH_NEXT), CH_AT
	VPMOVZXBD (SI)(CH_COL*1), Y0
	VCVTDQ2PS Y0, Y0
	QUOT8(Y0, Y4)
	VMOVUPS   Y0, (CH_DST)(CH_AT*4)
	ADDQ      $8, CH_NEXT
	DECQ      CH_LEFT
	JNZ       chunk

	ADDQ CH_ROW, CH_DST
	ADDQ $4, BX
	DECQ R9
	JG   chrow
	VZEROUPPER
	RET
