// NEON instructions the Go arm64 assembler does not know, emitted with WORD.
//
// One macro per instruction. Operands are register numbers (0–31) in Go's
// order: sources first, destination last, so FADD4S(m, n, d) is
// d = n + m like VADD Vm, Vn, Vd. Above each macro: the A64 encoding with
// its bit fields, high bit first, and on the "llvm:" line the mnemonic
// with {operand} placeholders. neon_encoding_test.go assembles every macro
// over operands that set each bit of each field and checks the words
// against llvm-mc -triple=aarch64 --show-encoding of that mnemonic.

// FADD4S(m, n, d): d.4S = n.4S + m.4S.
// 0 Q=1 U=0 01110 0 sz=0 1 Rm:5 11010 1 Rn:5 Rd:5
// llvm: fadd v{d}.4s, v{n}.4s, v{m}.4s
#define FADD4S(m, n, d) WORD $(0x4e20d400 | (m)<<16 | (n)<<5 | (d))

// FSUB4S(m, n, d): d.4S = n.4S − m.4S.
// 0 Q=1 U=0 01110 1 sz=0 1 Rm:5 11010 1 Rn:5 Rd:5
// llvm: fsub v{d}.4s, v{n}.4s, v{m}.4s
#define FSUB4S(m, n, d) WORD $(0x4ea0d400 | (m)<<16 | (n)<<5 | (d))

// FMUL4S(m, n, d): d.4S = n.4S · m.4S.
// 0 Q=1 U=1 01110 0 sz=0 1 Rm:5 11011 1 Rn:5 Rd:5
// llvm: fmul v{d}.4s, v{n}.4s, v{m}.4s
#define FMUL4S(m, n, d) WORD $(0x6e20dc00 | (m)<<16 | (n)<<5 | (d))

// FMAX4S(m, n, d): d.4S = max(n.4S, m.4S), NaN if either is NaN.
// 0 Q=1 U=0 01110 0 sz=0 1 Rm:5 11110 1 Rn:5 Rd:5
// llvm: fmax v{d}.4s, v{n}.4s, v{m}.4s
#define FMAX4S(m, n, d) WORD $(0x4e20f400 | (m)<<16 | (n)<<5 | (d))

// FMIN4S(m, n, d): d.4S = min(n.4S, m.4S), NaN if either is NaN.
// 0 Q=1 U=0 01110 1 sz=0 1 Rm:5 11110 1 Rn:5 Rd:5
// llvm: fmin v{d}.4s, v{n}.4s, v{m}.4s
#define FMIN4S(m, n, d) WORD $(0x4ea0f400 | (m)<<16 | (n)<<5 | (d))

// FADDP4S(m, n, d): d.4S = {n0+n1, n2+n3, m0+m1, m2+m3}.
// 0 Q=1 U=1 01110 0 sz=0 1 Rm:5 11010 1 Rn:5 Rd:5
// llvm: faddp v{d}.4s, v{n}.4s, v{m}.4s
#define FADDP4S(m, n, d) WORD $(0x6e20d400 | (m)<<16 | (n)<<5 | (d))

// FMAXV4S(n, d): Sd = max of the four lanes of n, NaN if any is NaN.
// 0 Q=1 U=1 01110 0 sz=0 11000 01111 10 Rn:5 Rd:5
// llvm: fmaxv s{d}, v{n}.4s
#define FMAXV4S(n, d) WORD $(0x6e30f800 | (n)<<5 | (d))

// FMLA4SE(i, m, n, d): d.4S += n.4S · m.S[i] (by element, fused).
// 0 Q=1 0 01111 1 sz=0 L=i&1 M:Rm=m:5 0001 H=i>>1 0 Rn:5 Rd:5
// llvm: fmla v{d}.4s, v{n}.4s, v{m}.s[{i}]
#define FMLA4SE(i, m, n, d) WORD $(0x4f801000 | ((i)&1)<<21 | (m)<<16 | ((i)>>1)<<11 | (n)<<5 | (d))

// FCMLT4SZ(n, d): d.4S = all ones where n.4S < 0, else zero (false for
// NaN and -0).
// 0 Q=1 U=0 01110 1 sz=0 10000 01110 10 Rn:5 Rd:5
// llvm: fcmlt v{d}.4s, v{n}.4s, #0.0
#define FCMLT4SZ(n, d) WORD $(0x4ea0e800 | (n)<<5 | (d))

// FCMLE4SZ(n, d): d.4S = all ones where n.4S ≤ 0, else zero (false for
// NaN).
// 0 Q=1 U=1 01110 1 sz=0 10000 01101 10 Rn:5 Rd:5
// llvm: fcmle v{d}.4s, v{n}.4s, #0.0
#define FCMLE4SZ(n, d) WORD $(0x6ea0d800 | (n)<<5 | (d))

// BIC16B(m, n, d): d = n AND NOT m, bitwise over 128 bits.
// 0 Q=1 0 01110 size=01 1 Rm:5 00011 1 Rn:5 Rd:5
// llvm: bic v{d}.16b, v{n}.16b, v{m}.16b
#define BIC16B(m, n, d) WORD $(0x4e601c00 | (m)<<16 | (n)<<5 | (d))

// SSHR4S(s, n, d): d.4S = n.4S >> s, arithmetic, for s in 1..32.
// 0 Q=1 0 011110 immh:immb=64−s:7 00000 1 Rn:5 Rd:5
// llvm: sshr v{d}.4s, v{n}.4s, #{s}
#define SSHR4S(s, n, d) WORD $(0x4f000400 | (64-(s))<<16 | (n)<<5 | (d))

// UCVTF4S(n, d): d.4S = float32(n.4S as unsigned 32-bit integers).
// 0 Q=1 U=1 01110 0 sz=0 10000 11101 10 Rn:5 Rd:5
// llvm: ucvtf v{d}.4s, v{n}.4s
#define UCVTF4S(n, d) WORD $(0x6e21d800 | (n)<<5 | (d))

// FCVTNS4S(n, d): d.4S = n.4S rounded to the nearest int32, ties to even
// (NaN gives 0, values out of range saturate).
// 0 Q=1 U=0 01110 0 sz=0 10000 11010 10 Rn:5 Rd:5
// llvm: fcvtns v{d}.4s, v{n}.4s
#define FCVTNS4S(n, d) WORD $(0x4e21a800 | (n)<<5 | (d))

// FDIV4S(m, n, d): d.4S = n.4S / m.4S, correctly rounded.
// 0 Q=1 U=1 01110 0 sz=0 1 Rm:5 11111 1 Rn:5 Rd:5
// llvm: fdiv v{d}.4s, v{n}.4s, v{m}.4s
#define FDIV4S(m, n, d) WORD $(0x6e20fc00 | (m)<<16 | (n)<<5 | (d))

// FSQRT4S(n, d): d.4S = √n.4S, correctly rounded.
// 0 Q=1 U=1 01110 1 sz=0 10000 11111 10 Rn:5 Rd:5
// llvm: fsqrt v{d}.4s, v{n}.4s
#define FSQRT4S(n, d) WORD $(0x6ea1f800 | (n)<<5 | (d))
