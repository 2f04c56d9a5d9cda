package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/net"
)

// runMainEnv makes the test binary run main instead of the tests, so that
// a test can run the command as a real process and signal it.
const runMainEnv = "SIMDNN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	// The tests' IDX files go to a cache of their own, not the user's.
	cache, err := os.MkdirTemp("", "simdnn-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv(envCache, cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

// TestCtrlC sends SIGINT to a real `simdnn train` process: it stops after
// the batch in flight, saves -out and exits 130.
func TestCtrlC(t *testing.T) {
	dir := fakeMNIST(t, 1000, 100)
	model := filepath.Join(t.TempDir(), "m.safetensors")
	cmd := exec.Command(os.Args[0], "train", "-data", dir, "-epochs", "100000", "-batch", "10", "-out", model)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("cannot run the test binary as a process here (%v): under qemu-user without binfmt_misc", err)
		}
		require.NoError(t, err)
	}
	done := make(chan error, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if !sent && strings.HasPrefix(sc.Text(), "Epoch 1/") {
				sent = true
				cmd.Process.Signal(os.Interrupt)
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit 60s after starting")
	}
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %q", lines)
	assert.Equal(t, 130, exit.ExitCode(), "stderr: %q", lines)
	out := strings.Join(lines, "\n")
	assert.Contains(t, out, "model saved to "+model)
	assert.Contains(t, out, "simdnn train: interrupted")
	assert.NotContains(t, out, "test accuracy", "no evaluation after an interrupt")
	m, err := net.Load(model)
	require.NoError(t, err)
	assert.Equal(t, []int{784, 15, 10}, m.Sizes)
}
