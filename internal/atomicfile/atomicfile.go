// Package atomicfile writes files so that the target path holds either its
// old content or the complete new content, never a partial file.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write produces: it writes to a
// temporary file in the same directory, syncs it to disk, and renames it
// over path. When write or any step fails, the temporary file is removed
// and path is left as it was. The error names path and the step that
// failed, and wraps the system's error (errors.Is(err, syscall.ENOSPC)
// on a full disk); it names the temporary file only when that could not
// be removed.
func Write(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("%s: not a file name", path)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: exists and is not a regular file", path)
	}
	f, err := createTemp(path, dir, "."+base+".tmp-*", StepCreate, StepClose)
	if err != nil {
		return fmt.Errorf("writing %s: cannot create a file in %s: %w", path, dir, sysErr(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			if rerr := remove(path, tmp, StepRemove); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = fmt.Errorf("%w; cannot remove the temporary file %s: %w", err, tmp, sysErr(rerr))
			}
		}
	}()
	failed := func(step string, err error) error {
		return fmt.Errorf("writing %s: %s%w", path, step, sysErr(err))
	}
	// The writer sees the system's errors without the temporary name.
	bw := bufio.NewWriterSize(sysErrWriter{f}, 1<<16)
	if err := write(bw); err != nil {
		return failed("", err)
	}
	if err := bw.Flush(); err != nil {
		return failed("", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return failed("setting its mode: ", err)
	}
	if err := f.Sync(); err != nil {
		return failed("syncing to disk: ", err)
	}
	if err := f.Close(); err != nil {
		return failed("closing: ", err)
	}
	if err := rename(tmp, path); err != nil {
		return failed("moving it into place: ", err)
	}
	// Make the rename itself durable; a failure here leaves a complete
	// file in place, so it is not reported.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Check reports early, before any long computation whose result Write is
// to save, whether a file can be created at path: it is not a directory
// or other non-regular file, and its directory takes a new file. It
// creates a probe file beside path and removes it.
func Check(path string) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: exists and is not a regular file", path)
	}
	dir := filepath.Dir(path)
	f, err := createTemp(path, dir, "."+filepath.Base(path)+".check-*", StepCheckCreate, StepCheckClose)
	if err != nil {
		return fmt.Errorf("cannot write %s: cannot create a file in %s: %w", path, dir, sysErr(err))
	}
	cerr := f.Close()
	if err := remove(path, f.Name(), StepCheckRemove); err != nil {
		return fmt.Errorf("cannot write %s: cannot remove the probe file %s: %w", path, f.Name(), sysErr(err))
	}
	if cerr != nil {
		return fmt.Errorf("cannot write %s: closing a new file in %s: %w", path, dir, sysErr(cerr))
	}
	return nil
}

// sysErr is err without the name of the temporary or probe file an
// *os.PathError or *os.LinkError carries: it means nothing to the user,
// who is told the target's name instead.
func sysErr(err error) error {
	switch e := err.(type) {
	case *os.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	}
	return err
}

// sysErrWriter is the file with its write errors passed through sysErr.
type sysErrWriter struct{ f *tempFile }

func (w sysErrWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	return n, sysErr(err)
}
