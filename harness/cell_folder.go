package harness

import (
	"context"
	"os"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

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
	dir, stage, err := r.openStage(pc, c)
	if err != nil {
		return nil, err
	}
	cell := pc.Spec.OnBackend(r.Backend)
	if err := results.WriteConfig(stage, cell.Config); err != nil {
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
	m := &metricsWriter{dir: stage, claim: c, pause: r.Claim.Pause}
	done := make(chan *CellResult, 1)
	go func() {
		sum, _ := TrainCell(cellCtx, CellRun{Trainer: r.Trainer, Sampler: slot.sampler, OnEpoch: m.onEpoch, Now: r.Now}, cell, stage)
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
