//go:build amd64 && !purego

package mca

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tilePrefixes are the name prefixes of the tile routines, by GOARCH.
var tilePrefixes = map[string][]string{
	"amd64": {"avx512Tile", "avx2Tile"},
	"arm64": {"neonTile"},
}

// requiredTiles are the tile families that must exist. The test checks
// every tile of every family of tilePrefixes that the sources define, and
// fails when a family listed here has none, so that a change removing a
// family's tiles fails instead of passing with nothing to check.
var requiredTiles = []string{"avx512Tile", "avx2Tile", "neonTile"}

// minFMAUse is the least share of the FMA pipes' cycles a tile's loop
// must fill with FMAs on the gate CPU of its architecture (the first of
// cpuModels: znver4 for amd64, neoverse-n1 for arm64), when the tile has
// more than one row.
const minFMAUse = 0.90

// minBoundUse applies to single-row tiles instead. A tile of R rows and
// V vectors loads V vectors of B and R values of A for its R·V FMAs a
// step; with one row nothing shares the B loads, so the loop may be bound
// by the load pipes rather than the FMA pipes. It must still keep one of
// the two kinds this busy: bound by its loads or its FMAs, not by a
// dependency chain, the front end or another unit.
const minBoundUse = 0.90

// shortfall lets a tile stay below the gate, down to floor, for reason.
type shortfall struct {
	floor  float64
	reason string
}

// belowGate lists the tiles allowed below the gate. An entry whose tile
// is gone or meets the gate fails the test, so that it leaves with its
// reason.
var belowGate = map[string]shortfall{
	"avx2Tile12x8": {0.74, "its loop for a partial panel, the driver's usual use of it (a last 1–7 " +
		"columns), loads B with VMASKMOVPS, which the znver4 model charges about two cycles of FP1, " +
		"an FMA pipe, and AVX2 has no other load that reads no column past the edge; on the Zen 5 of " +
		"bench/README.md it times within 5 % of the whole-panel loop (docs/kernels.md)"},
}

// tileRows reads a tile's row count from its name: avx512TileV4R6 (V
// vectors, R rows) or avx2Tile6x16 (rows × columns).
func tileRows(name string) (int, error) {
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`R(\d+)$`), regexp.MustCompile(`Tile(\d+)x\d+$`)} {
		if m := re.FindStringSubmatch(name); m != nil {
			return strconv.Atoi(m[1])
		}
	}
	return 0, fmt.Errorf("%s: name a tile …R<rows> or …Tile<rows>x<columns>", name)
}

// findTool finds an LLVM 19 tool: name-19 on PATH, else Debian's
// /usr/lib/llvm-19/bin/name.
func findTool(name string) (string, error) {
	if p, err := exec.LookPath(name + "-19"); err == nil {
		return p, nil
	}
	return exec.LookPath("/usr/lib/llvm-19/bin/" + name)
}

// TestTileThroughput predicts the throughput of every tile routine's
// innermost loop with llvm-mca (LLVM 19), for amd64 and arm64 alike: no
// arm64 machine times the NEON tiles here. For each loop and CPU model it
// logs the cycles an iteration takes, the FMAs an iteration does, the
// share of the FMA pipes' cycles those FMAs fill, the share of the load
// pipes' cycles in use and the bottleneck llvm-mca names. On the gate CPU
// a tile of several rows must fill at least minFMAUse of the FMA pipes,
// and a single-row tile must keep its FMA or its load pipes minBoundUse
// busy, unless belowGate lists it. It skips when the tools are missing,
// unless CI is set.
func TestTileThroughput(t *testing.T) {
	for _, p := range requiredTiles {
		require.True(t, slices.Contains(tilePrefixes["amd64"], p) || slices.Contains(tilePrefixes["arm64"], p),
			"requiredTiles lists %s, which is not one of tilePrefixes", p)
	}
	objdump, err1 := findTool("llvm-objdump")
	mca, err2 := findTool("llvm-mca")
	if err1 != nil || err2 != nil {
		const install = "apt-get install -y llvm-19"
		if os.Getenv("CI") != "" {
			t.Fatalf("llvm-objdump-19 or llvm-mca-19 is missing (%v): install them with %q", errors.Join(err1, err2), install)
		}
		t.Skipf("llvm-objdump-19 or llvm-mca-19 is missing (%s installs them); CI runs this test", install)
	}
	trackInputs(t, objdump, mca)
	root := moduleRoot(t)
	dir := t.TempDir()
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			tiles := packageTiles(t, root, arch, tilePrefixes[arch])
			for _, p := range tilePrefixes[arch] {
				if slices.Contains(requiredTiles, p) {
					assert.True(t, slices.ContainsFunc(tiles, func(n string) bool { return strings.HasPrefix(n, p) }),
						"%s: requiredTiles lists %s, and the root package's assembly has no routine so named", arch, p)
				}
			}
			for tile := range belowGate {
				if hasPrefix(tile, tilePrefixes[arch]) {
					assert.Contains(t, tiles, tile, "belowGate lists %s, which the sources no longer define: remove it", tile)
				}
			}
			if len(tiles) == 0 {
				t.Logf("no %s tile routines (%s…) in the sources", arch, strings.Join(tilePrefixes[arch], "…, "))
				return
			}
			table := checkTiles(t, objdump, mca, buildProgram(t, root, dir, arch), arch, tiles)
			t.Logf("llvm-mca -iterations=%d on the %s tiles' innermost loops; the gate applies on %s:\n"+
				"| tile | rows | cpu | cycles/iteration | block RThroughput | FMAs/iteration | FMA-pipe use | load-pipe use | bottleneck | gate |\n"+
				"|---|---|---|---|---|---|---|---|---|---|\n%s",
				mcaIterations, arch, cpuModels[arch][0].name, strings.Join(table, "\n"))
		})
	}
}

// checkTiles analyses each tile of the binary bin on each CPU model of
// arch, applies the gate and returns the rows of the table.
func checkTiles(t *testing.T, objdump, mca, bin, arch string, tiles []string) (table []string) {
	names := elfNames(t, bin, tiles)
	var symbols []string
	for _, tile := range tiles {
		if assert.Contains(t, names, tile, "%s is in the sources but not in a program that calls the dense kernels: no kernel reaches it", tile) {
			symbols = append(symbols, names[tile])
		}
	}
	code := disassemble(t, objdump, bin, arch, symbols)
	for _, tile := range tiles {
		if names[tile] == "" {
			continue
		}
		t.Run(tile, func(t *testing.T) {
			rows, err := tileRows(tile)
			require.NoError(t, err)
			l, err := innermostLoop(code[names[tile]], arch)
			require.NoError(t, err, "%s", tile)
			for i, cpu := range cpuModels[arch] {
				r, out, err := runMCA(mca, cpu, l, arch)
				if !assert.NoError(t, err, "%s on %s; the loop:\n%s\nllvm-mca:\n%s", tile, cpu.name, mcaSource(l), out) {
					continue
				}
				verdict := ""
				if i == 0 {
					verdict = gate(t, tile, rows, cpu, r, l)
				}
				table = append(table, fmt.Sprintf("| %s | %d | %s | %.2f | %.1f | %d | %.1f %% | %.1f %% | %s | %s |",
					tile, rows, cpu.name, r.cycles, r.rthroughput, l.fmas, 100*r.fmaUse(), 100*r.loadUse(), r.bottleneck, verdict))
			}
		})
	}
	return table
}

// gate applies the rule for the tile's row count on the gate CPU and
// returns the table's verdict.
func gate(t *testing.T, tile string, rows int, cpu cpuModel, r report, l loop) string {
	t.Helper()
	use, want, what := r.fmaUse(), minFMAUse, "its FMAs fill %.1f %% of the FMA pipes' cycles"
	if rows == 1 {
		use, want, what = max(r.fmaUse(), r.loadUse()), minBoundUse,
			"a single-row tile must be bound by its FMA or its load pipes, and keeps them %.1f %% busy at the most"
	}
	detail := fmt.Sprintf(" (%.2f cycles an iteration, bottleneck %s); the loop:\n%s", r.cycles, r.bottleneck, mcaSource(l))
	short, listed := belowGate[tile]
	switch {
	case use >= want && listed:
		t.Errorf("%s on %s meets the gate (%.1f %% ≥ %.0f %%): remove it from belowGate", tile, cpu.name, 100*use, 100*want)
		return "pass, but listed"
	case use >= want:
		return "pass"
	case listed && use >= short.floor:
		return fmt.Sprintf("below; belowGate allows %.0f %%", 100*short.floor)
	case listed:
		t.Errorf("%s on %s: "+what+", below its belowGate floor of %.0f %% (%s)%s", tile, cpu.name, 100*use, 100*short.floor, short.reason, detail)
	default:
		t.Errorf("%s on %s: "+what+", want %.0f %%%s", tile, cpu.name, 100*use, 100*want, detail)
	}
	return "FAIL"
}
