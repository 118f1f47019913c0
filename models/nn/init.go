package nn

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// d2l's init_cnn applies nn.init.xavier_uniform_ to every Conv2d and Linear
// weight and leaves biases at PyTorch's default, U(±1/√fan_in). We do the same
// so the curves are comparable with the book's.

// xavierUniform draws U(±√(6/(fanIn+fanOut))).
func xavierUniform(ctx *context.Context, fanIn, fanOut int) context.VariableInitializer {
	bound := math.Sqrt(6 / float64(fanIn+fanOut))
	return uniform(ctx, bound)
}

// torchBias is PyTorch's default bias init U(±1/√fan_in).
func torchBias(ctx *context.Context, fanIn int) context.VariableInitializer {
	return uniform(ctx, 1/math.Sqrt(float64(fanIn)))
}

func uniform(ctx *context.Context, bound float64) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		u := ctx.RandomUniform(g, shape) // [0, 1)
		return MulScalar(AddScalar(MulScalar(u, 2), -1), bound)
	}
}

// weightAndBias creates (or reuses) a layer's weight of shape wShape and bias of
// size out, initialized like d2l, and returns their values in g.
func weightAndBias(ctx *context.Context, g *Graph, wShape shapes.Shape, fanIn, fanOut, out int) (w, b *Node) {
	w = ctx.WithInitializer(xavierUniform(ctx, fanIn, fanOut)).
		VariableWithShape("weights", wShape).ValueGraph(g)
	b = ctx.WithInitializer(torchBias(ctx, fanIn)).
		VariableWithShape("biases", shapes.Make(wShape.DType, out)).ValueGraph(g)
	return w, b
}
