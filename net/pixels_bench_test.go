package net

import "testing"

func BenchmarkAsPixelBytes(b *testing.B) {
	x, _ := pixels(1, 60000, 784, 10)
	b.SetBytes(int64(len(x) * 4))
	for b.Loop() {
		p, free := asPixelBytes(x, 1)
		if p == nil {
			b.Fatal("not bytes")
		}
		free()
	}
}
