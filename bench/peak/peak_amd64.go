//go:build !purego

package peak

func init() {
	loops["avx2"] = loop{run: fmaLoopAVX2, flops: fmaLoopAVX2Flops}
}

// fmaLoopAVX2Flops is the work of one iteration of fmaLoopAVX2: 12 FMAs
// on 8 float32 lanes.
const fmaLoopAVX2Flops = 12 * 8 * 2

// fmaLoopAVX2 runs iters iterations of 12 independent VFMADD231PS on YMM
// registers.
//
//go:noescape
func fmaLoopAVX2(iters int)
