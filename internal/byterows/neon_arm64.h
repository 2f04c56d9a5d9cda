// NEON instructions the Go arm64 assembler does not know, emitted with WORD.
//
// One macro per instruction. Operands are register numbers (0–31) in Go's
// order: sources first, destination last, so FADD4S(m, n, d) is
// d = n + m like VADD Vm, Vn, Vd. Above each macro: the A64 encoding with
// its bit fields, high bit first, and on the "llvm:" line the mnemonic
// with {operand} placeholders. The root package's neon_encoding_test.go assembles every macro
// over operands that set each bit of each field and checks the words
// against llvm-mc -triple=aarch64 --show-encoding of that mnemonic.

// FMUL4S(m, n, d): d.4S = n.4S · m.4S.
// 0 Q=1 U=1 01110 0 sz=0 1 Rm:5 11011 1 Rn:5 Rd:5
// llvm: fmul v{d}.4s, v{n}.4s, v{m}.4s
#define FMUL4S(m, n, d) WORD $(0x6e20dc00 | (m)<<16 | (n)<<5 | (d))

// UCVTF4S(n, d): d.4S = float32(n.4S as unsigned 32-bit integers).
// 0 Q=1 U=1 01110 0 sz=0 10000 11101 10 Rn:5 Rd:5
// llvm: ucvtf v{d}.4s, v{n}.4s
#define UCVTF4S(n, d) WORD $(0x6e21d800 | (n)<<5 | (d))
