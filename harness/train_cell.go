package harness

import (
	"context"
	"time"

	"alexbench/harness/cellspec"
	"alexbench/harness/cost"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/switches"
)

// Trainer trains one resolved cell. hooks.OnEpoch is called after every
// epoch (the runner persists metrics.jsonl from it, so a killed cell still
// shows its curve), hooks.OnFirstStep when the first step is done (the
// sampler's mark); artifactsDir is the cell's folder, where the trainer may
// drop pictures (filters.png, …). The real one is BackendTrainer; tests pass
// fakes.
type Trainer interface {
	Train(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, artifactsDir string) (*trainer.Result, error)
}

// Estimator is a Trainer that can tell, before a cell runs, how long it
// should take (BackendTrainer does on a CPU); ok is false when it cannot.
type Estimator interface {
	Estimate(cell *cellspec.Spec) (est cost.Estimate, ok bool)
}

// TrainFunc is a function used as a Trainer.
type TrainFunc func(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, artifactsDir string) (*trainer.Result, error)

// Train calls f.
func (f TrainFunc) Train(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, artifactsDir string) (*trainer.Result, error) {
	return f(ctx, cell, hooks, artifactsDir)
}

// CellRun is what TrainCell needs besides the cell: the trainer, the
// sampler around it (nil: none), a per-epoch hook, and a clock.
type CellRun struct {
	Trainer Trainer
	Sampler Sampler
	OnEpoch func(trainer.Epoch)
	Now     func() time.Time // nil: time.Now
}

// CellResult is a trained cell: its summary (without the matrix, key,
// profile and versions, which the caller knows) and every epoch's line.
type CellResult struct {
	results.Summary
	Epochs []trainer.Epoch
	Result *trainer.Result // nil when the trainer returned none
}

// TrainCell trains one cell, the one path both `alexbench run` (through
// Runner) and `alexbench train` take: the sampler is started around the
// trainer with its first-step mark, a panic becomes the cell's error, the
// outcome comes from trainer.ClassifyError, and the summary carries the
// memory record, the cell's analytic memory model, the backend that ran it
// and the process's switches. dir is where the trainer and the sampler may
// write their files ("" for none). err is the trainer's error, also recorded
// in the summary.
func TrainCell(ctx context.Context, run CellRun, cell *cellspec.Spec, dir string) (*CellResult, error) {
	now := run.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	if run.Sampler != nil {
		run.Sampler.Start(dir)
	}
	hooks := trainer.Hooks{OnEpoch: run.OnEpoch, OnFirstStep: FirstStepHook(run.Sampler)}
	res, trainErr := safeTrain(ctx, run.Trainer, cell, hooks, dir)
	out := &CellResult{Result: res}
	if run.Sampler != nil {
		memory := run.Sampler.Stop()
		out.Memory = &memory
	}
	finished := now()
	s := &out.Summary
	s.WallSeconds = finished.Sub(started).Seconds()
	s.MemoryModel = cell.Memory
	s.Conv1 = cell.Config.Conv1
	sw := switches.Current()
	s.Switches = &sw
	s.Started, s.Finished = started.UTC(), finished.UTC()
	s.Outcome, s.Error = classify(res, trainErr)
	if res != nil {
		out.Epochs = res.Epochs
		s.DivergedEpoch = res.DivergedEpoch
		s.FirstStepSeconds = res.FirstStepSeconds
		s.StepMillis = res.StepMillis
		s.StepMillisMedian = res.StepMillisMedian
		s.Load1Max = res.Load1Max
		s.CPUs = res.CPUs
		s.Params = res.Params
		s.Subset, s.TestMajorityRate = res.Subset, res.TestMajorityRate
		s.SetBackend(res.Backend)
		s.AutotuneCache = res.AutotuneCache
	}
	if len(out.Epochs) > 0 {
		s.Final = out.Epochs[len(out.Epochs)-1]
	}
	return out, trainErr
}
