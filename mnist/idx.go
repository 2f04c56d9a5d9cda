// Package mnist reads and writes IDX files (the format of the MNIST
// database) and gets the four original MNIST files onto the machine.
//
// Only the formats MNIST uses are supported: idx1 unsigned-byte labels and
// idx3 unsigned-byte images, gzipped or raw. Readers validate the magic
// number, the type byte, the dimension count and the dimensions against
// what the stream actually holds. What they allocate grows with what the
// stream delivers, not with what a header claims: up to 64 MiB of room
// for a plausible claim at the start (MNIST's 47 MB of images read
// without regrowing), past that a buffer that doubles as data arrives. A gzipped file
// may hold several members, as gzip writes them; bytes after the last
// that are not one are an error.
package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/simdnn/simdnn/internal/hugepage"
)

const (
	typeUbyte = 0x08
	// maxBytes bounds what a header may claim: far above MNIST's 47 MB,
	// far below an allocation that could take the machine down, and within
	// a 32-bit int.
	maxBytes = 1<<31 - 1
)

// readHeader reads an IDX header: two zero bytes, the type byte, the
// dimension count, then one big-endian uint32 per dimension. It checks the
// type is unsigned byte and the dimension count is want.
func readHeader(r io.Reader, want int) ([]int, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("reading magic number: %w", eofToUnexpected(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("bad magic number %#02x%02x%02x%02x: not an IDX file (want 0x0000%02x%02x)",
			magic[0], magic[1], magic[2], magic[3], typeUbyte, want)
	}
	if magic[2] != typeUbyte {
		return nil, fmt.Errorf("type byte %#02x: only unsigned byte (0x08) data is supported", magic[2])
	}
	if int(magic[3]) != want {
		return nil, fmt.Errorf("%d dimensions, want %d", magic[3], want)
	}
	dims := make([]int, want)
	claimed := make([]uint32, want)
	total := int64(1)
	for i := range dims {
		d := &claimed[i]
		if err := binary.Read(r, binary.BigEndian, d); err != nil {
			return nil, fmt.Errorf("reading dimension %d: %w", i, eofToUnexpected(err))
		}
		if *d == 0 && i > 0 {
			return nil, fmt.Errorf("dimension %d is 0", i)
		}
		total *= max(int64(*d), 1) // at most 2^31 · 2^32: no overflow
		if total > maxBytes {
			return nil, fmt.Errorf("header dimensions %v claim more than %d bytes: implausible", claimed[:i+1], maxBytes)
		}
		dims[i] = int(*d)
	}
	return dims, nil
}

func eofToUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// preallocLimit bounds the buffer readBody sets up from a header's claim.
const preallocLimit = 64 << 20

// readBody reads exactly count items of size bytes each, the rest of the
// stream. The buffer grows with
// the data actually read, so a header that lies about the count costs no
// more memory than the stream holds.
func readBody(r io.Reader, count, size int, noun string) ([]byte, error) {
	want := count * size
	// Room for the whole claim, up to a limit that a lying header cannot
	// exceed (MNIST's 47 MB fits, so it is read without regrowing); beyond
	// it the buffer grows only as data arrives. MinRead spare bytes let the
	// one-byte over-read that detects trailing data land without a regrow.
	// The room is marked for huge pages before it is written: MNIST's
	// 47 MB would otherwise fault in 4 KiB at a time.
	room := make([]byte, min(want, preallocLimit)+bytes.MinRead)
	hugepage.Advise(room)
	buf := bytes.NewBuffer(room[:0])
	n, err := io.Copy(buf, io.LimitReader(r, int64(want)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", noun, err)
	}
	if int(n) < want {
		return nil, fmt.Errorf("header says %d %s, file holds %d", count, noun, int(n)/size)
	}
	if int(n) > want {
		return nil, fmt.Errorf("header says %d %s, file holds more data", count, noun)
	}
	return buf.Bytes(), nil
}

// ReadImages reads an idx3 unsigned-byte image file (gzipped or raw): count
// images of rows×cols pixels, row-major, one byte a pixel.
func ReadImages(r io.Reader) (pixels []byte, count, rows, cols int, err error) {
	r, err = maybeGunzip(r)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return readImages(r)
}

// readImages is ReadImages on the decompressed bytes.
func readImages(r io.Reader) (pixels []byte, count, rows, cols int, err error) {
	dims, err := readHeader(r, 3)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	count, rows, cols = dims[0], dims[1], dims[2]
	pixels, err = readBody(r, count, rows*cols, "images")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return pixels, count, rows, cols, nil
}

// ReadLabels reads an idx1 unsigned-byte label file (gzipped or raw).
func ReadLabels(r io.Reader) ([]byte, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return nil, err
	}
	return readLabels(r)
}

// readLabels is ReadLabels on the decompressed bytes.
func readLabels(r io.Reader) ([]byte, error) {
	dims, err := readHeader(r, 1)
	if err != nil {
		return nil, err
	}
	return readBody(r, dims[0], 1, "labels")
}

// maybeGunzip returns a reader of the decompressed stream when r starts
// with the gzip magic bytes, else r itself. Gzip errors (a corrupt or
// truncated stream, a bad checksum) surface from the returned reader.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(head) == 0 {
		return nil, errors.New("empty file")
	}
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("decompressing: %w", err) // gzip's errors say "gzip: "
		}
		return gzipErrors{z}, nil
	}
	return br, nil
}

// gzipErrors labels decompression errors as such (gzip's own say "gzip:
// ", not flate's or the reader's).
type gzipErrors struct{ z *gzip.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.z.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("decompressing: %w", err)
	}
	return n, err
}

// WriteImages writes count images of rows×cols bytes as an idx3 file.
// Only what ReadImages reads back is written: count ≥ 0, rows and cols ≥
// 1, and at most 2³¹ − 1 bytes of pixels.
func WriteImages(w io.Writer, pixels []byte, count, rows, cols int) error {
	if count < 0 || rows < 1 || cols < 1 || rows > maxBytes || cols > maxBytes || int64(rows)*int64(cols) > maxBytes ||
		count > maxBytes || int64(count)*int64(rows)*int64(cols) > maxBytes { // each product ≤ 2⁶²

		return fmt.Errorf("mnist: WriteImages: %d images of %d×%d: want count ≥ 0, rows and cols ≥ 1, and at most %d bytes", count, rows, cols, maxBytes)
	}
	if len(pixels) != count*rows*cols {
		return fmt.Errorf("mnist: WriteImages: %d pixels for %d images of %d×%d", len(pixels), count, rows, cols)
	}
	if err := writeHeader(w, 3, count, rows, cols); err != nil {
		return err
	}
	_, err := w.Write(pixels)
	return err
}

// WriteLabels writes labels as an idx1 file (at most 2³¹ − 1 of them,
// what ReadLabels reads back).
func WriteLabels(w io.Writer, labels []byte) error {
	if len(labels) > maxBytes {
		return fmt.Errorf("mnist: WriteLabels: %d labels, want at most %d", len(labels), maxBytes)
	}
	if err := writeHeader(w, 1, len(labels)); err != nil {
		return err
	}
	_, err := w.Write(labels)
	return err
}

func writeHeader(w io.Writer, ndim int, dims ...int) error {
	hdr := []byte{0, 0, typeUbyte, byte(ndim)}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	_, err := w.Write(hdr)
	return err
}
