// Package bench holds simdnn's benchmarks: the kernels, whole training
// epochs, and the side-by-side comparison with other tools in peers/. This
// file has what the benchmarks and the `simdnn bench` command share: the
// synthetic MNIST-shaped data set and the floating-point work of an epoch.
package bench

import "math/rand/v2"

// MNISTShaped returns a synthetic stand-in for the MNIST training set:
// rows rows of 784 pixel bytes, four in five of them 0 and the rest
// random (MNIST is mostly black), to be read with divisor 255 as MNIST's
// are (net.ByteRows(pixels, 255, labels)), with labels uniform in 0..9,
// all drawn from seed. On avx512 the trainer packs them without their
// zeros: 254 bytes a row against MNIST's 248 (80.1 % and 80.9 % zeros). Beyond the share of zeros an epoch's cost does not
// depend on the values, so speed can be measured without the real files.
// What is learnt from it is noise.
func MNISTShaped(rows int, seed uint64) (pixels []uint8, labels []int32) {
	r := rand.New(rand.NewPCG(seed, 0x6d6e697374)) // "mnist"
	pixels = make([]uint8, rows*784)
	for i := 0; i < len(pixels); i += 4 {
		bits := r.Uint64()
		for j := i; j < min(i+4, len(pixels)); j++ {
			v := bits & 0xffff
			bits >>= 16
			if v%5 == 0 {
				pixels[j] = uint8(v >> 8)
			}
		}
	}
	labels = make([]int32, rows)
	for i := range labels {
		labels[i] = int32(r.IntN(10))
	}
	return pixels, labels
}

// EpochFLOP is the floating-point work of one training epoch over rows
// rows of an MLP with the given layer sizes: per row and layer 2·in·out
// for the forward product, as much for the weight gradient, and as much
// again for the input gradient of every layer but the first (784-15-10
// on 60000 rows: 2.88 GFLOP; 784-128-10: 24.5 GFLOP). Biases, activations,
// the softmax and the update are left out.
func EpochFLOP(rows int, sizes ...int) float64 {
	var f float64
	for l := range len(sizes) - 1 {
		mac := 2 * float64(rows) * float64(sizes[l]) * float64(sizes[l+1])
		f += 2 * mac
		if l > 0 {
			f += mac
		}
	}
	return f
}
