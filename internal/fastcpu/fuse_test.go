package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// ReLU over a bias add, and ReLU's gradient as models/nn writes it, each run
// as one fused node on Wrap's backend, with SimpleGo's unfused answer; the
// same ops with another constant are left alone.
func TestFusionsMatchSimpleGo(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(41, 42))
	zero := func(x *graph.Node) *graph.Node { return graph.ScalarZero(x.Graph(), x.DType()) }
	cases := []struct {
		name  string
		fn    func(x, b, v *graph.Node) *graph.Node
		fused int64
	}{
		{"max(x+bias, 0)", func(x, b, v *graph.Node) *graph.Node { return graph.Max(graph.Add(x, b), zero(x)) }, 1},
		{"relu gradient", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Max(x, zero(x))
			return graph.Where(graph.GreaterThan(y, zero(y)), v, graph.ZerosLike(v))
		}, 1},
		// Intermediate operands: the graph owns their buffers, and the fused
		// kernels may write their output over them.
		{"max(2x+bias, 0), 2x owned", func(x, b, v *graph.Node) *graph.Node {
			return graph.Max(graph.Add(graph.MulScalar(x, 2), b), zero(x))
		}, 1},
		{"relu gradient of an owned 2v", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Max(x, zero(x))
			v2 := graph.MulScalar(v, 2)
			return graph.Where(graph.GreaterThan(y, zero(y)), v2, graph.ZerosLike(v2))
		}, 1},
		// The rewritten-away node still has another user: it runs for it.
		{"x+bias also used beside the ReLU", func(x, b, v *graph.Node) *graph.Node {
			a := graph.Add(x, b)
			return graph.Add(graph.Max(a, zero(x)), graph.MulScalar(a, 0.5))
		}, 1},
		{"y > 0 also used beside the gradient", func(x, b, v *graph.Node) *graph.Node {
			y := graph.Max(x, zero(x))
			c := graph.GreaterThan(y, zero(y))
			return graph.Add(graph.Where(c, v, graph.ZerosLike(v)), graph.ConvertDType(c, x.DType()))
		}, 1},
		{"max(x+bias, 1) is not a ReLU", func(x, b, v *graph.Node) *graph.Node {
			return graph.Max(graph.Add(x, b), graph.ScalarOne(x.Graph(), x.DType()))
		}, 0},
		{"where(y > 0, v, 1) is not ReLU's gradient", func(x, b, v *graph.Node) *graph.Node {
			return graph.Where(graph.GreaterThan(x, zero(x)), v, graph.OnesLike(v))
		}, 0},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			for _, dims := range [][]int{{2, 3, 4, 6}, {64, 20, 20, 6}} { // the second split over the cores
				t.Run(fmt.Sprint(dt, " ", c.name, " ", dims), func(t *testing.T) {
					before := fusions.Load()
					x, v := randomTensor(r, dt, dims...), randomTensor(r, dt, dims...)
					bias := randomTensor(r, dt, 1, 1, 1, dims[3])
					compareWithSimpleGo(t, be, tolFor(dt), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return c.fn(in[0], in[1], in[2])
					}, x, bias, v)
					// compareWithSimpleGo builds the graph twice: bypassed
					// (never fused) and not.
					if got := fusions.Load() - before; got != c.fused {
						t.Fatalf("%d nodes fused, want %d", got, c.fused)
					}
				})
			}
		}
	}
}

// A graph built with the fusions runs them even while Bypass is on (their
// nodes have no SimpleGo executor to fall back to), with the same answer.
func TestFusedGraphUnderBypass(t *testing.T) {
	be := Wrap(newBackend(t))
	r := rand.New(rand.NewPCG(43, 44))
	x, b := randomTensor(r, dtypes.Float32, 2, 3, 4, 6), randomTensor(r, dtypes.Float32, 1, 1, 1, 6)
	before := fusions.Load()
	exec := graph.MustNewExec(be, func(x, b *graph.Node) *graph.Node {
		return graph.Max(graph.Add(x, b), graph.ScalarZero(x.Graph(), x.DType()))
	})
	want := fmt.Sprint(exec.MustExec(x, b)[0].Value())
	if fusions.Load() == before {
		t.Fatal("nothing fused")
	}
	bypass.Store(true)
	defer bypass.Store(false)
	if got := fmt.Sprint(exec.MustExec(x, b)[0].Value()); got != want {
		t.Fatalf("under Bypass: %s, before: %s", got, want)
	}
}
