package net

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
)

// hashPixels is rows of k MNIST-like bytes (four in five zero, a class's
// columns more often set) with labels in 0..9.
func hashPixels(rows, k int) ([]uint8, []int32) {
	r := rand.New(rand.NewPCG(7, 11))
	x := make([]uint8, rows*k)
	y := make([]int32, rows)
	for i := range rows {
		c := r.IntN(10)
		y[i] = int32(c)
		for j := range k {
			if r.IntN(5) == 0 || (j%10 == c && r.IntN(2) == 0) {
				x[i*k+j] = uint8(1 + r.IntN(255))
			}
		}
	}
	return x, y
}

// weightHash is the first 8 bytes of the SHA-256 of m's weights and
// biases, layer by layer, as little-endian float32 bits.
func weightHash(m *Model) string {
	h := sha256.New()
	var buf [4]byte
	for l := range m.W {
		for _, s := range [][]float32{m.W[l], m.B[l]} {
			for _, v := range s {
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
				h.Write(buf[:])
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// pinnedHashes are the weights after TestWeightHashes' run, per
// implementation (generic per GOARCH: Go fuses x·y + z into one rounding
// on arm64, not on amd64, in the dense reference) and momentum. SGD
// rounds w − lr·g once on every implementation (the generic/amd64 plain
// SGD hash changed when the reference began to: before, it rounded the
// product and the difference separately). A change to any of them changes
// what the trainer computes: make it a decision, and pin the new value.
// (The generic/arm64 hashes changed when the reference softmax began to
// round e·(1/s) before subtracting the label's one, as its doc, neon and
// amd64 do: the compiler had fused the two on arm64.)
// avx512 and avx2 agree: both run the tiles of gemm.go, whose sums are
// one fused multiply-add per step in order, continued across blocks.
// neon runs tiles with the same sums, but two other kernels round
// differently: SoftmaxCrossEntropy adds a row's exps in four-lane partial
// sums, then pairs, then the last n mod 4 (avx2 and avx512 fold eight or
// sixteen lanes in halves), and SGDMomentum rounds mu·v before the fused
// step where avx2 and avx512 round lr·g. With those two as on amd64,
// neon gives the amd64 hashes.
var pinnedHashes = map[string][2]string{
	"avx512":        {"e5b0c46fba4b9364", "10dc78903532ff9b"},
	"avx2":          {"e5b0c46fba4b9364", "10dc78903532ff9b"},
	"neon":          {"f17ba1d2934996fb", "83af0212218edf93"},
	"generic/amd64": {"c131a41548a59bfe", "f7f9233d603eba75"},
	"generic/arm64": {"7f839229a86a4e8d", "e51c332f525a61ee"},
}

// TestWeightHashes trains 100-13-10 (padded to 16) for three epochs on
// 1500 MNIST-like byte rows, batches of 600 (a partial block, a short last
// batch), with plain SGD and with momentum 0.9, on 1, 2 and 3 threads,
// from byte rows and from the float rows they stand for, and holds the
// weights to the pinned hashes of each implementation.
func TestWeightHashes(t *testing.T) {
	b, y := hashPixels(1500, 100)
	sources := map[string]Rows{"bytes": ByteRows(b, 255, y), "floats": FloatRows(floatsOf(b, 255), y)}
	impltest.Run(t, func(t *testing.T) {
		name := impl.Name(impl.Active())
		if name == "generic" {
			name += "/" + runtime.GOARCH
		}
		want, ok := pinnedHashes[name]
		require.True(t, ok, "no pinned hashes for %s", name)
		for i, mom := range []float32{0, 0.9} {
			for _, threads := range []int{1, 2, 3} {
				for src, data := range sources {
					m, err := New([]int{100, 13, 10}, 1)
					require.NoError(t, err)
					_, err = Train(context.Background(), m, data, Config{Epochs: 3, BatchSize: 600, LR: 0.2, Momentum: mom, Seed: 1, Threads: threads})
					require.NoError(t, err)
					assert.Equal(t, want[i], weightHash(m), "momentum %g, %d threads, %s", mom, threads, src)
				}
			}
		}
	})
}
