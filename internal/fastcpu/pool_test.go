package fastcpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

type poolCase struct {
	b, h, w, c, k, s, p int
	pa                  int // padding after the image: 0 means p, -1 none
}

func (pc poolCase) String() string {
	return fmt.Sprintf("[%d,%d,%d,%d] k%d s%d p%d+%d", pc.b, pc.h, pc.w, pc.c, pc.k, pc.s, pc.p, pc.after())
}

// after is the padding after the image: pa, or p when pa is unset (-1 for
// none).
func (pc poolCase) after() int {
	switch pc.pa {
	case 0:
		return pc.p
	case -1:
		return 0
	}
	return pc.pa
}

func (pc poolCase) outSize() (ho, wo int) {
	return (pc.h+pc.p+pc.after()-pc.k)/pc.s + 1, (pc.w+pc.p+pc.after()-pc.k)/pc.s + 1
}

func (pc poolCase) geom() poolGeom {
	ho, wo := pc.outSize()
	return poolGeom{b: pc.b, h: pc.h, w: pc.w, c: pc.c, ho: ho, wo: wo, kh: pc.k, kw: pc.k, sh: pc.s, sw: pc.s, ph: pc.p, pw: pc.p}
}

var poolCases = []poolCase{
	{2, 8, 8, 3, 2, 2, 0, 0},     // LeNet's tiling 2×2/2
	{3, 9, 7, 5, 2, 2, 0, 0},     // 2×2/2 with a row and a column in no window
	{3, 7, 9, 5, 3, 2, 0, 0},     // AlexNet's overlapping 3×3/2, odd sizes, rows left over
	{2, 10, 11, 4, 3, 2, 1, 0},   // padded
	{1, 6, 5, 2, 3, 1, 1, 0},     // stride 1, padded on every side
	{16, 15, 15, 24, 3, 2, 0, 0}, // large enough to split over the cores
	{3, 5, 5, 2, 2, 2, 0, 1},     // 2×2/2 with a window over the far edge (SAME on odd sizes)
	{2, 7, 6, 3, 3, 2, 1, 2},     // 3×3/2, padded 1 before and 2 after
}

func reduceWindow(x *graph.Node, op backends.ReduceOpType, pc poolCase) *graph.Node {
	return graph.BackendReduceWindow(x, op, []int{1, pc.k, pc.k, 1}, []int{1, pc.s, pc.s, 1}, nil, nil,
		[][2]int{{0, 0}, {pc.p, pc.after()}, {pc.p, pc.after()}, {0, 0}})
}

func TestReduceWindowMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(21, 22))
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, op := range []backends.ReduceOpType{backends.ReduceOpMax, backends.ReduceOpSum} {
			for _, pc := range poolCases {
				t.Run(fmt.Sprint(dt, op, pc), func(t *testing.T) {
					compareWithSimpleGo(t, be, tolFor(dt), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return reduceWindow(in[0], op, pc)
					}, randomTensor(r, dt, pc.b, pc.h, pc.w, pc.c))
				})
			}
		}
	}
	// A window entirely in the padding after the image has nothing to
	// select: SimpleGo's own (which yields the max's identity there).
	t.Run("padding after as large as the window falls back", func(t *testing.T) {
		compareWithSimpleGo(t, be, 0, false, func(g *graph.Graph, in []*graph.Node) *graph.Node {
			return graph.BackendReduceWindow(in[0], backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 1, 1, 1}, nil, nil,
				[][2]int{{0, 0}, {0, 2}, {0, 2}, {0, 0}})
		}, randomTensor(r, dtypes.Float32, 1, 4, 2, 1))
	})
	// A window over the channels axis is not a spatial pool: SimpleGo's own.
	t.Run("channel window falls back", func(t *testing.T) {
		compareWithSimpleGo(t, be, 0, false, func(g *graph.Graph, in []*graph.Node) *graph.Node {
			return graph.BackendReduceWindow(in[0], backends.ReduceOpMax, []int{1, 2, 2, 2}, nil, nil, nil, nil)
		}, randomTensor(r, dtypes.Float32, 2, 4, 4, 4))
	})
}

// naiveMaxPoolGrad is max pooling's gradient by its definition: for each
// window, the first largest in-image element (row-major) gets the window's
// upstream value.
func naiveMaxPoolGrad(x, v []float64, pc poolCase) []float64 {
	ho, wo := pc.outSize()
	dx := make([]float64, len(x))
	at := func(b, i, j, c int) int { return ((b*pc.h+i)*pc.w+j)*pc.c + c }
	for b := range pc.b {
		for oh := range ho {
			for ow := range wo {
				for c := range pc.c {
					best, arg := math.Inf(-1), -1
					for i := oh*pc.s - pc.p; i < oh*pc.s-pc.p+pc.k; i++ {
						for j := ow*pc.s - pc.p; j < ow*pc.s-pc.p+pc.k; j++ {
							if i < 0 || j < 0 || i >= pc.h || j >= pc.w {
								continue
							}
							if x[at(b, i, j, c)] > best {
								best, arg = x[at(b, i, j, c)], at(b, i, j, c)
							}
						}
					}
					dx[arg] += v[((b*ho+oh)*wo+ow)*pc.c+c]
				}
			}
		}
	}
	return dx
}

// GoMLX's own MaxPool on the wrapped backend differentiates through the
// SelectAndScatterMax Wrap adds; its gradient must be the definition's, ties
// included (inputs drawn from three values tie often).
func TestMaxPoolGradientOnWrap(t *testing.T) {
	be := Wrap(newBackend(t))
	if !be.Capabilities().Operations[backends.OpTypeSelectAndScatterMax] {
		t.Fatal("Wrap's backend does not offer SelectAndScatterMax")
	}
	r := rand.New(rand.NewPCG(23, 24))
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, ties := range []bool{false, true} {
			for _, pc := range poolCases {
				t.Run(fmt.Sprint(dt, " ties=", ties, " ", pc), func(t *testing.T) {
					x := randomTensor(r, dtypes.Float64, pc.b, pc.h, pc.w, pc.c)
					if ties {
						tensors.MutableFlatData(x, func(f []float64) {
							for i := range f {
								f[i] = float64(r.IntN(3))
							}
						})
					}
					ho, wo := pc.outSize()
					v := randomTensor(r, dtypes.Float64, pc.b, ho, wo, pc.c)
					exec := graph.MustNewExec(be, func(x, v *graph.Node) *graph.Node {
						x, v = graph.ConvertDType(x, dt), graph.ConvertDType(v, dt)
						y := graph.MaxPool(x).Window(pc.k).Strides(pc.s).
							PaddingPerDim([][2]int{{pc.p, pc.after()}, {pc.p, pc.after()}}).Done()
						loss := graph.ReduceAllSum(graph.Mul(y, v))
						return graph.ConvertDType(graph.Gradient(loss, x)[0], dtypes.Float64)
					})
					before := fastRuns.Load()
					got := values(exec.MustExec(x, v)[0])
					if fastRuns.Load() == before {
						t.Fatal("no fast executor ran")
					}
					want := naiveMaxPoolGrad(values(x), values(v), pc)
					for i := range want {
						if math.Abs(got[i]-want[i]) > 8*tolFor(dt) {
							t.Fatalf("dx[%d] = %g, want %g", i, got[i], want[i])
						}
					}
				})
			}
		}
	}
}

// The builder refuses a SelectAndScatterMax it cannot run, with the reason,
// instead of building a node the executor would misread.
func TestWrapRefusesOtherPools(t *testing.T) {
	be := Wrap(newBackend(t))
	b := be.Builder("refuse")
	x, err := b.Parameter("x", shapes.Make(dtypes.Float32, 2, 4, 4, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := b.Parameter("v", shapes.Make(dtypes.Float32, 2, 2, 2, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SelectAndScatterMax(x, src, []int{1, 2, 2, 2}, []int{1, 2, 2, 2}, nil)
	if err == nil || !strings.Contains(err.Error(), "axes 1 and 2") {
		t.Fatalf("a window over channels: err = %v, want a refusal naming the axes", err)
	}
	// A window in the padding after the image: no element to send its value to.
	src4, err := b.Parameter("v4", shapes.Make(dtypes.Float32, 2, 2, 2, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SelectAndScatterMax(x, src4, []int{1, 2, 2, 1}, []int{1, 3, 3, 1}, [][2]int{{0, 0}, {0, 2}, {0, 2}, {0, 0}})
	if err == nil || !strings.Contains(err.Error(), "padding under the window size") {
		t.Fatalf("padding after ≥ window: err = %v, want a refusal", err)
	}
	bad, err := b.Parameter("w", shapes.Make(dtypes.Float32, 2, 3, 3, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SelectAndScatterMax(x, bad, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil)
	if err == nil || !strings.Contains(err.Error(), "source is") {
		t.Fatalf("a source of the wrong shape: err = %v", err)
	}
}

// BenchmarkPools times LeNet's first pool (2×2/2 over 6 channels) and
// AlexNet-quick's (3×3/2 over 24), forward and back.
func BenchmarkPools(b *testing.B) {
	for _, pc := range []poolCase{{256, 28, 28, 6, 2, 2, 0, 0}, {64, 15, 15, 24, 3, 2, 0, 0}} {
		ho, wo := pc.outSize()
		g := pc.geom()
		r := rand.New(rand.NewPCG(1, 1))
		x := make([]float32, pc.b*pc.h*pc.w*pc.c)
		for i := range x {
			x[i] = r.Float32()
		}
		y := make([]float32, pc.b*ho*wo*pc.c)
		dx := make([]float32, len(x))
		b.Run("forward "+pc.String(), func(b *testing.B) {
			for b.Loop() {
				poolForward(x, y, g, true, float32(math.Inf(-1)))
			}
		})
		b.Run("backward "+pc.String(), func(b *testing.B) {
			for b.Loop() {
				scatterMax(x, y, dx, g)
			}
		})
	}
}

// A batch gather (whole rows of axis 0) is copied row by row; indices out of
// range are clamped as XLA does; any other gather stays SimpleGo's.
func TestGatherMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	images := make([]uint8, 7*3*4)
	for i := range images {
		images[i] = uint8(i * 37)
	}
	cases := []struct {
		name    string
		operand *tensors.Tensor
		indices *tensors.Tensor
		fast    bool
	}{
		{"uint8 rows, int32 indices", tensors.FromFlatDataAndDimensions(images, 7, 3, 4),
			tensors.FromFlatDataAndDimensions([]int32{6, 0, 3, 3, 9, -2}, 6, 1), true},
		{"float32 rows, int64 indices", randomTensor(rand.New(rand.NewPCG(3, 4)), dtypes.Float32, 5, 6),
			tensors.FromFlatDataAndDimensions([]int64{4, 1}, 2, 1), true},
		{"pairs of indices", tensors.FromFlatDataAndDimensions(images, 7, 3, 4),
			tensors.FromFlatDataAndDimensions([]int32{1, 2, 6, 0}, 2, 2), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exec := graph.MustNewExec(be, func(x, i *graph.Node) *graph.Node { return graph.Gather(x, i) })
			run := func(slow bool) any {
				bypass.Store(slow)
				defer bypass.Store(false)
				return exec.MustExec(c.operand, c.indices)[0].Value()
			}
			want := run(true)
			before := fastRuns.Load()
			got := run(false)
			if fast := fastRuns.Load() > before; fast != c.fast {
				t.Fatalf("fast executor ran: %v, want %v", fast, c.fast)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("gathered %v, SimpleGo's %v", got, want)
			}
		})
	}
}

// The gradient kernel owns every element of dx: SimpleGo's pooled buffers
// come back dirty, so elements in no window must be written as zeros too.
func TestScatterMaxOverwritesDirtyBuffers(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, pc := range poolCases {
		t.Run(pc.String(), func(t *testing.T) {
			ho, wo := pc.outSize()
			g := pc.geom()
			x, v := values(randomTensor(r, dtypes.Float64, pc.b, pc.h, pc.w, pc.c)), values(randomTensor(r, dtypes.Float64, pc.b, ho, wo, pc.c))
			x32, v32 := make([]float32, len(x)), make([]float32, len(v))
			for i := range x {
				x[i] = float64(float32(x[i]))
				x32[i] = float32(x[i])
			}
			for i := range v {
				v[i] = float64(float32(v[i]))
				v32[i] = float32(v[i])
			}
			dx := make([]float32, len(x))
			for i := range dx {
				dx[i] = float32(math.NaN())
			}
			scatterMax(x32, v32, dx, g)
			for i, want := range naiveMaxPoolGrad(x, v, pc) {
				if math.Abs(float64(dx[i])-want) > 1e-6 || math.IsNaN(float64(dx[i])) {
					t.Fatalf("dx[%d] = %g, want %g", i, dx[i], want)
				}
			}
		})
	}
}
