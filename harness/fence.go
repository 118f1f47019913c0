package harness

import (
	"errors"
	"os"

	"alexbench/harness/claim"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// Steps besides the claim's own (claim.StepRenew, claim.StepHeartbeat) at
// which Runner.Claim.Pause is called: where a runner stalled past its
// claim's timeout resumes and writes. Tests stop the process there.
const (
	StepMetrics = "metrics" // an epoch's metrics.jsonl is about to be written
	StepPublish = "publish" // the last Check passed; the cell is about to be published
)

// publish finishes the staging folder stage — the final metrics (nil: keep
// the file there) and the summary — and publishes it as dir, after checking
// the claim; if it cannot, the staging folder is removed. An error
// matching claim.ErrLost: the claim was taken over, so the new holder
// cleared stage or published first; one matching results.ErrPublished:
// another runner published the cell first. Either way dir is untouched.
func (r *Runner) publish(c *claim.Claim, stage, dir string, epochs []trainer.Epoch, sum *results.Summary) error {
	if err := c.Check(); err != nil {
		results.RemoveStage(stage)
		return err
	}
	if r.Claim.Pause != nil {
		r.Claim.Pause(StepPublish)
	}
	var err error
	if epochs != nil {
		err = results.WriteMetrics(stage, epochs)
	}
	if err == nil {
		err = results.WriteSummary(stage, sum)
	}
	if err == nil {
		err = results.PublishCell(stage, dir)
	}
	if err == nil {
		return nil
	}
	results.RemoveStage(stage) // never to be published
	if errors.Is(err, results.ErrPublished) {
		return err
	}
	// A write or the rename failed: if the claim was taken over meanwhile,
	// that is why (the new holder cleared the staging folder).
	if cerr := c.Check(); errors.Is(cerr, claim.ErrLost) {
		return cerr
	}
	return err
}

// fenced is err, or the claim's ErrLost error when the claim was taken over:
// a runner stopped past its claim's timeout resumes to find its staging
// folder cleared by the new holder, and whatever then fails is not an error
// of the sweep.
func fenced(c *claim.Claim, err error) error {
	if err == nil || errors.Is(err, claim.ErrLost) || errors.Is(err, results.ErrPublished) {
		return err
	}
	if cerr := c.Check(); errors.Is(cerr, claim.ErrLost) {
		return cerr
	}
	return err
}

// clearFinished moves a finished result that --force or --retry-failed
// redoes to .replaced (an unfinished folder is left: publishing moves it
// away). If what it moved finished after this run began, a runner that took
// the cell over while this one was stopped published it: it is put back,
// untouched, and this run goes on into its staging folder, where publishing
// will find the cell published.
func (r *Runner) clearFinished(dir, state string) error {
	if state == results.StatePending || state == results.StateInFlight {
		return nil
	}
	moved, err := results.MoveAside(dir, r.now())
	if err != nil {
		return err
	}
	if sum, err := results.ReadSummary(moved); err == nil && !r.started.IsZero() && !sum.Finished.Before(r.started) {
		if err := os.Rename(moved, dir); err != nil {
			r.logf("%s: a result published during this run was moved to %s and cannot be put back: %v\n", dir, moved, err)
		}
	}
	return nil
}

// openStage starts writing pc's cell under claim c: the claim is checked
// (renewed exclusively), a finished result that --force or --retry-failed
// redoes is moved aside (clearFinished), and a staging folder of the run's
// own is made. It returns the
// cell's published folder and the staging folder.
func (r *Runner) openStage(pc PlannedCell, c *claim.Claim) (dir, stage string, err error) {
	dir = results.CellDir(r.Results, pc.Matrix, pc.Key)
	if err := c.Check(); err != nil {
		return "", "", err
	}
	if err := r.clearFinished(dir, pc.State); err != nil {
		return "", "", err
	}
	stage, err = results.NewStage(r.Results, pc.Matrix, pc.Key, c.Record().Token)
	if err != nil {
		return "", "", err
	}
	return dir, stage, nil
}
