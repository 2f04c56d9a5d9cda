package net

import (
	"iter"
	"math"
	"math/bits"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/magnitude"
)

// Zero-column skipping. In a block of MNIST rows about 226 of the 784
// input columns are zero in every row. Such a column adds x·w = 0 to every
// sum of the first layer's forward product and 0 to every sum of its
// weight gradient, so the trainer leaves it out: it gathers the block's
// other columns only (byterows' DequantizeCols), multiplies by the rows of
// the weights they feed, copied in order (keptRows), and keeps the weight
// gradient of the kept rows only, which the reduction adds where they
// fall (addKept): the skipped rows' gradient is zero. Each sum that remains is the same
// fused multiply-adds in the same order, so the weights come out the same
// bit for bit, on every implementation. Three cases where leaving out a
// zero term would change a bit are checked and then run in full:
//   - a first-layer weight that is NaN or infinite: 0·Inf is NaN, and every
//     sum it enters turns NaN (the update that made it is the last the
//     step looks at: keepsSkip);
//   - a first-layer bias of −0: a sum that starts at −0 and meets a +0
//     product becomes +0;
//   - a NaN or infinite value in the block's gradient of the first layer's
//     outputs: the weight gradient of a skipped column would be NaN, not 0
//     (seen in the bias gradient, the column sums of that gradient, which
//     are then not finite either).
//
// The trainer skips on byte rows, whose column sets come from the rows'
// bytes or packed masks at little cost; float rows are gathered whole.
//
// Zero bytes. The same argument holds for each zero byte of a row: where
// entriesPay allows, the trainer keeps the rows as each row's non-zero
// bytes (byterows.Entries, made once) and takes the first layer's
// forward product and weight gradient from those, every sum the same
// terms in the same order minus zeros. That needs one more condition
// than zero columns: no term may round to −0 (fitEntries), as a zero
// term after it would make the dense sum +0 again. The step's
// conditions are zero columns' with the weights fitEntries (keepsSkip),
// and a block whose output gradient is not fitEntries gathers its rows
// and runs DenseBackward in full. The weight gradient is whole, not in
// compact form.
//
// In bf16 (Config.Precision) the forward product's steps go in pairs of
// columns (2t, 2t + 1), and each pair is one instruction that first
// flushes a denormal sum, so the trainer skips whole pairs only
// (pairCols): the pairs left keep their pairing and order. A skipped pair
// would add 0 to a sum; that leaves the sum as it was unless the sum is
// −0 or denormal, which takes, beyond the cases above, a first-layer
// weight or bias so small (below 2^-90), or byte values so small (a
// divisor above 2^22), that products and sums reach the denormal range,
// where the instruction flushes them to a zero that may be −0; those run
// in full (fitBF16). A weight or a gradient value that rounds to a bf16
// infinity counts as infinite.

// colRun is a run of consecutive kept columns: from, for n columns, the
// at-th kept column its first.
type colRun struct{ from, n, at int }

// keptRuns appends the runs of the column set cols to runs[:0], a run at
// a time: the trailing zeros of a word give a run's start, the trailing
// ones from there its length, and a run that reaches the end of a word
// goes on into the next.
func keptRuns(runs []colRun, cols []uint64) []colRun {
	runs = runs[:0]
	at := 0
	for w, b := range cols {
		for b != 0 {
			c := bits.TrailingZeros64(b)
			n := bits.TrailingZeros64(^(b >> c)) // ones from c on; 64 − c when they reach the end
			if n > 64-c {
				n = 64 - c
			}
			from := 64*w + c
			if k := len(runs); k > 0 && runs[k-1].from+runs[k-1].n == from {
				runs[k-1].n += n
			} else {
				runs = append(runs, colRun{from: from, n: n, at: at})
			}
			at += n
			if c+n == 64 {
				break
			}
			b &^= (1<<n - 1) << c
		}
	}
	return runs
}

// keptRows copies the rows of w (rows of n) that runs selects, in order,
// into dst.
func keptRows(dst, w []float32, runs []colRun, n int) {
	at := 0
	for _, r := range runs {
		at += copy(dst[at:], w[r.from*n:(r.from+r.n)*n])
	}
}

// addKept adds to sum, elements lo to lo+len(sum) of a first-layer weight
// gradient (rows of n), a block's gradient kept in the trainer's compact
// form: dw holds the rows of the kept columns (runs), in order, and the
// other rows are zero. Only the kept rows' elements are added, each with
// the exact add of the reduction (SGD with rate −1): adding a zero would
// change no sum, as no sum of gradients is −0 (a sum is −0 only when both
// terms are). With first, sum is set to that gradient, zeros included.
func addKept(k simdnn.Kernels, sum, dw []float32, runs []colRun, n, lo int, first bool) {
	if first {
		clear(sum)
	}
	for s, src := range keptSpans(dw, runs, n, lo, lo+len(sum)) {
		if first {
			copy(sum[s-lo:], src)
		} else {
			k.SGD(sum[s-lo:s-lo+len(src)], src, -1)
		}
	}
}

// keptSpans yields, for elements lo to hi of a first-layer weight
// gradient (rows of n) kept in compact form (dw, runs: see addKept), each
// kept run's part in order: where it starts, and its gradient in dw.
func keptSpans(dw []float32, runs []colRun, n, lo, hi int) iter.Seq2[int, []float32] {
	return func(yield func(int, []float32) bool) {
		for _, r := range runs {
			s, e := max(r.from*n, lo), min((r.from+r.n)*n, hi)
			if s >= hi {
				return
			}
			if s < e && !yield(s, dw[r.at*n+s-r.from*n:r.at*n+e-r.from*n]) {
				return
			}
		}
	}
}

// skippedZero reports whether the gradient of a block's skipped columns
// is 0, as zero-column skipping takes it, from the products of the kept
// columns: db the column sums of dy (the output gradient, rows × n), dw
// the kept columns' gradient (kept × n). A NaN or infinity in dy makes a
// skipped column's gradient NaN (0·∞); it makes its column sum NaN or
// infinite too (overflow does as well, which falls back needlessly but
// safely). In bf16 a value of dy finite in float32 may round to a bf16
// infinity while its column's sum stays finite; but then every kept
// column's gradient meets that infinity (0·∞ or x·∞, the inputs finite
// and not negative), so the first row of dw is not finite. Only where no
// column is kept is dy itself read.
func skippedZero(bf16 bool, db, dw, dy []float32) bool {
	n := len(db)
	switch {
	case !finite(db):
		return false
	case !bf16:
		return true
	case len(dw) >= n:
		return finite(dw[:n])
	}
	return bf16Finite(dy)
}

// finite reports whether no value of s is NaN or infinite.
func finite(s []float32) bool { return magnitude.Within(s, 0, 0x7f800000) }

// bf16Finite reports whether every value of s rounds to a finite bf16
// (simdnn.RoundBF16): the magnitudes below 0x7f7f8000, the first that
// rounds to infinity.
func bf16Finite(s []float32) bool { return magnitude.Within(s, 0, 0x7f7f8000) }

// fitBF16 reports whether every value of s is ±0 or of a magnitude from
// 2^-90 to below the bf16 overflow. Then, with byte rows whose divisor is
// at most 2^22 (the trainer skips in bf16 only on those), every product
// of a rounded byte value (0 or at least 2^-22, 8 significant bits: a
// multiple of 2^-29) and a rounded weight (a multiple of 2^-97) is a
// multiple of 2^-126, so is every partial sum that starts at such a bias
// (a multiple of 2^-113), and none is denormal.
func fitBF16(s []float32) bool { return magnitude.Within(s, 0x12800000, 0x7f7f8000) }

// pairCols widens the column set cols of k columns to whole pairs (2t,
// 2t + 1), for bf16: a pair is kept when either of its columns is.
func pairCols(cols []uint64, k int) {
	const even = 0x5555555555555555
	for i, w := range cols {
		cols[i] = w | (w&even)<<1 | (w>>1)&even
	}
	if k%2 != 0 {
		cols[k/64] &^= 1 << (k % 64) // the odd last column has no partner
	}
}

// fitEntries reports whether every value of s is ±0 or of a magnitude
// from 2^-80 up to the largest finite float32. Then, with byte rows whose
// divisor is at most 2^22, every product of a quotient (0, or at least
// 2^-22: a multiple of 2^-45) and such a value (a multiple of 2^-103) is
// a multiple of 2^-148, as every float32 is a multiple of 2^-149: each
// fused multiply-add of the first layer's sums has an exact result that
// is 0 or at least 2^-149 in magnitude, so it never rounds to −0, and a
// sum that is not −0 stays itself when a zero term is left out. The
// trainer takes entries only under that divisor, and checks the
// first-layer weights (keepsSkip) and each block's output gradient
// (dy) with fitEntries: a value below 2^-80 could make a term round to
// −0 where the next, zero term would make it +0 again.
func fitEntries(s []float32) bool { return magnitude.Within(s, 0x17800000, 0x7f800000) }

// noNegativeZero reports whether no value of s is −0.
func noNegativeZero(s []float32) bool {
	for _, v := range s {
		if math.Float32bits(v) == 1<<31 {
			return false
		}
	}
	return true
}

// nonZeroCols sets cols to the columns of the rows idx that are not zero
// in at least one of them (byte rows only).
func (in *input) nonZeroCols(cols []uint64, idx []int32) {
	if in.packed != nil {
		in.packed.NonZeroCols(cols, idx)
	} else {
		byterows.NonZeroCols(cols, in.data.bytes, idx, in.k)
	}
}

// gatherCols sets row i of x to the columns cols of input row idx[i]
// (byte rows only).
func (in *input) gatherCols(x []float32, idx []int32, cols []uint64) {
	if in.packed != nil {
		in.packed.DequantizeCols(x, idx, cols, in.data.div)
	} else {
		byterows.DequantizeCols(x, in.data.bytes, idx, in.k, cols, in.data.div)
	}
}
