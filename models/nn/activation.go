package nn

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Activation is an elementwise nonlinearity: "relu" or "sigmoid".
type Activation struct {
	LayerName string
	Func      string
}

func (a Activation) Name() string            { return a.LayerName }
func (a Activation) Kind() string            { return a.Func }
func (a Activation) OutShape(in Shape) Shape { return in }
func (a Activation) Params(Shape) int64      { return 0 }
func (a Activation) MACs(in Shape) int64     { return 0 }
func (a Activation) String() string          { return a.Func }

func (a Activation) Forward(_ *context.Context, x *Node) *Node {
	switch a.Func {
	case "relu":
		return relu(x)
	case "sigmoid":
		// GoMLX's gradient of Logistic, v·(y·(1−y)), reads the output y,
		// never x, so x is dead after the forward pass: internal/fastcpu
		// fuses a bias Add into the Logistic, and the gradient into one node.
		return Sigmoid(x)
	}
	panic("nn: unknown activation " + a.Func) // models validate the name first
}

// Dropout zeroes each element with probability P while training and scales the
// rest by 1/(1-P) (inverted dropout, as PyTorch); identity at evaluation.
type Dropout struct {
	LayerName string
	P         float64
}

func (d Dropout) Name() string            { return d.LayerName }
func (d Dropout) Kind() string            { return "dropout" }
func (d Dropout) OutShape(in Shape) Shape { return in }
func (d Dropout) Params(Shape) int64      { return 0 }
func (d Dropout) MACs(Shape) int64        { return 0 }
func (d Dropout) String() string          { return "Dropout" }

func (d Dropout) Forward(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	if d.P <= 0 || !ctx.IsTraining(g) {
		return x
	}
	keep := GreaterOrEqual(ctx.RandomUniform(g, x.Shape()), Scalar(g, x.DType(), d.P))
	return Where(keep, MulScalar(x, 1/(1-d.P)), ZerosLike(x))
}
