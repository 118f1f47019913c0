package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"alexbench/harness/config"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/numfmt"
	"alexbench/nvml"
)

// TrainFunc trains one cell. hooks.OnEpoch is called after every epoch (the
// runner persists metrics.jsonl from it, so a killed cell still shows its
// curve), hooks.OnFirstStep when the first step is done (the sampler's mark);
// artifactsDir is the cell's folder, where the trainer may drop pictures
// (filters.png, …). The real one is trainer.Train; tests pass fakes.
type TrainFunc func(ctx context.Context, cfg config.Config, hooks trainer.Hooks, artifactsDir string) (*trainer.Result, error)

// Sampler watches a cell while it trains (the nvml package's GPU sampler, or
// its CPU RSS fallback). Start is called with the cell's folder, where it may
// write its time series; Stop returns the per-cell memory summary stored as
// Summary.Memory. Neither may fail the cell: a sampler that cannot sample says
// so in what Stop returns.
type Sampler interface {
	Start(cellDir string)
	Stop() nvml.Summary
}

// Marker is a Sampler that also wants to know when a cell's first train
// step has finished, to tell the steady state from compilation (the nvml
// sampler reports the peak after the mark separately). Mark must not block.
type Marker interface {
	Mark()
}

// FirstStepHook is s's Mark when s is a Marker (the trainer's OnFirstStep),
// else nil.
func FirstStepHook(s Sampler) func() {
	if mk, ok := s.(Marker); ok {
		return mk.Mark
	}
	return nil
}

// Runner runs matrices' cells into a results tree, resumably: a cell whose
// summary.json says done (or diverged) is never run again unless Force; one
// that failed (or ran out of memory) only with RetryFailed; a folder without a
// summary (the run was killed) is cleared and rerun; a corrupt summary is
// reported and rerun. A folder that holds a summary is never deleted: it is
// moved to <matrix>/.replaced/<key>-<time>/ first.
type Runner struct {
	Results string // results root
	Profile string // quick or full (resolve auto with ResolveProfile first)
	Train   TrainFunc
	Sampler Sampler // nil: no sampling

	RetryFailed bool
	Force       bool
	Shard       matrix.Shard
	// Backend, when set, replaces every cell's backend (not part of the key).
	Backend  string
	Versions results.Versions // zero: results.CurrentVersions()
	Log      io.Writer        // progress lines; nil: none
	Now      func() time.Time
}

// PlannedCell is a cell with what a run would do with it.
type PlannedCell struct {
	matrix.Cell
	State  string // in the results tree now: pending, in-flight, corrupt or an outcome
	Run    bool
	Reason string // why it runs or is skipped, for --dry-run and the log
	Err    error  // what is wrong with a corrupt summary
}

// Plan says, for every cell of the matrices in the runner's profile, whether a
// run would run it and why. It only reads the results tree.
func (r *Runner) Plan(ms []*matrix.Matrix) ([]PlannedCell, error) {
	if r.Profile != matrix.ProfileQuick && r.Profile != matrix.ProfileFull {
		return nil, fmt.Errorf("runner profile %q: want quick or full", r.Profile)
	}
	var plan []PlannedCell
	for _, m := range ms {
		for _, c := range m.Cells(r.Profile) {
			state, _, err := results.CellState(results.CellDir(r.Results, c.Matrix, c.Key))
			pc := PlannedCell{Cell: c, State: state, Err: err}
			pc.Run, pc.Reason = r.decide(c.Key, state, err)
			plan = append(plan, pc)
		}
	}
	return plan, nil
}

// Reasons a planned cell is skipped (ReasonOtherShard is matched by callers).
const ReasonOtherShard = "another shard's"

func (r *Runner) decide(key, state string, corrupt error) (bool, string) {
	if !r.Shard.Owns(key) {
		return false, ReasonOtherShard
	}
	switch state {
	case results.StatePending:
		return true, "new"
	case results.StateInFlight:
		return true, "rerun: in flight when a run stopped"
	case results.StateCorrupt:
		return true, "rerun: corrupt " + results.SummaryFile // the details are in PlannedCell.Err
	case trainer.OutcomeDone, trainer.OutcomeDiverged:
		if r.Force {
			return true, "rerun: --force (old result kept in " + results.ReplacedDir + ")"
		}
		return false, state
	default: // failed, oom
		if r.Force {
			return true, "rerun: --force (old result kept in " + results.ReplacedDir + ")"
		}
		if r.RetryFailed {
			return true, "rerun: --retry-failed (old result kept in " + results.ReplacedDir + ")"
		}
		return false, state + " (rerun with --retry-failed)"
	}
}

// RunReport counts what a run did.
type RunReport struct {
	Ran      int
	Skipped  int
	Outcomes map[string]int // outcome → cells that ended with it in this run
}

// Run locks the results tree, plans, and runs every planned cell in order. A
// cell that fails, runs out of memory or diverges ends with that outcome and
// the sweep goes on. When ctx is cancelled the cell in progress is left
// without a summary (so the next run redoes it) and Run returns ctx's error.
func (r *Runner) Run(ctx context.Context, ms []*matrix.Matrix) (*RunReport, error) {
	if r.Train == nil {
		return nil, errors.New("runner has no Train function")
	}
	lock, err := results.LockResults(r.Results, r.Shard)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if lock.TookOver != 0 {
		r.logf("took over the lock of PID %d, which is no longer running\n", lock.TookOver)
	}
	plan, err := r.Plan(ms)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if err := results.WriteMatrixRecord(r.Results, m, r.Profile); err != nil {
			return nil, err
		}
	}
	if r.Versions == (results.Versions{}) {
		r.Versions = results.CurrentVersions()
	}
	rep := &RunReport{Outcomes: map[string]int{}}
	todo := 0
	for _, pc := range plan {
		if pc.Run {
			todo++
		}
	}
	for _, pc := range plan {
		if !pc.Run {
			rep.Skipped++
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Ran++
		r.logf("[%d/%d] %s %s %s: %s\n", rep.Ran, todo, pc.Matrix, pc.Key, pc.Label(), pc.Reason)
		sum, err := r.runCell(ctx, pc)
		if err != nil {
			return rep, fmt.Errorf("cell %s: %w", pc.Cell, err)
		}
		rep.Outcomes[sum.Outcome]++
		r.logf("[%d/%d] %s %s → %s\n", rep.Ran, todo, pc.Matrix, pc.Key, describeOutcome(sum))
	}
	return rep, nil
}

func describeOutcome(s *results.Summary) string {
	switch s.Outcome {
	case trainer.OutcomeDone:
		return fmt.Sprintf("done: loss %.3f, train acc %.3f, test acc %.3f, %.1f examples/sec%s (%.1f s)",
			s.Final.TrainLoss, s.Final.TrainAcc, s.Final.TestAcc, s.Final.ExamplesPerSec, peakText(s), s.WallSeconds)
	case trainer.OutcomeDiverged:
		return fmt.Sprintf("diverged in epoch %d (%.1f s)", s.DivergedEpoch, s.WallSeconds)
	}
	return fmt.Sprintf("%s: %s (%.1f s)", s.Outcome, s.ErrorLine(), s.WallSeconds)
}

// peakText is ", peak 3,210 MiB (nvml-process)" for a summary with a peak.
func peakText(s *results.Summary) string {
	peak, method := s.PeakMiB()
	if method == "" {
		return ""
	}
	return fmt.Sprintf(", peak %s (%s)", numfmt.MiB(peak), method)
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format, args...)
	}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
