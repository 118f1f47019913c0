package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// sweep is one Run's progress: what it counted, and which cells' "held by
// another runner" line it has logged.
type sweep struct {
	r          *Runner
	rep        *RunReport
	todo       int
	logged     map[string]bool
	waitLogged bool
	clock      SweepClock // the sweep's ETA from the cells this runner timed
}

// try runs pc under its claim, unless another runner holds the claim (held:
// try again later). Under the claim it reads the cell's state again — another
// runner may have finished it since the plan — and runs it only if it still
// is to run. It returns an error only for what must stop the sweep.
func (s *sweep) try(ctx context.Context, pc PlannedCell) (held bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r := s.r
	opts := r.Claim
	opts.Note = pc.ID()
	c, err := claim.Acquire(results.ClaimDir(r.Results, pc.Key), opts)
	var he *claim.HeldError
	if errors.As(err, &he) {
		if !s.logged[pc.ID()] {
			s.logged[pc.ID()] = true
			r.logf("%s %s %s: running in another runner, %s; later\n", pc.Matrix, pc.Key, pc.Label(), he.Holder.Who())
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("cell %s: %w", pc.Cell, err)
	}
	defer func() {
		if rerr := c.Release(); rerr != nil && !errors.Is(rerr, claim.ErrLost) && err == nil {
			err = fmt.Errorf("cell %s: releasing its claim: %w", pc.Cell, rerr)
		}
	}()
	if c.TookOver != nil {
		r.logf("%s %s: took the cell over from %s\n", pc.Matrix, pc.Key, c.TookOver)
	}
	dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
	state, sum, corrupt := results.CellState(dir)
	run, reason := r.decide(dir, state, sum)
	if !run {
		s.rep.Others++
		s.clock.Skip(pc.Config)
		r.logf("%s %s %s: %s, by another runner\n", pc.Matrix, pc.Key, pc.Label(), reason)
		return false, nil
	}
	pc.State, pc.Err, pc.Reason = state, corrupt, reason
	if src, srcSum := r.finishedTwin(pc); srcSum != nil {
		out, err := r.shareCell(pc, c, src, srcSum)
		switch {
		case errors.Is(err, claim.ErrLost) || errors.Is(err, results.ErrPublished):
			r.logf("%s %s: not shared: %v\n", pc.Matrix, pc.Key, err)
			return false, nil
		case err != nil:
			return false, fmt.Errorf("cell %s: %w", pc.Cell, err)
		}
		s.rep.Shared++
		s.clock.Skip(pc.Config)
		s.rep.Outcomes[out.Outcome]++
		r.logf("%s %s %s → %s: shared from %s (the same cell, trained once)\n", pc.Matrix, pc.Key, pc.Label(), out.Outcome, src)
		return false, nil
	}
	s.rep.Ran++
	r.logf("[%d/%d] %s %s %s: %s\n", s.rep.Ran, s.todo, pc.Matrix, pc.Key, pc.Label(), pc.Reason)
	out, err := r.runCell(ctx, pc, c)
	if err != nil {
		s.clock.Skip(pc.Config)
	} else {
		s.clock.Done(pc.Config, time.Duration(out.WallSeconds*float64(time.Second)))
	}
	switch {
	case errors.Is(err, claim.ErrLost):
		s.rep.Lost++
		r.logf("[%d/%d] %s %s: not published: %v\n", s.rep.Ran, s.todo, pc.Matrix, pc.Key, err)
		return false, nil
	case errors.Is(err, results.ErrPublished):
		s.rep.Others++
		r.logf("[%d/%d] %s %s: not published, another runner did first: %v\n", s.rep.Ran, s.todo, pc.Matrix, pc.Key, err)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("cell %s: %w", pc.Cell, err)
	}
	s.rep.Outcomes[out.Outcome]++
	r.logf("[%d/%d] %s %s → %s%s\n", s.rep.Ran, s.todo, pc.Matrix, pc.Key, describeOutcome(out), s.clock.Suffix())
	return false, nil
}

// runCell runs one claimed cell and writes its folder through the results
// writer: config.toml first, metrics.jsonl after every epoch, summary.json
// last, published exclusively. The claim is checked (renewed exclusively)
// right before anything in the folder is touched and right before the
// summary is published; an error matching claim.ErrLost means another runner
// took the cell over, and nothing was published. If ctx is cancelled the
// folder is left without a summary and marked interrupted, and runCell
// returns ctx's error — after at most StopGrace if the trainer does not stop.
func (r *Runner) runCell(ctx context.Context, pc PlannedCell, c *claim.Claim) (*results.Summary, error) {
	dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
	if err := c.Check(); err != nil {
		return nil, err
	}
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
	cellCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-c.Lost():
			cancel()
		case <-cellCtx.Done():
		}
	}()
	var estimate float64
	if r.Estimate != nil {
		if est, ok := r.Estimate(cfg); ok {
			estimate = est.Duration().Seconds()
			r.logf("%s %s: estimate %s\n", pc.Matrix, pc.Key, est)
		}
	}
	m := &metricsWriter{dir: dir, claim: c}
	done := make(chan *CellResult, 1)
	go func() {
		sum, _ := TrainCell(cellCtx, CellRun{Train: r.Train, Sampler: r.Sampler, OnEpoch: m.onEpoch, Now: r.Now}, cfg, dir)
		done <- sum
	}()
	var sum *CellResult
	select {
	case sum = <-done:
	case <-ctx.Done():
		t := time.NewTimer(r.stopGrace())
		select {
		case sum = <-done:
		case <-t.C: // the trainer did not stop: leave it, the process is on its way out
		}
		t.Stop()
	}
	if err := ctx.Err(); err != nil {
		m.close()
		host, _ := os.Hostname()
		in := results.Interruption{At: time.Now().UTC(), Reason: context.Cause(ctx).Error(), Host: host, PID: os.Getpid()}
		if werr := results.WriteInterrupted(dir, in); werr != nil {
			r.logf("%s %s: %v\n", pc.Matrix, pc.Key, werr)
		}
		r.logf("%s %s: interrupted (%s); the next run redoes it\n", pc.Matrix, pc.Key, in.Reason)
		return nil, err
	}
	select {
	case <-c.Lost():
		m.close()
		return nil, c.Check() // the ErrLost error
	default:
	}
	sum.Matrix, sum.Key, sum.Profile, sum.Versions = pc.Matrix, pc.Key, pc.Profile, r.Versions
	sum.EstimateSeconds = estimate
	epochs := m.epochs()
	if len(sum.Epochs) > 0 {
		epochs = sum.Epochs // the trainer's own record is the truth
	}
	m.close()
	if err := c.Check(); err != nil {
		return nil, err
	}
	if err := results.WriteMetrics(dir, epochs); err != nil {
		return nil, err
	}
	if err := results.PublishSummary(dir, &sum.Summary); err != nil {
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
// Each write first refreshes the cell's claim: a runner whose claim was taken
// over writes nothing more into the folder; nor does one after close.
type metricsWriter struct {
	dir     string
	claim   *claim.Claim // nil: no claim to check
	mu      sync.Mutex
	written []trainer.Epoch
	closed  bool
}

func (m *metricsWriter) onEpoch(e trainer.Epoch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written = append(m.written, e)
	if m.closed {
		return
	}
	if m.claim != nil && errors.Is(m.claim.Heartbeat(), claim.ErrLost) {
		return
	}
	// A failed write is retried by the final results.WriteMetrics, which
	// stops the sweep if the results tree really cannot be written.
	results.WriteMetrics(m.dir, m.written)
}

func (m *metricsWriter) epochs() []trainer.Epoch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]trainer.Epoch(nil), m.written...)
}

// close stops every later write (a trainer left running after an interrupt,
// or one that lost its claim, may still report epochs).
func (m *metricsWriter) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
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
