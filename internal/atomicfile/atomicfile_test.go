package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func entries(t *testing.T, dir string) []string {
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return names
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	require.NoError(t, Write(path, func(w io.Writer) error {
		_, err := w.Write([]byte("first"))
		return err
	}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "first", string(got))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	require.NoError(t, Write(path, func(w io.Writer) error {
		_, err := w.Write([]byte("second"))
		return err
	}))
	got, _ = os.ReadFile(path)
	assert.Equal(t, "second", string(got))
	assert.Equal(t, []string{"out.bin"}, entries(t, dir), "no temporary files left")
}

func TestFailedWriteLeavesTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		// More than the buffer, so part of it reaches the temporary file.
		if _, err := w.Write(make([]byte, 1<<17)); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, _ := os.ReadFile(path)
	assert.Equal(t, "old", string(got))
	assert.Equal(t, []string{"out.bin"}, entries(t, dir))

	// A new target that fails is never created.
	err = Write(filepath.Join(dir, "new.bin"), func(io.Writer) error { return boom })
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"out.bin"}, entries(t, dir))
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	ok := func(w io.Writer) error { return nil }
	assert.Error(t, Write(filepath.Join(dir, "missing", "f"), ok), "directory does not exist")
	assert.ErrorContains(t, Write(dir, ok), "not a regular file")
	assert.ErrorContains(t, Write(dir+"/", ok), "not a file name")
	assert.Empty(t, entries(t, dir))
}
