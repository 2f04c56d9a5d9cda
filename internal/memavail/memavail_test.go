package memavail

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSize(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		17 << 30: "17.0 GiB", 1 << 60: "1.0 EiB", ^uint64(0): "16.0 EiB",
	} {
		assert.Equal(t, want, Size(n), "%d", n)
	}
}

// TestGoLimit: a Go memory limit bounds the room everywhere.
func TestGoLimit(t *testing.T) {
	old := debug.SetMemoryLimit(64 << 20)
	defer debug.SetMemoryLimit(old)
	r, ok := Get()
	require.True(t, ok)
	assert.Less(t, r.Bytes, uint64(64<<20))
	assert.Contains(t, r.Source, "Go memory limit 64.0 MiB")

	debug.SetMemoryLimit(1) // below what the runtime already holds
	r, ok = Get()
	require.True(t, ok)
	assert.Zero(t, r.Bytes)
}
