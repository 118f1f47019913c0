package profile

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/models/nn"
)

// deviceTensor is a float32 tensor of uniform values in [-1, 1), moved to
// the device once so no timed run includes a host-to-device copy.
func deviceTensor(be backends.Backend, r *rand.Rand, dims []int) (*tensors.Tensor, error) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	t := tensors.FromFlatDataAndDimensions(v, dims...)
	if err := t.MaterializeOnDevice(be, false, 0); err != nil {
		return nil, fmt.Errorf("uploading a %v tensor: %w", dims, err)
	}
	return t, nil
}

// firstElement is a scalar read from t's first element: a one-element slice,
// so reading it back costs nothing next to the graph, yet it cannot arrive
// before t is computed.
func firstElement(t *Node) *Node {
	flat := Reshape(t, t.Shape().Size())
	return ConvertDType(Reshape(Slice(flat, AxisRange(0, 1))), dtypes.Float32)
}

// syncScalar sums the first element of every node, so the one scalar read
// back waits for all of them.
func syncScalar(nodes []*Node) *Node {
	var s *Node
	for _, n := range nodes {
		if s == nil {
			s = firstElement(n)
		} else {
			s = Add(s, firstElement(n))
		}
	}
	return s
}

// forwardGraph is l's forward pass in training mode; its outputs are y and
// the sync scalar.
func forwardGraph(l nn.Layer) func(ctx *context.Context, x *Node) []*Node {
	return func(ctx *context.Context, x *Node) []*Node {
		ctx.SetTraining(x.Graph(), true)
		y := l.Forward(ctx, x)
		return []*Node{y, syncScalar([]*Node{y})}
	}
}

// inferenceGraph is l's forward pass in inference mode (dropout off, batch
// norm on its running statistics): what a deployed model runs, with no
// gradient asked for, so nothing is kept for a backward pass.
func inferenceGraph(l nn.Layer) func(ctx *context.Context, x *Node) []*Node {
	return func(ctx *context.Context, x *Node) []*Node {
		ctx.SetTraining(x.Graph(), false)
		y := l.Forward(ctx, x)
		return []*Node{y, syncScalar([]*Node{y})}
	}
}

// backwardGraph is l's forward and backward pass in training mode, from the
// output gradient dy, injected as the adjoint of y (the sum it is the
// gradient of is never computed). Its outputs are y, then the gradients
// w.r.t. x (when inputGrad) and each trainable variable l uses, in the
// context's order, then the sync scalar.
func backwardGraph(l nn.Layer, inputGrad bool) func(ctx *context.Context, x, dy *Node) []*Node {
	return func(ctx *context.Context, x, dy *Node) []*Node {
		g := x.Graph()
		ctx.SetTraining(g, true)
		y := l.Forward(ctx, x)
		loss := ReduceAllSum(IdentityWithCustomGradient(y, func(_, _ *Node) *Node { return dy }))
		var wrt []*Node
		if inputGrad {
			wrt = append(wrt, x)
		}
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable && v.InUseByGraph(g) {
				wrt = append(wrt, v.ValueGraph(g))
			}
		})
		outs := []*Node{y}
		if len(wrt) > 0 {
			outs = append(outs, Gradient(loss, wrt...)...)
		}
		return append(outs, syncScalar(outs))
	}
}

// layerTimes are one layer's three medians.
type layerTimes struct {
	fwdMs, fwdBwdMs, inferMs       float64
	fwdRuns, fwdBwdRuns, inferRuns int
}

// measureLayer compiles l alone on input shape in (batch first) as the
// forward pass, the inference pass (training off) and forward + backward,
// and times all three. Both run in
// training mode (dropout active), as in a train step. The backward starts
// from a fixed random output gradient dy (injected as the adjoint, so no
// loss computation is timed) and yields the gradients w.r.t. every
// trainable weight of the layer and, when inputGrad, w.r.t. its input. The
// layer's output is an output of both graphs, so no backend may skip the
// forward work.
func measureLayer(be backends.Backend, l nn.Layer, in, out []int, inputGrad bool, t Timing, seed uint64) (lt layerTimes, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("layer %s: %v", l.Name(), r)
		}
	}()
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	x, err := deviceTensor(be, r, in)
	if err != nil {
		return lt, err
	}
	defer x.FinalizeAll()
	dy, err := deviceTensor(be, r, out)
	if err != nil {
		return lt, err
	}
	defer dy.FinalizeAll()

	ctx := context.New()
	defer ctx.Finalize()
	fwd, err := context.NewExec(be, ctx, forwardGraph(l))
	if err != nil {
		return lt, fmt.Errorf("layer %s forward: %w", l.Name(), err)
	}
	defer fwd.Finalize()
	lt.fwdMs, lt.fwdRuns, err = t.median(func() error {
		outs, err := fwd.Exec(x)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return lt, fmt.Errorf("layer %s forward: %w", l.Name(), err)
	}

	inf, err := context.NewExec(be, ctx.Reuse(), inferenceGraph(l))
	if err != nil {
		return lt, fmt.Errorf("layer %s inference: %w", l.Name(), err)
	}
	defer inf.Finalize()
	lt.inferMs, lt.inferRuns, err = t.median(func() error {
		outs, err := inf.Exec(x)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return lt, fmt.Errorf("layer %s inference: %w", l.Name(), err)
	}

	bwd, err := context.NewExec(be, ctx.Reuse(), backwardGraph(l, inputGrad))
	if err != nil {
		return lt, fmt.Errorf("layer %s forward+backward: %w", l.Name(), err)
	}
	defer bwd.Finalize()
	lt.fwdBwdMs, lt.fwdBwdRuns, err = t.median(func() error {
		outs, err := bwd.Exec(x, dy)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return lt, fmt.Errorf("layer %s forward+backward: %w", l.Name(), err)
	}
	return lt, nil
}
