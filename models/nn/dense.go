package nn

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Dense is a fully connected layer with bias: [B, F] → [B, Units].
type Dense struct {
	LayerName string
	Units     int
}

func (d Dense) Name() string            { return d.LayerName }
func (d Dense) Kind() string            { return "dense" }
func (d Dense) OutShape(in Shape) Shape { return Shape{d.Units} }
func (d Dense) Params(in Shape) int64   { return in.Size()*int64(d.Units) + int64(d.Units) }
func (d Dense) MACs(in Shape) int64     { return in.Size() * int64(d.Units) }
func (d Dense) String() string          { return fmt.Sprintf("Dense(%d)", d.Units) }

func (d Dense) Forward(ctx *context.Context, x *Node) *Node {
	fin := x.Shape().Dim(-1)
	w, b := weightAndBias(ctx.In(d.LayerName), x.Graph(), shapes.Make(dtypes.Float32, fin, d.Units), fin, d.Units, d.Units)
	w, b = ConvertDType(w, x.DType()), ConvertDType(b, x.DType())
	if useNative(x.Graph(), backends.OpTypePad) { // XLA: fuses the broadcast add
		return Add(matmul(x, w), Reshape(b, 1, d.Units))
	}
	// SimpleGo: bias as an extra input column of ones (see im2colConv).
	ones := Ones(x.Graph(), shapes.Make(x.DType(), x.Shape().Dim(0), 1))
	return matmul(Concatenate([]*Node{x, ones}, 1), Concatenate([]*Node{w, Reshape(b, 1, d.Units)}, 0))
}

// Flatten turns [B, H, W, C] into [B, H·W·C].
type Flatten struct{ LayerName string }

func (f Flatten) Name() string            { return f.LayerName }
func (f Flatten) Kind() string            { return "flatten" }
func (f Flatten) OutShape(in Shape) Shape { return Shape{int(in.Size())} }
func (f Flatten) Params(Shape) int64      { return 0 }
func (f Flatten) MACs(Shape) int64        { return 0 }
func (f Flatten) String() string          { return "Flatten" }
func (f Flatten) Forward(_ *context.Context, x *Node) *Node {
	return Reshape(x, x.Shape().Dim(0), -1)
}
