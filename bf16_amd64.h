// AVX512_BF16 instructions that Go's assembler does not know, as BYTE
// sequences (EVEX encodings). Operands are register numbers: zmm 0…31,
// general registers 0…15 (AX = 0, CX, DX, BX, SP, BP, SI = 6, DI, R8…R15).
// Each macro's "llvm:" line is the instruction in LLVM's Intel syntax,
// operands in Intel's order; TestAMD64Encodings holds every macro to
// llvm-mc --show-encoding of that line over every register number.

// NOT1 is bit s of x, inverted (EVEX stores register extensions so).
#define NOT1(x, s) (1-(((x)>>(s))&1))
// SCALE is log2 of an index scale 1, 2, 4 or 8.
#define SCALE(s) (((s)>>1)-((s)>>3))

// acc += the pairwise bf16 products of n and m (bf16.go defines them).
// llvm: vdpbf16ps zmm{d}, zmm{n}, zmm{m}
#define VDPBF16PS_R(m, n, d) BYTE $0x62; BYTE $(NOT1(d, 3)<<7 | NOT1(m, 4)<<6 | NOT1(m, 3)<<5 | NOT1(d, 4)<<4 | 2); BYTE $((15-((n)&15))<<3 | 6); BYTE $(0x40 | NOT1(n, 4)<<3); BYTE $0x52; BYTE $(0xc0 | ((d)&7)<<3 | ((m)&7))

// The same with m one 32-bit pair at [b], broadcast (b not SP, BP, R12,
// R13).
// llvm: vdpbf16ps zmm{d}, zmm{n}, dword ptr [{b}]{1to16}
#define VDPBF16PS_B(b, n, d) BYTE $0x62; BYTE $(NOT1(d, 3)<<7 | 1<<6 | NOT1(b, 3)<<5 | NOT1(d, 4)<<4 | 2); BYTE $((15-((n)&15))<<3 | 6); BYTE $(0x50 | NOT1(n, 4)<<3); BYTE $0x52; BYTE $(((d)&7)<<3 | ((b)&7))

// The same at [b + s·i] (b not BP, R13; i not SP).
// llvm: vdpbf16ps zmm{d}, zmm{n}, dword ptr [{b} + {s}*{i}]{1to16}
#define VDPBF16PS_BI(b, i, s, n, d) BYTE $0x62; BYTE $(NOT1(d, 3)<<7 | NOT1(i, 3)<<6 | NOT1(b, 3)<<5 | NOT1(d, 4)<<4 | 2); BYTE $((15-((n)&15))<<3 | 6); BYTE $(0x50 | NOT1(n, 4)<<3); BYTE $0x52; BYTE $(0x04 | ((d)&7)<<3); BYTE $(SCALE(s)<<6 | ((i)&7)<<3 | ((b)&7))

// d = the 32 bf16 roundings of m (low half) and n (high half), as
// RoundBF16.
// llvm: vcvtne2ps2bf16 zmm{d}, zmm{n}, zmm{m}
#define VCVTNE2PS2BF16(m, n, d) BYTE $0x62; BYTE $(NOT1(d, 3)<<7 | NOT1(m, 4)<<6 | NOT1(m, 3)<<5 | NOT1(d, 4)<<4 | 2); BYTE $((15-((n)&15))<<3 | 7); BYTE $(0x40 | NOT1(n, 4)<<3); BYTE $0x72; BYTE $(0xc0 | ((d)&7)<<3 | ((m)&7))
