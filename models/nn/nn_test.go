package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"alexbench/internal/fastcpu"
)

func goBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randTensor(r *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = r.Float64()*2 - 1
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

func flat(t *tensors.Tensor) []float64 {
	out := make([]float64, t.Size())
	copy(out, tensors.MustCopyFlatData[float64](t))
	return out
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

type convCase struct{ b, h, w, cin, cout, k, s, p int }

var convCases = []convCase{
	{2, 7, 7, 3, 4, 3, 1, 1},    // same padding
	{2, 9, 6, 2, 3, 3, 2, 1},    // stride 2, non-square
	{1, 11, 13, 1, 2, 5, 1, 2},  // LeNet conv1-like
	{2, 12, 12, 3, 2, 11, 4, 1}, // AlexNet conv1-like
	{1, 6, 5, 4, 3, 1, 2, 0},    // 1×1 strided shortcut
	{1, 8, 8, 2, 2, 4, 3, 0},    // stride not dividing
}

// The SimpleGo fallback (im2col) must compute what the native convolution does.
func TestConvFallbackMatchesNative(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range convCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x, w := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout)
			native := MustExecOnce(be, func(x, w *Node) *Node {
				p := c.p
				return Convolve(x, w).StridePerAxis(c.s, c.s).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
			}, x, w)
			fallback := MustExecOnce(be, func(x, w *Node) *Node { return im2colConv(x, w, nil, c.k, c.s, c.p) }, x, w)
			if !native.Shape().Equal(fallback.Shape()) {
				t.Fatalf("shapes: native %s, fallback %s", native.Shape(), fallback.Shape())
			}
			if d := maxAbsDiff(flat(native), flat(fallback)); d > 1e-5 {
				t.Errorf("max |native - fallback| = %g", d)
			}
		})
	}
}

type poolCase struct {
	max        bool
	b, h, w, c int
	k, s, p    int
}

var poolCases = []poolCase{
	{true, 2, 8, 8, 3, 2, 2, 0},   // LeNet max
	{false, 2, 8, 8, 3, 2, 2, 0},  // LeNet avg
	{true, 2, 7, 9, 2, 2, 2, 0},   // odd sizes: the last row/column is dropped
	{true, 2, 13, 13, 2, 3, 2, 0}, // AlexNet overlapping
	{false, 1, 9, 7, 2, 3, 2, 0},  // overlapping avg, non-square
	{true, 1, 6, 6, 2, 3, 2, 1},   // padded max
}

func TestPoolFallbackMatchesNative(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range poolCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x := randTensor(r, c.b, c.h, c.w, c.c)
			pad := [][2]int{{c.p, c.p}, {c.p, c.p}}
			native := MustExecOnce(be, func(x *Node) *Node {
				if c.max {
					return MaxPool(x).Window(c.k).Strides(c.s).PaddingPerDim(pad).Done()
				}
				return MeanPool(x).Window(c.k).Strides(c.s).PaddingPerDim(pad).Done()
			}, x)
			layer := Pool2D{Max: c.max, Window: c.k, Stride: c.s, Padding: c.p}
			fallback := MustExecOnce(be, func(x *Node) *Node { return layer.fallback(x) }, x)
			if !native.Shape().Equal(fallback.Shape()) {
				t.Fatalf("shapes: native %s, fallback %s", native.Shape(), fallback.Shape())
			}
			if d := maxAbsDiff(flat(native), flat(fallback)); d > 1e-5 {
				t.Errorf("max |native - fallback| = %g", d)
			}
		})
	}
}

// checkGradients compares graph gradients of sum(f(inputs)·R) with central
// finite differences at a sample of coordinates, in float64.
func checkGradients(t *testing.T, be backends.Backend, f func(in []*Node) *Node, inputs ...*tensors.Tensor) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	// Project onto a fixed random direction so every output element matters.
	var proj *tensors.Tensor
	loss := func(in []*Node) *Node {
		y := f(in)
		if proj == nil {
			proj = randTensor(r, y.Shape().Dimensions...)
		}
		return ReduceAllSum(Mul(y, Const(y.Graph(), proj)))
	}
	gradExec := MustNewExec(be, func(in []*Node) []*Node {
		l := loss(in)
		return Gradient(l, in...)
	})
	args := make([]any, len(inputs))
	for i := range inputs {
		args[i] = inputs[i]
	}
	grads := gradExec.MustExec(args...)
	lossExec := MustNewExec(be, func(in []*Node) *Node { return loss(in) })
	eval := func(vals [][]float64) float64 {
		a := make([]any, len(vals))
		for i, v := range vals {
			a[i] = tensors.FromFlatDataAndDimensions(v, inputs[i].Shape().Dimensions...)
		}
		return tensors.ToScalar[float64](lossExec.MustExec(a...)[0])
	}
	vals := make([][]float64, len(inputs))
	for i := range inputs {
		vals[i] = flat(inputs[i])
	}
	const eps = 1e-5
	for i := range inputs {
		g := flat(grads[i])
		for trial := 0; trial < 12; trial++ {
			j := r.IntN(len(vals[i]))
			orig := vals[i][j]
			vals[i][j] = orig + eps
			up := eval(vals)
			vals[i][j] = orig - eps
			down := eval(vals)
			vals[i][j] = orig
			fd := (up - down) / (2 * eps)
			if math.Abs(fd-g[j]) > 1e-4*max(1, math.Abs(fd)) {
				t.Errorf("input %d element %d: gradient %.6g, finite difference %.6g", i, j, g[j], fd)
			}
		}
	}
}

func TestConvFallbackGradients(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range convCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x, w := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout)
			checkGradients(t, be, func(in []*Node) *Node { return im2colConv(in[0], in[1], nil, c.k, c.s, c.p) }, x, w)
		})
	}
}

func TestPoolFallbackGradients(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, c := range poolCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x := randTensor(r, c.b, c.h, c.w, c.c)
			layer := Pool2D{Max: c.max, Window: c.k, Stride: c.s, Padding: c.p}
			checkGradients(t, be, func(in []*Node) *Node { return layer.fallback(in[0]) }, x)
		})
	}
}

// The Slice VJP replacement must give GoMLX's answer for strided slices with
// odd remainders, on every axis.
func TestStridedSliceGradient(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(11, 12))
	x := randTensor(r, 3, 10, 7)
	checkGradients(t, be, func(in []*Node) *Node {
		return stridedSlice(in[0], []int{1, 2, 0}, []int{3, 9, 7}, []int{1, 3, 2})
	}, x)
}

func TestReLUGradient(t *testing.T) {
	be := goBackend(t)
	x := randTensor(rand.New(rand.NewPCG(13, 14)), 4, 5, 3)
	checkGradients(t, be, func(in []*Node) *Node { return relu(in[0]) }, x)
	// At exactly 0 our gradient is 0, like PyTorch's; GoMLX's own Max
	// gradient would give 1 there, so this also shows ours is the one in use.
	got := MustExecOnce(be, func(x *Node) *Node { return Gradient(ReduceAllSum(relu(x)), x)[0] },
		[]float64{-1, 0, 2})
	if want := []float64{0, 0, 1}; maxAbsDiff(flat(got), want) != 0 {
		t.Errorf("relu gradient at [-1 0 2] = %v, want %v", flat(got), want)
	}
}

func TestMatmulGradient(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(15, 16))
	checkGradients(t, be, func(in []*Node) *Node { return matmul(in[0], in[1]) }, randTensor(r, 7, 5), randTensor(r, 5, 3))
	// The gradient graph is two DotGenerals, not GoMLX's broadcast-multiply
	// and reduce over [M, K, N].
	dots := 0
	MustExecOnce(be, func(a, b *Node) *Node {
		g := Gradient(ReduceAllSum(matmul(a, b)), a, b)
		for _, n := range a.Graph().Nodes() {
			if n.Type() == NodeTypeDotGeneral {
				dots++
			}
			if n.Rank() > 2 {
				t.Errorf("gradient graph has a rank-%d node: %s", n.Rank(), n)
			}
		}
		return Add(ReduceAllSum(g[0]), ReduceAllSum(g[1]))
	}, randTensor(r, 7, 5), randTensor(r, 5, 3))
	if dots != 3 {
		t.Errorf("%d DotGenerals, want 3 (forward + two gradients)", dots)
	}
}

// Batch norm trains on SimpleGo: its gradient, through the batch statistics,
// matches finite differences (in training mode).
func TestBatchNormGradient(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(17, 18))
	checkGradients(t, be, func(in []*Node) *Node {
		y, _, _ := batchNormTrain(in[0], in[1], in[2])
		return y
	}, randTensor(r, 4, 3, 3, 2), randTensor(r, 2), randTensor(r, 2))
}

func TestWindowThatDoesNotFitGivesZero(t *testing.T) {
	if got := (Pool2D{Max: true, Window: 3, Stride: 2}).OutShape(Shape{2, 2, 8}); got[0] != 0 {
		t.Errorf("3×3 pool on 2×2: %v, want 0 rows", got)
	}
}

// The bias rides in the patch matrix as a column of ones: forward equals
// conv + bias, and its gradient matches finite differences.
func TestConvFallbackBias(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(19, 20))
	c := convCases[1]
	x, w, b := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout), randTensor(r, c.cout)
	want := MustExecOnce(be, func(x, w, b *Node) *Node {
		p := c.p
		y := Convolve(x, w).StridePerAxis(c.s, c.s).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
		return Add(y, Reshape(b, 1, 1, 1, c.cout))
	}, x, w, b)
	got := MustExecOnce(be, func(x, w, b *Node) *Node { return im2colConv(x, w, b, c.k, c.s, c.p) }, x, w, b)
	if d := maxAbsDiff(flat(want), flat(got)); d > 1e-5 {
		t.Errorf("max |conv+bias − fallback| = %g", d)
	}
	checkGradients(t, be, func(in []*Node) *Node { return im2colConv(in[0], in[1], in[2], c.k, c.s, c.p) }, x, w, b)
}

// On SimpleGo with internal/fastcpu, a convolution is one ConvGeneral with a
// gradient of two more: it must compute what the im2col formulation does,
// forward and backward, and its gradients must match finite differences.
func TestFastConvMatchesIm2col(t *testing.T) {
	if !fastcpu.Installed() {
		t.Skipf("fastcpu not installed: %s", fastcpu.Status())
	}
	be := goBackend(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range convCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x, w := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout)
			proj := randTensor(r, c.b, convOut(c.h, c.k, c.s, c.p), convOut(c.w, c.k, c.s, c.p), c.cout)
			run := func(conv func(x, w *Node) *Node) []*tensors.Tensor {
				return MustNewExec(be, func(x, w *Node) []*Node {
					y := conv(x, w)
					loss := ReduceAllSum(Mul(y, Const(x.Graph(), proj)))
					return append([]*Node{y}, Gradient(loss, x, w)...)
				}).MustExec(x, w)
			}
			fast := run(func(x, w *Node) *Node { return convNHWC(x, w, c.s, c.p) })
			ref := run(func(x, w *Node) *Node { return im2colConv(x, w, nil, c.k, c.s, c.p) })
			for i, name := range []string{"y", "dx", "dw"} {
				if !fast[i].Shape().Equal(ref[i].Shape()) {
					t.Fatalf("%s shape %s, im2col's %s", name, fast[i].Shape(), ref[i].Shape())
				}
				if d := maxAbsDiff(flat(fast[i]), flat(ref[i])); d > 1e-9 {
					t.Errorf("%s: max |fast - im2col| = %g", name, d)
				}
			}
			checkGradients(t, be, func(in []*Node) *Node { return convNHWC(in[0], in[1], c.s, c.p) }, x, w)
		})
	}
}

// On SimpleGo with fastcpu, pools whose windows tile the image are one
// reduction over a window view: forward and gradient must match the k·k-slice
// formulation (random inputs: no ties), and the gradients finite differences.
func TestTiledPoolMatchesFallback(t *testing.T) {
	if !fastcpu.Installed() {
		t.Skipf("fastcpu not installed: %s", fastcpu.Status())
	}
	be := goBackend(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range []poolCase{
		{true, 2, 8, 8, 3, 2, 2, 0},
		{false, 2, 8, 8, 3, 2, 2, 0},
		{true, 1, 9, 6, 2, 3, 3, 0},
		{false, 1, 6, 9, 2, 3, 3, 0},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			layer := Pool2D{Max: c.max, Window: c.k, Stride: c.s, Padding: c.p}
			x := randTensor(r, c.b, c.h, c.w, c.c)
			proj := randTensor(r, c.b, c.h/c.k, c.w/c.k, c.c)
			run := func(pool func(*Node) *Node) []*tensors.Tensor {
				return MustNewExec(be, func(x *Node) []*Node {
					y := pool(x)
					loss := ReduceAllSum(Mul(y, Const(x.Graph(), proj)))
					return append([]*Node{y}, Gradient(loss, x)...)
				}).MustExec(x)
			}
			tiled, ref := run(layer.tiled), run(layer.fallback)
			for i, name := range []string{"y", "dx"} {
				if !tiled[i].Shape().Equal(ref[i].Shape()) {
					t.Fatalf("%s shape %s, fallback's %s", name, tiled[i].Shape(), ref[i].Shape())
				}
				if d := maxAbsDiff(flat(tiled[i]), flat(ref[i])); d > 1e-12 {
					t.Errorf("%s: max |tiled - fallback| = %g", name, d)
				}
			}
			checkGradients(t, be, func(in []*Node) *Node { return layer.tiled(in[0]) }, x)
		})
	}
}

// The fused BatchNorm (fastcpu's) must compute what the differentiated one
// does, forward and backward, and match finite differences.
func TestFusedBatchNormMatches(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(15, 16))
	x, gamma, beta := randTensor(r, 4, 3, 5, 6), randTensor(r, 6), randTensor(r, 6)
	proj := randTensor(r, 4, 3, 5, 6)
	run := func(bn func(x, g, b *Node) (*Node, *Node, *Node)) []*tensors.Tensor {
		return MustNewExec(be, func(x, g, b *Node) []*Node {
			y, _, _ := bn(x, g, b)
			loss := ReduceAllSum(Mul(y, Const(x.Graph(), proj)))
			return append([]*Node{y}, Gradient(loss, x, g, b)...)
		}).MustExec(x, gamma, beta)
	}
	fused, ref := run(batchNormTrainFused), run(batchNormTrain)
	for i, name := range []string{"y", "dx", "dgamma", "dbeta"} {
		if d := maxAbsDiff(flat(fused[i]), flat(ref[i])); d > 1e-10 {
			t.Errorf("%s: max |fused - differentiated| = %g", name, d)
		}
	}
	checkGradients(t, be, func(in []*Node) *Node {
		y, _, _ := batchNormTrainFused(in[0], in[1], in[2])
		return y
	}, x, gamma, beta)
}
