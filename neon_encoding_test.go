package simdnn

// TestNEONEncodings checks every WORD-encoded instruction of the arm64
// assembly against LLVM's assembler. Each macro in neon_arm64.h is
// assembled by the Go assembler itself (a throw-away arm64 program that
// includes the header) over operand sets that set every bit of every
// register field and every immediate value, and each resulting word must
// equal the encoding llvm-mc gives for the macro's "llvm:" mnemonic with
// the same operands. The test also makes sure kernels_arm64.s writes no
// WORD of its own and uses no macro that is not checked here.

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
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wordMacro is one #define of neon_arm64.h.
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

func parseWordMacros(t *testing.T) []wordMacro {
	src, err := os.ReadFile("neon_arm64.h")
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
			require.NotNil(t, m, "neon_arm64.h: %q is not a WORD macro", line)
			require.NotEmpty(t, template, "neon_arm64.h: %s has no llvm: line", m[1])
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

func TestNEONEncodings(t *testing.T) {
	requireHostToolchain(t)
	llvm, err := exec.LookPath("llvm-mc")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("llvm-mc is not installed; CI must install it (Debian package llvm)")
		}
		t.Skip("llvm-mc not installed (Debian package llvm); CI runs this test")
	}
	macros := parseWordMacros(t)

	// kernels_arm64.s emits words only through these macros.
	asm, err := os.ReadFile("kernels_arm64.s")
	require.NoError(t, err)
	assert.NotContains(t, string(asm), "WORD", "kernels_arm64.s must emit WORD only through neon_arm64.h")
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
			assert.True(t, defined[m[1]], "kernels_arm64.s calls %s(…), which is neither its own macro nor checked here", m[1])
		}
	}
	assert.Positive(t, used)

	// One line per instruction: the macro call for the Go assembler and the
	// mnemonic for llvm-mc.
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
	got := goAssemble(t, calls)
	require.Len(t, want, len(calls), "llvm-mc encoded a different number of instructions")
	require.GreaterOrEqual(t, len(got), len(calls))
	for i := range calls {
		if got[i] != want[i] {
			t.Errorf("%s = %#08x, llvm-mc: %s = %#08x (bits %#08x differ)", strings.TrimSpace(calls[i]), got[i], mnemonics[i], want[i], got[i]^want[i])
		}
	}
	t.Logf("%d macros, %d encodings checked against llvm-mc", len(macros), len(calls))
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

// goAssemble builds a linux/arm64 program whose function words holds the
// given macro calls and returns that function's instruction words.
func goAssemble(t *testing.T, calls []string) []uint32 {
	dir := t.TempDir()
	header, err := os.ReadFile("neon_arm64.h")
	require.NoError(t, err)
	files := map[string]string{
		"go.mod":       "module wordcheck\n\ngo 1.26\n",
		"main.go":      "package main\n\nfunc words()\n\nfunc main() { words() }\n",
		"neon_arm64.h": string(header),
		"words_arm64.s": "#include \"textflag.h\"\n#include \"neon_arm64.h\"\n\nTEXT ·words(SB), NOSPLIT|NOFRAME, $0\n" +
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
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS=")
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
		code := make([]byte, 4*(len(calls)+1))
		_, err := sec.ReadAt(code, int64(s.Value-sec.Addr))
		require.NoError(t, err)
		words := make([]uint32, len(calls)+1)
		for i := range words {
			words[i] = binary.LittleEndian.Uint32(code[4*i:])
		}
		return words
	}
	t.Fatal("main.words not found in the test program")
	return nil
}
