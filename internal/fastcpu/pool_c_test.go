package fastcpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The tiled 2×2 gradient's C loop must give the Go loop's bits: the same
// element of a tied window gets the value (ties drawn from three values and
// from ±0), a window with a NaN sends it to its last element, and elements in
// no window (odd sizes) are zeroed in a dirty buffer. LeNet's channel counts
// (6, 16) and those either side of the AVX-512 loop's 3 to 8 are here, rows
// of one window among them.
func TestScatterMax2x2CMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	shapes := []struct{ b, h, w, c int }{
		{1, 2, 2, 1}, {1, 28, 28, 6}, {3, 28, 28, 6}, {2, 10, 10, 16}, {1, 9, 7, 5}, {4, 7, 9, 6},
		{2, 11, 13, 16}, {5, 5, 5, 3}, {1, 3, 2, 17}, {3, 6, 8, 33}, {2, 1, 4, 6}, {1, 4, 1, 16},
		{2, 6, 7, 2}, {2, 4, 6, 2}, {2, 6, 8, 1}, {2, 5, 8, 4}, {3, 4, 5, 7}, {2, 8, 6, 8}, {1, 2, 3, 6}, {2, 3, 4, 9},
	}
	for _, sh := range shapes {
		for _, kind := range []string{"random", "ties", "zeros", "nan"} {
			t.Run(fmt.Sprint(sh, kind), func(t *testing.T) {
				g := poolGeom{b: sh.b, h: sh.h, w: sh.w, c: sh.c, ho: sh.h / 2, wo: sh.w / 2, kh: 2, kw: 2, sh: 2, sw: 2}
				x := make([]float32, g.b*g.h*g.w*g.c)
				v := make([]float32, g.b*g.ho*g.wo*g.c)
				for i := range x {
					switch kind {
					case "random":
						x[i] = r.Float32()*2 - 1
					case "ties":
						x[i] = float32(r.IntN(3))
					case "zeros":
						x[i] = float32(math.Copysign(0, float64(r.IntN(2))-0.5))
						if r.IntN(4) == 0 {
							x[i] = -1
						}
					case "nan":
						x[i] = float32(r.IntN(3))
						if r.IntN(5) == 0 {
							x[i] = float32(math.NaN())
						}
					}
				}
				for i := range v {
					v[i] = r.Float32()*2 - 1
				}
				want := make([]float32, len(x))
				for i := range want {
					want[i] = float32(math.NaN())
				}
				scatterMax2x2Images32Go(x, v, want, g, 0, g.b)
				// The AVX-512 loop (where the CPU has it) and the portable one.
				for _, simd := range []int{1, 0} {
					got := make([]float32, len(x))
					for i := range got {
						got[i] = float32(math.NaN())
					}
					// Two calls over parts of the batch, as the workers make.
					scatterMax2x2Images32C(x, v, got, g, 0, g.b/2, simd)
					scatterMax2x2Images32C(x, v, got, g, g.b/2, g.b, simd)
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("simd %d: dx[%d] = %g (%#x), Go's %g (%#x)", simd, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
			})
		}
	}
}

// BenchmarkScatterMax2x2 times LeNet's two pool gradients on one core, the
// Go row loop against the portable C one and the AVX-512 one.
func BenchmarkScatterMax2x2(b *testing.B) {
	for _, sh := range []struct{ b, h, w, c int }{{256, 28, 28, 6}, {256, 10, 10, 16}} {
		g := poolGeom{b: sh.b, h: sh.h, w: sh.w, c: sh.c, ho: sh.h / 2, wo: sh.w / 2, kh: 2, kw: 2, sh: 2, sw: 2}
		r := rand.New(rand.NewPCG(1, 1))
		x := make([]float32, g.b*g.h*g.w*g.c)
		for i := range x {
			x[i] = r.Float32()
		}
		v := make([]float32, g.b*g.ho*g.wo*g.c)
		dx := make([]float32, len(x))
		name := fmt.Sprintf("[%d,%d,%d,%d]", sh.b, sh.h, sh.w, sh.c)
		b.Run("go "+name, func(b *testing.B) {
			for b.Loop() {
				scatterMax2x2Images32Go(x, v, dx, g, 0, g.b)
			}
		})
		b.Run("c "+name, func(b *testing.B) {
			for b.Loop() {
				scatterMax2x2Images32C(x, v, dx, g, 0, g.b, 0)
			}
		})
		b.Run("avx512 "+name, func(b *testing.B) {
			for b.Loop() {
				scatterMax2x2Images32C(x, v, dx, g, 0, g.b, 1)
			}
		})
	}
}

// The tiled 2×2 max pool's C loop must give Go's max bits: +0 over -0, a
// NaN winning (any NaN: its payload is not compared), ties, odd sizes, and
// the channel counts either side of the AVX-512 loop's 4 to 8, in row ranges
// as the workers split them.
func TestMaxPool2x2CMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	shapes := []struct{ b, h, w, c int }{
		{1, 2, 2, 1}, {1, 28, 28, 6}, {3, 28, 28, 6}, {2, 10, 10, 16}, {1, 9, 7, 5}, {4, 7, 9, 6},
		{2, 11, 13, 16}, {5, 5, 5, 3}, {2, 4, 6, 3}, {1, 3, 2, 17}, {3, 6, 8, 33}, {1, 4, 1, 16},
		{2, 6, 7, 2}, {2, 4, 6, 2}, {2, 6, 8, 1}, {2, 5, 8, 4}, {3, 4, 5, 7}, {2, 8, 6, 8}, {1, 2, 3, 6}, {2, 3, 4, 9},
	}
	for _, sh := range shapes {
		for _, kind := range []string{"random", "ties", "zeros", "nan"} {
			t.Run(fmt.Sprint(sh, kind), func(t *testing.T) {
				g := poolGeom{b: sh.b, h: sh.h, w: sh.w, c: sh.c, ho: sh.h / 2, wo: sh.w / 2, kh: 2, kw: 2, sh: 2, sw: 2}
				x := make([]float32, g.b*g.h*g.w*g.c)
				for i := range x {
					switch kind {
					case "random":
						x[i] = r.Float32()*2 - 1
					case "ties":
						x[i] = float32(r.IntN(3))
					case "zeros":
						x[i] = float32(math.Copysign(0, float64(r.IntN(2))-0.5))
						if r.IntN(4) == 0 {
							x[i] = -1
						}
					case "nan":
						x[i] = float32(r.IntN(3))
						if r.IntN(5) == 0 {
							x[i] = float32(math.NaN())
						}
					}
				}
				rows := g.b * g.ho
				want := make([]float32, rows*g.wo*g.c)
				maxPool2x2Rows32Go(x, want, g, 0, rows)
				for _, simd := range []int{1, 0} {
					got := make([]float32, len(want)+8) // room to see a write past the end
					for i := range got {
						got[i] = 7
					}
					maxPool2x2Rows32C(x, got, g, 0, rows/2, simd)
					maxPool2x2Rows32C(x, got, g, rows/2, rows, simd)
					for i, w := range want {
						same := math.Float32bits(got[i]) == math.Float32bits(w) || math.IsNaN(float64(got[i])) && math.IsNaN(float64(w))
						if !same {
							t.Fatalf("simd %d: y[%d] = %g (%#x), Go's %g (%#x)", simd, i, got[i], math.Float32bits(got[i]), w, math.Float32bits(w))
						}
					}
					for i, v := range got[len(want):] {
						if v != 7 {
							t.Fatalf("simd %d: wrote %g past the output, at %d", simd, v, len(want)+i)
						}
					}
				}
			})
		}
	}
}

// BenchmarkMaxPool2x2 times LeNet's two forward pools on one core, the Go
// row loop against the portable C one and the AVX-512 one.
func BenchmarkMaxPool2x2(b *testing.B) {
	for _, sh := range []struct{ b, h, w, c int }{{256, 28, 28, 6}, {256, 10, 10, 16}} {
		g := poolGeom{b: sh.b, h: sh.h, w: sh.w, c: sh.c, ho: sh.h / 2, wo: sh.w / 2, kh: 2, kw: 2, sh: 2, sw: 2}
		r := rand.New(rand.NewPCG(1, 1))
		x := make([]float32, g.b*g.h*g.w*g.c)
		for i := range x {
			x[i] = r.Float32()
		}
		y := make([]float32, g.b*g.ho*g.wo*g.c)
		name := fmt.Sprintf("[%d,%d,%d,%d]", sh.b, sh.h, sh.w, sh.c)
		b.Run("go "+name, func(b *testing.B) {
			for b.Loop() {
				maxPool2x2Rows32Go(x, y, g, 0, g.b*g.ho)
			}
		})
		b.Run("c "+name, func(b *testing.B) {
			for b.Loop() {
				maxPool2x2Rows32C(x, y, g, 0, g.b*g.ho, 0)
			}
		})
		b.Run("avx512 "+name, func(b *testing.B) {
			for b.Loop() {
				maxPool2x2Rows32C(x, y, g, 0, g.b*g.ho, 1)
			}
		})
	}
}
