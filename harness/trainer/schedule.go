package trainer

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/harness/config"
)

// lrSchedule is the rate of every SGD step: base throughout (d2l's), or,
// with decaySteps > 0, falling linearly from base at the first step to
// base/decaySteps at the last (config lr_decay "linear").
type lrSchedule struct {
	base       float64
	decaySteps int
}

// scheduleOf is cfg's schedule over a run of steps train steps.
func scheduleOf(cfg config.Config, steps int) lrSchedule {
	s := lrSchedule{base: cfg.EffectiveLR()}
	if cfg.LRDecay == config.LRDecayLinear && steps > 0 {
		s.decaySteps = steps
	}
	return s
}

// scheduleScope holds the step counter a decaying rate reads.
const scheduleScope = "lr_schedule"

// rate is the step's rate as a graph scalar, advancing the step counter (a
// context variable, so it lives with the weights on the device); nil for a
// constant rate, which stays a constant in the graph exactly as before.
func (s lrSchedule) rate(ctx *context.Context, g *Graph) *Node {
	if s.decaySteps <= 0 {
		return nil
	}
	step := ctx.In(scheduleScope).Checked(false).VariableWithValue("step", float32(0)).SetTrainable(false)
	t := step.ValueGraph(g)
	step.SetValueGraph(AddScalar(t, 1))
	left := Max(Sub(Scalar(g, dtypes.Float32, float64(s.decaySteps)), t), Scalar(g, dtypes.Float32, 1))
	return MulScalar(left, s.base/float64(s.decaySteps))
}
