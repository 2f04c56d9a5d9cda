//go:build !purego && amd64 && linux

package simdnn

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/simdnn/simdnn/internal/impl"
)

// BenchmarkTiles times each tile routine alone on data in L1/L2: the
// driver's blocks (kc steps of a packed panel, mc rows of A), so that
// the driver's share of a kernel's time can be told from the tiles'.
// GFLOP/s counts 2 per multiply-add of the whole panel, per second of
// the thread's CPU time (time descheduled on a shared machine does not
// count).
func BenchmarkTiles(b *testing.B) {
	for id, g := range gemmISAs {
		if !slices.Contains(impl.Names(), impl.Name(id)) {
			continue
		}
		for _, cl := range tileKinds(g) {
			b.Run(fmt.Sprintf("%s/%dx%d", impl.Name(id), cl.rows, cl.cols), func(b *testing.B) {
				rows := g.block.mc / cl.rows * cl.rows
				if cl.rows == 1 {
					rows = 16
				}
				ks := g.block.kc
				a := make([]float32, rows*ks)
				p := make([]float32, ks*cl.cols)
				c := make([]float32, rows*cl.cols)
				for i := range a {
					a[i] = float32(i%7) * 0.01
				}
				for i := range p {
					p[i] = float32(i%5) * 0.01
				}
				masks := ^uint64(0) >> (64 - cl.cols)
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				start := threadTime()
				for b.Loop() {
					runTile(cl.kind, &c[0], &a[0], &p[0], &c[0], ks, 4, ks*4, cl.cols*4, cl.cols*4, cl.cols*4, masks, 0, rows/cl.rows)
				}
				flops := 2 * float64(rows*ks*cl.cols) * float64(b.N)
				b.ReportMetric(flops/(threadTime()-start).Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// threadTime is the calling thread's CPU time (bench/peak.ThreadTime,
// which this package's tests cannot import).
func threadTime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
