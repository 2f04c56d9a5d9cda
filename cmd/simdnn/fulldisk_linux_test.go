package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs with the given options (such as "size=64k")
// in a temporary directory and unmounts it when the test ends. It needs
// root; without, the test is skipped, except under CI, which runs as root
// and where a skip would hide the test.
func mountTmpfs(t *testing.T, options string) string {
	t.Helper()
	ci := os.Getenv("CI") != ""
	if os.Geteuid() != 0 {
		if ci {
			t.Fatal("mounting a tmpfs needs root; CI runs as root")
		}
		t.Skip("mounting a tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	require.NoError(t, os.Mkdir(dir, 0o755))
	err := unix.Mount("simdnn-test", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,"+options)
	if errors.Is(err, unix.EPERM) && !ci {
		t.Skip("mounting a tmpfs: not permitted here (a container without CAP_SYS_ADMIN)")
	}
	require.NoError(t, err, "mount -t tmpfs -o %s", options)
	t.Cleanup(func() { assert.NoError(t, unix.Unmount(dir, 0), "unmount %s", dir) })
	return dir
}

// fill writes a file named filler into dir until the file system is full,
// then frees free bytes of it.
func fill(t *testing.T, dir string, free int64) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	defer f.Close()
	var n int64
	buf := make([]byte, 4096)
	for {
		m, err := f.Write(buf)
		n += int64(m)
		if err != nil {
			require.ErrorIs(t, err, syscall.ENOSPC)
			break
		}
	}
	require.NoError(t, f.Truncate(n-free))
}

// TestFullTmpfs runs the CLI on a real full file system: a small tmpfs
// filled up, or out of inodes. Each command exits 1 with one line on
// stderr naming the file and "no space left on device"; the previous file
// is untouched and nothing else is left beside it.
func TestFullTmpfs(t *testing.T) {
	data := fakeMNIST(t, 20, 10)
	train := []string{"train", "-data", data, "-epochs", "1", "-batch", "10", "-threads", "1", "-json"}
	cases := []struct {
		name    string
		options string // of the mount
		free    int64  // bytes left once full; -1 to leave the disk as it is
		file    string
		old     bool // a previous file at the target
		args    func(path string) []string
		prefix  string // of the error line, before the path
	}{
		// The model of -hidden 15 takes 47 KiB, more than the 8 KiB left.
		{"model", "size=64k", 8 << 10, "model.safetensors", true,
			func(p string) []string { return slices.Concat(train, []string{"-out", p}) },
			"simdnn train: -out: net: saving model: writing "},
		{"history", "size=64k", 0, "history.csv", false,
			func(p string) []string { return slices.Concat(train, []string{"-history", p}) },
			"simdnn train: -history: writing "},
		{"plot", "size=64k", 0, "curves.png", true,
			func(p string) []string { return slices.Concat(train, []string{"-plot", p}) },
			"simdnn train: -plot: writing "},
		{"samples", "size=64k", 4 << 10, "grid.png", true,
			func(p string) []string { return []string{"samples", "-data", data, "-out", p} },
			"simdnn samples: -out: writing "},
		// No inode left for the probe file: refused before training.
		{"no-inodes", "size=64k,nr_inodes=3", -1, "model.safetensors", true,
			func(p string) []string { return slices.Concat(train, []string{"-out", p}) },
			"simdnn train: -out: cannot write "},
	}
	old := []byte("the previous file\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := mountTmpfs(t, c.options)
			path := filepath.Join(dir, c.file)
			want := []string{"filler"}
			if c.old {
				require.NoError(t, os.WriteFile(path, old, 0o644))
				want = append(want, c.file)
			}
			if c.free >= 0 {
				fill(t, dir, c.free)
			} else {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "filler"), nil, 0o644))
				_, err := os.Create(filepath.Join(dir, "one-more"))
				require.ErrorIs(t, err, syscall.ENOSPC, "the tmpfs is out of inodes")
			}

			code, _, errOut := runCLI(c.args(path)...)
			assert.Equal(t, exitFailure, code)
			assert.True(t, strings.HasPrefix(errOut, c.prefix+path+": "), "stderr %q starts %q", errOut, c.prefix+path+": ")
			assert.True(t, strings.HasSuffix(errOut, ": no space left on device\n"), "stderr %q", errOut)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
			if c.old {
				got, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, old, got, "the previous file is untouched")
			}
			slices.Sort(want)
			assert.Equal(t, want, names(t, dir), "no temporary file is left")
		})
	}
}
