package nn

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// d2l's init_cnn applies nn.init.xavier_uniform_ to every Conv2d and Linear
// weight and leaves biases at PyTorch's default, U(±1/√fan_in). We do the same
// so the curves are comparable with the book's. Exercise 8 ("which feature do
// you need to change to break training?") swaps it for two that are known to
// break deep nets, chosen per run through the context parameter InitParam.

// InitParam is the context parameter (a string, read from the layer's scope
// up to the root) that picks the weight initialization of conv and dense
// layers; absent means InitXavier.
const InitParam = "alexbench_init"

// The initializations InitParam may name.
const (
	// InitXavier is d2l's: weights U(±√(6/(fan_in+fan_out))), biases U(±1/√fan_in).
	InitXavier = "xavier"
	// InitZeros starts every weight and bias at 0: every unit of a layer gets
	// the same gradient, so the symmetry is never broken.
	InitZeros = "zeros"
	// InitNormal draws weights from N(0, NormalInitSD²), biases as xavier's:
	// the original AlexNet paper's choice, too small to carry a signal through
	// many layers without d2l's fan-scaled bound.
	InitNormal = "normal"
)

// NormalInitSD is InitNormal's standard deviation (Krizhevsky et al., 2012).
const NormalInitSD = 0.01

// SetInit makes every conv and dense layer built under ctx use init.
func SetInit(ctx *context.Context, init string) error {
	switch init {
	case InitXavier, InitZeros, InitNormal:
		ctx.SetParam(InitParam, init)
		return nil
	}
	return fmt.Errorf("init %q: must be %s, %s or %s", init, InitXavier, InitZeros, InitNormal)
}

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

func normal(ctx *context.Context, sd float64) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		return MulScalar(ctx.RandomNormal(g, shape), sd)
	}
}

func zeros(g *Graph, shape shapes.Shape) *Node { return Zeros(g, shape) }

// initFor is the weight and bias initializers ctx's InitParam picks.
func initFor(ctx *context.Context, fanIn, fanOut int) (w, b context.VariableInitializer) {
	switch init := context.GetParamOr(ctx, InitParam, InitXavier); init {
	case InitXavier:
		return xavierUniform(ctx, fanIn, fanOut), torchBias(ctx, fanIn)
	case InitZeros:
		return zeros, zeros
	case InitNormal:
		return normal(ctx, NormalInitSD), torchBias(ctx, fanIn)
	default:
		// SetInit refuses anything else; a param set by hand is a bug.
		panic(fmt.Errorf("nn: context parameter %s = %q is not an initialization", InitParam, init))
	}
}

// weightAndBias creates (or reuses) a layer's weight of shape wShape and bias of
// size out, initialized as ctx's InitParam says (d2l's by default), and
// returns their values in g.
func weightAndBias(ctx *context.Context, g *Graph, wShape shapes.Shape, fanIn, fanOut, out int) (w, b *Node) {
	wi, bi := initFor(ctx, fanIn, fanOut)
	w = ctx.WithInitializer(wi).VariableWithShape("weights", wShape).ValueGraph(g)
	b = ctx.WithInitializer(bi).VariableWithShape("biases", shapes.Make(wShape.DType, out)).ValueGraph(g)
	return w, b
}
