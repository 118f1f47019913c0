package nn

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Shape is one example's shape, without the batch axis: [H, W, C] for images
// (channels last, as every layer here uses) or [F] for flat features.
type Shape []int

// Size is the number of elements of one example.
func (s Shape) Size() int64 {
	n := int64(1)
	for _, d := range s {
		n *= int64(d)
	}
	return n
}

// Layer is one step of a model. The same value both builds the graph and answers
// the static questions (shapes, parameters, multiply-adds) that `alexbench summary`
// and the E4 profile ask, so the two can never disagree.
type Layer interface {
	// Name is unique inside a model ("conv1", "pool2", "fc6", ...).
	Name() string
	// Kind is the layer type: conv, maxpool, avgpool, dense, relu, sigmoid,
	// dropout, batchnorm, flatten, resblock, globalavgpool.
	Kind() string
	// OutShape is the per-example output shape for a per-example input shape.
	OutShape(in Shape) Shape
	// Params is the number of trainable parameters.
	Params(in Shape) int64
	// MACs is the forward multiply-accumulates for one example (torchinfo's "Mult-Adds").
	MACs(in Shape) int64
	// Forward applies the layer to a batch x of shape [B, in...]. Variables are
	// created in ctx.In(Name()). ctx.IsTraining(x.Graph()) tells train from eval.
	Forward(ctx *context.Context, x *Node) *Node
}
