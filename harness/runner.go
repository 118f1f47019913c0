package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/shardplan"
	"alexbench/harness/trainer"
	"alexbench/internal/numfmt"
	"alexbench/nvml"
)

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
// summary (the run was killed or interrupted) is cleared and rerun; a corrupt
// summary is reported and rerun. A folder that holds a summary is never
// deleted: it is moved to <matrix>/.replaced/<key>-<time>/ first.
//
// Any number of runners, with any mix of Shard values, may share one tree,
// on one host or many over a shared filesystem: each takes a cell's claim
// (harness/claim, in <results>/.claims/) before running it, reads its state
// again under the claim, renews the claim right before touching the folder
// and right before publishing, and publishes summary.json exclusively. So no
// cell is run by two runners at once and no finished result is replaced.
type Runner struct {
	Results string // results root
	Profile string // quick, cpu or full (resolve auto with ResolveProfile first)
	// Trainer trains each cell (BackendTrainer, wired by cmd/alexbench).
	// When it is also an Estimator, the runner logs each cell's estimate
	// and records it as the summary's estimate_s instead of asking, as
	// train does, for --yes.
	Trainer Trainer
	Sampler Sampler // nil: no sampling

	RetryFailed bool
	Force       bool
	// Shard, when not whole, runs only shard I of N of the balanced plan
	// (shardplan.Assign over every cell of the matrices: give every shard
	// the same matrices and profile).
	Shard matrix.Shard
	// Claim tunes the per-cell claims every runner takes before running a
	// cell (timeout, heartbeat); its Logf defaults to Log.
	Claim claim.Options
	// NoWait: when the cells left are all held by other runners, return
	// instead of waiting to take over any whose runner dies.
	NoWait bool
	// Poll is how often a runner waiting on cells other runners hold looks
	// again (0: DefaultPoll).
	Poll time.Duration
	// StopGrace is how long, after ctx is cancelled, a cell's trainer may
	// take to return before the runner records the cell interrupted and
	// returns without it (0: DefaultStopGrace): a trainer stuck in a long
	// compilation or a blocking read does not keep a signalled run alive.
	StopGrace time.Duration
	// Backend, when set, replaces every cell's backend (not part of the key).
	Backend string
	// Jobs is how many cells run at once in this process (0 or 1: one at a
	// time), goroutines sharing the backend; Admission keeps them within the
	// device's memory, and a cell that runs out of memory beside others is
	// retried alone (see runAll). With Jobs > 1 each job needs its own
	// sampler: set NewSampler, not Sampler.
	Jobs       int
	Admission  Admission
	NewSampler func() Sampler
	Versions   results.Versions // zero: results.CurrentVersions()
	Log        io.Writer        // progress lines; nil: none
	Now        func() time.Time

	started time.Time // when Run began: --force and --retry-failed redo only results older
}

// Defaults for Runner.Poll and Runner.StopGrace.
const (
	DefaultPoll      = 2 * time.Second
	DefaultStopGrace = 3 * time.Second
)

// PlannedCell is a cell with what a run would do with it.
type PlannedCell struct {
	matrix.Cell
	State  string // in the results tree now: pending, in-flight, corrupt or an outcome
	Run    bool
	Reason string // why it runs or is skipped, for --dry-run and the log
	Err    error  // what is wrong with a corrupt summary
	// Shard is the cell's shard in the plan (0 when the run is not sharded).
	Shard int
	// HeldBy is the claim of a runner running the cell now, if any.
	HeldBy *claim.Record
}

// Cost is the cell's multiply-adds (its spec's compute): cells run longest
// first, and --shard balances it.
func (pc PlannedCell) Cost() float64 { return pc.Compute.MACs() }

// ID is "<matrix>/<key>", unique within a sweep.
func (pc PlannedCell) ID() string { return pc.Matrix + "/" + pc.Key }

// Plan says, for every cell of the matrices in the runner's profile, whether a
// run would run it and why, in the matrices' order. It only reads the results
// tree (claims included: a cell another runner holds says so).
func (r *Runner) Plan(ms []*matrix.Matrix) ([]PlannedCell, error) {
	if !matrix.KnownProfile(r.Profile) {
		return nil, fmt.Errorf("runner profile %q: want quick, cpu or full", r.Profile)
	}
	var plan []PlannedCell
	var items []shardplan.Item
	for _, m := range ms {
		for _, c := range m.Cells(r.Profile) {
			pc := PlannedCell{Cell: c}
			plan = append(plan, pc)
			items = append(items, shardplan.Item{Key: pc.ID(), Cost: pc.Cost()})
		}
	}
	var shards *shardplan.Plan
	if !r.Shard.Whole() {
		var err error
		if shards, err = shardplan.Assign(items, r.Shard.N); err != nil {
			return nil, err
		}
	}
	for i := range plan {
		pc := &plan[i]
		dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
		var sum *results.Summary
		pc.State, sum, pc.Err = results.CellState(dir)
		if shards != nil {
			pc.Shard = shards.Shard(pc.ID())
			if pc.Shard != r.Shard.I {
				pc.Reason = ReasonOtherShard
				continue
			}
		}
		pc.Run, pc.Reason = r.decide(dir, pc.State, sum)
		if pc.Run {
			if src, _ := r.finishedTwin(*pc); src != "" {
				pc.Reason += "; shares " + filepath.Base(filepath.Dir(src)) + "'s result (the same cell)"
			}
			if held, rec, _ := claim.Held(results.ClaimDir(r.Results, pc.Key), r.Claim); held {
				pc.HeldBy = rec
				pc.Reason += "; running now: " + rec.Who()
			}
		}
	}
	return plan, nil
}

// Reasons a planned cell is skipped (ReasonOtherShard is matched by callers).
const ReasonOtherShard = "another shard's"

// decide tells whether a cell in state (sum: its summary, if finished) is to
// run. --force and --retry-failed redo only results that finished before
// this run began, so runners sharing a tree with those flags redo each
// cell once, not once per runner.
func (r *Runner) decide(dir, state string, sum *results.Summary) (bool, string) {
	recent := sum != nil && !r.started.IsZero() && !sum.Finished.Before(r.started)
	switch state {
	case results.StatePending:
		return true, "new"
	case results.StateInFlight:
		if in, _ := results.ReadInterrupted(dir); in != nil {
			return true, "rerun: interrupted by " + in.String()
		}
		return true, "rerun: in flight when a run stopped"
	case results.StateCorrupt:
		return true, "rerun: corrupt " + results.SummaryFile // the details are in PlannedCell.Err
	case trainer.OutcomeDone, trainer.OutcomeDiverged:
		if r.Force && !recent {
			return true, "rerun: --force (old result kept in " + results.ReplacedDir + ")"
		}
		return false, state
	default: // failed, oom
		if (r.Force || r.RetryFailed) && recent {
			return false, state + " (during this run)"
		}
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
	Ran     int
	Skipped int
	Others  int // cells this run would have run that other runners finished meanwhile
	Lost    int // cells whose claim was taken over while they ran: not published
	Shared  int // cells not trained: the same cell (key) finished in another matrix, copied
	// RetriedAlone counts cells that ran out of memory beside others (Jobs >
	// 1): not recorded, run again with nothing beside them.
	RetriedAlone int
	Outcomes     map[string]int // outcome → cells that ended with it in this run
}

// Run runs every planned cell, longest estimated first, each under its
// claim (see runClaimed), then waits for the cells other runners hold,
// taking over any whose runner dies (unless NoWait). A cell that fails, runs
// out of memory or diverges ends with that outcome and the sweep goes on.
// When ctx is cancelled the cell in progress is marked interrupted (the next
// run redoes it), its claim released, and Run returns ctx's error within
// StopGrace even if the trainer does not return.
func (r *Runner) Run(ctx context.Context, ms []*matrix.Matrix) (*RunReport, error) {
	if r.Trainer == nil {
		return nil, errors.New("runner has no Trainer")
	}
	lock, err := results.LockResults(r.Results, results.Shared)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	r.started = r.now()
	defer func() { r.started = time.Time{} }()
	if r.Claim.Logf == nil {
		r.Claim.Logf = r.logf
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
	if removed := results.CleanTemps(r.Results, results.StaleTempAge, time.Now()); len(removed) > 0 {
		r.logf("removed %d temp files left by killed writers: %s\n", len(removed), strings.Join(removed, ", "))
	}
	if r.Versions == (results.Versions{}) {
		r.Versions = results.CurrentVersions()
	}
	rep := &RunReport{Outcomes: map[string]int{}}
	var todo []PlannedCell
	for _, pc := range plan {
		if pc.Run {
			todo = append(todo, pc)
		} else {
			rep.Skipped++
		}
	}
	sortLongestFirst(todo)
	samplers, err := r.workerSamplers()
	if err != nil {
		return nil, err
	}
	if r.Log != nil {
		// Jobs write their lines from several goroutines: one line at a time.
		log := r.Log
		r.Log = &lineWriter{w: log}
		defer func() { r.Log = log }()
	}
	s := &sweep{r: r, rep: rep, todo: len(todo), logged: map[string]bool{},
		pack: newPacker(r.Jobs, r.Admission.CapacityMiB), samplers: samplers}
	s.clock.Parallel = max(1, r.Jobs)
	for _, pc := range todo {
		s.clock.Start(pc.Spec)
	}
	if r.Jobs > 1 {
		r.logf("running up to %d cells at once%s\n", r.Jobs, r.Admission.describe())
	}
	waiting, err := s.runAll(ctx, todo)
	if err != nil {
		return rep, err
	}
	for len(waiting) > 0 {
		if r.NoWait {
			r.logf("%d cells are held by other runners; not waiting for them (--no-wait)\n", len(waiting))
			break
		}
		if !s.waitLogged {
			r.logf("waiting for %d cells other runners hold (a cell whose runner dies is taken over)\n", len(waiting))
			s.waitLogged = true
		}
		if err := sleepCtx(ctx, r.poll()); err != nil {
			return rep, err
		}
		if waiting, err = s.runAll(ctx, waiting); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// sortLongestFirst orders cells by estimated cost, largest first, ties by
// matrix and key (shardplan.LongestFirst's order).
func sortLongestFirst(cells []PlannedCell) {
	sort.SliceStable(cells, func(i, j int) bool {
		if ci, cj := cells[i].Cost(), cells[j].Cost(); ci != cj {
			return ci > cj
		}
		return cells[i].ID() < cells[j].ID()
	})
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *Runner) poll() time.Duration {
	if r.Poll > 0 {
		return r.Poll
	}
	return DefaultPoll
}

func (r *Runner) stopGrace() time.Duration {
	if r.StopGrace > 0 {
		return r.StopGrace
	}
	return DefaultStopGrace
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
