package mnist

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// A Loader reads MNIST's IDX files, as Load and LoadSet do. With Cache
// set to a directory it keeps there the decompressed bytes of each
// gzipped file it reads, named by the SHA-256 of the gzipped bytes (read
// through once to hash them, then again to decompress when there is no
// entry), and reads those the next time instead: MNIST's 47 MB
// of training images take 0.15–0.3 s to decompress and a few
// milliseconds to read raw from the operating system's page cache.
//
// The cache only ever saves time: an entry that does not parse as the
// file it stands for (truncated, say) is passed over and written anew,
// and a directory that cannot be created or written leaves each file to
// be decompressed every time, with no error. An entry is written to a
// temporary file (".tmp-*") and renamed into place once complete, so
// programs that load at once never read a partial one. Entries are not
// removed: MNIST's four files take 55 MB. A file that is not a regular
// file (a pipe) is read once, without the cache.
type Loader struct {
	// Cache is the directory of the decompressed files; "" keeps none.
	Cache string
}

// readCached parses the open file f with read, through l's cache when f
// is gzipped (see Loader).
func (l Loader) readCached(f *os.File, read func(io.Reader) ([]byte, int, int, int, error)) ([]byte, int, int, int, error) {
	if fi, err := f.Stat(); l.Cache == "" || err != nil || !fi.Mode().IsRegular() {
		return read(f) // (a pipe cannot be read twice)
	}
	// The gzipped bytes are hashed as they stream by, then read again
	// from the start when there is no entry: never held whole.
	var magic [2]byte
	if n, _ := io.ReadFull(f, magic[:]); n < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, 0, 0, 0, err
		}
		return read(f) // raw already: nothing to keep
	}
	h := sha256.New()
	h.Write(magic[:])
	if _, err := io.Copy(h, f); err != nil {
		return nil, 0, 0, 0, err
	}
	path := filepath.Join(l.Cache, "idx", hex.EncodeToString(h.Sum(nil)))
	if c, err := os.Open(path); err == nil {
		b, count, rows, cols, err := read(c)
		c.Close()
		if err == nil {
			return b, count, rows, cols, nil
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, 0, 0, err
	}
	z, err := maybeGunzip(f)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	e := newEntry(path)
	b, count, rows, cols, err := read(io.TeeReader(z, e))
	e.close(err == nil)
	return b, count, rows, cols, err
}

// entry writes a cache entry: the bytes go to a temporary file beside
// path, renamed to path when complete. It never fails the read it
// follows: after an error it writes nothing more, and the file is
// removed.
type entry struct {
	f    *os.File // nil once abandoned
	w    *bufio.Writer
	path string
}

func newEntry(path string) *entry {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &entry{}
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return &entry{}
	}
	return &entry{f: f, w: bufio.NewWriterSize(f, 1<<20), path: path}
}

// Write keeps p when it can; it always reports p written.
func (e *entry) Write(p []byte) (int, error) {
	if e.f != nil {
		if _, err := e.w.Write(p); err != nil {
			e.close(false)
		}
	}
	return len(p), nil
}

// close puts the entry in place when complete, else removes it.
func (e *entry) close(complete bool) {
	if e.f == nil {
		return
	}
	f := e.f
	e.f = nil
	if complete && e.w.Flush() == nil && f.Close() == nil && os.Rename(f.Name(), e.path) == nil {
		return
	}
	f.Close()
	os.Remove(f.Name())
}
