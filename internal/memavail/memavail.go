// Package memavail tells how much more memory the process can have: the
// smallest of the room left under its cgroup's memory limit (v1 or v2,
// the limits of the cgroup's ancestors included), the memory the kernel
// reports available, and the room under the Go runtime's own memory limit
// (GOMEMLIMIT or debug.SetMemoryLimit).
//
// It is an estimate made to refuse a job that cannot fit before it
// allocates, not a reservation: other processes may take the memory a
// moment later.
package memavail

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
)

// Room is the memory the process can still have, and what bounds it.
type Room struct {
	Bytes uint64
	// Source names the bound, such as "MemAvailable in /proc/meminfo" or
	// "cgroup memory.max of /user.slice minus its usage".
	Source string
}

// String gives Bytes in readable units and the source.
func (r Room) String() string { return fmt.Sprintf("%s (%s)", Size(r.Bytes), r.Source) }

// Get returns the room the process has; ok is false where nothing bounds
// it that this package can read (on systems other than Linux, unless a Go
// memory limit is set).
func Get() (r Room, ok bool) {
	r, ok = system("/")
	if g, gok := goLimit(); gok && (!ok || g.Bytes < r.Bytes) {
		r, ok = g, true
	}
	return r, ok
}

// goLimit is the room under the Go runtime's memory limit: the limit less
// the memory the runtime holds from the operating system.
func goLimit() (Room, bool) {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		return Room{}, false
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	held := ms.Sys - ms.HeapReleased
	room := uint64(0)
	if uint64(limit) > held {
		room = uint64(limit) - held
	}
	return Room{Bytes: room, Source: "the Go memory limit " + Size(uint64(limit)) + " minus the runtime's " + Size(held)}, true
}

// Size writes n bytes with a binary unit: "512 B", "1.5 MiB", "17.2 GiB".
func Size(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}
