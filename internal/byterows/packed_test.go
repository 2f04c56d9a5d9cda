package byterows

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impltest"
)

// TestPackEdges: no rows, all-zero and all-non-zero rows, and the 4 GiB
// limit (TestArgumentPanics has the wrong arguments).
func TestPackEdges(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		p, err := Pack(nil, 5)
		require.NoError(t, err)
		assert.Zero(t, p.Len())
		assert.Equal(t, 5, p.Width())
		p.Dequantize(nil, nil, 255)
		p.Prefetch(nil)

		var zero Packed
		assert.Zero(t, zero.Len())
		zero.Dequantize(nil, nil, 255)
		zero.Prefetch(nil)

		p, err = Pack(make([]uint8, 3*100), 100) // all zeros: masks only
		require.NoError(t, err)
		assert.Equal(t, 3*packedMasks(100)+packedPad+4*4, p.Size())
		full := bytes.Repeat([]uint8{7}, 3*100)
		p, err = Pack(full, 100)
		require.NoError(t, err)
		assert.Equal(t, 3*(packedMasks(100)+100)+packedPad+4*4, p.Size())

		defer func(l int) { packedLimit = l }(packedLimit)
		packedLimit = 250
		_, err = Pack(full, 100)
		require.ErrorContains(t, err, "byterows.Pack: rows 0 to 2 of 3 take 342 bytes packed, more than 250")
		packedLimit = 50
		_, err = Pack(full, 100)
		require.ErrorContains(t, err, "byterows.Pack: rows of 100 bytes are too long to pack (at most 50)")
	})
}

// TestPackedNative: the implementations that say they gather packed rows
// in assembly are the ones that do.
func TestPackedNative(t *testing.T) {
	impltest.Run(t, func(t *testing.T) {
		assert.Equal(t, implName() == "avx512", PackedNative())
		assert.Equal(t, implName() != "generic", ColsNative())
	})
}
