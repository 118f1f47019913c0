package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/atomicfile"
)

// One run per distinct cell: the key hashes the resolved config and the
// profile, so a cell several matrices list (E0's d2l AlexNet is also one of
// E1's) is the same experiment. Claims are per key, so it is trained once;
// every other matrix's folder of it gets a copy of the finished folder, its
// summary naming that matrix. Each matrix keeps a complete folder of its own,
// so status, export, merge and reports see what they always saw.

// finishedTwin is another matrix's folder of pc's cell that holds a finished
// result (done or diverged; a failed one is not shared, the cell is retried),
// or "" if there is none. Under --force a result older than the run is no
// twin: it is being redone.
func (r *Runner) finishedTwin(pc PlannedCell) (string, *results.Summary) {
	dirs, _ := filepath.Glob(filepath.Join(r.Results, "*", pc.Key))
	sort.Strings(dirs)
	for _, dir := range dirs {
		m := filepath.Base(filepath.Dir(dir))
		if m == pc.Matrix || !matrix.ValidName(m) {
			continue
		}
		state, sum, _ := results.CellState(dir)
		if state != trainer.OutcomeDone && state != trainer.OutcomeDiverged {
			continue
		}
		if r.Force && !r.started.IsZero() && sum.Finished.Before(r.started) {
			continue
		}
		return dir, sum
	}
	return "", nil
}

// shareCell publishes the finished twin src as pc's result, under pc's claim:
// every file of src copied into a staging folder, then summary.json, with
// pc's matrix, and the folder published whole (see runCell).
func (r *Runner) shareCell(pc PlannedCell, c *claim.Claim, src string, srcSum *results.Summary) (*results.Summary, error) {
	dir, stage, err := r.openStage(pc, c)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("sharing %s: %w", src, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || name == results.SummaryFile || name == results.InterruptedFile ||
			atomicfile.IsTemp(name) || claim.IsTemp(name) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return nil, fmt.Errorf("sharing %s: %w", src, err)
		}
		if err := atomicfile.Write(filepath.Join(stage, name), b); err != nil {
			return nil, err
		}
	}
	sum := *srcSum
	sum.Matrix = pc.Matrix
	if err := r.publish(c, stage, dir, nil, &sum); err != nil {
		return nil, err
	}
	return &sum, nil
}
