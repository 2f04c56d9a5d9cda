package mnist

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func imagesFile(t testing.TB, count, rows, cols int) ([]byte, []byte) {
	pixels := make([]byte, count*rows*cols)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	var b bytes.Buffer
	require.NoError(t, WriteImages(&b, pixels, count, rows, cols))
	return b.Bytes(), pixels
}

func gz(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	_, err := z.Write(b)
	require.NoError(t, err)
	require.NoError(t, z.Close())
	return out.Bytes()
}

func TestRoundTrip(t *testing.T) {
	raw, pixels := imagesFile(t, 3, 4, 5)
	for name, file := range map[string][]byte{"raw": raw, "gzip": gz(t, raw)} {
		t.Run(name, func(t *testing.T) {
			got, count, rows, cols, err := ReadImages(bytes.NewReader(file))
			require.NoError(t, err)
			assert.Equal(t, []int{3, 4, 5}, []int{count, rows, cols})
			assert.Equal(t, pixels, got)
		})
	}
	var lb bytes.Buffer
	require.NoError(t, WriteLabels(&lb, []byte{1, 2, 9}))
	got, err := ReadLabels(bytes.NewReader(gz(t, lb.Bytes())))
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2, 9}, got)
	assert.Equal(t, []byte{0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 9}, lb.Bytes(), "idx1 layout")
}

func header(magic []byte, dims ...uint32) []byte {
	b := append([]byte(nil), magic...)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return b
}

func TestBadImages(t *testing.T) {
	good, _ := imagesFile(t, 3, 4, 5)
	corrupt := gz(t, good)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC-32 trailer
	cases := []struct {
		name, file, err string
	}{
		{"empty", "", "empty file"},
		{"wrong magic", string(header([]byte{1, 0, 8, 3}, 3, 4, 5)), "bad magic number 0x01000803"},
		{"wrong type", string(header([]byte{0, 0, 0x0d, 3}, 3, 4, 5)), "type byte 0x0d"},
		{"wrong dims", string(header([]byte{0, 0, 8, 1}, 3)), "1 dimensions, want 3"},
		{"short header", string(good[:9]), "reading dimension 1: unexpected EOF"},
		{"truncated body", string(good[:len(good)-1]), "header says 3 images, file holds 2"},
		{"extra data", string(good) + "x", "header says 3 images, file holds more data"},
		{"zero rows", string(header([]byte{0, 0, 8, 3}, 3, 0, 5)), "dimension 1 is 0"},
		{"2^31 images", string(header([]byte{0, 0, 8, 3}, 1<<31, 28, 28)), "implausible"},
		{"gzip corrupt", string(corrupt), "reading images: decompressing: gzip: invalid checksum"},
		{"gzip, then bytes that are not gzip", string(gz(t, good)) + "these bytes are not a gzip member", "decompressing: gzip: invalid header"},
		{"gzip truncated", string(gz(t, good)[:30]), "unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, _, err := ReadImages(bytes.NewReader([]byte(c.file)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.err)
		})
	}
	// Every truncation of header and body is an error, never a panic.
	for _, file := range [][]byte{good, gz(t, good)} {
		for n := range len(file) {
			_, _, _, _, err := ReadImages(bytes.NewReader(file[:n]))
			assert.Error(t, err, "truncated to %d bytes", n)
		}
	}
}

func writeSet(t testing.TB, dir string, images, labels string, count int, lab []byte) {
	raw, _ := imagesFile(t, count, 28, 28)
	require.NoError(t, os.WriteFile(filepath.Join(dir, images), gz(t, raw), 0o644))
	var lb bytes.Buffer
	require.NoError(t, WriteLabels(&lb, lab))
	require.NoError(t, os.WriteFile(filepath.Join(dir, labels), lb.Bytes(), 0o644))
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	writeSet(t, dir, TrainImages, "train-labels-idx1-ubyte", 4, []byte{0, 9, 3, 5}) // raw labels, .gz dropped
	s, err := LoadSet(dir, TrainImages, TrainLabels)
	require.NoError(t, err)
	assert.Equal(t, 4, s.Len())
	assert.Equal(t, 784, s.Width())
	assert.Equal(t, []int32{0, 9, 3, 5}, s.Labels)
	assert.Len(t, s.Pixels, 4*784)
	assert.Equal(t, uint8(7), s.Pixels[1])
	assert.Equal(t, float32(7)/PixelDiv, s.Floats()[1])

	writeSet(t, dir, TestImages, TestLabels, 3, []byte{0, 1})
	_, err = LoadSet(dir, TestImages, TestLabels)
	assert.EqualError(t, err, "mnist: "+filepath.Join(dir, TestImages)+" holds 3 images but "+filepath.Join(dir, TestLabels)+" holds 2 labels")
	// The message names the files read: here the raw labels, .gz dropped.
	writeSet(t, dir, TrainImages, "train-labels-idx1-ubyte", 4, []byte{0, 9, 3})
	_, err = LoadSet(dir, TrainImages, TrainLabels)
	assert.EqualError(t, err, "mnist: "+filepath.Join(dir, TrainImages)+" holds 4 images but "+filepath.Join(dir, "train-labels-idx1-ubyte")+" holds 3 labels")
	// Other IDX sets have other classes: labels are kept as read.
	writeSet(t, dir, TestImages, TestLabels, 2, []byte{0, 25})
	s, err = LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	assert.Equal(t, []int32{0, 25}, s.Labels)
	// With dir "", names are paths.
	s, err = LoadSet("", filepath.Join(dir, TestImages), filepath.Join(dir, TestLabels))
	require.NoError(t, err)
	assert.Equal(t, 2, s.Len())
	_, _, err = Load(t.TempDir())
	assert.ErrorContains(t, err, "train-images-idx3-ubyte.gz: no such file")
}

func TestDirPrecedence(t *testing.T) {
	t.Setenv(EnvDir, "/from/env")
	d, err := Dir(context.Background(), "/from/flag")
	require.NoError(t, err)
	assert.Equal(t, "/from/flag", d)
	d, err = Dir(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "/from/env", d)
}

func TestFetchWithoutGo(t *testing.T) {
	for _, gocmd := range []string{"", filepath.Join(t.TempDir(), "go")} {
		_, err := fetch(context.Background(), gocmd)
		require.Error(t, err)
		assert.ErrorContains(t, err, "cannot fetch the MNIST files")
		assert.ErrorContains(t, err, "supply them by hand")
		assert.ErrorContains(t, err, "-data DIR or set SIMDNN_MNIST=DIR")
	}
}

func TestChecksumMismatch(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, TrainLabels), []byte("not mnist"), 0o644))
	err := checkSum(dir, TrainLabels)
	assert.ErrorContains(t, err, "train-labels-idx1-ubyte.gz: SHA-256 ")
	assert.ErrorContains(t, err, "want "+Checksums[TrainLabels])
}

// TestRealMNIST fetches the real files (through the module proxy unless
// SIMDNN_MNIST names a directory) and checks the sets MNIST is known to
// have. Under CI it fails rather than skips when it cannot get them.
func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not fetching MNIST")
	}
	dir, err := Dir(context.Background(), "")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and MNIST is unavailable: %v", err)
		}
		t.Skipf("MNIST unavailable: %v", err)
	}
	train, test, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, 60000, train.Len())
	assert.Equal(t, 10000, test.Len())
	assert.Equal(t, 784, train.Width())
	assert.Equal(t, int32(5), train.Labels[0], "the first training digit is a 5")
	assert.Equal(t, int32(7), test.Labels[0], "the first test digit is a 7")

	// Load hands over the bytes the file holds.
	f, err := os.Open(filepath.Join(dir, TrainImages))
	require.NoError(t, err)
	defer f.Close()
	pixels, _, _, _, err := ReadImages(f)
	require.NoError(t, err)
	require.Equal(t, pixels, train.Pixels)
}

func FuzzReadImages(f *testing.F) {
	good, _ := imagesFile(f, 2, 3, 3)
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(header([]byte{0, 0, 8, 3}, 1<<31, 28, 28))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		pixels, count, rows, cols, err := ReadImages(bytes.NewReader(b))
		if err == nil && len(pixels) != count*rows*cols {
			t.Fatalf("%d pixels for %d×%d×%d", len(pixels), count, rows, cols)
		}
		labels, err := ReadLabels(bytes.NewReader(b))
		if err == nil {
			var again bytes.Buffer
			if err := WriteLabels(&again, labels); err != nil {
				t.Fatal(err)
			}
			back, err := ReadLabels(&again)
			if err != nil || !bytes.Equal(back, labels) {
				t.Fatalf("labels do not round-trip: %v", err)
			}
		}
	})
}

// TestGzipMembers: a file of several gzip members (as gzip writes a
// concatenation) reads as their concatenated bytes, as gzip -dc gives.
func TestGzipMembers(t *testing.T) {
	good, _ := imagesFile(t, 3, 4, 5)
	split := len(good) / 3
	two := append(gz(t, good[:split]), gz(t, good[split:])...)
	pixels, count, rows, cols, err := ReadImages(bytes.NewReader(two))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4, 5}, []int{count, rows, cols})
	assert.Equal(t, good[16:], pixels)
}

// TestWriteRefusesWhatReadRefuses: WriteImages writes nothing that
// ReadImages would not read back.
func TestWriteRefusesWhatReadRefuses(t *testing.T) {
	for _, c := range [][3]int{{1, -1, -1}, {-1, 1, 1}, {1, 0, 28}, {0, math.MaxInt32, 2}, {1 << 20, 1 << 20, 1 << 20}, {math.MaxInt32, 2, 1}} {
		var b bytes.Buffer
		err := WriteImages(&b, []byte{1}, c[0], c[1], c[2])
		assert.ErrorContains(t, err, fmt.Sprintf("mnist: WriteImages: %d images of %d×%d: want count ≥ 0, rows and cols ≥ 1, and at most 2147483647 bytes", c[0], c[1], c[2]))
		assert.Zero(t, b.Len(), "nothing written")
	}
	var b bytes.Buffer
	require.NoError(t, WriteImages(&b, nil, 0, 28, 28)) // no images: fine
	_, count, rows, cols, err := ReadImages(&b)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 28, 28}, []int{count, rows, cols})
}
