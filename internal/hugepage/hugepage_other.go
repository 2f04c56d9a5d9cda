//go:build !linux

package hugepage

import "unsafe"

func advise(unsafe.Pointer, uintptr) {}

func mapBytes(int) ([]byte, func()) { return nil, nil }
