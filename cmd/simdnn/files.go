package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/simdnn/simdnn/internal/atomicfile"
	"github.com/simdnn/simdnn/mnist"
	"github.com/simdnn/simdnn/net"
)

// loadMNIST finds and reads the MNIST files (see mnist.Dir).
func loadMNIST(ctx context.Context, data string) (train, test *mnist.Set, err error) {
	dir, err := mnist.Dir(ctx, data)
	if err != nil {
		return nil, nil, err
	}
	train, test, err = loader().Load(dir)
	return train, test, envNote(err, data)
}

// envNote adds to err, a failure to read the MNIST files, that their
// directory is $SIMDNN_MNIST's when no -data named one and the variable
// did.
func envNote(err error, data string) error {
	if err != nil && data == "" && os.Getenv(mnist.EnvDir) != "" {
		return fmt.Errorf("%w (the directory is $%s's; -data names another)", err, mnist.EnvDir)
	}
	return err
}

// envCache names the directory of the decompressed IDX files
// (mnist.Loader); "off" keeps none.
const envCache = "SIMDNN_CACHE"

// loader reads IDX files through $SIMDNN_CACHE, else the simdnn folder of
// the user's cache directory (os.UserCacheDir), unless that is "off" or
// there is none.
func loader() mnist.Loader {
	switch d := os.Getenv(envCache); d {
	case "off":
		return mnist.Loader{}
	case "":
		u, err := os.UserCacheDir()
		if err != nil {
			return mnist.Loader{}
		}
		return mnist.Loader{Cache: filepath.Join(u, "simdnn")}
	default:
		return mnist.Loader{Cache: d}
	}
}

// requireModel checks -model was given, before any data is loaded.
func requireModel(path string) error {
	if path == "" {
		return usagef("-model: required: the safetensors file `simdnn train -out` wrote")
	}
	return nil
}

// loadModel reads the model -model names and checks it takes rows of
// width inputs.
func loadModel(path string) (*net.Model, error) {
	m, err := net.Load(path)
	if err != nil {
		return nil, fmt.Errorf("-model: %w", err)
	}
	return m, nil
}

// checkInputs fails unless the model at path takes rows of width inputs;
// rows says where the rows come from.
func checkInputs(m *net.Model, path string, width int, rows string) error {
	if m.Inputs() != width {
		return fmt.Errorf("-model %s: takes %d inputs, but %s %d", path, m.Inputs(), rows, width)
	}
	return nil
}

func hasExt(path string, exts ...string) bool {
	e := strings.ToLower(filepath.Ext(path))
	for _, x := range exts {
		if e == x {
			return true
		}
	}
	return false
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// historyFormat is "csv" or "json" from the file's extension.
func historyFormat(path string) (string, error) {
	switch {
	case hasExt(path, ".csv"):
		return "csv", nil
	case hasExt(path, ".json"):
		return "json", nil
	}
	return "", usagef("-history %s: want a .csv or .json file", path)
}

// writeHistory writes the per-epoch metrics as CSV (a header row, then
// one row per epoch; validation columns empty without validation data) or
// as a JSON array of the objects -json prints per epoch.
func writeHistory(path string, hist net.History) error {
	format, err := historyFormat(path)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		if format == "json" {
			rows := make([]epochJSON, len(hist))
			for i, s := range hist {
				rows[i] = epochLine(s)
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rows)
		}
		cw := csv.NewWriter(w)
		cw.Write([]string{"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "lr"})
		num := func(v float64) string {
			if p := finite(v); p != nil {
				return strconv.FormatFloat(*p, 'g', -1, 64)
			}
			return ""
		}
		for _, s := range hist {
			cw.Write([]string{strconv.Itoa(s.Epoch), num(s.Loss), num(s.Accuracy), num(s.ValLoss), num(s.ValAccuracy), num(s.Seconds),
				strconv.FormatFloat(float64(s.LR), 'g', -1, 32)})
		}
		cw.Flush()
		return cw.Error()
	})
}

// flagPath is a file a flag names.
type flagPath struct{ flag, path string }

// sameFile reports whether paths a and b name one file: the same path
// once made absolute with their directories' links followed, or, when
// both exist, the same file (a link to it).
func sameFile(a, b string) bool {
	resolve := func(p string) string {
		p, err := filepath.Abs(p)
		if err != nil {
			return ""
		}
		if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(dir, filepath.Base(p))
		}
		return p
	}
	if ra := resolve(a); ra != "" && ra == resolve(b) {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
