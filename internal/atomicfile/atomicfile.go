// Package atomicfile writes files so that the target path holds either its
// old content or the complete new content, never a partial file.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write produces: it writes to a
// temporary file in the same directory, syncs it to disk, and renames it
// over path. When write or any step fails, the temporary file is removed
// and path is left as it was.
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
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			remove(path, tmp, StepRemove)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := rename(tmp, path); err != nil {
		return err
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
// or other non-regular file, and its directory takes a new file.
func Check(path string) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: exists and is not a regular file", path)
	}
	dir := filepath.Dir(path)
	f, err := createTemp(path, dir, "."+filepath.Base(path)+".check-*", StepCheckCreate, StepCheckClose)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary name means nothing to the user
		}
		return fmt.Errorf("cannot write %s: cannot create a file in %s: %w", path, dir, err)
	}
	f.Close()
	return remove(path, f.Name(), StepCheckRemove)
}
