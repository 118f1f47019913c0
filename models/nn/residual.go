package nn

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Residual is d2l's ResNet block: conv3×3(stride) → BN → ReLU → conv3×3 → BN,
// plus a 1×1 conv(stride) shortcut when the shape changes, then ReLU.
type Residual struct {
	LayerName string
	Filters   int
	Stride    int
}

func (r Residual) body(in Shape) (main []Layer, shortcut []Layer) {
	main = []Layer{
		Conv2D{"conv1", r.Filters, 3, r.Stride, 1}, BatchNorm{"bn1"}, Activation{"relu1", "relu"},
		Conv2D{"conv2", r.Filters, 3, 1, 1}, BatchNorm{"bn2"},
	}
	if r.Stride != 1 || in[2] != r.Filters {
		shortcut = []Layer{Conv2D{"proj", r.Filters, 1, r.Stride, 0}}
	}
	return main, shortcut
}

func (r Residual) Name() string { return r.LayerName }
func (r Residual) Kind() string { return "resblock" }
func (r Residual) OutShape(in Shape) Shape {
	return Shape{convOut(in[0], 3, r.Stride, 1), convOut(in[1], 3, r.Stride, 1), r.Filters}
}
func (r Residual) String() string { return fmt.Sprintf("Residual(%d, s=%d)", r.Filters, r.Stride) }

// Params and MACs sum the sub-layers.
func (r Residual) Params(in Shape) int64 { return r.sum(in, Layer.Params) }
func (r Residual) MACs(in Shape) int64   { return r.sum(in, Layer.MACs) }

func (r Residual) sum(in Shape, f func(Layer, Shape) int64) int64 {
	main, short := r.body(in)
	var total int64
	for _, seq := range [][]Layer{main, short} {
		s := in
		for _, l := range seq {
			total += f(l, s)
			s = l.OutShape(s)
		}
	}
	return total
}

func (r Residual) Forward(ctx *context.Context, x *Node) *Node {
	ctx = ctx.In(r.LayerName)
	in := Shape(x.Shape().Dimensions[1:])
	main, short := r.body(in)
	y := Sequential(ctx, main, x)
	s := x
	if short != nil {
		s = Sequential(ctx, short, x)
	}
	return relu(Add(y, s))
}

// Sequential applies layers in order.
func Sequential(ctx *context.Context, layers []Layer, x *Node) *Node {
	for _, l := range layers {
		x = l.Forward(ctx, x)
	}
	return x
}
