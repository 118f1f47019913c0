package nn

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// BatchNorm normalizes over every axis but the last (channels / features),
// with PyTorch's defaults: eps 1e-5, momentum 0.1, unbiased running variance.
// It is built from reductions and elementwise ops rather than XLA's fused
// BatchNormForTraining, so it trains on SimpleGo too.
type BatchNorm struct{ LayerName string }

func (bn BatchNorm) Name() string            { return bn.LayerName }
func (bn BatchNorm) Kind() string            { return "batchnorm" }
func (bn BatchNorm) OutShape(in Shape) Shape { return in }
func (bn BatchNorm) Params(in Shape) int64   { return 2 * int64(in[len(in)-1]) }
func (bn BatchNorm) MACs(in Shape) int64     { return 2 * in.Size() }
func (bn BatchNorm) String() string          { return "BatchNorm" }

const (
	bnEps      = 1e-5
	bnMomentum = 0.1
)

func (bn BatchNorm) Forward(ctx *context.Context, x *Node) *Node {
	ctx = ctx.In(bn.LayerName)
	g := x.Graph()
	c := x.Shape().Dim(-1)
	chShape := shapes.Make(dtypes.Float32, c)
	gamma := ctx.WithInitializer(initializers.One).VariableWithShape("scale", chShape)
	beta := ctx.WithInitializer(initializers.Zero).VariableWithShape("offset", chShape)
	runMean := ctx.WithInitializer(initializers.Zero).VariableWithShape("running_mean", chShape).SetTrainable(false)
	runVar := ctx.WithInitializer(initializers.One).VariableWithShape("running_var", chShape).SetTrainable(false)

	bshape := make([]int, x.Rank())
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[len(bshape)-1] = c
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	xf := ConvertDType(x, dtypes.Float32)
	var mean, variance *Node
	if ctx.IsTraining(g) {
		mean = ReduceMean(xf, axes...)
		centered := Sub(xf, Reshape(mean, bshape...))
		variance = ReduceMean(Square(centered), axes...)
		n := float64(x.Shape().Size() / c)
		unbiased := MulScalar(variance, n/max(n-1, 1))
		runMean.SetValueGraph(Add(MulScalar(runMean.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(mean), bnMomentum)))
		runVar.SetValueGraph(Add(MulScalar(runVar.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(unbiased), bnMomentum)))
	} else {
		mean, variance = runMean.ValueGraph(g), runVar.ValueGraph(g)
	}
	scale := Mul(gamma.ValueGraph(g), Rsqrt(AddScalar(variance, bnEps)))
	shift := Sub(beta.ValueGraph(g), Mul(mean, scale))
	y := Add(Mul(xf, Reshape(scale, bshape...)), Reshape(shift, bshape...))
	return ConvertDType(y, x.DType())
}
