package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/simdnn/simdnn/bench"
)

// coreTypes pairs each OpenBLAS core type the sweep runs with the
// implementation it is held against: the same vector instructions.
var coreTypes = []struct{ core, impl string }{
	{"SkylakeX", "avx512"}, // OpenBLAS's AVX-512 kernels
	{"Haswell", "avx2"},    // its AVX2 ones
}

// peerScript finds bench/peers/gemm_peer.py: beside this command's
// source (go run, or a binary built on this machine), else from the
// working directory.
func peerScript() (string, error) {
	var tries []string
	if _, file, _, ok := runtime.Caller(0); ok {
		tries = append(tries, filepath.Join(filepath.Dir(file), "..", "..", "peers", "gemm_peer.py"))
	}
	tries = append(tries, filepath.Join("bench", "peers", "gemm_peer.py"))
	for _, p := range tries {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("gemm_peer.py not found (tried %s): run from the repository's root or pass -peer", strings.Join(tries, ", "))
}

// peerMissing says why python cannot run the peer (no interpreter, no
// numpy), or "" when it can.
func peerMissing(python string) string {
	out, err := exec.Command(python, "-c", "import numpy").CombinedOutput()
	if err == nil {
		return ""
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return fmt.Sprintf("%s: %v", python, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return fmt.Sprintf("%s cannot import numpy (%s); Debian's python3-numpy and libopenblas0-pthread provide it", python, lines[len(lines)-1])
}

// peerOutput is what gemm_peer.py prints.
type peerOutput struct {
	Numpy    string `json:"numpy"`
	BLAS     string `json:"blas"`
	Corename string `json:"corename"`
	Config   string `json:"config"`
	Results  []struct {
		Shape   string  `json:"shape"`
		Op      string  `json:"op"`
		Seconds float64 `json:"seconds"`
	} `json:"results"`
}

// peerEnv is this process's environment for the peer: OPENBLAS_CORETYPE
// set to core, OPENBLAS_L2_SIZE unset (it goes with a core type chosen
// for the machine, not with ours), one thread.
func peerEnv(core string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}, name)
	})
	return append(env, "OPENBLAS_CORETYPE="+core, "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "PYTHONDONTWRITEBYTECODE=1")
}

// runPeer runs the peer script with OpenBLAS core type core on shapes and
// ops and returns what it ran and its seconds per call by op and shape.
func runPeer(python, script, core string, shapes []bench.Shape, ops []bench.Op, runs int) (peerInfo, map[string]map[string]float64, error) {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.Name
	}
	args := []string{script, "--runs", strconv.Itoa(runs), "--ops", strings.Join(names, ",")}
	for _, s := range shapes {
		args = append(args, s.String())
	}
	cmd := exec.Command(python, args...)
	cmd.Env = peerEnv(core)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return peerInfo{}, nil, fmt.Errorf("%s (OPENBLAS_CORETYPE=%s): %v: %s", filepath.Base(script), core, err, lastLine(stderr.String()))
	}
	var po peerOutput
	if err := json.Unmarshal(out, &po); err != nil {
		return peerInfo{}, nil, fmt.Errorf("%s (OPENBLAS_CORETYPE=%s): reading its output: %v", filepath.Base(script), core, err)
	}
	sec := map[string]map[string]float64{}
	for _, r := range po.Results {
		if sec[r.Op] == nil {
			sec[r.Op] = map[string]float64{}
		}
		sec[r.Op][r.Shape] = r.Seconds
	}
	return peerInfo{Core: core, Corename: po.Corename, Numpy: po.Numpy, BLAS: po.BLAS, Config: po.Config}, sec, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
