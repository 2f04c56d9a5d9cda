package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/simdnn/simdnn/bench"
)

// Targets: an implementation paired with an OpenBLAS core type should
// be at least as fast; on shapes whose m, k and n are all at least
// bigShape, an implementation should reach pctTarget % of its FMA peak.
const (
	bigShape  = 256
	pctTarget = 85
)

// implInfo is one implementation measured, with the FMA peak (GFLOP/s)
// its % of peak is held against; own is false where that peak is not its
// own ISA's (generic, held against the best this CPU has): it then gets
// no roofline and no % of peak target.
type implInfo struct {
	Name string  `json:"name"`
	Peak float64 `json:"peak_gflops"`
	Own  bool    `json:"own_peak"`
}

// peerInfo is one run of the numpy peer: the core type asked of
// OpenBLAS, the implementation it is held against, and what the peer
// reported it ran.
type peerInfo struct {
	Core     string `json:"coretype"`
	Impl     string `json:"impl"`
	Corename string `json:"corename"`
	Numpy    string `json:"numpy"`
	BLAS     string `json:"blas"`
	Config   string `json:"config"`
}

// label is the peer's column name: OpenBLAS and its core type, and the
// core OpenBLAS reported where it is not the one asked for.
func (p peerInfo) label() string {
	if p.Corename != "" && !strings.EqualFold(p.Corename, p.Core) {
		return fmt.Sprintf("OpenBLAS %s (ran %s)", p.Core, p.Corename)
	}
	return "OpenBLAS " + p.Core
}

// report is everything one run measured, as printed.
type report struct {
	CPU       string     `json:"cpu"`
	Go        string     `json:"go"`
	Bandwidth float64    `json:"bandwidth_gbps"` // one core, GB/s
	Rounds    int        `json:"rounds"`         // of simdnn then the peer, the best of all kept
	Impls     []implInfo `json:"impls"`
	Peers     []peerInfo `json:"peers"`
	PeerNote  string     `json:"peer_note,omitempty"` // why no peer ran
	Tables    []table    `json:"tables"`
}

// table is one op on every shape.
type table struct {
	Op    string `json:"op"`
	Title string `json:"title"` // the kernel, its math and FLOP count
	Rows  []row  `json:"rows"`
}

// row is one shape of one op: speeds in GFLOP/s per implementation and
// per peer core type, ratios per implementation paired with a peer, % of
// peak and the roofline per implementation, and what misses its target.
type row struct {
	Shape     string             `json:"shape"`
	Intensity float64            `json:"intensity"` // FLOP per byte of least traffic
	GFLOPS    map[string]float64 `json:"gflops"`
	Peer      map[string]float64 `json:"peer_gflops"`
	Ratio     map[string]float64 `json:"ratio"`
	PctPeak   map[string]float64 `json:"pct_peak"`
	Roof      map[string]roof    `json:"roof"`
	Below     []string           `json:"below_target"`
	big       bool               // m, k and n all at least bigShape
}

// roof is the roofline bound of one shape on one implementation.
type roof struct {
	Memory bool    `json:"memory"` // the bound is bandwidth, not FMA
	Bound  float64 `json:"bound_gflops"`
}

// roofline bounds work of intensity FLOP per byte on a core of peak
// GFLOP/s and bandwidth GB/s: memory-bound, at intensity·bandwidth,
// where intensity is below the machine balance peak/bandwidth; else
// FMA-bound, at peak.
func roofline(intensity, peak, bandwidth float64) roof {
	if intensity < peak/bandwidth {
		return roof{Memory: true, Bound: intensity * bandwidth}
	}
	return roof{Bound: peak}
}

// gflops is flop per call over seconds per call, in GFLOP/s; 0 when
// there is no time.
func gflops(flop, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return flop / seconds / 1e9
}

// makeRow turns the seconds per call of op on s, per implementation and
// per peer core type, into a row.
func makeRow(op bench.Op, s bench.Shape, impls []implInfo, peers []peerInfo, bandwidth float64, implSec, peerSec map[string]float64) row {
	flop := op.FLOP(s)
	r := row{Shape: s.String(), Intensity: flop / op.Bytes(s), GFLOPS: map[string]float64{}, Peer: map[string]float64{},
		Ratio: map[string]float64{}, PctPeak: map[string]float64{}, Roof: map[string]roof{},
		big: s.M >= bigShape && s.K >= bigShape && s.N >= bigShape}
	for _, p := range peers {
		if g := gflops(flop, peerSec[p.Core]); g > 0 {
			r.Peer[p.Core] = g
		}
	}
	for _, im := range impls {
		g := gflops(flop, implSec[im.Name])
		if g == 0 {
			continue
		}
		r.GFLOPS[im.Name] = g
		if im.Peak > 0 {
			r.PctPeak[im.Name] = 100 * g / im.Peak
		}
		if im.Own && im.Peak > 0 && bandwidth > 0 {
			r.Roof[im.Name] = roofline(r.Intensity, im.Peak, bandwidth)
		}
		for _, p := range peers {
			if p.Impl == im.Name && r.Peer[p.Core] > 0 {
				r.Ratio[im.Name] = g / r.Peer[p.Core]
				if r.Ratio[im.Name] < 1 {
					r.Below = append(r.Below, fmt.Sprintf("%s < %s", im.Name, p.label()))
				}
			}
		}
		if r.big && im.Own && im.Peak > 0 && r.PctPeak[im.Name] < pctTarget {
			r.Below = append(r.Below, fmt.Sprintf("%s < %d %% of peak", im.Name, pctTarget))
		}
	}
	return r
}

// num formats v with three significant digits, no exponent: 224,
// 85.3, 1.23, 0.0512.
func num(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', min(max(digits, 0), 6), 64)
}

// cell is v formatted by f, bold when bad, "–" when absent.
func cell(v float64, ok, bad bool, f func(float64) string) string {
	switch {
	case !ok:
		return "–"
	case bad:
		return "**" + f(v) + "**"
	}
	return f(v)
}

// pct is a percentage, whole, and ratio has two decimals: both
// truncated, so that a figure below its target never reads as the
// target (84.7 % is 84 %, 0.996 is 0.99).
func pct(v float64) string   { return fmt.Sprintf("%.0f %%", math.Floor(v)) }
func ratio(v float64) string { return fmt.Sprintf("%.2f", trunc(v*100)/100) }

func trunc(v float64) float64 { return math.Floor(v + 1e-9) }

// writeTable writes t as a markdown table: shape, intensity, GFLOP/s of
// each implementation and peer, the ratios, % of peak, the roofline of
// each implementation with its own peak, and the targets missed, the
// misses in bold.
func writeTable(w io.Writer, t table, impls []implInfo, peers []peerInfo) error {
	head := []string{"shape m×k×n", "FLOP/B"}
	for _, im := range impls {
		head = append(head, im.Name+" GFLOP/s")
	}
	for _, p := range peers {
		head = append(head, p.label()+" GFLOP/s")
	}
	for _, p := range peers {
		if hasImpl(impls, p.Impl) {
			head = append(head, p.Impl+" ÷ "+p.label())
		}
	}
	for _, im := range impls {
		head = append(head, im.Name+" % of peak")
	}
	for _, im := range impls {
		if im.Own {
			head = append(head, im.Name+" roof")
		}
	}
	head = append(head, "below target")
	lines := []string{"| " + strings.Join(head, " | ") + " |", strings.Repeat("|---", len(head)) + "|"}
	for _, r := range t.Rows {
		lines = append(lines, "| "+strings.Join(rowCells(r, impls, peers), " | ")+" |")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// rowCells are r's cells in writeTable's column order.
func rowCells(r row, impls []implInfo, peers []peerInfo) []string {
	c := []string{strings.ReplaceAll(r.Shape, "x", "×"), num(r.Intensity)}
	for _, im := range impls {
		g, ok := r.GFLOPS[im.Name]
		c = append(c, cell(g, ok, false, num))
	}
	for _, p := range peers {
		g, ok := r.Peer[p.Core]
		c = append(c, cell(g, ok, false, num))
	}
	for _, p := range peers {
		if hasImpl(impls, p.Impl) {
			v, ok := r.Ratio[p.Impl]
			c = append(c, cell(v, ok, v < 1, ratio))
		}
	}
	for _, im := range impls {
		v, ok := r.PctPeak[im.Name]
		c = append(c, cell(v, ok, r.big && im.Own && v < pctTarget, pct))
	}
	for _, im := range impls {
		if im.Own {
			c = append(c, roofCell(r.Roof[im.Name], r.Roof[im.Name] != roof{}))
		}
	}
	return append(c, strings.Join(r.Below, "; "))
}

// roofCell is "FMA", or "memory" with the bound in GFLOP/s.
func roofCell(rf roof, ok bool) string {
	switch {
	case !ok:
		return "–"
	case rf.Memory:
		return "memory " + num(rf.Bound)
	}
	return "FMA"
}

func hasImpl(impls []implInfo, name string) bool {
	for _, im := range impls {
		if im.Name == name {
			return true
		}
	}
	return false
}

// writeReport writes the run's conditions and one table per op.
func writeReport(w io.Writer, r report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "CPU: %s; %s", r.CPU, r.Go)
	b.WriteString("; one thread, best of runs by the thread's CPU time")
	if r.Rounds > 1 {
		fmt.Fprintf(&b, ", over %d rounds", r.Rounds)
		if len(r.Peers) > 0 {
			b.WriteString(" of simdnn then the peer")
		}
	}
	b.WriteString(".\n\n")
	var peaks, balances []string
	for _, im := range r.Impls {
		if im.Own {
			peaks = append(peaks, fmt.Sprintf("%s %s GFLOP/s", im.Name, num(im.Peak)))
			balances = append(balances, fmt.Sprintf("%s %s", im.Name, num(im.Peak/r.Bandwidth)))
		} else if im.Peak > 0 {
			peaks = append(peaks, fmt.Sprintf("%s held against the best, %s", im.Name, num(im.Peak)))
		}
	}
	fmt.Fprintf(&b, "- FMA peak of one core: %s\n", strings.Join(peaks, "; "))
	fmt.Fprintf(&b, "- memory bandwidth of one core (copy): %s GB/s; machine balance (FLOP/byte): %s\n", num(r.Bandwidth), strings.Join(balances, ", "))
	for _, p := range r.Peers {
		fmt.Fprintf(&b, "- %s: numpy %s, %s (%s), held against %s\n", p.label(), p.Numpy, p.BLAS, p.Config, p.Impl)
	}
	if r.PeerNote != "" {
		fmt.Fprintf(&b, "- OpenBLAS: not run: %s\n", r.PeerNote)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, t := range r.Tables {
		if _, err := fmt.Fprintf(w, "\n%s\n\n", t.Title); err != nil {
			return err
		}
		if err := writeTable(w, t, r.Impls, r.Peers); err != nil {
			return err
		}
	}
	return nil
}

// opTitle names an op's kernel and its FLOP count.
func opTitle(op bench.Op) string {
	switch op.Name {
	case "forward":
		return "DenseForward (y = max(x·w + b, 0)), 2mkn FLOP:"
	case "backward":
		return "DenseBackward (dw = xᵀ·dy, db, dx = dy·wᵀ), 4mkn FLOP (db's adds not counted):"
	}
	return op.Name + ":"
}
