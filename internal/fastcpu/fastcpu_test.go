package fastcpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func newBackend(t *testing.T) backends.Backend { return newBackendB(t) }

func newBackendB(t testing.TB) backends.Backend {
	t.Helper()
	if !Install() {
		// Only a missing library or an explicit switch may skip; a layout
		// mismatch with the pinned GoMLX is a failure.
		if !builtWithBLAS || os.Getenv(EnvSwitch) != "" || strings.Contains(Status(), "no BLAS library") && os.Getenv("CI") == "" {
			t.Skipf("fastcpu not installed: %s", Status())
		}
		t.Fatalf("fastcpu not installed: %s", Status())
	}
	b, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Finalize)
	return b
}

func randomTensor(r *rand.Rand, dt dtypes.DType, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if dt == dtypes.Float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// compareWithSimpleGo runs fn on the inputs with and without the fast
// executors and checks shapes match and values agree to tol (relative to the
// output's largest magnitude).
func compareWithSimpleGo(t *testing.T, be backends.Backend, tol float64, wantFast bool, fn func(g *graph.Graph, in []*graph.Node) *graph.Node, inputs ...*tensors.Tensor) {
	t.Helper()
	run := func(slow bool) *tensors.Tensor {
		bypass.Store(slow)
		defer bypass.Store(false)
		exec := graph.MustNewExec(be, func(nodes []*graph.Node) *graph.Node {
			return fn(nodes[0].Graph(), nodes)
		})
		args := make([]any, len(inputs))
		for i, in := range inputs {
			args[i] = in
		}
		out := exec.MustExec(args...)[0]
		return out
	}
	want := run(true)
	before := fastRuns.Load()
	got := run(false)
	if fast := fastRuns.Load() > before; fast != wantFast {
		t.Fatalf("fast executor ran: %v, want %v", fast, wantFast)
	}
	if !want.Shape().Equal(got.Shape()) {
		t.Fatalf("shape %s, SimpleGo's %s", got.Shape(), want.Shape())
	}
	w, g := values(want), values(got)
	scale := 0.0
	for _, v := range w {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range w {
		if d := math.Abs(w[i] - g[i]); d > tol*math.Max(scale, 1) || math.IsNaN(g[i]) {
			t.Fatalf("element %d of %s: %g, SimpleGo's %g (|diff| %.3g, scale %.3g)", i, got.Shape(), g[i], w[i], d, scale)
		}
	}
}

func values(t *tensors.Tensor) []float64 {
	var out []float64
	switch t.DType() {
	case dtypes.Float32:
		tensors.ConstFlatData(t, func(f []float32) {
			for _, x := range f {
				out = append(out, float64(x))
			}
		})
	case dtypes.Float64:
		tensors.ConstFlatData(t, func(f []float64) { out = append(out, f...) })
	}
	return out
}

func tolFor(dt dtypes.DType) float64 {
	if dt == dtypes.Float64 {
		return 1e-12
	}
	return 2e-5
}

func TestDotGeneralMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name         string
		lhs, rhs     []int
		lc, lb       []int
		rc, rb       []int
		wantFastPath bool
	}{
		{"MK·KN", []int{37, 19}, []int{19, 23}, []int{1}, nil, []int{0}, nil, true},
		{"KM·KN (Aᵀ)", []int{19, 37}, []int{19, 23}, []int{0}, nil, []int{0}, nil, true},
		{"MK·NK (Bᵀ)", []int{37, 19}, []int{23, 19}, []int{1}, nil, []int{1}, nil, true},
		{"KM·NK (both)", []int{19, 37}, []int{23, 19}, []int{0}, nil, []int{1}, nil, true},
		{"batched BMK·BKN", []int{3, 5, 7}, []int{3, 7, 4}, []int{2}, []int{0}, []int{1}, []int{0}, true},
		{"two contracting axes", []int{6, 4, 5}, []int{4, 5, 3}, []int{1, 2}, nil, []int{0, 1}, nil, true},
		{"vector·matrix", []int{9}, []int{9, 4}, []int{0}, nil, []int{0}, nil, true},
		{"1×1", []int{1, 1}, []int{1, 1}, []int{1}, nil, []int{0}, nil, true},
		// Large enough to be split by rows over the workers.
		{"split MK·KN", []int{300, 130}, []int{130, 120}, []int{1}, nil, []int{0}, nil, true},
		{"split KM·NK", []int{130, 300}, []int{120, 130}, []int{0}, nil, []int{1}, nil, true},
		// An image resize along H: [N, H, W] · [H', H] over H.
		{"contracting in the middle", []int{6, 9, 7}, []int{13, 9}, []int{1}, nil, []int{1}, nil, true},
		{"contracting in the middle, batched", []int{2, 3, 5, 4}, []int{2, 5, 6}, []int{2}, []int{0}, []int{1}, []int{0}, true},
		// Falls back: contracting axes out of order, batch axis not leading.
		{"contracting reversed", []int{6, 4, 5}, []int{5, 4, 3}, []int{1, 2}, nil, []int{1, 0}, nil, false},
		{"batch not first", []int{5, 3, 7}, []int{3, 7, 4}, []int{2}, []int{1}, []int{1}, []int{0}, false},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dt, c.name), func(t *testing.T) {
				_, ok := planDot(&sgDotData{lhsContractingAxes: c.lc, lhsBatchAxes: c.lb, rhsContractingAxes: c.rc, rhsBatchAxes: c.rb,
					batchSize: 1, lhsCrossSize: 1, rhsCrossSize: 1, contractingSize: 1}, c.lhs, len(c.rhs))
				if ok != c.wantFastPath {
					t.Fatalf("planDot takes it: %v, want %v", ok, c.wantFastPath)
				}
				compareWithSimpleGo(t, be, tolFor(dt), c.wantFastPath, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					return graph.DotGeneral(in[0], c.lc, c.lb, in[1], c.rc, c.rb)
				}, randomTensor(r, dt, c.lhs...), randomTensor(r, dt, c.rhs...))
			})
		}
	}
}

func TestConvGeneralMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(3, 4))
	nhwc := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	nchw := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelInputChannels: 1, KernelOutputChannels: 0, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	// The weight gradient's layout: the input's batch is contracted, the
	// input's channels become the output's batch, output [kh, kw, cin, cout].
	weightGrad := backends.ConvolveAxesConfig{
		InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
	}
	cases := []struct {
		name              string
		axes              backends.ConvolveAxesConfig
		in, kernel        []int
		strides           []int
		pad               [][2]int
		idil, kdil        []int
		wantIm2col, check bool
	}{
		{name: "lenet conv1 (cin 1, pad 2)", axes: nhwc, in: []int{3, 28, 28, 1}, kernel: []int{5, 5, 1, 6}, pad: [][2]int{{2, 2}, {2, 2}}},
		{name: "lenet conv2", axes: nhwc, in: []int{2, 14, 14, 6}, kernel: []int{5, 5, 6, 16}},
		{name: "alexnet conv1 (k11 s4 p1)", axes: nhwc, in: []int{2, 67, 67, 1}, kernel: []int{11, 11, 1, 8}, strides: []int{4, 4}, pad: [][2]int{{1, 1}, {1, 1}}},
		{name: "odd sizes, uneven pad", axes: nhwc, in: []int{3, 9, 7, 5}, kernel: []int{3, 2, 5, 4}, strides: []int{2, 1}, pad: [][2]int{{1, 0}, {0, 2}}},
		{name: "1×1", axes: nhwc, in: []int{2, 5, 5, 3}, kernel: []int{1, 1, 3, 7}},
		{name: "channels first", axes: nchw, in: []int{2, 3, 8, 9}, kernel: []int{4, 3, 3, 3}, pad: [][2]int{{1, 1}, {1, 1}}},
		{name: "input dilation (strided input gradient)", axes: nhwc, in: []int{2, 6, 6, 4}, kernel: []int{3, 3, 4, 5}, idil: []int{2, 2}, pad: [][2]int{{2, 3}, {2, 3}}},
		{name: "kernel dilation", axes: nhwc, in: []int{2, 11, 10, 3}, kernel: []int{3, 3, 3, 2}, kdil: []int{2, 3}},
		{name: "weight-gradient layout", axes: weightGrad, in: []int{4, 12, 12, 3}, kernel: []int{4, 8, 8, 5}, kdil: []int{1, 1}},
		{name: "weight-gradient layout, 6 channels (the forward's patches)", axes: weightGrad, in: []int{4, 12, 12, 6}, kernel: []int{4, 8, 8, 5}},
		{name: "weight-gradient layout, 7 channels, strided, uneven pad", axes: weightGrad, in: []int{3, 13, 11, 7}, kernel: []int{3, 6, 5, 4}, kdil: []int{2, 2}, pad: [][2]int{{1, 0}, {1, 1}}},
		{name: "weight-gradient layout, strided", axes: weightGrad, in: []int{4, 13, 13, 2}, kernel: []int{4, 5, 5, 3}, kdil: []int{2, 2}, pad: [][2]int{{1, 0}, {1, 0}}},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dt, c.name), func(t *testing.T) {
				if c.strides == nil {
					c.strides = []int{1, 1}
				}
				if c.pad == nil {
					c.pad = [][2]int{{0, 0}, {0, 0}}
				}
				if c.idil == nil {
					c.idil = []int{1, 1}
				}
				if c.kdil == nil {
					c.kdil = []int{1, 1}
				}
				compareWithSimpleGo(t, be, tolFor(dt), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					return graph.ConvGeneral(in[0], in[1], c.axes, c.strides, c.pad, c.idil, c.kdil, 1, 1)
				}, randomTensor(r, dt, c.in...), randomTensor(r, dt, c.kernel...))
			})
		}
	}
}

// Both algorithms must agree on every case, whichever the cost model picks.
func TestConvAlgorithmsAgree(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(5, 6))
	axes := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	// The second shape has unit stride and kernel dilation on axis 1, where
	// col2im adds each row's taps as one merged run (forceCol2imRuns: not).
	for _, force := range []int{forceIm2col, forceCol2im, forceIm2colRows, forceCol2imRuns} {
		t.Run(fmt.Sprint(force), func(t *testing.T) {
			forceAlgorithm = force
			defer func() { forceAlgorithm = 0 }()
			for _, idil := range [][]int{{1, 1}, {2, 3}} {
				for _, kdil := range [][]int{{1, 2}, {1, 1}} {
					compareWithSimpleGo(t, be, 2e-5, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return graph.ConvGeneral(in[0], in[1], axes, []int{2, 1}, [][2]int{{1, 2}, {0, 1}}, idil, kdil, 1, 1)
					}, randomTensor(r, dtypes.Float32, 2, 7, 8, 3), randomTensor(r, dtypes.Float32, 3, 3, 3, 4))
					compareWithSimpleGo(t, be, 2e-5, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return graph.ConvGeneral(in[0], in[1], axes, []int{1, 1}, [][2]int{{4, 4}, {4, 3}}, idil, kdil, 1, 1)
					}, randomTensor(r, dtypes.Float32, 2, 6, 5, 7), randomTensor(r, dtypes.Float32, 5, 5, 7, 3))
				}
			}
		})
	}
}

func TestSliceMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		name                 string
		dims                 []int
		starts, limits, strd []int
	}{
		{"pool tap", []int{4, 28, 28, 6}, []int{0, 1, 0, 0}, []int{4, 28, 27, 6}, []int{1, 2, 2, 1}},
		{"long rows", []int{3, 40}, []int{1, 2}, []int{3, 39}, []int{1, 1}},
		{"strided last axis", []int{5, 9, 17}, []int{0, 1, 2}, []int{5, 9, 17}, []int{2, 3, 5}},
		{"vector", []int{50}, []int{3}, []int{47}, []int{4}},
		{"empty", []int{4, 4}, []int{2, 0}, []int{2, 4}, []int{1, 1}},
		{"whole trailing axes", []int{3, 8, 5, 4}, []int{1, 2, 0, 0}, []int{3, 7, 5, 4}, []int{1, 1, 1, 1}},
		{"strided before whole axes", []int{3, 9, 5, 4}, []int{0, 1, 0, 0}, []int{3, 9, 5, 4}, []int{2, 3, 1, 1}},
		{"short contiguous run", []int{6, 3}, []int{1, 1}, []int{6, 3}, []int{1, 1}},
		{"whole tensor", []int{2, 3, 4}, []int{0, 0, 0}, []int{2, 3, 4}, []int{1, 1, 1}},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dt, c.name), func(t *testing.T) {
				compareWithSimpleGo(t, be, 0, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					specs := make([]graph.SliceAxisSpec, len(c.dims))
					for a := range specs {
						specs[a] = graph.AxisRange(c.starts[a], c.limits[a]).Stride(c.strd[a])
					}
					return graph.Slice(in[0], specs...)
				}, randomTensor(r, dt, c.dims...))
			})
		}
	}
}

// Broadcasting binary ops, BroadcastInDim and reductions in the layouts the
// models use (bias, BatchNorm statistics, per-row totals), and odd ones that
// must fall back.
func TestElementwiseMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(9, 10))
	type binCase struct {
		name     string
		lhs, rhs []int
		fast     bool
	}
	bins := []binCase{
		{"same shape", []int{4, 5, 6}, []int{4, 5, 6}, true},
		{"bias [1,1,1,C]", []int{3, 4, 5, 6}, []int{1, 1, 1, 6}, true},
		{"bias on the left", []int{1, 1, 1, 6}, []int{3, 4, 5, 6}, true},
		{"scalar", []int{3, 7}, []int{}, true},
		{"per row [B,1]", []int{8, 5}, []int{8, 1}, true},
		{"[B,1,1] → [B,H,1]", []int{4, 3, 1}, []int{4, 1, 1}, true},
		{"middle axis", []int{4, 3, 5}, []int{1, 3, 1}, false},
		// Large enough to be split over the cores.
		{"large, same shape", []int{300, 300}, []int{300, 300}, true},
		{"large bias", []int{64, 32, 33, 8}, []int{1, 1, 1, 8}, true},
		{"bias over 6 channels, widened", []int{3, 5, 7, 6}, []int{1, 1, 1, 6}, true},
		{"bias on the left, widened", []int{1, 1, 1, 6}, []int{3, 5, 7, 6}, true},
		{"large per row", []int{70000, 3}, []int{70000, 1}, true},
	}
	ops := map[string]func(a, b *graph.Node) *graph.Node{"Add": graph.Add, "Sub": graph.Sub, "Mul": graph.Mul, "Div": graph.Div, "Max": graph.Max}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for opName, op := range ops {
			for _, c := range bins {
				t.Run(fmt.Sprintf("%s/%s/%s", dt, opName, c.name), func(t *testing.T) {
					compareWithSimpleGo(t, be, 0, c.fast, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return op(in[0], in[1])
					}, randomTensor(r, dt, c.lhs...), randomTensor(r, dt, c.rhs...))
				})
			}
		}
		for _, c := range []struct {
			name string
			dims []int
			axes []int
			fast bool
		}{
			{"channel statistics", []int{4, 5, 6, 3}, []int{0, 1, 2}, true},
			{"channel statistics over 6 channels (accumulated 43 rows at a time)", []int{64, 10, 10, 6}, []int{0, 1, 2}, true},
			{"narrow columns, rows left over", []int{1001, 7}, []int{0}, true},
			{"row totals", []int{7, 9}, []int{1}, true},
			{"all", []int{3, 4}, []int{0, 1}, true},
			{"middle", []int{3, 4, 5}, []int{1}, true},
			{"pool windows [B,Ho,k,Wo,k,C]", []int{2, 3, 2, 4, 2, 5}, []int{2, 4}, true},
			{"last and first", []int{3, 4, 5}, []int{0, 2}, true},
		} {
			for name, red := range map[string]func(*graph.Node, ...int) *graph.Node{"Sum": graph.ReduceSum, "Max": graph.ReduceMax} {
				t.Run(fmt.Sprintf("%s/Reduce%s/%s", dt, name, c.name), func(t *testing.T) {
					compareWithSimpleGo(t, be, 1e-5, c.fast, func(g *graph.Graph, in []*graph.Node) *graph.Node {
						return red(in[0], c.axes...)
					}, randomTensor(r, dt, c.dims...))
				})
			}
		}
		t.Run(fmt.Sprintf("%s/BroadcastInDim", dt), func(t *testing.T) {
			compareWithSimpleGo(t, be, 0, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
				return graph.BroadcastToDims(graph.Reshape(in[0], 1, 1, 6), 4, 5, 6)
			}, randomTensor(r, dt, 6))
		})
		for _, c := range []struct {
			name     string
			from, to []int
		}{
			{"pool windows", []int{2, 3, 1, 4, 1, 5}, []int{2, 3, 2, 4, 2, 5}},
			{"last axis", []int{3, 4, 1}, []int{3, 4, 6}},
			{"middle and last", []int{3, 1, 5, 1}, []int{3, 2, 5, 7}},
		} {
			t.Run(fmt.Sprintf("%s/BroadcastInDim/%s", dt, c.name), func(t *testing.T) {
				compareWithSimpleGo(t, be, 0, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					return graph.BroadcastToDims(in[0], c.to...)
				}, randomTensor(r, dt, c.from...))
			})
		}
	}
}

func TestWhereMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range []struct {
			name        string
			onTrue, onF []int
		}{
			{"both full", []int{5, 7, 3}, []int{5, 7, 3}},
			{"zero on false", []int{5, 7, 3}, nil},
			{"zero on true", nil, []int{5, 7, 3}},
			{"large, split over the cores", []int{70, 50, 30}, nil},
		} {
			t.Run(fmt.Sprintf("%s/%s", dt, c.name), func(t *testing.T) {
				dims := c.onTrue
				if dims == nil {
					dims = c.onF
				}
				x := randomTensor(r, dt, dims...)
				compareWithSimpleGo(t, be, 0, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					cond := graph.GreaterThan(in[0], graph.ScalarZero(g, dt))
					pick := func(dims []int, v *graph.Node) *graph.Node {
						if dims == nil {
							return graph.ZerosLike(in[0])
						}
						return v
					}
					return graph.Where(cond, pick(c.onTrue, graph.Neg(in[0])), pick(c.onF, graph.MulScalar(in[0], 3)))
				}, x)
			})
		}
	}
}
