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
// another runner" line it has logged. With Jobs > 1 several try calls run at
// once: mu guards rep, todo, logged and clock.
type sweep struct {
	r          *Runner
	mu         sync.Mutex
	rep        *RunReport
	todo       int
	logged     map[string]bool
	waitLogged bool       // only the Run goroutine, between runAll calls
	clock      SweepClock // the sweep's ETA from the cells this runner timed
	pack       *packer
	samplers   []Sampler // one per job
}

// locked runs f under s.mu.
func (s *sweep) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// try runs pc under its claim, unless another runner holds the claim (held:
// try again later). Under the claim it reads the cell's state again — another
// runner may have finished it since the plan — and runs it only if it still
// is to run. retry: it ran out of memory beside other cells and is to be run
// again alone (nothing was recorded). It returns an error only for what must
// stop the sweep.
func (s *sweep) try(ctx context.Context, pc PlannedCell, slot cellSlot) (held, retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, false, err
	}
	r := s.r
	opts := r.Claim
	opts.Note = pc.ID()
	c, err := claim.Acquire(results.ClaimDir(r.Results, pc.Key), opts)
	var he *claim.HeldError
	if errors.As(err, &he) {
		var first bool
		s.locked(func() { first = !s.logged[pc.ID()]; s.logged[pc.ID()] = true })
		if first {
			r.logf("%s %s %s: running in another runner, %s; later\n", pc.Matrix, pc.Key, pc.Label(), he.Holder.Who())
		}
		return true, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
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
		s.locked(func() { s.rep.Others++; s.clock.Skip(pc.Config) })
		r.logf("%s %s %s: %s, by another runner\n", pc.Matrix, pc.Key, pc.Label(), reason)
		return false, false, nil
	}
	pc.State, pc.Err, pc.Reason = state, corrupt, reason
	if src, srcSum := r.finishedTwin(pc); srcSum != nil {
		out, err := r.shareCell(pc, c, src, srcSum)
		err = fenced(c, err)
		switch {
		case errors.Is(err, claim.ErrLost) || errors.Is(err, results.ErrPublished):
			r.logf("%s %s: not shared: %v\n", pc.Matrix, pc.Key, err)
			return false, false, nil
		case err != nil:
			return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
		}
		s.locked(func() { s.rep.Shared++; s.clock.Skip(pc.Config); s.rep.Outcomes[out.Outcome]++ })
		r.logf("%s %s %s → %s: shared from %s (the same cell, trained once)\n", pc.Matrix, pc.Key, pc.Label(), out.Outcome, src)
		return false, false, nil
	}
	var n, todo int
	s.locked(func() { s.rep.Ran++; n, todo = s.rep.Ran, s.todo })
	r.logf("[%d/%d] %s %s %s: %s\n", n, todo, pc.Matrix, pc.Key, pc.Label(), pc.Reason)
	out, err := r.runCell(ctx, pc, c, slot)
	if ctx.Err() == nil {
		err = fenced(c, err)
	}
	var packed *packedOOMError
	switch {
	case errors.As(err, &packed):
		// Not the cell's outcome: a sequential run might not have run out of
		// memory. Counted as one more cell to run, so [n/todo] stays right.
		s.locked(func() { s.rep.RetriedAlone++; s.todo++ })
		r.logf("[%d/%d] %s %s: %v; not recorded, retried alone\n", n, todo, pc.Matrix, pc.Key, packed)
		return false, true, nil
	case err != nil:
		s.locked(func() { s.clock.Skip(pc.Config) })
	}
	switch {
	case errors.Is(err, claim.ErrLost):
		s.locked(func() { s.rep.Lost++ })
		r.logf("[%d/%d] %s %s: not published: %v\n", n, todo, pc.Matrix, pc.Key, err)
		return false, false, nil
	case errors.Is(err, results.ErrPublished):
		s.locked(func() { s.rep.Others++ })
		r.logf("[%d/%d] %s %s: not published, another runner did first: %v\n", n, todo, pc.Matrix, pc.Key, err)
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
	}
	var eta string
	s.locked(func() {
		s.clock.Done(pc.Config, time.Duration(out.WallSeconds*float64(time.Second)))
		s.rep.Outcomes[out.Outcome]++
		eta = s.clock.Suffix()
	})
	r.logf("[%d/%d] %s %s → %s%s\n", n, todo, pc.Matrix, pc.Key, describeOutcome(out), eta)
	return false, false, nil
}

// packedOOMError is a cell that ran out of memory while others ran beside it.
type packedOOMError struct {
	others int
	text   string
}

func (e *packedOOMError) Error() string {
	return fmt.Sprintf("out of memory beside %d other cell(s) (%s)", e.others, truncate(e.text, 200))
}

// runCell runs one claimed cell, writing it in a staging folder of its own
// (results.NewStage): config.toml first, metrics.jsonl after every epoch,
// the trainer's and sampler's files, summary.json last; then publishes the
// whole folder in one rename (results.PublishCell), which fails if the cell
// was published meanwhile. The claim is checked (renewed exclusively) right
// before the staging folder is made and right before publishing; an error
// matching claim.ErrLost means another runner took the cell over, and
// nothing was published. A runner stalled past the timeout at any step
// writes only into its own staging folder (or into nothing, once the new
// holder has cleared it), never into the published cell. If ctx is
// cancelled the staging folder is left unpublished and marked interrupted,
// and runCell returns ctx's error — after at most StopGrace if the trainer
// does not stop.
func (r *Runner) runCell(ctx context.Context, pc PlannedCell, c *claim.Claim, slot cellSlot) (*results.Summary, error) {
	dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
	if err := c.Check(); err != nil {
		return nil, err
	}
	if err := r.clearFinished(dir, pc.State); err != nil {
		return nil, err
	}
	stage, err := results.NewStage(r.Results, pc.Matrix, pc.Key, c.Record().Token)
	if err != nil {
		return nil, err
	}
	cfg := pc.Config
	if r.Backend != "" {
		cfg.Backend = r.Backend
	}
	if err := results.WriteConfig(stage, cfg); err != nil {
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
	m := &metricsWriter{dir: stage, claim: c, pause: r.Claim.Pause}
	done := make(chan *CellResult, 1)
	go func() {
		sum, _ := TrainCell(cellCtx, CellRun{Train: r.Train, Sampler: slot.sampler, OnEpoch: m.onEpoch, Now: r.Now}, cfg, stage)
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
		if werr := results.WriteInterrupted(stage, in); werr != nil {
			r.logf("%s %s: %v\n", pc.Matrix, pc.Key, werr)
		}
		r.logf("%s %s: interrupted (%s); the next run redoes it\n", pc.Matrix, pc.Key, in.Reason)
		return nil, err
	}
	select {
	case <-c.Lost():
		m.close()
		results.RemoveStage(stage) // the new holder runs the cell
		return nil, c.Check()      // the ErrLost error
	default:
	}
	if slot.pack != nil {
		sum.PackedWith = slot.packer.othersOf(slot.pack)
		sum.RetriedAlone = slot.pack.alone
		if sum.Outcome == trainer.OutcomeOOM && sum.PackedWith > 0 && !slot.pack.alone {
			m.close() // the folder stays unfinished; the retry clears it
			return nil, &packedOOMError{others: sum.PackedWith, text: sum.ErrorLine()}
		}
	}
	sum.Matrix, sum.Key, sum.Profile, sum.Versions = pc.Matrix, pc.Key, pc.Profile, r.Versions
	sum.EstimateSeconds = estimate
	epochs := m.epochs()
	if len(sum.Epochs) > 0 {
		epochs = sum.Epochs // the trainer's own record is the truth
	}
	m.close()
	if err := r.publish(c, stage, dir, epochs, &sum.Summary); err != nil {
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
		s.AutotuneCache = res.AutotuneCache
	}
	if len(out.Epochs) > 0 {
		s.Final = out.Epochs[len(out.Epochs)-1]
	}
	return out, trainErr
}

// metricsWriter persists metrics.jsonl after every epoch in the cell's
// staging folder, so a killed cell still shows its curve. The trainer may call onEpoch from any goroutine.
// Each write first refreshes the cell's claim: a runner whose claim was taken
// over writes nothing more into the folder; nor does one after close.
type metricsWriter struct {
	dir     string
	claim   *claim.Claim      // nil: no claim to check
	pause   func(step string) // claim.Options.Pause (tests), called as StepMetrics
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
	if m.pause != nil {
		m.pause(StepMetrics)
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
