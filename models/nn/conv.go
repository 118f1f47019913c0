package nn

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Conv2D is a square convolution with bias, channels last; weights are
// [K, K, Cin, Cout], the layout GoMLX's native convolution takes.
type Conv2D struct {
	LayerName                        string
	Filters, Kernel, Stride, Padding int
}

func (c Conv2D) Name() string { return c.LayerName }
func (c Conv2D) Kind() string { return "conv" }

func (c Conv2D) OutShape(in Shape) Shape {
	return Shape{convOut(in[0], c.Kernel, c.Stride, c.Padding), convOut(in[1], c.Kernel, c.Stride, c.Padding), c.Filters}
}

func (c Conv2D) Params(in Shape) int64 {
	return int64(c.Kernel*c.Kernel*in[2]*c.Filters + c.Filters)
}

func (c Conv2D) MACs(in Shape) int64 {
	out := c.OutShape(in)
	return int64(out[0]*out[1]*c.Filters) * int64(c.Kernel*c.Kernel*in[2])
}

func (c Conv2D) String() string {
	return fmt.Sprintf("Conv2D(%d, k=%d, s=%d, p=%d)", c.Filters, c.Kernel, c.Stride, c.Padding)
}

// convOut is the output side of a window op; 0 when the window does not fit
// (Go's division truncates toward zero, which would otherwise give 1).
func convOut(n, k, s, p int) int {
	if n+2*p < k {
		return 0
	}
	return (n+2*p-k)/s + 1
}

func (c Conv2D) Forward(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	cin, k := x.Shape().Dim(-1), c.Kernel
	w, b := weightAndBias(ctx.In(c.LayerName), g, shapes.Make(dtypes.Float32, k, k, cin, c.Filters),
		cin*k*k, c.Filters*k*k, c.Filters)
	w, b = ConvertDType(w, x.DType()), ConvertDType(b, x.DType())
	// The native convolution's input gradient needs Reverse (and Pad for strides).
	if useNative(g, backends.OpTypeConvGeneral, backends.OpTypeReverse, backends.OpTypePad) {
		p := c.Padding
		y := Convolve(x, w).StridePerAxis(c.Stride, c.Stride).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
		return Add(y, Reshape(b, 1, 1, 1, c.Filters))
	}
	if useFastCPU(g) && c.Padding <= k-1 {
		y := convNHWC(x, w, c.Stride, c.Padding)
		return Add(y, Reshape(b, 1, 1, 1, c.Filters))
	}
	return im2colConv(x, w, b, k, c.Stride, c.Padding)
}

// im2colConv lowers the convolution to one matrix product. The patch matrix is
// built from K·K strided slices concatenated on the channel axis, in the
// (ky, kx, cin) order of the reshaped weights, so no transpose is needed; SimpleGo
// runs slices and concatenation as plain copies and DotGeneral on its fast path.
// A column of ones carries the bias (b may be nil), so neither the forward add
// nor the bias gradient goes through SimpleGo's slow broadcasting iterator:
// the bias gradient falls out of the weight-gradient matmul.
func im2colConv(x, w, b *Node, k, stride, pad int) *Node {
	dims := x.Shape().Dimensions
	bs, h, wd, cin := dims[0], dims[1], dims[2], dims[3]
	cout := w.Shape().Dim(-1)
	ho, wo := convOut(h, k, stride, pad), convOut(wd, k, stride, pad)
	xp := padAxis(padAxis(x, 1, pad, pad), 2, pad, pad)
	parts := make([]*Node, 0, k*k+1)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			if k == 1 && stride == 1 {
				parts = append(parts, xp)
				continue
			}
			parts = append(parts, stridedSlice(xp,
				[]int{0, i, j, 0},
				[]int{bs, i + (ho-1)*stride + 1, j + (wo-1)*stride + 1, cin},
				[]int{1, stride, stride, 1}))
		}
	}
	depth := k * k * cin
	wm := Reshape(w, depth, cout)
	if b != nil {
		parts = append(parts, Ones(x.Graph(), shapes.Make(x.DType(), bs, ho, wo, 1)))
		wm = Concatenate([]*Node{wm, Reshape(b, 1, cout)}, 0)
		depth++
	}
	cols := parts[0]
	if len(parts) > 1 {
		cols = Concatenate(parts, 3)
	}
	y := matmul(Reshape(cols, bs*ho*wo, depth), wm)
	return Reshape(y, bs, ho, wo, cout)
}
