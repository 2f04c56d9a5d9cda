//go:build !purego

package byterows

// quotientConverters are the multiply-and-correct quotient kernels of
// this architecture, by implementation (TestQuotientCheck).
var quotientConverters = map[string]func(float32) [256]float32{"avx2": quotientsAVX2, "avx512": quotientsAVX512}
