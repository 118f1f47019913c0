package harness

import (
	"context"
	"fmt"
	"os"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// runCell runs one claimed cell and writes its folder through the results
// writer: config.toml first, metrics.jsonl after every epoch, summary.json
// last, published exclusively. The claim is checked (renewed exclusively)
// right before anything in the folder is touched and right before the
// summary is published; an error matching claim.ErrLost means another runner
// took the cell over, and nothing was published. If ctx is cancelled the
// folder is left without a summary and marked interrupted, and runCell
// returns ctx's error — after at most StopGrace if the trainer does not stop.
func (r *Runner) runCell(ctx context.Context, pc PlannedCell, c *claim.Claim, slot cellSlot) (*results.Summary, error) {
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
	cell := pc.Spec.OnBackend(r.Backend)
	if err := results.WriteConfig(dir, cell.Config); err != nil {
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
	if e, ok := r.Trainer.(Estimator); ok {
		if est, ok := e.Estimate(cell); ok {
			estimate = est.Duration().Seconds()
			r.logf("%s %s: estimate %s\n", pc.Matrix, pc.Key, est)
		}
	}
	m := &metricsWriter{dir: dir, claim: c}
	done := make(chan *CellResult, 1)
	go func() {
		sum, _ := TrainCell(cellCtx, CellRun{Trainer: r.Trainer, Sampler: slot.sampler, OnEpoch: m.onEpoch, Now: r.Now}, cell, dir)
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
