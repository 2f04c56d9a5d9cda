package net

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn"
	"github.com/simdnn/simdnn/internal/byterows"
	"github.com/simdnn/simdnn/internal/race"
)

// procMaps is what /proc/self/maps and /proc/self/smaps say of the
// process's mappings.
type procMaps struct {
	count int   // mappings that can be accessed (reservations, mapped "---p", are left out)
	size  int64 // their total size in bytes
	huge  int   // mappings marked for huge pages (madvise MADV_HUGEPAGE: VmFlags "hg")
}

// readMaps counts the process's mappings; with smaps it also counts those
// marked for huge pages (reading smaps costs more).
func readMaps(t *testing.T, smaps bool) procMaps {
	name := "/proc/self/maps"
	if smaps {
		name = "/proc/self/smaps"
	}
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	var pm procMaps
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			if strings.Contains(flags+" ", " hg ") {
				pm.huge++
			}
			continue
		}
		// A mapping's line starts "lo-hi perms": smaps' other lines start
		// with a field name and a colon.
		addr, rest, _ := strings.Cut(line, " ")
		lo, hi, ok := strings.Cut(addr, "-")
		if !ok || strings.HasPrefix(rest, "---") {
			continue
		}
		l, err1 := strconv.ParseUint(lo, 16, 64)
		h, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		pm.count++
		pm.size += int64(h - l)
	}
	require.NoError(t, sc.Err())
	return pm
}

// rss is the process's resident set size in bytes, after a collection
// that returns the freed heap to the OS.
func rss(t *testing.T) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	require.NoError(t, err)
	f := strings.Fields(string(b))
	require.GreaterOrEqual(t, len(f), 2, "/proc/self/statm: %q", b)
	pages, err := strconv.ParseInt(f[1], 10, 64)
	require.NoError(t, err)
	return pages * int64(os.Getpagesize())
}

// TestLongLivedEmbedding: a process that calls Train a thousand times —
// on byte rows and float rows, on one and two threads, runs that finish,
// runs cancelled mid-epoch or before the first batch, runs stopped by
// OnEpoch, runs that diverge and configurations refused — keeps its
// resident memory and its mappings flat (the packed rows' huge-page
// mapping is unmapped after every call, whatever the outcome), and
// leaves no goroutine behind: a moment after Train returns, its helper
// goroutines have exited.
func TestLongLivedEmbedding(t *testing.T) {
	calls, warm := 1000, 50
	if testing.Short() || race.Enabled { // -race: ten times slower
		calls, warm = 100, 20
	}
	const k = 784
	// Large enough that the packed rows (about 5/8 of 7 MB) take the
	// huge-page mapping of their own (hugepage.Bytes maps 4 MiB and up);
	// the small runs take 100 rows of 196 of its bytes, packed on the Go
	// heap (a quarter of the width keeps a thousand calls short under
	// qemu too).
	const ks = 196
	big, bigY := sparseBytes(1, 9000, k, 10)
	small, smallY := big[:100*ks], bigY[:100]
	floats := make([]float32, len(small))
	for i, b := range small {
		floats[i] = float32(b) / 255
	}
	bigRows := ByteRows(big, 255, bigY)
	byteRows := ByteRows(small, 255, smallY)
	floatRows := FloatRows(floats, smallY)
	packs := byterows.PackedNative() // the trainer packs byte rows
	if !packs {
		t.Logf("implementation %s keeps byte rows plain: no packed rows, no huge-page mapping to watch", simdnn.Impl())
	}
	errStop := errors.New("stop")
	base := readMaps(t, true)

	// hugeDuring is the huge-page mappings seen inside a run on bigRows.
	var hugeDuring procMaps
	type run struct {
		name  string
		data  Rows
		sizes []int
		cfg   Config
		// cancel: cancel the context before Train (-1) or in OnBatch
		// after that many batches (> 0).
		cancel  int
		wantErr func(error) bool
	}
	ok := func(err error) bool { return err == nil }
	isCancel := func(err error) bool { return errors.Is(err, context.Canceled) }
	runs := []run{
		{name: "bytes 1 thread", data: byteRows, sizes: []int{ks, 8, 10},
			cfg: Config{Epochs: 2, BatchSize: 50, LR: 0.1, Seed: 1, Threads: 1}, wantErr: ok},
		{name: "bytes 2 threads, momentum, validation, patience", data: byteRows, sizes: []int{ks, 12, 10},
			cfg: Config{Epochs: 2, BatchSize: 40, LR: 0.1, Momentum: 0.5, Seed: 2, Threads: 2, Val: floatRows, Patience: 1}, wantErr: ok},
		{name: "floats 1 thread", data: floatRows, sizes: []int{ks, 12, 10},
			cfg: Config{Epochs: 1, BatchSize: 32, LR: 0.1, Seed: 3, Threads: 1}, wantErr: ok},
		{name: "floats 2 threads", data: floatRows, sizes: []int{ks, 8, 10},
			cfg: Config{Epochs: 1, BatchSize: 100, LR: 0.1, Seed: 4, Threads: 2}, wantErr: ok},
		{name: "big bytes 2 threads, cancelled after a batch", data: bigRows, sizes: []int{k, 8, 10},
			cfg: Config{Epochs: 3, BatchSize: 256, LR: 0.1, Seed: 5, Threads: 2}, cancel: 1, wantErr: isCancel},
		{name: "big bytes 1 thread, cancelled before the first batch", data: bigRows, sizes: []int{k, 8, 10},
			cfg: Config{Epochs: 1, BatchSize: 256, LR: 0.1, Seed: 6, Threads: 1}, cancel: -1, wantErr: isCancel},
		{name: "bytes 2 threads, OnEpoch fails", data: byteRows, sizes: []int{ks, 8, 10},
			cfg: Config{Epochs: 3, BatchSize: 50, LR: 0.1, Seed: 7, Threads: 2,
				OnEpoch: func(EpochStats) error { return errStop }},
			wantErr: func(err error) bool { return errors.Is(err, errStop) }},
		{name: "floats 2 threads, diverges", data: floatRows, sizes: []int{ks, 8, 10}, // the first step's rate sends the second batch's loss past float32
			cfg:     Config{Epochs: 1, BatchSize: 50, LR: 3e38, Seed: 8, Threads: 2},
			wantErr: func(err error) bool { return errors.Is(err, ErrDiverged) }},
		{name: "bytes, batch larger than the rows", data: byteRows, sizes: []int{ks, 8, 10},
			cfg:     Config{Epochs: 1, BatchSize: 101, LR: 0.1, Seed: 9, Threads: 2},
			wantErr: func(err error) bool { return err != nil && strings.Contains(err.Error(), "larger than") }},
		{name: "threads out of range", data: byteRows, sizes: []int{ks, 8, 10},
			cfg:     Config{Epochs: 1, BatchSize: 100, LR: 0.1, Seed: 9, Threads: -1},
			wantErr: func(err error) bool { var ce *ConfigError; return errors.As(err, &ce) }},
	}
	goroutines := runtime.NumGoroutine() // before any Train
	var rss0 int64
	var maps0 procMaps
	var lag time.Duration // the longest wait for the helpers to exit
	for i := range calls {
		if i == warm {
			rss0 = rss(t)
			maps0 = readMaps(t, false)
		}
		r := runs[i%len(runs)]
		onBig := len(r.data.bytes) == len(big)
		ctx, cancel := context.WithCancel(context.Background())
		cfg := r.cfg
		switch {
		case r.cancel < 0:
			cancel()
		case r.cancel > 0:
			cfg.OnBatch = func(epoch, done, total int) {
				if onBig && i%(10*len(runs)) < len(runs) {
					// The mappings while the packed rows are in use (not
					// on every call: smaps is slow to read).
					hugeDuring = readMaps(t, true)
				}
				if done == r.cancel {
					cancel()
				}
			}
		}
		m, err := New(r.sizes, uint64(i))
		require.NoError(t, err)
		hist, err := Train(ctx, m, r.data, cfg)
		cancel()
		require.True(t, r.wantErr(err), "call %d (%s): error %v", i, r.name, err)
		if err == nil {
			require.Len(t, hist, cfg.Epochs, "call %d (%s)", i, r.name)
		}
		// No goroutine left behind. A helper that was parked exits a
		// moment after Train returns, once woken and scheduled (up to a
		// few hundred milliseconds on two busy cores); one still there
		// after five seconds has leaked.
		{
			start := time.Now()
			for runtime.NumGoroutine() != goroutines {
				require.Less(t, time.Since(start), 5*time.Second, "call %d (%s): %d goroutines after the call, %d before",
					i, r.name, runtime.NumGoroutine(), goroutines)
				time.Sleep(20 * time.Microsecond)
			}
			lag = max(lag, time.Since(start))
		}
		if onBig {
			// The packed rows' mapping is gone when Train returns.
			require.Equal(t, base.huge, readMaps(t, true).huge, "call %d (%s): huge-page mappings after the call", i, r.name)
		}
	}
	if packs {
		// The big runs did pack into a huge-page mapping of their own.
		require.Equal(t, base.huge+1, hugeDuring.huge, "huge-page mappings while a run on packed rows was training")
	}
	rss1 := rss(t)
	maps1 := readMaps(t, false)
	t.Logf("%d calls: RSS %.1f → %.1f MiB, mappings %d → %d (%.1f → %.1f MiB), goroutines back to %d within %v",
		calls, mib(rss0), mib(rss1), maps0.count, maps1.count, mib(maps0.size), mib(maps1.size), goroutines, lag)
	// The heap's high-water mark may creep, and the runtime may start an
	// OS thread (its stack and C allocator arena: 8 MiB and some); a
	// leaked packed copy of the big rows would add 4.4 MiB per call on
	// them (20 such calls under -short), a leaked trainer some hundreds
	// of KiB per call.
	assert.LessOrEqual(t, maps1.count, maps0.count+8, "mappings")
	assert.LessOrEqual(t, maps1.size, maps0.size+32<<20, "mapped bytes")
	assert.Less(t, rss1-rss0, int64(16<<20), "RSS growth")
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
