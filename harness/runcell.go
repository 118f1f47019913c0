package harness

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// runCell runs one planned cell and writes its folder through the results
// writer: config.toml first, metrics.jsonl after every epoch, summary.json
// last. It returns an error only for what must stop the sweep: the results
// tree cannot be written, or ctx was cancelled (the folder is then left
// without a summary, so the next run redoes the cell).
func (r *Runner) runCell(ctx context.Context, pc PlannedCell) (*results.Summary, error) {
	dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
	if err := results.ClearForRun(dir, pc.State, r.now()); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	cfg := pc.Config
	if r.Backend != "" {
		cfg.Backend = r.Backend
	}
	if err := results.WriteConfig(dir, cfg); err != nil {
		return nil, err
	}
	m := &metricsWriter{dir: dir}
	sum, _ := TrainCell(ctx, CellRun{Train: r.Train, Sampler: r.Sampler, OnEpoch: m.onEpoch, Now: r.Now}, cfg, dir)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum.Matrix, sum.Key, sum.Profile, sum.Versions = pc.Matrix, pc.Key, pc.Profile, r.Versions
	epochs := m.epochs()
	if len(sum.Epochs) > 0 {
		epochs = sum.Epochs // the trainer's own record is the truth
	}
	if err := results.WriteMetrics(dir, epochs); err != nil {
		return nil, err
	}
	if err := results.WriteSummary(dir, &sum.Summary); err != nil {
		return nil, err
	}
	return &sum.Summary, nil
}

// CellRun is what TrainCell needs besides the config: the train function,
// the sampler around it (nil: none), a per-epoch hook, and a clock.
type CellRun struct {
	Train   TrainFunc
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
// train function with its first-step mark, a panic becomes the cell's error,
// the outcome comes from trainer.ClassifyError, and the summary carries the
// memory record and the analytic memory model. dir is where the trainer and
// the sampler may write their files ("" for none). err is the trainer's
// error, also recorded in the summary.
func TrainCell(ctx context.Context, run CellRun, cfg config.Config, dir string) (*CellResult, error) {
	now := run.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	if run.Sampler != nil {
		run.Sampler.Start(dir)
	}
	hooks := trainer.Hooks{OnEpoch: run.OnEpoch, OnFirstStep: FirstStepHook(run.Sampler)}
	res, trainErr := safeTrain(ctx, run.Train, cfg, hooks, dir)
	out := &CellResult{Result: res}
	if run.Sampler != nil {
		memory := run.Sampler.Stop()
		out.Memory = &memory
	}
	finished := now()
	s := &out.Summary
	s.WallSeconds = finished.Sub(started).Seconds()
	s.MemoryModel = MemoryModelOf(cfg)
	s.Started, s.Finished = started.UTC(), finished.UTC()
	s.Outcome, s.Error = classify(res, trainErr)
	if res != nil {
		out.Epochs = res.Epochs
		s.DivergedEpoch = res.DivergedEpoch
		s.FirstStepSeconds = res.FirstStepSeconds
		s.StepMillis = res.StepMillis
		s.Params = res.Params
		s.Backend = res.Backend
		s.Device = res.Device
		s.Allocator = res.Allocator
		s.XLAFlags = res.XLAFlags
	}
	if len(out.Epochs) > 0 {
		s.Final = out.Epochs[len(out.Epochs)-1]
	}
	return out, trainErr
}

// metricsWriter persists metrics.jsonl after every epoch, so a killed cell
// still shows its curve. The trainer may call onEpoch from any goroutine.
type metricsWriter struct {
	dir     string
	mu      sync.Mutex
	written []trainer.Epoch
}

func (m *metricsWriter) onEpoch(e trainer.Epoch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written = append(m.written, e)
	// A failed write is retried by the final results.WriteMetrics, which
	// stops the sweep if the results tree really cannot be written.
	results.WriteMetrics(m.dir, m.written)
}

func (m *metricsWriter) epochs() []trainer.Epoch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]trainer.Epoch(nil), m.written...)
}

// safeTrain calls train, turning a panic (GoMLX reports many errors by
// panicking) into an error carrying the panic's text and where it happened.
func safeTrain(ctx context.Context, train TrainFunc, cfg config.Config, hooks trainer.Hooks, dir string) (res *trainer.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res = nil
			err = fmt.Errorf("panic: %v\n%s", p, truncate(string(debug.Stack()), 4000))
		}
	}()
	return train(ctx, cfg, hooks, dir)
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
