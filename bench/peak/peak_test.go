package peak

import (
	"testing"

	"github.com/simdnn/simdnn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeasure(t *testing.T) {
	for _, impl := range simdnn.Impls() {
		g, err := Measure(impl)
		if _, ok := loops[impl]; !ok {
			require.ErrorContains(t, err, "no FMA peak loop", impl)
			continue
		}
		require.NoError(t, err, impl)
		// Any core of the last 15 years does 1–1000 GFLOP/s per thread.
		assert.Greater(t, g, 1.0, impl)
		assert.Less(t, g, 1000.0, impl)
		t.Logf("%s: %.1f GFLOP/s", impl, g)
	}
	_, err := Measure("sse9")
	require.ErrorContains(t, err, `no FMA peak loop for implementation "sse9"`)
}
