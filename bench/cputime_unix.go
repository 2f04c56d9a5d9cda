//go:build unix

package bench

import (
	"syscall"
	"time"
)

// ProcessCPU returns the CPU time, user and system, this process has used
// on all its threads, and whether the system reports it.
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
