//go:build race

package simdnn

import (
	"runtime"
	"unsafe"
)

// The race detector does not see memory touched by assembly, so every
// kernel call reports the ranges it reads and writes.

func raceRead(s []float32) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), len(s)*4)
	}
}

func raceWrite(s []float32) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), len(s)*4)
	}
}
