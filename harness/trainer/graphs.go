package trainer

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/data"
	"alexbench/models"
)

// Metric accumulators live in the context as variables updated inside the
// train step, so a step returns nothing the host must wait for; the host reads
// them once per epoch (which is also where it syncs with the device).
const (
	accScope   = "metrics"
	accLoss    = "loss_sum"
	accCorrect = "correct"
	accCount   = "count"
)

// crossEntropy is the mean softmax cross-entropy of logits [B,10] against y [B]
// (int32), computed in float32 whatever the model's precision; it also returns
// the number of correct argmax predictions.
func crossEntropy(logits, y *Node) (loss, correct *Node) {
	logits = ConvertDType(logits, dtypes.Float32)
	maxes := StopGradient(ReduceAndKeep(logits, ReduceMax, -1))
	shifted := Sub(logits, maxes)
	logSumExp := Log(ReduceSum(Exp(shifted), -1))
	onehot := OneHot(y, models.NumClasses, dtypes.Float32)
	picked := ReduceSum(Mul(shifted, onehot), -1)
	loss = ReduceAllMean(Sub(logSumExp, picked))
	pred := ConvertDType(ArgMax(logits, -1), dtypes.Int32)
	correct = ReduceAllSum(ConvertDType(Equal(pred, y), dtypes.Float32))
	return loss, correct
}

// sgdUpdate is plain SGD, v ← v − lr·∂loss/∂v, as d2l's torch.optim.SGD with no
// momentum or weight decay. (GoMLX's SGD decays the rate by 1/√step and
// silently replaces NaN updates, which would hide a divergence.) The rate is
// lr's: a constant (d2l's), or one falling linearly to 0 (lrSchedule).
func sgdUpdate(ctx *context.Context, loss *Node, lr lrSchedule) {
	g := loss.Graph()
	grads := ctx.BuildTrainableVariablesGradientsGraph(loss)
	rate := lr.rate(ctx, g)
	i := 0
	ctx.EnumerateVariables(func(v *context.Variable) {
		if !v.Trainable || !v.InUseByGraph(g) {
			return
		}
		grad := grads[i]
		i++
		val := v.ValueGraph(g)
		if rate == nil {
			v.SetValueGraph(Sub(val, MulScalar(ConvertDType(grad, val.DType()), lr.base)))
			return
		}
		v.SetValueGraph(Sub(val, Mul(ConvertDType(grad, val.DType()), ConvertDType(rate, val.DType()))))
	})
}

// accumulate adds the batch's loss·B, correct count and B to the epoch totals.
func accumulate(ctx *context.Context, g *Graph, loss, correct *Node, batch int) {
	actx := ctx.In(accScope).Checked(false)
	add := func(name string, v *Node) {
		acc := actx.VariableWithValue(name, float64(0)).SetTrainable(false)
		acc.SetValueGraph(Add(acc.ValueGraph(g), ConvertDType(v, dtypes.Float64)))
	}
	add(accLoss, MulScalar(loss, float64(batch)))
	add(accCorrect, correct)
	add(accCount, Scalar(g, dtypes.Float32, float64(batch)))
}

// trainStepFn builds one SGD step on the batch idx of the uploaded split.
func trainStepFn(m *models.Model, p data.Pipeline, lr lrSchedule) func(ctx *context.Context, images, labels, idx *Node) *Node {
	return func(ctx *context.Context, images, labels, idx *Node) *Node {
		g := images.Graph()
		ctx.SetTraining(g, true)
		var u *Node // the augmentation's draws; none drawn without one, so the RNG stream is unchanged
		if p.Augments() {
			u = data.AugmentUniform(ctx, g, idx.Shape().Dim(0))
		}
		x, y := data.TrainBatch(images, labels, idx, u, p)
		loss, correct := crossEntropy(m.Forward(ctx, x), y)
		sgdUpdate(ctx, loss, lr)
		accumulate(ctx, g, loss, correct, idx.Shape().Dim(0))
		return loss
	}
}

// evalStepFn counts correct predictions on a batch; valid masks the padding
// of the last batch, so every test example counts exactly once with one graph.
func evalStepFn(m *models.Model, p data.Pipeline) func(ctx *context.Context, images, labels, idx, valid *Node) *Node {
	return func(ctx *context.Context, images, labels, idx, valid *Node) *Node {
		g := images.Graph()
		ctx.SetTraining(g, false)
		x, y := data.Batch(images, labels, idx, p)
		logits := ConvertDType(m.Forward(ctx, x), dtypes.Float32)
		pred := ConvertDType(ArgMax(logits, -1), dtypes.Int32)
		hits := ConvertDType(Equal(pred, y), dtypes.Float32)
		return ReduceAllSum(Mul(hits, valid))
	}
}
