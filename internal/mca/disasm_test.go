//go:build amd64 && !purego

package mca

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rootPath is the package whose tiles are checked.
const rootPath = "github.com/simdnn/simdnn"

// goTool runs the go command in dir for linux/arch, with no cgo and no
// GOFLAGS (so a purego in the caller's GOFLAGS does not remove the
// assembly), and returns its output.
func goTool(t *testing.T, dir, arch string, args ...string) string {
	t.Helper()
	bin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(bin); err != nil {
		bin = "go"
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	gomod := strings.TrimSpace(goTool(t, ".", runtime.GOARCH, "env", "GOMOD"))
	require.True(t, filepath.IsAbs(gomod), "go env GOMOD = %q: not inside the module", gomod)
	return filepath.Dir(gomod)
}

// tileProgram is a program that calls the dense kernels, so that the
// linker keeps every tile routine they reach.
const tileProgram = `package main

import "github.com/simdnn/simdnn"

var kernels = []any{simdnn.DenseForward, simdnn.DenseBackward}

func main() { println(len(kernels)) }
`

// buildProgram links tileProgram for linux/arch into dir and returns the
// binary's path. The program is not in the repository: go build's
// -overlay places it in a directory of the module that exists only for
// this build, so it imports the module's packages as they are on disk
// and the build cache serves the package objects on later runs.
func buildProgram(t *testing.T, root, dir, arch string) string {
	t.Helper()
	src := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(src, []byte(tileProgram), 0o644))
	virtual := filepath.Join(root, "internal", "mca", "tileprogram")
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(virtual, "main.go"): src},
	})
	require.NoError(t, err)
	ov := filepath.Join(dir, "overlay.json")
	require.NoError(t, os.WriteFile(ov, overlay, 0o644))
	bin := filepath.Join(dir, arch+".bin")
	goTool(t, root, arch, "build", "-overlay", ov, "-o", bin, "./internal/mca/tileprogram")
	return bin
}

// packageTiles lists the TEXT routines of the root package's .s files
// for linux/arch whose names start with one of prefixes. It reads every
// file of the package for arch, so that go test's cache, which notes the
// files a test reads, runs the test again when one of them changes.
func packageTiles(t *testing.T, root, arch string, prefixes []string) []string {
	t.Helper()
	list := strings.TrimSpace(goTool(t, root, arch, "list", "-f",
		`{{.Dir}}|{{join .GoFiles "|"}}|{{join .HFiles "|"}}|{{join .SFiles "|"}}`, rootPath))
	files := strings.Split(list, "|")
	textRe := regexp.MustCompile(`(?m)^TEXT\s+·(\w+)\(SB\)`)
	var tiles []string
	for _, f := range files[1:] {
		if f == "" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(files[0], f))
		require.NoError(t, err)
		if !strings.HasSuffix(f, ".s") {
			continue
		}
		for _, m := range textRe.FindAllStringSubmatch(string(src), -1) {
			if hasPrefix(m[1], prefixes) {
				tiles = append(tiles, m[1])
			}
		}
	}
	slices.Sort(tiles)
	return tiles
}

// trackInputs reads the tools' binaries, so that go test's cache runs the
// test again when LLVM changes.
func trackInputs(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		_, err := os.ReadFile(tool)
		require.NoError(t, err)
	}
}

func hasPrefix(name string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// elfNames maps each tile to its symbol in the binary: the assembly body
// is the ABI0 symbol, named with ".abi0" when the linker also holds an
// ABIInternal wrapper of the same name. Tiles the binary lacks are left
// out.
func elfNames(t *testing.T, bin string, tiles []string) map[string]string {
	t.Helper()
	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.Symbols()
	require.NoError(t, err)
	have := map[string]bool{}
	for _, s := range syms {
		have[s.Name] = true
	}
	names := map[string]string{}
	for _, tile := range tiles {
		for _, name := range []string{rootPath + "." + tile + ".abi0", rootPath + "." + tile} {
			if have[name] {
				names[tile] = name
				break
			}
		}
	}
	return names
}

// inst is one disassembled instruction. A branch with a target in the
// same routine has target set; cond says it is conditional.
type inst struct {
	addr         uint64
	mnem, ops    string
	target       uint64
	branch, cond bool
}

func (in inst) String() string { return strings.TrimSpace(in.mnem + " " + in.ops) }

var (
	symLine  = regexp.MustCompile(`^[0-9a-f]+ <(.+)>:$`)
	instLine = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$`)
	// targetRe is a branch target as llvm-objdump prints it: an address,
	// then the symbol and offset it falls in.
	targetRe = regexp.MustCompile(`0x([0-9a-f]+)(?: <[^>]*>)?$`)
)

// disassemble runs llvm-objdump on the named symbols of bin and returns
// each symbol's instructions.
func disassemble(t *testing.T, objdump, bin, arch string, symbols []string) map[string][]inst {
	t.Helper()
	out, err := exec.Command(objdump, "-d", "--no-show-raw-insn",
		"--disassemble-symbols="+strings.Join(symbols, ","), bin).CombinedOutput()
	require.NoError(t, err, "llvm-objdump: %s", out)
	code := map[string][]inst{}
	sym := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := symLine.FindStringSubmatch(line); m != nil {
			sym = m[1]
			continue
		}
		m := instLine.FindStringSubmatch(line)
		if m == nil || sym == "" {
			continue
		}
		addr, err := strconv.ParseUint(m[1], 16, 64)
		require.NoError(t, err)
		in := inst{addr: addr, mnem: m[2], ops: stripComment(m[3], arch)}
		in.branch, in.cond = branchKind(in.mnem, arch)
		if in.branch {
			if tm := targetRe.FindStringSubmatch(in.ops); tm != nil {
				in.target, err = strconv.ParseUint(tm[1], 16, 64)
				require.NoError(t, err)
			}
		}
		code[sym] = append(code[sym], in)
	}
	return code
}

// stripComment drops the comment llvm-objdump appends to an operand list
// ("# zmm4 = …" on x86, "// =0x…" on arm64).
func stripComment(ops, arch string) string {
	mark := "#"
	if arch == "arm64" {
		mark = "//"
	}
	if i := strings.Index(ops, mark); i >= 0 {
		ops = ops[:i]
	}
	return strings.TrimSpace(ops)
}

// branchKind says whether mnem is a direct branch within code (calls are
// not) and whether it is conditional.
func branchKind(mnem, arch string) (branch, cond bool) {
	if arch == "arm64" {
		switch {
		case mnem == "b":
			return true, false
		case strings.HasPrefix(mnem, "b."), mnem == "cbz", mnem == "cbnz", mnem == "tbz", mnem == "tbnz":
			return true, true
		}
		return false, false
	}
	switch {
	case mnem == "jmp", mnem == "jmpq":
		return true, false
	case strings.HasPrefix(mnem, "j"):
		return true, true
	}
	return false, false
}

// loop is a tile's innermost loop: body[len(body)-1] is the conditional
// branch back to body[0].
type loop struct {
	body  []inst
	fmas  int // FMA instructions in body
	width int // their vector width in bits
}

// innermostLoop finds the hot loop of a routine: among the loops closed
// by a conditional branch back to an address inside the routine (the
// branch's target up to the branch) that hold no other backward branch
// (an inner loop of their own) and do hold FMAs, the one with the most
// FMAs; on a tie the one with the fewest instructions (a loop for partial
// panels adds mask work to the same FMAs), and the later one if those tie
// too.
func innermostLoop(code []inst, arch string) (loop, error) {
	if len(code) == 0 {
		return loop{}, fmt.Errorf("no instructions")
	}
	index := map[uint64]int{}
	for i, in := range code {
		index[in.addr] = i
	}
	backward := func(in inst) bool { return in.branch && in.target != 0 && in.target <= in.addr }
	var best loop
	for end, br := range code {
		start, ok := index[br.target]
		if !br.cond || !backward(br) || !ok {
			continue
		}
		body := code[start : end+1]
		if slices.ContainsFunc(body[:len(body)-1], backward) {
			continue
		}
		l := loop{body: body}
		for _, in := range body {
			if w := fmaWidth(in, arch); w > 0 {
				if l.width != 0 && l.width != w {
					return loop{}, fmt.Errorf("the loop at %#x mixes %d- and %d-bit FMAs", br.target, l.width, w)
				}
				l.fmas++
				l.width = w
			}
		}
		if l.fmas > 0 && (l.fmas > best.fmas || l.fmas == best.fmas && len(l.body) <= len(best.body)) {
			best = l
		}
	}
	if best.fmas == 0 {
		return loop{}, fmt.Errorf("no loop closed by a conditional backward branch holds an FMA")
	}
	return best, nil
}

var x86FMA = regexp.MustCompile(`^vf(n)?m(add|sub)(132|213|231)p[sd]$`)

// fmaWidth is the vector width in bits of a vector fused multiply-add
// (VFMADD231PS and its kin on amd64, FMLA and FMLS on arm64), else 0.
func fmaWidth(in inst, arch string) int {
	if arch == "arm64" {
		if (in.mnem == "fmla" || in.mnem == "fmls") && strings.HasPrefix(in.ops, "v") {
			return 128
		}
		return 0
	}
	if !x86FMA.MatchString(in.mnem) {
		return 0
	}
	switch {
	case strings.Contains(in.ops, "%zmm"):
		return 512
	case strings.Contains(in.ops, "%ymm"):
		return 256
	}
	return 128
}

// mcaSource is the loop as llvm-mca reads it: the branch back goes to a
// label at the top, and a branch out of the loop to a label after it.
func mcaSource(l loop) string {
	var b strings.Builder
	b.WriteString(".Lloop:\n")
	top := l.body[0].addr
	for _, in := range l.body {
		ops := in.ops
		if in.branch && in.target != 0 {
			label := ".Lexit"
			if in.target == top {
				label = ".Lloop"
			}
			ops = targetRe.ReplaceAllString(ops, label)
		}
		fmt.Fprintf(&b, "\t%s\t%s\n", in.mnem, ops)
	}
	b.WriteString(".Lexit:\n")
	return b.String()
}
