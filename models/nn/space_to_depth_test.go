package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Convolutions the reformulation must reproduce: AlexNet's conv1 itself
// (the rearranged input is then 56×56×16), a high edge it must extend
// rather than cut, strides that do not divide the kernel, and channels.
var s2dCases = []convCase{
	{1, 224, 224, 1, 2, 11, 4, 1}, // AlexNet conv1: 224+2 padded, rows 223.. unread
	{2, 12, 12, 3, 2, 11, 4, 1},
	{2, 13, 10, 2, 3, 5, 2, 2}, // the padded edge extended to whole blocks
	{1, 9, 9, 1, 2, 3, 3, 0},   // stride = kernel
	{2, 8, 8, 2, 2, 4, 3, 0},   // stride not dividing the kernel
}

func TestSpaceToDepthShapesOfConv1(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(11, 12))
	x, w := randTensor(r, 1, 224, 224, 1), randTensor(r, 11, 11, 1, 2)
	out := MustNewExec(be, func(x, w *Node) []*Node { xs, ws := spaceToDepth(x, w, 4, 1); return []*Node{xs, ws} }).MustExec(x, w)
	if got := fmt.Sprint(out[0].Shape().Dimensions, out[1].Shape().Dimensions); got != "[1 56 56 16] [3 3 16 2]" {
		t.Fatalf("rearranged input and kernel %s, want [1 56 56 16] [3 3 16 2]", got)
	}
}

// Forward: the same numbers as the plain strided convolution (GoMLX's own,
// and our im2col one), to float rounding.
func TestSpaceToDepthMatchesConv(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range s2dCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x, w := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout)
			plain := MustExecOnce(be, func(x, w *Node) *Node {
				p := c.p
				return Convolve(x, w).StridePerAxis(c.s, c.s).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
			}, x, w)
			s2d := MustExecOnce(be, func(x, w *Node) *Node {
				xs, ws := spaceToDepth(x, w, c.s, c.p)
				return im2colConv(xs, ws, nil, ws.Shape().Dim(0), 1, 0)
			}, x, w)
			if !plain.Shape().Equal(s2d.Shape()) {
				t.Fatalf("shapes: plain %s, space-to-depth %s", plain.Shape(), s2d.Shape())
			}
			if d := maxAbsDiff(flat(plain), flat(s2d)); d > 1e-9 {
				t.Errorf("max |plain - space-to-depth| = %g", d)
			}
		})
	}
}

// Gradients: with respect to the input and the (un-rearranged) kernel, the
// same as the plain convolution's, and both agree with finite differences.
func TestSpaceToDepthGradients(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(15, 16))
	for _, c := range s2dCases[1:] { // conv1 itself is slow in float64 finite differences
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			x, w := randTensor(r, c.b, c.h, c.w, c.cin), randTensor(r, c.k, c.k, c.cin, c.cout)
			proj := randTensor(r, c.b, convOut(c.h, c.k, c.s, c.p), convOut(c.w, c.k, c.s, c.p), c.cout)
			grads := func(f func(x, w *Node) *Node) []float64 {
				out := MustNewExec(be, func(x, w, p *Node) []*Node {
					return Gradient(ReduceAllSum(Mul(f(x, w), p)), x, w)
				}).MustExec(x, w, proj)
				return append(flat(out[0]), flat(out[1])...)
			}
			plain := grads(func(x, w *Node) *Node { return im2colConv(x, w, nil, c.k, c.s, c.p) })
			s2d := grads(func(x, w *Node) *Node {
				xs, ws := spaceToDepth(x, w, c.s, c.p)
				return im2colConv(xs, ws, nil, ws.Shape().Dim(0), 1, 0)
			})
			if d := maxAbsDiff(plain, s2d); d > 1e-9 {
				t.Errorf("max |plain - space-to-depth| over dx, dw = %g", d)
			}
			checkGradients(t, be, func(in []*Node) *Node {
				xs, ws := spaceToDepth(in[0], in[1], c.s, c.p)
				return im2colConv(xs, ws, nil, ws.Shape().Dim(0), 1, 0)
			}, x, w)
		})
	}
}

// The layer itself, on every formulation this backend picks, computes what
// Conv2D computes from the same variables (the one context reused).
func TestSpaceToDepthConvLayerMatchesConv2D(t *testing.T) {
	be := goBackend(t)
	r := rand.New(rand.NewPCG(17, 18))
	x := randTensor(r, 2, 28, 28, 1)
	plain := Conv2D{LayerName: "conv1", Filters: 4, Kernel: 11, Stride: 4, Padding: 1}
	ctx := context.New()
	out := context.MustNewExec(be, ctx, func(ctx *context.Context, x *Node) []*Node {
		x = ConvertDType(x, dtypes.Float32)
		a, b := plain.Forward(ctx, x), SpaceToDepthConv{plain}.Forward(ctx.Reuse(), x)
		return []*Node{ConvertDType(a, dtypes.Float64), ConvertDType(b, dtypes.Float64)}
	}).MustExec(x)
	if !out[0].Shape().Equal(out[1].Shape()) {
		t.Fatalf("shapes %s, %s", out[0].Shape(), out[1].Shape())
	}
	if d := maxAbsDiff(flat(out[0]), flat(out[1])); d > 1e-5 || d != d {
		t.Fatalf("max |Conv2D - SpaceToDepthConv| = %g", d)
	}
}
