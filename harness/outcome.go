package harness

import (
	"context"
	"fmt"
	"runtime/debug"

	"alexbench/harness/cellspec"
	"alexbench/harness/trainer"
)

// safeTrain calls t.Train, turning a panic (GoMLX reports many errors by
// panicking) into an error carrying the panic's text and where it happened.
func safeTrain(ctx context.Context, t Trainer, cell *cellspec.Spec, hooks trainer.Hooks, dir string) (res *trainer.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res = nil
			err = fmt.Errorf("panic: %v\n%s", p, truncate(string(debug.Stack()), 4000))
		}
	}()
	return t.Train(ctx, cell, hooks, dir)
}

// classify gives a cell's outcome and error text from what Train returned;
// errors are labelled by trainer.ClassifyError, the one classifier.
func classify(res *trainer.Result, err error) (outcome, text string) {
	if err != nil {
		return trainer.ClassifyError(err)
	}
	if res == nil {
		return trainer.OutcomeFailed, "the trainer returned neither a result nor an error"
	}
	switch res.Outcome {
	case "":
		if res.Error != "" {
			return trainer.ClassifyText(res.Error)
		}
		return trainer.OutcomeDone, ""
	case trainer.OutcomeFailed:
		return trainer.ClassifyText(res.Error)
	case trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM:
		return res.Outcome, res.Error
	}
	return trainer.OutcomeFailed, fmt.Sprintf("the trainer returned unknown outcome %q: %s", res.Outcome, res.Error)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
