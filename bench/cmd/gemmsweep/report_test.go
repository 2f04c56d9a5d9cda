package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/bench"
)

func TestRoofline(t *testing.T) {
	// Balance 200/25 = 8 FLOP/byte.
	assert.Equal(t, roof{Memory: true, Bound: 0.5 * 25}, roofline(0.5, 200, 25))
	assert.Equal(t, roof{Memory: true, Bound: 7.5 * 25}, roofline(7.5, 200, 25))
	assert.Equal(t, roof{Bound: 200}, roofline(8, 200, 25))
	assert.Equal(t, roof{Bound: 200}, roofline(85, 200, 25))
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{224.4: "224", 1234.6: "1235", 85.34: "85.3", 1.234: "1.23", 0.05123: "0.0512", 0.000597: "0.000597", 0: "0"} {
		assert.Equal(t, want, num(v), "%v", v)
	}
	assert.Equal(t, "0.99", ratio(0.996))
	assert.Equal(t, "1.00", ratio(1.004))
	assert.Equal(t, "84 %", pct(84.7))
}

// testImpls and testPeers: two implementations with their own peak and
// the reference held against the best, each assembly one paired with an
// OpenBLAS core type; the Haswell run reported another core.
var (
	testImpls = []implInfo{{"avx512", 200, true}, {"avx2", 100, true}, {"generic", 200, false}}
	testPeers = []peerInfo{{Core: "SkylakeX", Impl: "avx512", Corename: "SkylakeX"}, {Core: "Haswell", Impl: "avx2", Corename: "Zen"}}
)

func TestMakeRow(t *testing.T) {
	fwd := bench.Ops[0]
	s := bench.Shape{M: 512, K: 512, N: 512} // 268435456 FLOP, 3147776 bytes
	flop := s.ForwardFLOP()
	r := makeRow(fwd, s, testImpls, testPeers, 25,
		map[string]float64{"avx512": flop / 180e9, "avx2": flop / 80e9, "generic": flop / 5e9},
		map[string]float64{"SkylakeX": flop / 150e9, "Haswell": flop / 90e9})
	assert.InDelta(t, 85.28, r.Intensity, 0.01)
	assert.InDelta(t, 180, r.GFLOPS["avx512"], 1e-9)
	assert.InDelta(t, 90, r.Peer["Haswell"], 1e-9)
	assert.InDelta(t, 1.2, r.Ratio["avx512"], 1e-9)
	assert.InDelta(t, 80.0/90, r.Ratio["avx2"], 1e-9)
	assert.NotContains(t, r.Ratio, "generic")
	assert.InDelta(t, 90, r.PctPeak["avx512"], 1e-9)
	assert.InDelta(t, 80, r.PctPeak["avx2"], 1e-9)
	assert.InDelta(t, 2.5, r.PctPeak["generic"], 1e-9)
	assert.Equal(t, roof{Bound: 200}, r.Roof["avx512"])
	assert.NotContains(t, r.Roof, "generic")
	assert.Equal(t, []string{"avx2 < OpenBLAS Haswell (ran Zen)", "avx2 < 85 % of peak"}, r.Below)

	// Below 256 in one dimension there is no % of peak target; the
	// ratio target holds everywhere.
	s = bench.Shape{M: 1, K: 4096, N: 4096}
	flop = s.ForwardFLOP()
	r = makeRow(fwd, s, testImpls, testPeers, 25,
		map[string]float64{"avx512": flop / 10e9, "avx2": flop / 12e9},
		map[string]float64{"SkylakeX": flop / 12e9})
	assert.Equal(t, roof{Memory: true, Bound: r.Intensity * 25}, r.Roof["avx512"])
	assert.InDelta(t, 0.5, r.Intensity, 1e-3)
	assert.NotContains(t, r.GFLOPS, "generic")
	assert.NotContains(t, r.Ratio, "avx2") // no Haswell figure
	assert.Equal(t, []string{"avx512 < OpenBLAS SkylakeX"}, r.Below)
}

func TestWriteTable(t *testing.T) {
	impls, peers := testImpls[:2], testPeers
	bwd := bench.Ops[1]
	s := bench.Shape{M: 256, K: 784, N: 16}
	flop := s.BackwardFLOP()
	r := makeRow(bwd, s, impls, peers, 25,
		map[string]float64{"avx512": flop / 172e9, "avx2": flop / 96e9},
		map[string]float64{"SkylakeX": flop / 100e9, "Haswell": flop / 80e9})
	var b strings.Builder
	require.NoError(t, writeTable(&b, table{Rows: []row{r}}, impls, peers))
	assert.Equal(t, `| shape m×k×n | FLOP/B | avx512 GFLOP/s | avx2 GFLOP/s | OpenBLAS SkylakeX GFLOP/s | OpenBLAS Haswell (ran Zen) GFLOP/s | avx512 ÷ OpenBLAS SkylakeX | avx2 ÷ OpenBLAS Haswell (ran Zen) | avx512 % of peak | avx2 % of peak | avx512 roof | avx2 roof | below target |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 256×784×16 | 7.46 | 172 | 96.0 | 100 | 80.0 | 1.72 | 1.20 | 86 % | 96 % | memory 186 | FMA |  |
`, b.String())

	// A big shape under its targets: the misses in bold and listed.
	s = bench.Shape{M: 1024, K: 1024, N: 1024}
	flop = s.BackwardFLOP()
	r = makeRow(bwd, s, impls, peers, 25,
		map[string]float64{"avx512": flop / 160e9},
		map[string]float64{"SkylakeX": flop / 170e9})
	b.Reset()
	require.NoError(t, writeTable(&b, table{Rows: []row{r}}, impls, peers))
	assert.Equal(t, "| 1024×1024×1024 | 205 | 160 | – | 170 | – | **0.94** | – | **80 %** | – | FMA | – | avx512 < OpenBLAS SkylakeX; avx512 < 85 % of peak |",
		strings.Split(strings.TrimSpace(b.String()), "\n")[2])
}

func TestParseFlags(t *testing.T) {
	var stderr strings.Builder
	o, err := parseFlags([]string{"-ops", "backward", "-impls", "generic", "-shapes", "3x5x7, 1×1×1,3x5x7", "-runs", "2", "-rounds", "3", "-no-peer"}, &stderr)
	require.NoError(t, err)
	require.Len(t, o.ops, 1)
	assert.Equal(t, "backward", o.ops[0].Name)
	assert.Equal(t, []string{"generic"}, o.impls)
	assert.Equal(t, []bench.Shape{{M: 3, K: 5, N: 7}, {M: 1, K: 1, N: 1}}, o.shapes)
	assert.Equal(t, 2, o.runs)
	assert.Equal(t, 3, o.rounds)
	assert.False(t, o.peer)

	o, err = parseFlags(nil, &stderr)
	require.NoError(t, err)
	assert.Equal(t, bench.Sweep, o.shapes)
	assert.Len(t, o.ops, 2)
	assert.True(t, o.peer)
	assert.Equal(t, 1, o.rounds)

	for args, want := range map[string]string{
		"-ops sideways":   `-ops: unknown op "sideways" (want forward or backward)`,
		"-shapes 3x5":     `-shapes: shape "3x5": want m x k x n, as 1024x784x15`,
		"-impls sse9":     `-impls: "sse9" is not one this CPU offers`,
		"-runs 0":         "-runs 0: want at least 1",
		"-rounds 0":       "-rounds 0: want at least 1",
		"-no-peer stray":  `unexpected argument "stray": flags only`,
		"-shapes 3x0x7,1": `-shapes: shape "3x0x7": dimension "0" is not a whole number ≥ 1`,
	} {
		_, err := parseFlags(strings.Fields(args), &stderr)
		require.Error(t, err, args)
		assert.Contains(t, err.Error(), want, args)
	}
}

// TestKeepBest: over rounds, each figure keeps its shortest time.
func TestKeepBest(t *testing.T) {
	sec := map[string]map[string]map[string]float64{}
	keepBest(sec, "forward", "3x5x7", "avx2", 2)
	keepBest(sec, "forward", "3x5x7", "avx2", 3)
	keepBest(sec, "forward", "3x5x7", "avx512", 5)
	keepBest(sec, "forward", "3x5x7", "avx512", 4)
	keepBest(sec, "backward", "3x5x7", "avx2", 7)
	assert.Equal(t, map[string]map[string]map[string]float64{
		"forward":  {"3x5x7": {"avx2": 2, "avx512": 4}},
		"backward": {"3x5x7": {"avx2": 7}},
	}, sec)
}

func TestPeerEnv(t *testing.T) {
	t.Setenv("OPENBLAS_CORETYPE", "Zen")
	t.Setenv("OPENBLAS_L2_SIZE", "512")
	env := peerEnv("SkylakeX")
	assert.Contains(t, env, "OPENBLAS_CORETYPE=SkylakeX")
	assert.Contains(t, env, "OPENBLAS_NUM_THREADS=1")
	assert.NotContains(t, env, "OPENBLAS_CORETYPE=Zen")
	for _, kv := range env {
		assert.False(t, strings.HasPrefix(kv, "OPENBLAS_L2_SIZE="), kv)
	}
}
