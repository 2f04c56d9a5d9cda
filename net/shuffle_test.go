package net

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestShufflerIsRandShuffle: epoch after epoch, the shuffler gives the
// permutations rand.Rand.Shuffle gives from the same seed, on lengths with
// and without powers of two (the masked and the multiplied draw).
func TestShufflerIsRandShuffle(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 64, 1000, 60000} {
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		got := slices.Clone(want)
		r := rand.New(rand.NewPCG(9, 8))
		s := shuffler{src: rand.NewPCG(9, 8)}
		for epoch := range 3 {
			r.Shuffle(n, func(i, j int) { want[i], want[j] = want[j], want[i] })
			s.shuffle(got)
			require.True(t, slices.Equal(want, got), "n %d epoch %d", n, epoch)
		}
	}
}

// BenchmarkShuffle: one epoch's shuffle of MNIST's 60000 rows, by
// rand.Rand.Shuffle and by the shuffler.
func BenchmarkShuffle(b *testing.B) {
	perm := make([]int32, 60000)
	for i := range perm {
		perm[i] = int32(i)
	}
	b.Run("rand.Shuffle", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
	})
	b.Run("shuffler", func(b *testing.B) {
		s := shuffler{src: rand.NewPCG(1, 2)}
		for b.Loop() {
			s.shuffle(perm)
		}
	})
}
