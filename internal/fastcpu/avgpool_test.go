package fastcpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// tiledAvgPool is models/nn's average pool over windows that tile the
// image, the graph fuse_pool.go rewrites.
func tiledAvgPool(x *graph.Node, kh, kw int) *graph.Node {
	d := x.Shape().Dimensions
	x6 := graph.Reshape(x, d[0], d[1]/kh, kh, d[2]/kw, kw, d[3])
	return graph.MulScalar(graph.ReduceSum(x6, 2, 4), 1/float64(kh*kw))
}

// The tiled average pool, forward and back through GoMLX's gradient, as two
// fused nodes on Wrap's backend, against SimpleGo's five.
func TestTiledAvgPoolMatchesSimpleGo(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(51, 52))
	type shape struct{ b, h, w, c, kh, kw int }
	grad := func(s shape, extra func(x, y *graph.Node) *graph.Node) func(x, v *graph.Node) *graph.Node {
		return func(x, v *graph.Node) *graph.Node {
			y := tiledAvgPool(x, s.kh, s.kw)
			loss := graph.ReduceAllSum(graph.Mul(y, v))
			if extra != nil {
				loss = graph.Add(loss, graph.ReduceAllSum(extra(x, y)))
			}
			return graph.Gradient(loss, x)[0]
		}
	}
	cases := []struct {
		name  string
		fn    func(s shape) func(x, v *graph.Node) *graph.Node
		fused int64
	}{
		{"forward", func(s shape) func(x, v *graph.Node) *graph.Node {
			return func(x, v *graph.Node) *graph.Node { return tiledAvgPool(x, s.kh, s.kw) }
		}, 2},
		// Four: the loss's gradient is a broadcast 1, so v's own (unused)
		// gradient, Mul(1, y), folds into a pool as well.
		{"gradient", func(s shape) func(x, v *graph.Node) *graph.Node { return grad(s, nil) }, 4},
		// The rewritten-away nodes still have other users: they run for them.
		{"the view also reduced another way", func(s shape) func(x, v *graph.Node) *graph.Node {
			return func(x, v *graph.Node) *graph.Node {
				d := x.Shape().Dimensions
				x6 := graph.Reshape(x, d[0], d[1]/s.kh, s.kh, d[2]/s.kw, s.kw, d[3])
				y := graph.MulScalar(graph.ReduceSum(x6, 2, 4), 0.5)
				return graph.Add(graph.ReduceAllSum(y), graph.ReduceAllSum(graph.ReduceMax(x6, 2, 4)))
			}
		}, 2},
		{"the unscaled sum also used", func(s shape) func(x, v *graph.Node) *graph.Node {
			return func(x, v *graph.Node) *graph.Node {
				d := x.Shape().Dimensions
				sum := graph.ReduceSum(graph.Reshape(x, d[0], d[1]/s.kh, s.kh, d[2]/s.kw, s.kw, d[3]), 2, 4)
				return graph.Sub(graph.MulScalar(sum, 0.25), sum)
			}
		}, 2},
		{"y used twice in the loss", func(s shape) func(x, v *graph.Node) *graph.Node {
			return grad(s, func(x, y *graph.Node) *graph.Node { return graph.Mul(y, y) })
		}, 6}, // and y·y's two gradients, Mul(1, y) each
		// Not a tiled pool: left to SimpleGo's nodes (the forward Mul by a
		// constant alone is not fused without its pool).
		{"a sum over one window axis", func(s shape) func(x, v *graph.Node) *graph.Node {
			return func(x, v *graph.Node) *graph.Node {
				d := x.Shape().Dimensions
				return graph.MulScalar(graph.ReduceSum(graph.Reshape(x, d[0], d[1]/s.kh, s.kh, d[2]/s.kw, s.kw, d[3]), 2), 0.5)
			}
		}, 0},
		{"a sum over the window counts", func(s shape) func(x, v *graph.Node) *graph.Node {
			return func(x, v *graph.Node) *graph.Node {
				d := x.Shape().Dimensions
				return graph.ReduceSum(graph.Reshape(x, d[0], d[1]/s.kh, s.kh, d[2]/s.kw, s.kw, d[3]), 1, 3)
			}
		}, 0},
	}
	shapes := []shape{
		{2, 6, 10, 5, 2, 2},     // odd channels, unequal sides
		{3, 9, 6, 3, 3, 3},      // 3×3 windows
		{2, 8, 9, 1, 2, 3},      // a non-square window
		{64, 28, 28, 6, 2, 2},   // LeNet's first, split over the cores
		{256, 10, 10, 16, 2, 2}, // LeNet's second
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			for _, s := range shapes {
				t.Run(fmt.Sprint(dt, " ", c.name, " ", s), func(t *testing.T) {
					before := fusions.Load()
					x := randomTensor(r, dt, s.b, s.h, s.w, s.c)
					v := randomTensor(r, dt, s.b, s.h/s.kh, s.w/s.kw, s.c)
					fn := c.fn(s)
					compareWithSimpleGo(t, be, tolFor(dt), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return fn(in[0], in[1])
					}, x, v)
					if got := fusions.Load() - before; got != c.fused {
						t.Fatalf("%d nodes fused, want %d", got, c.fused)
					}
				})
			}
		}
	}
}

// A graph built with the pool fusions runs them under Bypass too, with the
// same answer.
func TestTiledAvgPoolUnderBypass(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(53, 54))
	x, v := randomTensor(r, dtypes.Float32, 2, 6, 4, 3), randomTensor(r, dtypes.Float32, 2, 3, 2, 3)
	before := fusions.Load()
	exec := graph.MustNewExec(be, func(x, v *graph.Node) *graph.Node {
		y := tiledAvgPool(x, 2, 2)
		return graph.Add(graph.Gradient(graph.ReduceAllSum(graph.Mul(y, v)), x)[0], graph.ReduceAllSum(y))
	})
	want := fmt.Sprint(exec.MustExec(x, v)[0].Value())
	if got := fusions.Load() - before; got != 4 {
		t.Fatalf("%d nodes fused, want 4", got)
	}
	bypass.Store(true)
	defer bypass.Store(false)
	if got := fmt.Sprint(exec.MustExec(x, v)[0].Value()); got != want {
		t.Fatalf("under Bypass: %s, before: %s", got, want)
	}
}

// Both kernels write every output element: SimpleGo's pooled buffers come
// back dirty (here NaN).
func TestTiledAvgPoolKernelsOverwriteDirtyBuffers(t *testing.T) {
	r := rand.New(rand.NewPCG(55, 56))
	for _, s := range [][6]int{{2, 6, 10, 5, 2, 2}, {3, 9, 6, 3, 3, 3}, {2, 8, 9, 1, 2, 3}, {64, 28, 28, 6, 2, 2}} {
		b, h, w, c, kh, kw := s[0], s[1], s[2], s[3], s[4], s[5]
		g := tiledGeom([]int{b, h, w, c}, kh, kw)
		x, v := make([]float32, b*h*w*c), make([]float32, b*g.ho*g.wo*c)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		y, dx := make([]float32, len(v)), make([]float32, len(x))
		for i := range y {
			y[i] = float32(math.NaN())
		}
		for i := range dx {
			dx[i] = float32(math.NaN())
		}
		scale := float32(1) / float32(kh*kw)
		tiledSum(x, y, g, scale)
		spread(v, dx, g, scale)
		at := func(bi, i, j, ci int) int { return ((bi*h+i)*w+j)*c + ci }
		for bi := range b {
			for oh := range g.ho {
				for ow := range g.wo {
					for ci := range c {
						o := ((bi*g.ho+oh)*g.wo+ow)*c + ci
						var sum float64
						for i := range kh {
							for j := range kw {
								k := at(bi, oh*kh+i, ow*kw+j, ci)
								sum += float64(x[k])
								if want := v[o] * scale; dx[k] != want {
									t.Fatalf("%v: dx[%d] = %g, want %g", s, k, dx[k], want)
								}
							}
						}
						if want := sum * float64(scale); math.Abs(float64(y[o])-want) > 1e-5 || math.IsNaN(float64(y[o])) {
							t.Fatalf("%v: y[%d] = %g, want %g", s, o, y[o], want)
						}
					}
				}
			}
		}
	}
}
