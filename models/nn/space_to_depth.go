package nn

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// SpaceToDepthConv is Conv2D computed over the input rearranged by its
// stride: each s×s block of pixels becomes s²·Cin channels, the kernel is
// zero-padded to a multiple of s and rearranged the same way, and the
// strided convolution becomes a stride-1 one with ⌈K/s⌉² taps. For AlexNet's
// conv1 (1 channel, 224×224, 11×11 stride 4) that is 16 channels of 56×56
// and a 3×3 kernel: a dense convolution instead of one whose single input
// channel rules out the tensor-core engines. Parameters, variables (the
// same [K, K, Cin, Cout] weights), shapes and results are Conv2D's.
type SpaceToDepthConv struct {
	Conv2D
}

func (c SpaceToDepthConv) String() string {
	return fmt.Sprintf("SpaceToDepthConv(%d, k=%d, s=%d, p=%d)", c.Filters, c.Kernel, c.Stride, c.Padding)
}

func (c SpaceToDepthConv) Forward(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	cin, k := x.Shape().Dim(-1), c.Kernel
	w, b := weightAndBias(ctx.In(c.LayerName), g, shapes.Make(dtypes.Float32, k, k, cin, c.Filters),
		cin*k*k, c.Filters*k*k, c.Filters)
	w, b = ConvertDType(w, x.DType()), ConvertDType(b, x.DType())
	xs, ws := spaceToDepth(x, w, c.Stride, c.Padding)
	kb := ws.Shape().Dim(0)
	switch {
	case useNative(g, backends.OpTypeConvGeneral, backends.OpTypeReverse, backends.OpTypePad):
		return Add(Convolve(xs, ws).Done(), Reshape(b, 1, 1, 1, c.Filters))
	case useFastCPU(g):
		return Add(convNHWC(xs, ws, 1, 0), Reshape(b, 1, 1, 1, c.Filters))
	}
	return im2colConv(xs, ws, b, kb, 1, 0)
}

// spaceToDepth rearranges x [B, H, W, C] (padded by p) and w [K, K, C, F]
// for stride s: x to [B, H', W', s·s·C] and w to [⌈K/s⌉, ⌈K/s⌉, s·s·C, F],
// both in (dy, dx, c) channel order, so that a stride-1 unpadded
// convolution of the two is the stride-s convolution of x and w. The padded
// input is cut or extended to exactly the rows and columns the strided
// windows read, rounded up to whole blocks.
func spaceToDepth(x, w *Node, s, p int) (xs, ws *Node) {
	dims := x.Shape().Dimensions
	bs, h, wd, cin := dims[0], dims[1], dims[2], dims[3]
	k, f := w.Shape().Dim(0), w.Shape().Dim(3)
	kb := (k + s - 1) / s
	blocks := func(n int) int { return convOut(n, k, s, p) - 1 + kb }
	nh, nw := blocks(h), blocks(wd)
	fit := func(v *Node, axis, n, want int) *Node {
		if hi := want - p - n; hi >= 0 {
			return padAxis(padAxis(v, axis, p, 0), axis, 0, hi)
		}
		v = padAxis(v, axis, p, 0)
		starts, limits := make([]int, 4), append([]int(nil), v.Shape().Dimensions...)
		limits[axis] = want
		return stridedSlice(v, starts, limits, []int{1, 1, 1, 1}) // rows no window reads
	}
	x = fit(fit(x, 1, h, nh*s), 2, wd, nw*s)
	xs = Reshape(x, bs, nh, s, nw, s, cin)
	xs = Reshape(TransposeAllDims(xs, 0, 1, 3, 2, 4, 5), bs, nh, nw, s*s*cin)
	w = padAxis(padAxis(w, 0, 0, kb*s-k), 1, 0, kb*s-k)
	ws = Reshape(w, kb, s, kb, s, cin, f)
	ws = Reshape(TransposeAllDims(ws, 0, 2, 1, 3, 4, 5), kb, kb, s*s*cin, f)
	return xs, ws
}
