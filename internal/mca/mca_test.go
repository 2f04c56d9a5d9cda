//go:build amd64 && !purego

package mca

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// pipes names the units of one kind in an LLVM scheduling model, as
// llvm-mca lists them under "Resources:"; a group of n like units is
// listed n times under one name, and each listing counts as a pipe.
type pipes []string

// fmaPipes are the pipes a vector FMA of one width issues to, and the
// cycles one FMA holds them, summed over the pipes it uses: the model's
// ReleaseAtCycles, which llvm-mca's resource pressure table shows.
type fmaPipes struct {
	pipes
	cycles float64
}

// cpuModel is one -mcpu of llvm-mca and where its FMAs and loads go.
type cpuModel struct {
	name   string
	triple string
	fma    map[int]fmaPipes // by the FMA's vector width in bits
	loads  pipes
}

// The CPU models of each GOARCH, the one the gate applies to first. Each
// mapping below is what LLVM 19's scheduling model says (read from
// llvm-mca's "Resources:" list and the per-instruction resource pressure
// of FMA loops), not what the vendor's manual says; where the two differ
// the comment says so, and the figures are the model's.
// TestTileThroughput checks every FMA of every loop against this table
// (pipes and cycles), so a model that changes fails the test instead of
// skewing the figures.
var cpuModels = map[string][]cpuModel{
	"amd64": {
		{
			// Zen 4: the FP pipes FP0 and FP1 multiply and fuse-multiply-add
			// (FP2/FP3 add, FP45 carry loads into the FP registers). The
			// model double-pumps 512-bit operations: a zmm FMA holds FP0 or
			// FP1 for 2 cycles, so the pair completes one zmm FMA a cycle
			// (its RThroughput is 1.00) and two ymm or xmm FMAs. A zmm
			// VBROADCASTSS from memory also takes FP1 for a cycle in the
			// model, an FMA's embedded broadcast ({1to16}) does not. Loads:
			// the three Zn4Load units.
			name:   "znver4",
			triple: "x86_64-unknown-unknown",
			fma: map[int]fmaPipes{
				512: {pipes{"Zn4FP0", "Zn4FP1"}, 2},
				256: {pipes{"Zn4FP0", "Zn4FP1"}, 1},
				128: {pipes{"Zn4FP0", "Zn4FP1"}, 1},
			},
			loads: pipes{"Zn4Load", "Zn4Load", "Zn4Load"},
		},
		{
			// Sapphire Rapids: ymm and xmm FMAs go to ports 0 and 1. A zmm
			// FMA goes to port 0 alone in the model (port 1's vector unit is
			// fused with port 0's for 512-bit work); the second 512-bit FMA
			// unit of the Xeon parts, on port 5, is not in LLVM 19's model,
			// so the model's zmm peak is one FMA a cycle, half the
			// two-unit parts'. Loads: ports 2, 3 and 11.
			name:   "sapphirerapids",
			triple: "x86_64-unknown-unknown",
			fma: map[int]fmaPipes{
				512: {pipes{"SPRPort00"}, 1},
				256: {pipes{"SPRPort00", "SPRPort01"}, 1},
				128: {pipes{"SPRPort00", "SPRPort01"}, 1},
			},
			loads: pipes{"SPRPort02", "SPRPort03", "SPRPort11"},
		},
	},
	"arm64": {
		{
			// Neoverse N1: the two ASIMD/FP pipes V0 and V1 both execute
			// FMLA, one a cycle each. Loads: the two L units.
			name:   "neoverse-n1",
			triple: "aarch64-unknown-unknown",
			fma:    map[int]fmaPipes{128: {pipes{"N1UnitV0", "N1UnitV1"}, 1}},
			loads:  pipes{"N1UnitL", "N1UnitL"},
		},
		{
			// Neoverse V2: four 128-bit vector pipes V0…V3, all with FMLA.
			// Loads: L0 and L1 (the L01 group) and L2.
			name:   "neoverse-v2",
			triple: "aarch64-unknown-unknown",
			fma:    map[int]fmaPipes{128: {pipes{"V2UnitV0", "V2UnitV1", "V2UnitV2", "V2UnitV3"}, 1}},
			loads:  pipes{"V2UnitL01", "V2UnitL01", "V2UnitL2"},
		},
		{
			// Apple M1: LLVM 19 schedules every Apple core with the Cyclone
			// model, which has three vector units (CyUnitV, listed three
			// times) where the M1's Firestorm cores have four FP/SIMD pipes;
			// an FMLA takes one of the three for a cycle. Its figures are a
			// three-pipe machine's. Loads: the two load/store units CyUnitLS.
			name:   "apple-m1",
			triple: "aarch64-unknown-unknown",
			fma:    map[int]fmaPipes{128: {pipes{"CyUnitV", "CyUnitV", "CyUnitV"}, 1}},
			loads:  pipes{"CyUnitLS", "CyUnitLS"},
		},
	},
}

// mcaIterations is how many times llvm-mca runs the loop; the pipeline's
// fill and drain spread over them to a few hundredths of a cycle.
const mcaIterations = 400

// report is what llvm-mca predicts for one loop on one CPU model.
type report struct {
	cycles      float64 // simulated cycles per iteration
	rthroughput float64 // Block RThroughput: the resources' bound
	fmaCycles   float64 // FMA-pipe cycles the loop's FMAs take per iteration
	fmaPipes    int
	loadCycles  float64 // load-pipe cycles per iteration, all instructions
	loadPipes   int
	bottleneck  string
}

// fmaUse is the fraction of the FMA pipes' cycles that FMAs keep busy.
func (r report) fmaUse() float64 { return r.fmaCycles / (float64(r.fmaPipes) * r.cycles) }

// loadUse is the fraction of the load pipes' cycles in use.
func (r report) loadUse() float64 { return r.loadCycles / (float64(r.loadPipes) * r.cycles) }

// runMCA runs llvm-mca on l for cpu and reads its report. out is
// llvm-mca's whole output, for the log when something fails.
func runMCA(mca string, cpu cpuModel, l loop, arch string) (r report, out string, err error) {
	cmd := exec.Command(mca, "-mtriple="+cpu.triple, "-mcpu="+cpu.name,
		"-iterations="+strconv.Itoa(mcaIterations), "-bottleneck-analysis")
	cmd.Stdin = strings.NewReader(mcaSource(l))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	out = string(raw)
	if err != nil {
		return r, out, fmt.Errorf("llvm-mca -mcpu=%s: %v: %s", cpu.name, err, stderr.String())
	}
	r, err = parseReport(out, cpu, l, arch)
	return r, out, err
}

var (
	summaryRe  = regexp.MustCompile(`(?m)^(Iterations|Total Cycles|Block RThroughput):\s+([0-9.]+)`)
	resourceRe = regexp.MustCompile(`^\[[0-9.]+\]\s+-\s+(\S+)$`)
	pressureRe = regexp.MustCompile(`^\s+- (\S+)\s+\[\s*([0-9.]+)%\s*\]$`)
	sectionRe  = regexp.MustCompile(`^\s*(Resource Pressure|Data Dependencies:)\s+\[\s*([0-9.]+)%\s*\]$`)
)

// parseReport reads llvm-mca's summary, its list of resources, the
// resource pressure of each instruction and the bottleneck analysis, and
// sums the FMAs' cycles on the FMA pipes and all instructions' cycles on
// the load pipes.
func parseReport(out string, cpu cpuModel, l loop, arch string) (report, error) {
	var r report
	summary := map[string]float64{}
	for _, m := range summaryRe.FindAllStringSubmatch(out, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return r, err
		}
		summary[m[1]] = v
	}
	if summary["Iterations"] == 0 || summary["Total Cycles"] == 0 {
		return r, fmt.Errorf("no summary in llvm-mca's output")
	}
	r.cycles = summary["Total Cycles"] / summary["Iterations"]
	r.rthroughput = summary["Block RThroughput"]

	lines := strings.Split(out, "\n")
	at := func(head string) int { return slices.IndexFunc(lines, func(s string) bool { return s == head }) }
	var names []string
	if i := at("Resources:"); i >= 0 {
		for _, s := range lines[i+1:] {
			m := resourceRe.FindStringSubmatch(strings.TrimSpace(s))
			if m == nil {
				break
			}
			names = append(names, m[1])
		}
	}
	fp, ok := cpu.fma[l.width]
	if !ok {
		return r, fmt.Errorf("no FMA pipes listed for %d-bit FMAs", l.width)
	}
	fmaCols, err := columns(names, fp.pipes)
	if err != nil {
		return r, err
	}
	loadCols, err := columns(names, cpu.loads)
	if err != nil {
		return r, err
	}
	r.fmaPipes, r.loadPipes = len(fmaCols), len(loadCols)

	i := at("Resource pressure by instruction:")
	if i < 0 || i+2+len(l.body) > len(lines) {
		return r, fmt.Errorf("no resource pressure by instruction in llvm-mca's output")
	}
	for k, in := range l.body {
		f := strings.Fields(lines[i+2+k])
		if len(f) <= len(names) || !strings.EqualFold(f[len(names)], in.mnem) {
			return r, fmt.Errorf("resource pressure row %d is %q, want the instruction %s", k, lines[i+2+k], in)
		}
		fmaCyc, loadCyc := sumColumns(f, fmaCols), sumColumns(f, loadCols)
		r.loadCycles += loadCyc
		if fmaWidth(in, arch) == 0 {
			continue
		}
		if math.Abs(fmaCyc-fp.cycles) > 0.05*fp.cycles {
			return r, fmt.Errorf("%s takes %.2f cycles on %v, the table says %.2f: LLVM's scheduling model is not the one the table describes",
				in, fmaCyc, fp.pipes, fp.cycles)
		}
		r.fmaCycles += fmaCyc
	}
	r.bottleneck = bottleneck(lines)
	return r, nil
}

// columns finds the columns of the resources ps names, once each.
func columns(names []string, ps pipes) ([]int, error) {
	var cols []int
	for c, n := range names {
		if slices.Contains(ps, n) {
			cols = append(cols, c)
		}
	}
	if len(cols) != len(ps) {
		return nil, fmt.Errorf("the model lists %d units named in %v among its resources %v, the table %d",
			len(cols), ps, names, len(ps))
	}
	return cols, nil
}

// sumColumns adds the values of row f in cols ("-" is zero).
func sumColumns(f []string, cols []int) float64 {
	var s float64
	for _, c := range cols {
		if v, err := strconv.ParseFloat(f[c], 64); err == nil {
			s += v
		}
	}
	return s
}

// bottleneck names what llvm-mca's bottleneck analysis blames most: the
// resource under the most pressure, or the data dependencies when they
// hold up more cycles.
func bottleneck(lines []string) string {
	var section, top string
	var resource, data, topPct float64
	for _, s := range lines {
		if strings.Contains(s, "No resource or data dependency bottlenecks discovered") {
			return "none"
		}
		if m := sectionRe.FindStringSubmatch(s); m != nil {
			section = m[1]
			v, _ := strconv.ParseFloat(m[2], 64)
			if section == "Resource Pressure" {
				resource = v
			} else {
				data = v
			}
			continue
		}
		if m := pressureRe.FindStringSubmatch(s); m != nil && section == "Resource Pressure" {
			if v, _ := strconv.ParseFloat(m[2], 64); v > topPct {
				top, topPct = m[1], v
			}
		}
	}
	switch {
	case top == "" && data == 0:
		return "?"
	case data > resource:
		return fmt.Sprintf("data dependencies (%.0f %%)", data)
	}
	return fmt.Sprintf("%s (%.0f %%)", top, topPct)
}
