package fastcpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The float32 sigmoid, vectorized (sigmoid32s) and scalar (sigmoid32),
// against float64's over every float32 in [−20, 20] (in steps of 2⁻¹² near
// 0) and the clamped tails: within 3 ulp where the result is a normal float,
// 1e-38 absolute below, NaN for NaN.
func TestSigmoid32Accuracy(t *testing.T) {
	var xs []float32
	for x := float32(-20); x <= 20; x += 1.0 / 4096 {
		xs = append(xs, x)
	}
	xs = append(xs, -200, -88.5, -87.5, -87, -50, 50, 87, 88, 89, 200, float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)))
	for name, fn := range map[string]func(x, y []float32){
		"vectorized": sigmoid32s,
		"scalar": func(x, y []float32) {
			for i, v := range x {
				y[i] = sigmoid32(v)
			}
		},
	} {
		y := make([]float32, len(xs))
		fn(xs, y)
		for i, x := range xs {
			want := 1 / (1 + math.Exp(-float64(x)))
			got := float64(y[i])
			ulp := float64(math.Nextafter32(float32(want), 2)) - float64(float32(want))
			if want < 1.2e-38 {
				if math.Abs(got-want) > 1e-38 {
					t.Fatalf("%s: σ(%g) = %g, want %g", name, x, got, want)
				}
				continue
			}
			if math.Abs(got-want) > 3*ulp {
				t.Fatalf("%s: σ(%g) = %g, want %g (%.1f ulp off)", name, x, got, want, math.Abs(got-want)/ulp)
			}
		}
		nan := []float32{float32(math.NaN())}
		fn(nan, nan)
		if !math.IsNaN(float64(nan[0])) {
			t.Fatalf("%s: σ(NaN) = %g", name, nan[0])
		}
	}
}

// Sigmoid alone, over a bias add and its gradient as GoMLX builds it, each
// run as one node on Wrap's backend, against SimpleGo's unfused answer.
func TestSigmoidFusionsMatchSimpleGo(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(45, 46))
	one := func(x *graph.Node) *graph.Node { return graph.ScalarOne(x.Graph(), x.DType()) }
	// GoMLX's gradient of Logistic, the pattern the builder looks for.
	grad := func(y, v *graph.Node) *graph.Node { return graph.Mul(v, graph.Mul(y, graph.Sub(one(y), y))) }
	cases := []struct {
		name  string
		fn    func(x, b, v *graph.Node) *graph.Node
		fused int64
	}{
		{"sigmoid", func(x, b, v *graph.Node) *graph.Node { return graph.Sigmoid(x) }, 0},
		{"sigmoid(x+bias)", func(x, b, v *graph.Node) *graph.Node { return graph.Sigmoid(graph.Add(x, b)) }, 1},
		{"sigmoid(3x+bias), 3x owned", func(x, b, v *graph.Node) *graph.Node {
			return graph.Sigmoid(graph.Add(graph.MulScalar(x, 3), b))
		}, 1},
		{"sigmoid(bias+x), the bias first", func(x, b, v *graph.Node) *graph.Node { return graph.Sigmoid(graph.Add(b, x)) }, 1},
		{"sigmoid(x+v), both full-size", func(x, b, v *graph.Node) *graph.Node { return graph.Sigmoid(graph.Add(x, v)) }, 1},
		{"sigmoid(x+a per-image bias)", func(x, b, v *graph.Node) *graph.Node {
			return graph.Sigmoid(graph.Add(x, graph.ReduceAndKeep(v, graph.ReduceSum, 1, 2, 3)))
		}, 1},
		{"sigmoid gradient", func(x, b, v *graph.Node) *graph.Node { return grad(graph.Sigmoid(x), v) }, 1},
		{"sigmoid gradient, factors swapped", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Sigmoid(x)
			return graph.Mul(graph.Mul(graph.Sub(one(y), y), y), v)
		}, 1},
		{"sigmoid gradient of an owned 2v", func(x, b, v *graph.Node) *graph.Node {
			return grad(graph.Sigmoid(x), graph.MulScalar(v, 2))
		}, 1},
		{"the whole layer: forward and back", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Sigmoid(graph.Add(x, b))
			return graph.Add(y, grad(y, v))
		}, 2},
		// The rewritten-away nodes still have other users: they run for them.
		{"x+bias also used beside the sigmoid", func(x, b, v *graph.Node) *graph.Node {
			a := graph.Add(x, b)
			return graph.Add(graph.Sigmoid(a), graph.MulScalar(a, 0.5))
		}, 1},
		{"y·(1−y) also used beside the gradient", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Sigmoid(x)
			d := graph.Mul(y, graph.Sub(one(y), y))
			return graph.Add(graph.Mul(v, d), d)
		}, 1},
		{"v·y·(2−y) is not sigmoid's gradient", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Sigmoid(x)
			return graph.Mul(v, graph.Mul(y, graph.Sub(graph.Scalar(y.Graph(), y.DType(), 2), y)))
		}, 0},
		{"v·x·(1−y) is not sigmoid's gradient", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Sigmoid(x)
			return graph.Mul(v, graph.Mul(x, graph.Sub(one(y), y)))
		}, 0},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			for _, dims := range [][]int{{2, 3, 5, 7}, {64, 20, 20, 6}} { // odd sizes; the second split over the cores
				t.Run(fmt.Sprint(dt, " ", c.name, " ", dims), func(t *testing.T) {
					before := fusions.Load()
					x, v := randomTensor(r, dt, dims...), randomTensor(r, dt, dims...)
					bias := randomTensor(r, dt, 1, 1, 1, dims[3])
					compareWithSimpleGo(t, be, tolFor(dt), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return c.fn(graph.MulScalar(in[0], 4), in[1], in[2]) // pre-activations out to ±16
					}, x, bias, v)
					if got := fusions.Load() - before; got != c.fused {
						t.Fatalf("%d nodes fused, want %d", got, c.fused)
					}
				})
			}
		}
	}
}

// A graph built with the sigmoid fusions runs them under Bypass too, with
// the same answer.
func TestSigmoidFusedGraphUnderBypass(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(47, 48))
	x, b, v := randomTensor(r, dtypes.Float32, 2, 3, 4, 6), randomTensor(r, dtypes.Float32, 1, 1, 1, 6), randomTensor(r, dtypes.Float32, 2, 3, 4, 6)
	before := fusions.Load()
	exec := graph.MustNewExec(be, func(x, b, v *graph.Node) *graph.Node {
		y := graph.Sigmoid(graph.Add(x, b))
		return graph.Mul(v, graph.Mul(y, graph.Sub(graph.ScalarOne(y.Graph(), y.DType()), y)))
	})
	want := fmt.Sprint(exec.MustExec(x, b, v)[0].Value())
	if got := fusions.Load() - before; got != 2 {
		t.Fatalf("%d nodes fused, want 2", got)
	}
	bypass.Store(true)
	defer bypass.Store(false)
	if got := fmt.Sprint(exec.MustExec(x, b, v)[0].Value()); got != want {
		t.Fatalf("under Bypass: %s, before: %s", got, want)
	}
}

// A fused sigmoid writing over a dirty pooled buffer: a graph run twice
// with different inputs gives each run's own answer.
func TestSigmoidDirtyBuffers(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(49, 50))
	for range 3 {
		x, b := randomTensor(r, dtypes.Float32, 8, 7, 9, 6), randomTensor(r, dtypes.Float32, 1, 1, 1, 6)
		compareWithSimpleGo(t, be, tolFor(dtypes.Float32), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
			return graph.Sigmoid(graph.Add(graph.MulScalar(in[0], 2), in[1]))
		}, x, b)
	}
}

func BenchmarkSigmoid32(b *testing.B) {
	x := make([]float32, 256*28*28*6)
	for i := range x {
		x[i] = float32(i%2001-1000) / 100
	}
	y := make([]float32, len(x))
	b.Run("vectorized", func(b *testing.B) {
		for range b.N {
			sigmoid32s(x, y)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/element")
	})
	b.Run("scalar", func(b *testing.B) {
		for range b.N {
			for i, v := range x {
				y[i] = sigmoid32(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/element")
	})
}
