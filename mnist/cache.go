package mnist

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A Loader reads MNIST's IDX files, as Load and LoadSet do. With Cache
// set to a directory it keeps there the decompressed bytes of each
// gzipped file it reads, named by the SHA-256 of the gzipped bytes (read
// through once to hash them, then again to decompress when there is no
// entry), and reads those the next time instead: MNIST's 47 MB
// of training images take 0.15–0.3 s to decompress and a few
// milliseconds to read raw from the operating system's page cache.
//
// The cache only ever saves time: each entry ends in the CRC-32C and the
// length of the bytes before it, and an entry that does not match them
// (truncated, or a byte changed on disk) or does not parse as the file it
// stands for is passed over and written anew,
// and a directory that cannot be created or written leaves each file to
// be decompressed every time, with no error. An entry is written to a
// temporary file (".tmp-*", removed by a later load once an hour old if
// its writer died), synced and renamed into place once complete and only
// when the gzipped file hashed the same on both readings, so programs
// that load at once never read a partial entry nor one of a file that
// changed meanwhile. Entries are never removed: MNIST's four files take
// 55 MB, and each other gzipped file read adds its own; deleting the
// directory clears the cache. A file that is not a regular file (a pipe)
// is read once, without the cache.
type Loader struct {
	// Cache is the directory of the decompressed files; "" keeps none.
	Cache string
}

// readCached decompresses the open file f when gzipped, through l's
// cache (see Loader), and parses the bytes with read.
func (l Loader) readCached(f *os.File, read func(io.Reader) ([]byte, int, int, int, error)) ([]byte, int, int, int, error) {
	if fi, err := f.Stat(); l.Cache == "" || err != nil || !fi.Mode().IsRegular() {
		return decompressed(f, read) // (a pipe cannot be read twice)
	}
	// The gzipped bytes are hashed as they stream by, then read again
	// from the start when there is no entry: never held whole.
	var magic [2]byte
	if n, _ := io.ReadFull(f, magic[:]); n < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, 0, 0, 0, err
		}
		return decompressed(f, read) // raw: nothing to keep
	}
	h := sha256.New()
	h.Write(magic[:])
	if _, err := io.Copy(h, f); err != nil {
		return nil, 0, 0, 0, err
	}
	key := h.Sum(nil)
	path := filepath.Join(l.Cache, "idx", hex.EncodeToString(key))
	if b, count, rows, cols, ok := readEntry(path, read); ok {
		return b, count, rows, cols, nil
	}
	betweenReadings(f)
	// A miss: the second reading is hashed too, and the entry kept only
	// when it hashes to the key (a file rewritten between the two
	// readings must not fill another's entry).
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, 0, 0, err
	}
	h.Reset()
	e := newEntry(path)
	b, count, rows, cols, err := decompressed(io.TeeReader(f, h), func(z io.Reader) ([]byte, int, int, int, error) {
		return read(io.TeeReader(z, e))
	})
	if err == nil {
		_, err2 := io.Copy(h, f) // what the decompressor left unread
		e.close(err2 == nil && bytes.Equal(h.Sum(nil), key))
	} else {
		e.close(false)
	}
	return b, count, rows, cols, err
}

// trailerSize is the length of an entry's trailer: the CRC-32C of the
// bytes before it and their count, little-endian (4 and 8 bytes).
const trailerSize = 12

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// trailer is the trailer of an entry of n bytes whose CRC-32C is sum.
func trailer(sum uint32, n uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, sum), n)
}

// readEntry parses the cache entry at path with read, and reports whether
// it could and the entry's bytes match its trailer.
func readEntry(path string, read func(io.Reader) ([]byte, int, int, int, error)) ([]byte, int, int, int, bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < trailerSize {
		return nil, 0, 0, 0, false
	}
	c, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, 0, false
	}
	defer c.Close()
	n := fi.Size() - trailerSize
	var t [trailerSize]byte
	if _, err := c.ReadAt(t[:], n); err != nil {
		return nil, 0, 0, 0, false
	}
	h := crc32.New(castagnoli)
	body := io.TeeReader(io.LimitReader(c, n), h)
	b, count, rows, cols, err := read(body)
	if err != nil {
		return nil, 0, 0, 0, false
	}
	if _, err := io.Copy(io.Discard, body); err != nil || !bytes.Equal(trailer(h.Sum32(), uint64(n)), t[:]) {
		return nil, 0, 0, 0, false
	}
	return b, count, rows, cols, true
}

// betweenReadings runs between the two readings of a gzipped file on a
// miss; a test rewrites the file there.
var betweenReadings = func(*os.File) {}

// decompressed parses r with read, decompressed when gzipped.
func decompressed(r io.Reader, read func(io.Reader) ([]byte, int, int, int, error)) ([]byte, int, int, int, error) {
	z, err := maybeGunzip(r)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return read(z)
}

// entry writes a cache entry: the bytes go to a temporary file beside
// path, synced and renamed to path when complete, readable by all (a
// cache directory may be shared). It never fails the read it follows:
// after an error it writes nothing more, and the file is removed.
type entry struct {
	f    *os.File // nil once abandoned
	w    *bufio.Writer
	path string
	sum  hash.Hash32 // of the bytes written, for the trailer
	n    uint64
}

// staleAfter is the age past which a temporary file in the cache is taken
// for the leftover of a program that died writing it, and removed.
const staleAfter = time.Hour

func newEntry(path string) *entry {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &entry{}
	}
	if old, err := filepath.Glob(filepath.Join(dir, ".tmp-*")); err == nil {
		for _, o := range old {
			if fi, err := os.Lstat(o); err == nil && time.Since(fi.ModTime()) > staleAfter {
				os.Remove(o)
			}
		}
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return &entry{}
	}
	return &entry{f: f, w: bufio.NewWriterSize(f, 1<<20), path: path, sum: crc32.New(castagnoli)}
}

// Write keeps p when it can; it always reports p written.
func (e *entry) Write(p []byte) (int, error) {
	if e.f != nil {
		if _, err := e.w.Write(p); err != nil {
			e.close(false)
			return len(p), nil
		}
		e.sum.Write(p)
		e.n += uint64(len(p))
	}
	return len(p), nil
}

// close puts the entry in place when complete, its trailer written and
// synced first (so that a crash cannot leave an entry of the right length
// holding zeros), else removes it.
func (e *entry) close(complete bool) {
	if e.f == nil {
		return
	}
	f := e.f
	e.f = nil
	if complete && write(e.w, trailer(e.sum.Sum32(), e.n)) && e.w.Flush() == nil && f.Chmod(0o644) == nil && f.Sync() == nil && f.Close() == nil &&
		os.Rename(f.Name(), e.path) == nil {
		return
	}
	f.Close()
	os.Remove(f.Name())
}

// write writes b to w and reports whether it could.
func write(w io.Writer, b []byte) bool {
	_, err := w.Write(b)
	return err == nil
}
