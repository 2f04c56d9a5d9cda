package bench

import (
	"sync"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/bench/peak"
)

// peaks caches Peak per implementation for the whole process.
var peaks sync.Map // impl → float64 (0: none)

// Peak is the FMA peak (GFLOP/s) of one core for impl's vector ISA,
// measured once per process by peak.Measure (about 170 ms); for generic,
// which has none, the best of the other implementations' peaks (what the
// reference leaves unused); 0, and no % of peak, for an assembly
// implementation without a peak loop, as in simdnn bench.
func Peak(impl string) float64 {
	if v, ok := peaks.Load(impl); ok {
		return v.(float64)
	}
	g, err := peak.Measure(impl)
	if err != nil {
		g = 0
		if impl == "generic" {
			for _, other := range simdnn.Impls() {
				if other != "generic" {
					g = max(g, Peak(other))
				}
			}
		}
	}
	peaks.Store(impl, g)
	return g
}
