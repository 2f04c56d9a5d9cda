package peak

import (
	"time"

	"golang.org/x/sys/unix"
)

// ThreadTime is the CPU time the calling OS thread has used so far
// (CLOCK_THREAD_CPUTIME_ID): time the thread spent descheduled, which on
// a shared machine can dwarf the work, does not count. Callers lock the
// goroutine to its thread (runtime.LockOSThread) around what they time.
func ThreadTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return time.Since(epoch)
	}
	return time.Duration(ts.Nano())
}

// epoch anchors the wall-clock fallback.
var epoch = time.Now()
