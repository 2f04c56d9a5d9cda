//go:build unix

package mnist

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoaderCachePipe: a file that cannot be read twice (a named pipe)
// is read once, as without a cache.
func TestLoaderCachePipe(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	gzSet(t, dir, 3)
	want, err := LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, TestImages))
	require.NoError(t, err)
	fifo := filepath.Join(t.TempDir(), "images")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = w.Write(b)
			w.Close()
		}
		done <- err
	}()
	got, err := Loader{Cache: cache}.LoadSet("", fifo, filepath.Join(dir, TestLabels))
	require.NoError(t, err)
	require.NoError(t, <-done)
	assert.Equal(t, want, got)
	assert.Len(t, cacheFiles(t, cache), 1, "the labels' entry only")
}
