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

func convOut(n, k, s, p int) int { return (n+2*p-k)/s + 1 }

func (c Conv2D) Forward(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	cin, k := x.Shape().Dim(-1), c.Kernel
	w, b := weightAndBias(ctx.In(c.LayerName), g, shapes.Make(dtypes.Float32, k, k, cin, c.Filters),
		cin*k*k, c.Filters*k*k, c.Filters)
	w, b = ConvertDType(w, x.DType()), ConvertDType(b, x.DType())
	var y *Node
	// The native convolution's input gradient needs Reverse (and Pad for strides).
	if useNative(g, backends.OpTypeConvGeneral, backends.OpTypeReverse, backends.OpTypePad) {
		p := c.Padding
		y = Convolve(x, w).StridePerAxis(c.Stride, c.Stride).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
	} else {
		y = im2colConv(x, w, k, c.Stride, c.Padding)
	}
	return Add(y, Reshape(b, 1, 1, 1, c.Filters))
}

// im2colConv lowers the convolution to one matrix product. The patch matrix is
// built from K·K strided slices concatenated on the channel axis, in the
// (ky, kx, cin) order of the reshaped weights, so no transpose is needed; SimpleGo
// runs slices and concatenation as plain copies and DotGeneral on its fast path.
func im2colConv(x, w *Node, k, stride, pad int) *Node {
	dims := x.Shape().Dimensions
	b, h, wd, cin := dims[0], dims[1], dims[2], dims[3]
	cout := w.Shape().Dim(-1)
	ho, wo := convOut(h, k, stride, pad), convOut(wd, k, stride, pad)
	xp := padAxis(padAxis(x, 1, pad, pad), 2, pad, pad)
	var cols *Node
	if k == 1 && stride == 1 {
		cols = xp
	} else {
		parts := make([]*Node, 0, k*k)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				parts = append(parts, stridedSlice(xp,
					[]int{0, i, j, 0},
					[]int{b, i + (ho-1)*stride + 1, j + (wo-1)*stride + 1, cin},
					[]int{1, stride, stride, 1}))
			}
		}
		cols = parts[0]
		if len(parts) > 1 {
			cols = Concatenate(parts, 3)
		}
	}
	y := Dot(Reshape(cols, b*ho*wo, k*k*cin), Reshape(w, k*k*cin, cout))
	return Reshape(y, b, ho, wo, cout)
}
