//go:build unix

package mnist

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

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

// TestLoaderCacheEntryNotRegular: something other than a regular file at
// an entry's path (a named pipe, which would block a read) is passed over
// and replaced; entries are readable by all.
func TestLoaderCacheEntryNotRegular(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	gzSet(t, dir, 2)
	want, err := LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	path := entryPath(t, cache, dir, TestImages)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	done := make(chan struct{})
	var got *Set
	go func() {
		defer close(done)
		got, err = Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the load blocked on the pipe at the entry's path")
	}
	require.NoError(t, err)
	assert.Equal(t, want, got)
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular(), "replaced by the entry")
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}
