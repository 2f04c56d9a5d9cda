//go:build race

package simdnn

import (
	"runtime"
	"unsafe"
)

// The race detector does not see memory touched by assembly, so every
// kernel call reports the ranges it reads and writes.

// raceEnabled: a race build, whose kernels report the memory they touch.
const raceEnabled = true

func raceRead[T float32 | int32 | uint8](s []T) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), len(s)*int(unsafe.Sizeof(s[0])))
	}
}

func raceWrite[T float32 | int32 | uint8](s []T) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), len(s)*int(unsafe.Sizeof(s[0])))
	}
}
