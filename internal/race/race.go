//go:build race

// Package race tells the race detector about memory that assembly reads
// and writes, which it cannot see for itself. Every package with assembly
// reports each kernel call's slices through Read and Write; in a build
// without -race they compile to nothing.
package race

import (
	"runtime"
	"unsafe"
)

// Enabled reports a -race build.
const Enabled = true

// Read reports that s is read.
func Read[T float32 | int32 | uint8 | uint64](s []T) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), len(s)*int(unsafe.Sizeof(s[0])))
	}
}

// Write reports that s is written.
func Write[T float32 | int32 | uint8 | uint64](s []T) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), len(s)*int(unsafe.Sizeof(s[0])))
	}
}
