package answers

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// timingTree is a 5.1 matrix of two widths over three seeds whose cells
// recorded their median step: the ¼-width variant's about step ms, its
// busiest load at load on 2 cores; the reference (⅛ width, the first of
// the tied levels) at 40 ms and a quiet load.
func timingTree(t *testing.T, step, load float64) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, w := range []float64{0.25, 0.125} {
		for seed := int64(1); seed <= 3; seed++ {
			cfg := fixture.QuickConfig(t, "alexnet", map[string]any{"width": w, "seed": seed})
			c := fixture.Cell{Matrix: "ex5_1-simplify", Config: cfg, Outcome: "done", Skill: 0.8, EpochSeconds: 3,
				StepMillisMedian: 40, Load1Max: 1.9, CPUs: 2}
			if w == 0.25 {
				c.StepMillisMedian, c.Load1Max = step+float64(seed), load
			}
			fixture.WriteCell(t, root, i, c)
			i++
		}
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "ex5_1-simplify", Exercise: "5.1", Axes: []string{"width"}})
	return root
}

// A time is the median steady step times the steps, compared unpaired;
// when either side trained on a machine busier than its cores, the
// verdict is withheld and the answer says why.
func TestTimingsFromMedianStepsAndWithheldWhenBusy(t *testing.T) {
	quiet := sectionAnswer(t, timingTree(t, 20, 1.8), "d2l-ex-5-1")
	c := comparison(t, quiet, "vs reference", "¼ width vs ⅛ width", "time")
	// Steps: 4 epochs × (2000/64) steps; medians 21–23 ms against 40 ms.
	if c.Verdict != Lower || c.Test != "Welch t" || math.Abs(math.Exp(c.Diff)-22.0/40) > 0.01 {
		t.Errorf("quiet: %s, %s, ratio %.3f; want lower, Welch, 0.55", c.Verdict, c.Test, math.Exp(c.Diff))
	}
	// A run keeps its own cores busy: a quiet 2-core make ablation read up
	// to 2.15, which is no other work.
	own := sectionAnswer(t, timingTree(t, 20, 2.15), "d2l-ex-5-1")
	if c := comparison(t, own, "vs reference", "¼ width vs ⅛ width", "time"); c.Verdict != Lower {
		t.Errorf("load 2.15 on 2 cores (the run's own): %s (%q), want lower", c.Verdict, c.Withheld)
	}
	busy := sectionAnswer(t, timingTree(t, 20, 4.2), "d2l-ex-5-1")
	c = comparison(t, busy, "vs reference", "¼ width vs ⅛ width", "time")
	if c.Verdict != Withheld || !strings.Contains(c.Withheld, "1-minute load 4.2 on 2 cores") {
		t.Errorf("busy: %s (%q); want withheld, naming the load", c.Verdict, c.Withheld)
	}
	wantText(t, busy, "withheld — other work shared the machine while these runs trained")
	// The plain answer says so too, and no finding is drawn from it.
	if !strings.Contains(busy.Summary, "withheld: other work shared the machine") || strings.Contains(busy.Summary, "not enough runs") || c.Significant() {
		t.Errorf("busy: summary %q (significant %v)", busy.Summary, c.Significant())
	}
	// Accuracy is not a timing: a busy machine decides it all the same.
	if acc := comparison(t, busy, "vs reference", "¼ width vs ⅛ width", "test_acc"); acc.Verdict == Withheld {
		t.Error("an accuracy comparison was withheld for load")
	}
}
