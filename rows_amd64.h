// Shared by the AVX2 and AVX-512 DequantizeRows and the AVX-512 packed
// gather: the row gather and its software prefetch.

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

// RET_BOOL ends a kernel that returns a bool: the constant v into ret,
// the vector registers' upper halves cleared, return (the Quantize
// kernels' two exits).
#define RET_BOOL(v, ret) \
	MOVB v, ret; \
	VZEROUPPER; \
	RET
