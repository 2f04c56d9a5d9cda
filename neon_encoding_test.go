package simdnn

// TestNEONEncodings checks every WORD-encoded instruction of the arm64
// assembly of every package (this one and internal/byterows, each with
// its own neon_arm64.h) against LLVM's assembler. Each macro of a
// package's header is assembled by the Go assembler itself (a throw-away
// arm64 program that includes the header) over operand sets that set
// every bit of every register field and every immediate value, and each
// resulting word must equal the encoding llvm-mc gives for the macro's
// "llvm:" mnemonic with the same operands. The test also makes sure that
// no arm64 .s file writes a WORD of its own or uses a macro that is
// neither its own nor checked here.

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wordMacro is one #define of a neon_arm64.h.
type wordMacro struct {
	name     string
	params   []string
	template string // llvm-mc mnemonic with {param} placeholders
}

var (
	llvmLine  = regexp.MustCompile(`^// llvm: (.+)$`)
	defineRe  = regexp.MustCompile(`^#define (\w+)\(([^)]*)\) WORD \$\(.*\)$`)
	placeRe   = regexp.MustCompile(`(.)\{(\w+)\}`)
	encodeRe  = regexp.MustCompile(`encoding: \[0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2})\]`)
	macroUses = regexp.MustCompile(`\b([A-Z][A-Z0-9]*)\(`)
)

func parseWordMacros(t *testing.T, header string) []wordMacro {
	src, err := os.ReadFile(header)
	require.NoError(t, err)
	var macros []wordMacro
	template := ""
	for _, line := range strings.Split(string(src), "\n") {
		if m := llvmLine.FindStringSubmatch(line); m != nil {
			template = m[1]
			continue
		}
		if strings.HasPrefix(line, "#define") {
			m := defineRe.FindStringSubmatch(line)
			require.NotNil(t, m, "%s: %q is not a WORD macro", header, line)
			require.NotEmpty(t, template, "%s: %s has no llvm: line", header, m[1])
			var params []string
			for _, p := range strings.Split(m[2], ",") {
				params = append(params, strings.TrimSpace(p))
			}
			macros = append(macros, wordMacro{name: m[1], params: params, template: template})
			template = ""
		}
	}
	require.NotEmpty(t, macros)
	return macros
}

// immediates are the values each immediate operand takes: its whole range.
var immediates = map[string][]int{
	"i": {0, 1, 2, 3}, // lane of a .4S vector
	"s": func() []int { // SSHR shift of 32-bit lanes
		var s []int
		for v := 1; v <= 32; v++ {
			s = append(s, v)
		}
		return s
	}(),
}

// operandSets lists the operand values to assemble a macro with: registers
// distinct at first, then each register through 0, 31 and every single
// bit, each immediate through its range.
func operandSets(t *testing.T, mac wordMacro) [][]int {
	isReg := map[string]bool{}
	for _, m := range placeRe.FindAllStringSubmatch(mac.template, -1) {
		isReg[m[2]] = m[1] == "v" || m[1] == "s"
	}
	base := make([]int, len(mac.params))
	for i, p := range mac.params {
		if isReg[p] {
			base[i] = 3 + 7*i
		} else {
			vals, ok := immediates[p]
			require.True(t, ok, "%s: operand %s is neither a register nor a known immediate", mac.name, p)
			base[i] = vals[0]
		}
	}
	sets := [][]int{base}
	for i, p := range mac.params {
		vals := []int{0, 1, 2, 4, 8, 16, 31}
		if !isReg[p] {
			vals = immediates[p]
		}
		for _, v := range vals {
			s := append([]int(nil), base...)
			s[i] = v
			sets = append(sets, s)
		}
	}
	return sets
}

// requireLLVMMC returns llvm-mc's path; without it the test fails under
// CI and is skipped elsewhere.
func requireLLVMMC(t *testing.T) string {
	t.Helper()
	llvm, err := exec.LookPath("llvm-mc")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("llvm-mc is not installed; CI must install it (Debian package llvm)")
		}
		t.Skip("llvm-mc not installed (Debian package llvm); CI runs this test")
	}
	return llvm
}

func TestNEONEncodings(t *testing.T) {
	requireHostToolchain(t)
	llvm := requireLLVMMC(t)
	var checked []string
	for _, p := range assemblyPackages(t, "arm64") {
		t.Run(strings.TrimPrefix(p.path, "github.com/simdnn/"), func(t *testing.T) {
			var macros []wordMacro
			if slices.Contains(p.hFiles, "neon_arm64.h") {
				macros = parseWordMacros(t, filepath.Join(p.dir, "neon_arm64.h"))
				checked = append(checked, p.path)
			}
			for _, f := range p.sFiles {
				if strings.HasSuffix(f, "_arm64.s") {
					checkMacroUse(t, filepath.Join(p.dir, f), macros)
				}
			}
			if macros != nil {
				checkEncodings(t, llvm, filepath.Join(p.dir, "neon_arm64.h"), macros)
			}
		})
	}
	assert.Subset(t, checked, []string{"github.com/simdnn/simdnn", "github.com/simdnn/simdnn/internal/byterows"}, "packages with a neon_arm64.h")
}

// checkMacroUse fails t unless the assembly file emits words only through
// macros (no WORD of its own) and calls no macro but its own and those
// of its header, and uses at least one of those when it includes the
// header (a file the Go assembler covers whole need not).
func checkMacroUse(t *testing.T, file string, macros []wordMacro) {
	asm, err := os.ReadFile(file)
	require.NoError(t, err)
	name := filepath.Base(file)
	assert.NotContains(t, string(asm), "WORD", "%s must emit WORD only through neon_arm64.h", name)
	known := map[string]bool{}
	for _, m := range macros {
		known[m.name] = true
	}
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`#define (\w+)`).FindAllStringSubmatch(string(asm), -1) {
		defined[m[1]] = true
	}
	code := regexp.MustCompile(`//.*`).ReplaceAllString(string(asm), "")
	used := 0
	for _, m := range macroUses.FindAllStringSubmatch(code, -1) {
		if known[m[1]] {
			used++
		} else {
			assert.True(t, defined[m[1]], "%s calls %s(…), which is neither its own macro nor checked here", name, m[1])
		}
	}
	if len(macros) > 0 && strings.Contains(string(asm), `#include "neon_arm64.h"`) {
		assert.Positive(t, used, "%s includes its header but uses none of its macros", name)
	}
}

// checkEncodings assembles every macro of header over its operand sets
// with the Go assembler and with llvm-mc, one line per instruction: the
// macro call for the one, the mnemonic for the other, and fails t where
// the words differ.
func checkEncodings(t *testing.T, llvm, header string, macros []wordMacro) {
	var calls, mnemonics []string
	for _, mac := range macros {
		for _, ops := range operandSets(t, mac) {
			args := make([]string, len(ops))
			vals := map[string]string{}
			for i, v := range ops {
				args[i] = strconv.Itoa(v)
				vals[mac.params[i]] = args[i]
			}
			calls = append(calls, fmt.Sprintf("\t%s(%s)", mac.name, strings.Join(args, ", ")))
			mnemonics = append(mnemonics, placeRe.ReplaceAllStringFunc(mac.template, func(s string) string {
				m := placeRe.FindStringSubmatch(s)
				return m[1] + vals[m[2]]
			}))
		}
	}

	want := llvmEncode(t, llvm, mnemonics)
	code := goAssemble(t, "arm64", header, calls, 4*(len(calls)+1))
	got := make([]uint32, len(calls)+1)
	for i := range got {
		got[i] = binary.LittleEndian.Uint32(code[4*i:])
	}
	require.Len(t, want, len(calls), "llvm-mc encoded a different number of instructions")
	require.GreaterOrEqual(t, len(got), len(calls))
	for i := range calls {
		if got[i] != want[i] {
			t.Errorf("%s = %#08x, llvm-mc: %s = %#08x (bits %#08x differ)", strings.TrimSpace(calls[i]), got[i], mnemonics[i], want[i], got[i]^want[i])
		}
	}
	t.Logf("%s: %d macros, %d encodings checked against llvm-mc", header, len(macros), len(calls))
}

// llvmEncode returns the little-endian words llvm-mc assembles lines to.
func llvmEncode(t *testing.T, llvm string, lines []string) []uint32 {
	cmd := exec.Command(llvm, "-triple=aarch64", "--show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "llvm-mc: %s", stderr.String())
	var words []uint32
	for _, m := range encodeRe.FindAllStringSubmatch(string(out), -1) {
		var b [4]byte
		for i := range b {
			v, err := strconv.ParseUint(m[i+1], 16, 8)
			require.NoError(t, err)
			b[i] = byte(v)
		}
		words = append(words, binary.LittleEndian.Uint32(b[:]))
	}
	return words
}

// goAssemble builds a linux program for arch whose function words holds
// the given calls of the header's macros, then RET, and returns the first
// n bytes of that function's code.
func goAssemble(t *testing.T, arch, headerFile string, calls []string, n int) []byte {
	dir := t.TempDir()
	header, err := os.ReadFile(headerFile)
	require.NoError(t, err)
	include := filepath.Base(headerFile)
	files := map[string]string{
		"go.mod":  "module wordcheck\n\ngo 1.26\n",
		"main.go": "package main\n\nfunc words()\n\nfunc main() { words() }\n",
		include:   string(header),
		"words_" + arch + ".s": "#include \"textflag.h\"\n#include \"" + include + "\"\n\nTEXT ·words(SB), NOSPLIT|NOFRAME, $0\n" +
			strings.Join(calls, "\n") + "\n\tRET\n",
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	bin := filepath.Join(dir, "words")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.Symbols()
	require.NoError(t, err)
	for _, s := range syms {
		if s.Name != "main.words" && s.Name != "main.words.abi0" {
			continue
		}
		sec := f.Sections[s.Section]
		code := make([]byte, n)
		_, err := sec.ReadAt(code, int64(s.Value-sec.Addr))
		require.NoError(t, err)
		return code
	}
	t.Fatal("main.words not found in the test program")
	return nil
}
