//go:build !purego

package peak

func init() {
	loops["avx512"] = loop{run: fmaLoopAVX512, flops: fmaLoopAVX512Flops}
}

// fmaLoopAVX512Flops is the work of one iteration of fmaLoopAVX512: 24
// FMAs on 16 float32 lanes.
const fmaLoopAVX512Flops = 24 * 16 * 2

// fmaLoopAVX512 runs iters iterations of 24 independent VFMADD231PS on ZMM
// registers.
//
//go:noescape
func fmaLoopAVX512(iters int)
