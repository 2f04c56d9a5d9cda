package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// errnos are the errors a full or failing disk returns.
var errnos = []struct {
	name string
	err  syscall.Errno
}{{"ENOSPC", syscall.ENOSPC}, {"EIO", syscall.EIO}}

// targets are the states the target is in before a write.
var targets = []struct {
	name   string
	exists bool
}{{"absent", false}, {"exists", true}}

const oldContent = "old content\x00\xff"

// setUp makes a directory and, when exists, a target in it holding
// oldContent.
func setUp(t *testing.T, exists bool) (dir, path string) {
	dir = t.TempDir()
	path = filepath.Join(dir, "out.bin")
	if exists {
		require.NoError(t, os.WriteFile(path, []byte(oldContent), 0o644))
	}
	return dir, path
}

// assertUntouched checks the target holds what it held before the failed
// write, and the directory holds nothing else.
func assertUntouched(t *testing.T, dir, path string, exists bool) {
	t.Helper()
	if exists {
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, oldContent, string(got), "the previous content is kept")
		assert.Equal(t, []string{"out.bin"}, entries(t, dir), "no temporary file left")
	} else {
		assert.Empty(t, entries(t, dir), "no target and no temporary file")
	}
}

// TestWriteFaults fails each step of Write with each errno, with and
// without a previous target, writing both a little (it reaches the file
// at the final flush) and a lot (it reaches it inside write).
func TestWriteFaults(t *testing.T) {
	steps := []struct {
		step   Step
		accept int
	}{{StepCreate, 0}, {StepWrite, 0}, {StepWrite, 50}, {StepChmod, 0}, {StepSync, 0}, {StepClose, 0}, {StepRename, 0}}
	sizes := []struct {
		name string
		n    int
	}{{"small", 100}, {"large", 300 << 10}}
	for _, s := range steps {
		for _, size := range sizes {
			for _, e := range errnos {
				for _, tg := range targets {
					name := fmt.Sprintf("%v-%d/%s/%s/%s", s.step, s.accept, size.name, e.name, tg.name)
					t.Run(name, func(t *testing.T) {
						dir, path := setUp(t, tg.exists)
						defer Inject(Fault{Path: path, Step: s.step, Err: e.err, Accept: s.accept})()
						err := Write(path, func(w io.Writer) error {
							_, err := w.Write(bytes.Repeat([]byte{'x'}, size.n))
							return err
						})
						require.ErrorIs(t, err, e.err)
						msg := err.Error()
						assert.True(t, strings.HasPrefix(msg, "writing "+path+": "), "%q names the target first", msg)
						assert.True(t, strings.HasSuffix(msg, ": "+e.err.Error()), "%q ends with the system's error", msg)
						assert.NotContains(t, msg, ".tmp-", "the temporary name means nothing to the user")
						assertUntouched(t, dir, path, tg.exists)
					})
				}
			}
		}
	}
}

func TestCheckFaults(t *testing.T) {
	for _, step := range []Step{StepCheckCreate, StepCheckClose} {
		for _, e := range errnos {
			for _, tg := range targets {
				t.Run(fmt.Sprintf("%v/%s/%s", step, e.name, tg.name), func(t *testing.T) {
					dir, path := setUp(t, tg.exists)
					defer Inject(Fault{Path: path, Step: step, Err: e.err})()
					err := Check(path)
					require.ErrorIs(t, err, e.err)
					msg := err.Error()
					assert.True(t, strings.HasPrefix(msg, "cannot write "+path+": "), "%q names the target first", msg)
					assert.True(t, strings.HasSuffix(msg, ": "+e.err.Error()), "%q ends with the system's error", msg)
					assert.NotContains(t, msg, ".check-")
					assertUntouched(t, dir, path, tg.exists)
				})
			}
		}
	}
	// Without a fault the probe leaves nothing either.
	dir, path := setUp(t, true)
	require.NoError(t, Check(path))
	assertUntouched(t, dir, path, true)
}

// A temporary file that cannot be removed is named in the error, for the
// user to remove.
func TestFailedRemoveNamesLeftover(t *testing.T) {
	dir, path := setUp(t, true)
	boom := errors.New("boom")
	undo := Inject(Fault{Path: path, Step: StepRemove, Err: syscall.EIO})
	err := Write(path, func(io.Writer) error { return boom })
	undo()
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, err, syscall.EIO)
	names := entries(t, dir)
	require.Len(t, names, 2)
	leftover := filepath.Join(dir, names[0])
	assert.True(t, strings.HasPrefix(names[0], ".out.bin.tmp-"), names[0])
	assert.Equal(t, "writing "+path+": boom; cannot remove the temporary file "+leftover+": input/output error", err.Error())
	got, _ := os.ReadFile(path)
	assert.Equal(t, oldContent, string(got))

	dir, path = setUp(t, false)
	undo = Inject(Fault{Path: path, Step: StepCheckRemove, Err: syscall.EIO})
	err = Check(path)
	undo()
	require.ErrorIs(t, err, syscall.EIO)
	names = entries(t, dir)
	require.Len(t, names, 1)
	assert.True(t, strings.HasPrefix(names[0], ".out.bin.check-"), names[0])
	assert.Equal(t, "cannot write "+path+": cannot remove the probe file "+filepath.Join(dir, names[0])+": input/output error", err.Error())
}

// A fault applies to its path only, and only until it is removed.
func TestInjectScope(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write := func(path string) error {
		return Write(path, func(w io.Writer) error { _, err := io.WriteString(w, path); return err })
	}
	undo := Inject(Fault{Path: a, Step: StepSync, Err: syscall.EIO})
	assert.ErrorIs(t, write(a), syscall.EIO)
	assert.NoError(t, write(b))
	assert.Panics(t, func() { Inject(Fault{Path: a, Step: StepClose, Err: syscall.EIO}) }, "one fault per path")
	undo()
	assert.NoError(t, write(a))
	assert.Equal(t, []string{"a", "b"}, entries(t, dir))
}
