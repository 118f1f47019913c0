package fastcpu

import "testing"

// d2l's LeNet's first average pool, forward and back, by the kernels alone.
func BenchmarkTiledAvgPool(b *testing.B) {
	g := tiledGeom([]int{256, 28, 28, 6}, 2, 2)
	x, y := make([]float32, 256*28*28*6), make([]float32, 256*14*14*6)
	b.Run("forward", func(b *testing.B) {
		for range b.N {
			tiledSum(x, y, g, 0.25)
		}
	})
	b.Run("gradient", func(b *testing.B) {
		for range b.N {
			spread(y, x, g, 0.25)
		}
	})
}
