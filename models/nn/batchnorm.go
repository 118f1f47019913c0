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

	xf := ConvertDType(x, dtypes.Float32)
	if !ctx.IsTraining(g) {
		return ConvertDType(normalize(xf, runMean.ValueGraph(g), runVar.ValueGraph(g), gamma.ValueGraph(g), beta.ValueGraph(g)), x.DType())
	}
	train := batchNormTrain
	if useFastCPU(g) {
		train = batchNormTrainFused
	}
	y, mean, variance := train(xf, gamma.ValueGraph(g), beta.ValueGraph(g))
	n := float64(x.Shape().Size() / c)
	unbiased := MulScalar(variance, n/max(n-1, 1))
	runMean.SetValueGraph(Add(MulScalar(runMean.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(mean), bnMomentum)))
	runVar.SetValueGraph(Add(MulScalar(runVar.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(unbiased), bnMomentum)))
	return ConvertDType(y, x.DType())
}

// batchNormTrain normalizes x with its own batch statistics (over every axis
// but the last) and returns them too.
func batchNormTrain(x, gamma, beta *Node) (y, mean, variance *Node) {
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	mean = ReduceMean(x, axes...)
	centered := Sub(x, Reshape(mean, channelShape(x)...))
	variance = ReduceMean(Square(centered), axes...)
	return normalize(x, mean, variance, gamma, beta), mean, variance
}

// normalize is (x − mean)/√(var + eps)·gamma + beta per channel, folded into
// one scale and one shift. 1/√ is Div∘Sqrt: GoMLX v0.26.0 defines no gradient
// for Rsqrt.
func normalize(x, mean, variance, gamma, beta *Node) *Node {
	scale := Div(gamma, Sqrt(AddScalar(variance, bnEps)))
	shift := Sub(beta, Mul(mean, scale))
	bs := channelShape(x)
	return Add(Mul(x, Reshape(scale, bs...)), Reshape(shift, bs...))
}

// channelShape is [1, …, 1, C] for broadcasting per-channel values over x.
func channelShape(x *Node) []int {
	s := make([]int, x.Rank())
	for i := range s {
		s[i] = 1
	}
	s[len(s)-1] = x.Shape().Dim(-1)
	return s
}
