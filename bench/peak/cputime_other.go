//go:build !linux

package peak

import "time"

// ThreadTime is the time since the process started: this system has no
// per-thread CPU clock here, so descheduled time counts too.
func ThreadTime() time.Duration { return time.Since(epoch) }

// epoch anchors the wall-clock fallback.
var epoch = time.Now()
