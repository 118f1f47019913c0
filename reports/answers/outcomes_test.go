package answers

import (
	"math"
	"strings"
	"testing"

	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// runCell is one run of a LeNet configuration in memory: its outcome, final
// test accuracy and last train loss.
func runCell(label string, seed int64, outcome string, acc, loss float64) *Cell {
	cfg := config.MustDefault("lenet")
	cfg.Seed = seed
	ep := trainer.Epoch{Epoch: 1, TrainLoss: loss, TrainAcc: acc, TestAcc: acc, ExamplesPerSec: 1000, TrainSeconds: 2, EpochSeconds: 2}
	c := &Cell{Key: label + string(rune('0'+seed)), Label: label, Config: cfg, ConfigOK: true, Epochs: []trainer.Epoch{ep}}
	if outcome != "" {
		c.Summary = &results.Summary{Outcome: outcome, Final: ep}
	}
	return c
}

// Runs at chance are outcomes, not missing data: with 2 of 4 runs of one
// side at chance the effect is over all four pairs, the two at chance
// included. The survivor rule this replaced compared the two that learned
// (n = 2, "not enough runs") and would have read the side as good as the
// other.
func TestRunsAtChanceCountInTheEffect(t *testing.T) {
	a := []*Cell{runCell("a", 1, "done", 0.80, 0.5), runCell("a", 2, "done", 0.81, 0.5), runCell("a", 3, "done", 0.79, 0.5), runCell("a", 4, "done", 0.80, 0.5)}
	b := []*Cell{runCell("b", 1, "done", 0.82, 0.5), runCell("b", 2, "done", 0.83, 0.5), runCell("b", 3, "done", 0.10, 2.31), runCell("b", 4, "done", 0.10, 2.30)}
	for _, c := range b {
		c.Config.Dropout = 0.5 // another configuration than a's
	}
	ans := &Answer{}
	fam := ans.family("effects")
	c := fam.compare("b vs a", testAccMetric, a, b)
	fam.holm()
	// (0.02 + 0.02 − 0.69 − 0.70) / 4
	if c.NA != 4 || c.NB != 4 || c.Test != "paired t" || math.Abs(c.Diff-(-0.3375)) > 1e-9 {
		t.Errorf("effect over %d+%d runs (%s): %+.4f, want every run, -0.3375", c.NA, c.NB, c.Test, c.Diff)
	}
	if e := describe(b, testAccMetric); e.N != 4 || math.Abs(e.Mean-0.4625) > 1e-9 {
		t.Errorf("b's estimate %+v, want 0.4625 over 4 runs", e)
	}
	// The rate and the list go beside the estimate.
	note, tbl := ans.failedRuns("", append(a, b...))
	wantInText(t, note, "2 of 8 finished runs (25%, 95% CI 7%–59%) diverged or never learned",
		"Per configuration: b 2 of 4 (50%, 95% CI 15%–85%); none in the other 1 configuration.",
		"every accuracy estimate and test in this section includes them with the accuracy they ended at")
	if tbl == nil || tbl.Caption != "Runs that diverged or never learned" || len(tbl.Rows) != 2 || len(ans.KeptOut) != 2 {
		t.Errorf("table %+v, recorded %+v", tbl, ans.KeptOut)
	}
}

// A diverged run counts in an accuracy with what it measured, or at chance
// where it measured nothing; a time leaves it out (it stopped early) but
// keeps a run at chance (it measured its speed all the same). A run that
// never finished is in neither.
func TestWhichRunsEachMetricReads(t *testing.T) {
	nan := math.NaN()
	measured := runCell("c", 1, "diverged", 0.096, nan)
	unmeasured := runCell("c", 2, "diverged", nan, nan)
	chance := runCell("c", 3, "done", 0.10, 2.31)
	failedRun := runCell("c", 4, "failed", nan, nan)
	pending := runCell("c", 5, "", nan, nan)
	cells := []*Cell{measured, unmeasured, chance, failedRun, pending}

	acc := sample(cells, testAccMetric)
	if len(acc.Values) != 3 || acc.Values[0] != 0.096 || acc.Values[1] != 0.10 || acc.Values[2] != 0.10 {
		t.Errorf("accuracy reads %v, want 0.096 (measured), 0.10 (diverged, at chance), 0.10 (at chance)", acc.Values)
	}
	// The loss is no accuracy: a diverged run's NaN is not made up.
	if loss := sample(cells, Metric{Name: "loss", Of: finalLoss}); len(loss.Values) != 1 {
		t.Errorf("loss reads %v, want the one run that measured it", loss.Values)
	}
	time := sample(cells, Metric{Name: "time", Of: trainSeconds, Cost: true})
	if len(time.Values) != 1 || time.Values[0] != 2 {
		t.Errorf("time reads %v, want only the run that finished done", time.Values)
	}
	if got := finishedCells(cells); len(got) != 3 {
		t.Errorf("%d finished, want 3", len(got))
	}
}

// The cause a report gives compares a run's rate with the one most runs of
// its section train at, and says nothing of a rate when no rate is most
// runs'.
func TestFindingComparesWithTheSectionsRate(t *testing.T) {
	var cells []*Cell
	for i, lr := range []float64{0.05, 0.05, 0.05, 0.5} {
		c := runCell("r", int64(i+1), "done", 0.10, 2.31)
		c.Config.Activation, c.Config.LR, c.Config.BatchSize, c.Config.Epochs, c.Config.TrainLimit = "relu", lr, 32, 10, 256
		cells = append(cells, c)
	}
	bl := baselinesOf(cells)
	if f := finding(cells[3], bl); !strings.Contains(f, "lr 0.5 is 10× above the 0.05 most lenet relu runs of this section train at (trained 80 steps)") {
		t.Errorf("breaker's cause %q", f)
	}
	if f := finding(cells[0], bl); strings.Contains(f, "×") || strings.Contains(f, "default") {
		t.Errorf("a run at the section's own rate is blamed on it: %q", f)
	}
	// Two rates, two runs each: none is most runs', so no rate is blamed.
	cells[2].Config.LR = 0.5
	if f := finding(cells[3], baselinesOf(cells)); strings.Contains(f, "×") || strings.Contains(f, "default") {
		t.Errorf("no rate is most runs', yet %q", f)
	}
}
