package simdnn

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTool runs the go command with GOOS=linux and GOARCH=arch and returns
// its output.
func goTool(t *testing.T, arch string, args ...string) string {
	t.Helper()
	bin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(bin); err != nil {
		bin = "go"
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// requireHostToolchain keeps the repository checks to native runs: under
// qemu-aarch64 the test binary is arm64 but the toolchain is the host's,
// and these checks do not depend on the implementation being tested.
func requireHostToolchain(t *testing.T) {
	t.Helper()
	host := strings.TrimSpace(goTool(t, runtime.GOARCH, "env", "GOHOSTARCH"))
	if host != runtime.GOARCH {
		t.Skipf("repository check: runs on the native %s build, not under emulation", host)
	}
}

// TestPuregoBuildHasNoAssembly proves -tags purego leaves out all
// assembly, for every GOARCH that has some: go list finds no .s file in
// any package, and a purego build of the CLI holds none of the TEXT
// symbols of this package's .s files, which the normal build does hold
// (those not only used by tests).
func TestPuregoBuildHasNoAssembly(t *testing.T) {
	requireHostToolchain(t)
	files, err := filepath.Glob("*.s")
	require.NoError(t, err)
	symbols := map[string][]string{} // GOARCH → TEXT symbols
	textRe := regexp.MustCompile(`(?m)^TEXT ·(\w+)\(SB\)`)
	for _, f := range files {
		arch := strings.TrimSuffix(f[strings.LastIndexByte(f, '_')+1:], ".s")
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range textRe.FindAllStringSubmatch(string(src), -1) {
			symbols[arch] = append(symbols[arch], m[1])
		}
	}
	require.Contains(t, symbols, "arm64")
	for arch, syms := range symbols {
		t.Run(arch, func(t *testing.T) {
			list := goTool(t, arch, "list", "-tags", "purego", "-f", "{{.ImportPath}} {{.SFiles}}", "./...")
			for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
				assert.True(t, strings.HasSuffix(line, " []"), "purego build on %s has assembly: %s", arch, line)
			}
			assert.NotContains(t, goTool(t, arch, "list", "-f", "{{.SFiles}}", "."), "[]", "the normal %s build has .s files", arch)

			linked := func(tags string) map[string]bool {
				bin := filepath.Join(t.TempDir(), "simdnn")
				goTool(t, arch, "build", "-tags", tags, "-o", bin, "github.com/simdnn/simdnn/cmd/simdnn")
				f, err := elf.Open(bin)
				require.NoError(t, err)
				defer f.Close()
				all, err := f.Symbols()
				require.NoError(t, err)
				have := map[string]bool{}
				for _, s := range all {
					have[strings.TrimSuffix(s.Name, ".abi0")] = true
				}
				return have
			}
			normal, pure := linked(""), linked("purego")
			found := 0
			for _, s := range syms {
				name := "github.com/simdnn/simdnn." + s
				if normal[name] {
					found++
				}
				assert.False(t, pure[name], "%s: purego build links the assembly routine %s", arch, name)
			}
			// The same names are found in the normal build (all but test
			// hooks), so the check looks at the right symbols.
			assert.Greater(t, found, len(syms)/2, "%s: the normal build links only %d of %v", arch, found, syms)
		})
	}
}
