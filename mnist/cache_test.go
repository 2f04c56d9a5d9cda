package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gzSet writes a split of count images, both files gzipped, and returns
// the raw bytes of each file.
func gzSet(t *testing.T, dir string, count int) (images, labels []byte) {
	images, _ = imagesFile(t, count, 28, 28)
	var lb bytes.Buffer
	require.NoError(t, WriteLabels(&lb, bytes.Repeat([]byte{3}, count)))
	labels = lb.Bytes()
	require.NoError(t, os.WriteFile(filepath.Join(dir, TestImages), gz(t, images), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, TestLabels), gz(t, labels), 0o644))
	return images, labels
}

// entryPath is the cache entry of the file name in dir.
func entryPath(t *testing.T, cache, dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return filepath.Join(cache, "idx", hex.EncodeToString(sum[:]))
}

// cacheFiles lists the names in the cache's idx directory.
func cacheFiles(t *testing.T, cache string) []string {
	es, err := os.ReadDir(filepath.Join(cache, "idx"))
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestLoaderCache(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	rawImages, rawLabels := gzSet(t, dir, 5)
	want, err := LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	l := Loader{Cache: cache}

	// A miss decompresses, and keeps each file's raw bytes under its
	// gzipped bytes' SHA-256.
	got, err := l.LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	imagesEntry, labelsEntry := entryPath(t, cache, dir, TestImages), entryPath(t, cache, dir, TestLabels)
	withTrailer := func(raw []byte) []byte {
		return append(slices.Clone(raw), trailer(crc32.Checksum(raw, castagnoli), uint64(len(raw)))...)
	}
	for path, raw := range map[string][]byte{imagesEntry: rawImages, labelsEntry: rawLabels} {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, withTrailer(raw), b, "%s holds the decompressed file and its trailer", path)
	}
	assert.ElementsMatch(t, []string{filepath.Base(imagesEntry), filepath.Base(labelsEntry)}, cacheFiles(t, cache), "no temporary file left")

	// A hit reads the entry, not the gzipped file: an entry that differs,
	// with its own trailer, shows through.
	other, _ := imagesFile(t, 5, 28, 28)
	other[len(other)-1] ^= 0xff
	require.NoError(t, os.WriteFile(imagesEntry, withTrailer(other), 0o644))
	got, err = l.LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	assert.Equal(t, other[16:], got.Pixels)

	// An entry that does not match its trailer (a byte changed on disk;
	// an entry without one), or does not parse, is passed over and written
	// anew.
	flipped := withTrailer(rawImages)
	flipped[len(rawImages)-1] ^= 0xff
	for _, bad := range [][]byte{flipped, rawImages, withTrailer(rawImages[:100]), rawImages[:5]} {
		require.NoError(t, os.WriteFile(imagesEntry, bad, 0o644))
		got, err = l.LoadSet(dir, TestImages, TestLabels)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		b, err := os.ReadFile(imagesEntry)
		require.NoError(t, err)
		assert.Equal(t, withTrailer(rawImages), b)
	}

	// Raw files are read as they are: nothing to keep.
	raw := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(raw, "images"), rawImages, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(raw, "labels"), rawLabels, 0o644))
	got, err = l.LoadSet(raw, "images", "labels")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Len(t, cacheFiles(t, cache), 2)
}

// TestLoaderCacheUnusable: a cache that cannot be written costs nothing
// but time.
func TestLoaderCacheUnusable(t *testing.T) {
	dir := t.TempDir()
	gzSet(t, dir, 3)
	want, err := LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, cache := range []string{file, filepath.Join(file, "below")} {
		got, err := Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
		require.NoError(t, err, cache)
		assert.Equal(t, want, got, cache)
	}
}

// TestLoaderCacheBadFile: a file that does not parse fails as without a
// cache and leaves nothing in it.
func TestLoaderCacheBadFile(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	images, _ := imagesFile(t, 3, 28, 28)
	require.NoError(t, os.WriteFile(filepath.Join(dir, TestImages), gz(t, append(images, 0)), 0o644)) // a byte past the images
	var lb bytes.Buffer
	require.NoError(t, WriteLabels(&lb, []byte{1, 2, 3}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, TestLabels), gz(t, lb.Bytes()), 0o644))
	_, want := LoadSet(dir, TestImages, TestLabels)
	require.Error(t, want)
	_, err := Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
	assert.Equal(t, want, err)
	assert.Empty(t, cacheFiles(t, cache))
}

// TestLoaderCacheConcurrent: loaders filling one cache at once each read
// the whole file (run with -race).
func TestLoaderCacheConcurrent(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	gzSet(t, dir, 40)
	want, err := LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([]*Set, 6)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels) })
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		assert.Equal(t, want, got[i])
	}
	assert.Len(t, cacheFiles(t, cache), 2)
}

// TestLoaderCacheSameErrors: files that do not parse fail with the same
// error through the cache as without it, and leave no entry: a gzipped
// empty file, and a gzipped file whose content is gzipped again (not
// decompressed twice).
func TestLoaderCacheSameErrors(t *testing.T) {
	images, _ := imagesFile(t, 2, 28, 28)
	for name, content := range map[string][]byte{"empty": gz(t, nil), "gzipped twice": gz(t, gz(t, images))} {
		dir, cache := t.TempDir(), t.TempDir()
		gzSet(t, dir, 2)
		require.NoError(t, os.WriteFile(filepath.Join(dir, TestImages), content, 0o644))
		_, want := LoadSet(dir, TestImages, TestLabels)
		require.Error(t, want, name)
		for range 2 { // a miss, then again
			_, err := Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
			assert.Equal(t, want, err, name)
		}
		_, err := os.Stat(entryPath(t, cache, dir, TestImages))
		assert.ErrorIs(t, err, os.ErrNotExist, name)
	}
}

// TestLoaderCacheFileChanged: a file rewritten between the reading that
// hashes it and the one that decompresses it loads as it now is, and
// fills no entry (neither under its old hash nor its new one).
func TestLoaderCacheFileChanged(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	gzSet(t, dir, 3)
	oldEntry := entryPath(t, cache, dir, TestImages)
	other := t.TempDir()
	gzSet(t, other, 3)
	newImages, _ := imagesFile(t, 3, 28, 28)
	newImages[100] ^= 0xff
	require.NoError(t, os.WriteFile(filepath.Join(other, TestImages), gz(t, newImages), 0o644))
	want, err := LoadSet(other, TestImages, TestLabels)
	require.NoError(t, err)
	newEntry := entryPath(t, cache, other, TestImages)

	betweenReadings = func(f *os.File) {
		if filepath.Base(f.Name()) == TestImages {
			b, err := os.ReadFile(filepath.Join(other, TestImages))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(f.Name(), b, 0o644)) // in place: the open file sees it
		}
	}
	defer func() { betweenReadings = func(*os.File) {} }()
	got, err := Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	assert.Equal(t, want.Pixels, got.Pixels)
	for _, path := range []string{oldEntry, newEntry} {
		_, err := os.Stat(path)
		assert.ErrorIs(t, err, os.ErrNotExist)
	}
	assert.Len(t, cacheFiles(t, cache), 1, "the labels' entry only")
}

// TestLoaderCacheStaleTemporary: a load that writes an entry removes the
// temporary files of writers that died over an hour ago, not younger ones.
func TestLoaderCacheStaleTemporary(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	gzSet(t, dir, 2)
	idx := filepath.Join(cache, "idx")
	require.NoError(t, os.MkdirAll(idx, 0o755))
	old, young := filepath.Join(idx, ".tmp-old"), filepath.Join(idx, ".tmp-young")
	for _, p := range []string{old, young} {
		require.NoError(t, os.WriteFile(p, []byte("partial"), 0o600))
	}
	long := time.Now().Add(-2 * staleAfter)
	require.NoError(t, os.Chtimes(old, long, long))
	_, err := Loader{Cache: cache}.LoadSet(dir, TestImages, TestLabels)
	require.NoError(t, err)
	_, err = os.Stat(old)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(young)
	assert.NoError(t, err)
}
