package simdnn

// TestAMD64Encodings checks every BYTE-encoded instruction of the amd64
// assembly, the macros of bf16_amd64.h, against LLVM's assembler, as
// TestNEONEncodings does the arm64 words. Each macro is assembled by the
// Go assembler itself (a throw-away amd64 program that includes the
// header) over operand sets that take each operand through every value
// it may hold, and each resulting byte sequence must equal the encoding
// llvm-mc gives for the macro's "llvm:" line with the same operands. The
// test also makes sure that no other amd64 assembly of the package
// writes a BYTE of its own.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// byteMacro is an instruction #define of bf16_amd64.h.
type byteMacro struct {
	name     string
	params   []string
	template string // llvm-mc Intel-syntax line with {param} placeholders
	length   int    // the bytes it emits, one per BYTE statement
}

// amd64Operand is a parameter of a byteMacro: the values it may take and
// how llvm-mc writes one.
type amd64Operand struct {
	values   []int
	register bool
	text     func(int) string
}

var (
	amd64DefineRe = regexp.MustCompile(`^#define (\w+)(?:\(([^)]*)\))? (.+)$`)
	byteStmtRe    = regexp.MustCompile(`^BYTE \$\S.*$`)
	byteWordRe    = regexp.MustCompile(`\bBYTE\b`)
	placeholderRe = regexp.MustCompile(`\{([A-Za-z_]\w*)\}`) // not {1to16}
	zmmRe         = regexp.MustCompile(`zmm\{(\w+)\}`)
	addressRe     = regexp.MustCompile(`\[\{(\w+)\}(?: \+ \{(\w+)\}\*\{(\w+)\})?\]`) // [{b}] or [{b} + {s}*{i}]
	x86EncodingRe = regexp.MustCompile(`# encoding: \[(0x[0-9a-f]{2}(?:,0x[0-9a-f]{2})*)\]`)
)

// gpNames are the general registers by number, as the header counts them.
var gpNames = []string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

func TestAMD64Encodings(t *testing.T) {
	requireHostToolchain(t)
	var root *asmPackage
	for _, p := range assemblyPackages(t, "amd64") {
		if p.path == "github.com/simdnn/simdnn" {
			root = &p
		}
	}
	require.NotNil(t, root, "go list finds no amd64 assembly in this package")
	require.Contains(t, root.hFiles, "bf16_amd64.h")
	header := filepath.Join(root.dir, "bf16_amd64.h")
	macros := parseByteMacros(t, header)
	checkByteUse(t, *root, macros)

	llvm := requireLLVMMC(t)
	checkAMD64Encodings(t, llvm, header, macros)
}

// parseByteMacros returns the instruction macros of header: each #define
// after an "llvm:" line, whose body must be BYTE statements only. A
// #define without an "llvm:" line is a helper of theirs and must not
// write BYTE.
func parseByteMacros(t *testing.T, header string) []byteMacro {
	src, err := os.ReadFile(header)
	require.NoError(t, err)
	var macros []byteMacro
	template := ""
	for _, line := range strings.Split(string(src), "\n") {
		if m := llvmLine.FindStringSubmatch(line); m != nil {
			template = m[1]
			continue
		}
		if !strings.HasPrefix(line, "#define") {
			continue
		}
		m := amd64DefineRe.FindStringSubmatch(line)
		require.NotNil(t, m, "%s: %q is not a one-line macro", header, line)
		require.False(t, strings.HasSuffix(line, `\`), "%s: %s continues on the next line; the test reads one-line macros", header, m[1])
		if template == "" {
			assert.NotRegexp(t, byteWordRe, m[3], "%s: %s writes BYTE but has no llvm: line", header, m[1])
			continue
		}
		stmts := strings.Split(m[3], ";")
		for _, s := range stmts {
			require.Regexp(t, byteStmtRe, strings.TrimSpace(s), "%s: %s has a statement that is not a BYTE", header, m[1])
		}
		var params []string
		if m[2] != "" {
			for _, p := range strings.Split(m[2], ",") {
				params = append(params, strings.TrimSpace(p))
			}
		}
		macros = append(macros, byteMacro{name: m[1], params: params, template: template, length: len(stmts)})
		template = ""
	}
	require.NotEmpty(t, macros)
	return macros
}

// checkByteUse fails t if an amd64 .s file of package p, or a header of
// it other than bf16_amd64.h, contains the word BYTE: instructions the Go
// assembler does not know come from the macros checked here only. A file
// that includes bf16_amd64.h must call one of them.
func checkByteUse(t *testing.T, p asmPackage, macros []byteMacro) {
	var names []string
	for _, m := range macros {
		names = append(names, m.name)
	}
	callRe := regexp.MustCompile(`\b(?:` + strings.Join(names, "|") + `)\(`)
	for _, f := range slices.Concat(p.sFiles, p.hFiles) {
		if f == "bf16_amd64.h" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(p.dir, f))
		require.NoError(t, err)
		if loc := byteWordRe.FindIndex(src); loc != nil {
			t.Errorf("%s:%d: BYTE: amd64 assembly must emit bytes only through bf16_amd64.h", f, 1+bytes.Count(src[:loc[0]], []byte("\n")))
		}
		if strings.Contains(string(src), `#include "bf16_amd64.h"`) {
			code := regexp.MustCompile(`//.*`).ReplaceAllString(string(src), "")
			assert.Regexp(t, callRe, code, "%s includes bf16_amd64.h but calls none of its macros", f)
		}
	}
}

// amd64Operands tells what each parameter of mac is by where its
// placeholder stands in the llvm: line. After "zmm" it is a vector
// register, 0…31. In an address, which has no displacement (ModRM mod
// 00), it is a general register, 0…15 but for the numbers whose low three
// bits mean something else there: the only register of the address
// (ModRM r/m) is not SP or R12 (r/m 100: a SIB byte follows) nor BP or
// R13 (r/m 101: RIP-relative); the base beside an index (SIB base) is
// not BP or R13 (101: no base); the index is not SP (100: no index).
// Before "*" it is the index scale, 1, 2, 4 or 8.
func amd64Operands(t *testing.T, mac byteMacro) map[string]amd64Operand {
	gp := func(not ...int) amd64Operand {
		var vals []int
		for r := range gpNames {
			if !slices.Contains(not, r) {
				vals = append(vals, r)
			}
		}
		return amd64Operand{values: vals, register: true, text: func(r int) string { return gpNames[r] }}
	}
	ops := map[string]amd64Operand{}
	for _, m := range zmmRe.FindAllStringSubmatch(mac.template, -1) {
		var vals []int
		for z := range 32 {
			vals = append(vals, z)
		}
		ops[m[1]] = amd64Operand{values: vals, register: true, text: strconv.Itoa}
	}
	for _, m := range addressRe.FindAllStringSubmatch(mac.template, -1) {
		if m[2] == "" {
			ops[m[1]] = gp(4, 5, 12, 13)
			continue
		}
		ops[m[1]] = gp(5, 13)
		ops[m[2]] = amd64Operand{values: []int{1, 2, 4, 8}, text: strconv.Itoa}
		ops[m[3]] = gp(4)
	}
	var places []string
	for _, m := range placeholderRe.FindAllStringSubmatch(mac.template, -1) {
		places = append(places, m[1])
		_, ok := ops[m[1]]
		require.True(t, ok, "%s: {%s} is neither zmm{%[2]s} nor part of an address [{b}] or [{b} + {s}*{i}]", mac.name, m[1])
	}
	require.ElementsMatch(t, mac.params, places, "%s: its parameters are not the placeholders of its llvm: line, each once", mac.name)
	return ops
}

// amd64OperandSets lists the operand values to assemble mac with:
// distinct registers at first, then each operand through all its values.
func amd64OperandSets(mac byteMacro, ops map[string]amd64Operand) [][]int {
	base := make([]int, len(mac.params))
	taken := map[int]bool{}
	for i, p := range mac.params {
		op := ops[p]
		for j := range op.values {
			v := op.values[(3+7*i+j)%len(op.values)]
			if !op.register || !taken[v] {
				base[i] = v
				break
			}
		}
		if op.register {
			taken[base[i]] = true
		}
	}
	sets := [][]int{base}
	for i, p := range mac.params {
		for _, v := range ops[p].values {
			s := slices.Clone(base)
			s[i] = v
			sets = append(sets, s)
		}
	}
	return sets
}

// checkAMD64Encodings assembles every macro of header over its operand
// sets with the Go assembler and with llvm-mc, one line per instruction:
// the macro call for the one, the llvm: line for the other, and fails t
// where the bytes differ. The Go assembler's code is cut at the macros'
// lengths (their BYTE statements), so that a macro of the wrong length
// shows as itself and not as a shift of all that follow.
func checkAMD64Encodings(t *testing.T, llvm, header string, macros []byteMacro) {
	var calls, lines []string
	var lengths []int
	for _, mac := range macros {
		ops := amd64Operands(t, mac)
		for _, set := range amd64OperandSets(mac, ops) {
			args := make([]string, len(set))
			text := map[string]string{}
			for i, v := range set {
				args[i] = strconv.Itoa(v)
				text[mac.params[i]] = ops[mac.params[i]].text(v)
			}
			calls = append(calls, fmt.Sprintf("\t%s(%s)", mac.name, strings.Join(args, ", ")))
			lines = append(lines, placeholderRe.ReplaceAllStringFunc(mac.template, func(s string) string {
				return text[s[1:len(s)-1]]
			}))
			lengths = append(lengths, mac.length)
		}
	}

	want := llvmEncodeX86(t, llvm, lines)
	require.Len(t, want, len(calls), "llvm-mc encoded a different number of instructions")
	total := 0
	for _, n := range lengths {
		total += n
	}
	code := goAssemble(t, "amd64", header, calls, total+1)
	require.Equal(t, byte(0xc3), code[total], "the calls are not followed by RET: the test counts their bytes wrong")
	off := 0
	for i, call := range calls {
		got := code[off : off+lengths[i]]
		off += lengths[i]
		if !bytes.Equal(got, want[i]) {
			t.Errorf("%s = % x, llvm-mc: %s = % x", strings.TrimSpace(call), got, lines[i], want[i])
		}
	}
	t.Logf("%s: %d macros, %d encodings checked against llvm-mc", header, len(macros), len(calls))
}

// llvmEncodeX86 returns the bytes llvm-mc assembles each line, an
// instruction in Intel syntax, to.
func llvmEncodeX86(t *testing.T, llvm string, lines []string) [][]byte {
	cmd := exec.Command(llvm, "-triple=x86_64", "-x86-asm-syntax=intel", "-output-asm-variant=1", "--show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "llvm-mc: %s", stderr.String())
	var codes [][]byte
	for _, m := range x86EncodingRe.FindAllStringSubmatch(string(out), -1) {
		var code []byte
		for _, h := range strings.Split(m[1], ",") {
			v, err := strconv.ParseUint(strings.TrimPrefix(h, "0x"), 16, 8)
			require.NoError(t, err)
			code = append(code, byte(v))
		}
		codes = append(codes, code)
	}
	return codes
}
