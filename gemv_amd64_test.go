//go:build !purego

package simdnn

import "testing"

// TestCrowdedRows: sixteen rows k floats apart crowd L1's sets when k is
// a multiple of 512 or near one, and not at the trainer's or odd widths.
func TestCrowdedRows(t *testing.T) {
	for k, want := range map[int]bool{512: true, 1024: true, 4096: true, 4095: true, 1027: true, 1: false, 15: false, 256: false, 784: false, 1000: false, 4100: false, 259: false} {
		if got := crowdedRows(k); got != want {
			t.Errorf("crowdedRows(%d) = %v, want %v", k, got, want)
		}
	}
}

// TestBlockingsFitBF16: the bf16 tiles' driver (avx512BF16Gemm, 16-row
// tiles and half tiles of 8) fits gemmBuf and its tiles, as
// TestBlockingsFit holds the others.
func TestBlockingsFitBF16(t *testing.T) { checkBlockingsFit(t, "avx512 bf16", &avx512BF16Gemm) }
