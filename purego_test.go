package simdnn

import (
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

// asmPackage is a package of this module with assembly for some GOARCH.
type asmPackage struct {
	path, dir      string
	sFiles, hFiles []string
}

// assemblyPackages lists the packages of the module that have .s files in
// the normal build for arch (go list -e: a package that does not compile
// at the moment is still listed).
func assemblyPackages(t *testing.T, arch string) []asmPackage {
	t.Helper()
	list := goTool(t, arch, "list", "-e", "-f", "{{.ImportPath}}|{{.Dir}}|{{join .SFiles \" \"}}|{{join .HFiles \" \"}}", "./...")
	var pkgs []asmPackage
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		f := strings.Split(line, "|")
		require.Len(t, f, 4, "go list: %q", line)
		if f[2] != "" {
			pkgs = append(pkgs, asmPackage{path: f[0], dir: f[1], sFiles: strings.Fields(f[2]), hFiles: strings.Fields(f[3])})
		}
	}
	return pkgs
}

// textSymbols are the routines the .s files of p define, by their
// linker names.
func textSymbols(t *testing.T, p asmPackage) []string {
	textRe := regexp.MustCompile(`(?m)^TEXT ·(\w+)\(SB\)`)
	var syms []string
	for _, f := range p.sFiles {
		src, err := os.ReadFile(filepath.Join(p.dir, f))
		require.NoError(t, err)
		for _, m := range textRe.FindAllStringSubmatch(string(src), -1) {
			syms = append(syms, p.path+"."+m[1])
		}
	}
	require.NotEmpty(t, syms, "%s: .s files without TEXT", p.path)
	return syms
}

// definedText builds package path for arch with the build tags and
// returns the text symbols its archive defines.
func definedText(t *testing.T, arch, tags, path string) map[string]bool {
	archive := filepath.Join(t.TempDir(), "pkg.a")
	goTool(t, arch, "build", "-tags", tags, "-o", archive, path)
	have := map[string]bool{}
	for _, line := range strings.Split(goTool(t, arch, "tool", "nm", archive), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[len(f)-2] == "T" {
			have[f[len(f)-1]] = true
		}
	}
	return have
}

// TestPuregoBuildHasNoAssembly proves -tags purego leaves out all
// assembly, for every GOARCH that has some: go list finds no .s file in
// any package of the module, and the purego build of every package that
// has .s files (this one, internal/byterows, bench/peak) defines none of
// the TEXT symbols of those files, all of which its normal build defines.
func TestPuregoBuildHasNoAssembly(t *testing.T) {
	requireHostToolchain(t)
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			list := goTool(t, arch, "list", "-e", "-tags", "purego", "-f", "{{.ImportPath}} {{.SFiles}}", "./...")
			for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
				assert.True(t, strings.HasSuffix(line, " []"), "purego build on %s has assembly: %s", arch, line)
			}
			var paths []string
			for _, p := range assemblyPackages(t, arch) {
				paths = append(paths, p.path)
				t.Run(strings.TrimPrefix(p.path, "github.com/simdnn/"), func(t *testing.T) {
					normal, pure := definedText(t, arch, "", p.path), definedText(t, arch, "purego", p.path)
					for _, s := range textSymbols(t, p) {
						assert.True(t, normal[s], "%s: the normal build does not define %s: the check looks at the wrong names", arch, s)
						assert.False(t, pure[s], "%s: the purego build defines the assembly routine %s", arch, s)
					}
				})
			}
			assert.Subset(t, paths, []string{"github.com/simdnn/simdnn", "github.com/simdnn/simdnn/internal/byterows"},
				"the normal %s build has assembly in these packages", arch)
		})
	}
}
