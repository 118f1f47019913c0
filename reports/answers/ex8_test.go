package answers

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// Exercise 8: the control, a dropout-0 arm and breakers whose curves are
// fine, stuck at chance and diverged, three seeds each (real cell files).
func TestEx8FromCells(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e8-overfit", Exercise: "8"})
	i := 0
	add := func(set map[string]any, outcome string, skill float64, seeds int) {
		for seed := int64(1); seed <= int64(seeds); seed++ {
			s := map[string]any{"seed": seed, "epochs": int64(12)}
			for k, v := range set {
				s[k] = v
			}
			fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "e8-overfit", Config: fixture.QuickConfig(t, "alexnet", s), Outcome: outcome, Skill: skill, EpochSeconds: 1})
			i++
		}
	}
	add(nil, "done", 0.7, 3)
	add(map[string]any{"dropout": 0.0}, "done", 0.75, 3)
	add(map[string]any{"activation": "sigmoid", "epochs": int64(6)}, "done", 0.1, 3)
	add(map[string]any{"lr": 1.0, "epochs": int64(6)}, "diverged", 0.3, 3)
	add(map[string]any{"init": "normal", "epochs": int64(6)}, "done", 0.6, 3)
	add(map[string]any{"init": "zeros", "epochs": int64(6)}, "done", 0.1, 2)
	a := sectionAnswer(t, root, "d2l-ex-8")
	text := answerText(a)
	wantInText(t, text,
		"AlexNet-quick (1× conv width, 4096-wide FC, 67×67 inputs; not d2l's full AlexNet) on 2000 training images",
		// The control had clearly learned by epoch 6 (0.688), so runs that
		// all failed there are broken, not slow.
		"these break it in every run (diverged, or failed while the control had clearly learned): lr ×100 (1) (diverged in 3 of 3 runs; vs the control: -39.3 points",
		"init zeros (at chance in 2 of 2 runs; vs the control: not enough runs (n = 2): seeds ≥ 3 to compare)",
		"sigmoid activations (at chance in 3 of 3 runs; vs the control: -58.9 points",
		"Still training in some runs: init normal (N(0, 0.01²) weights) (fine 3 of 3 runs",
		"likely cause: lr 1 is 100× above the 0.01 most alexnet relu runs of this section train at; lower it",
		"the train–test gap opens at epoch",
		"After epoch 12 (the last that ≥ 3 runs of each arm reached)",
	)
	// Its plain answer: the broken changes, then every change's accuracy
	// against the control, init normal's (it kept training) below it.
	wantInText(t, a.Summary,
		"Each of these changes alone broke training in every run: lr ×100 (1) (diverged in 3 of 3 runs); init zeros (at chance in 2 of 2 runs); sigmoid activations (at chance in 3 of 3 runs).",
		"Final test accuracy over every run against the control's at the same epoch: init normal (N(0, 0.01²) weights) -9.8 points")
	checkSummaries(t, []*Answer{a})

	byWhat := map[string]*Comparison{}
	for _, c := range a.Comparisons {
		byWhat[c.What] = c
	}
	// The gap: dropout 0 (skill 0.75) against 0.5 (0.7) after epoch 12, the
	// same seeds: paired, and a comparison of its own (Holm over one).
	gap := byWhat["dropout 0 vs 0.5, train–test gap after epoch 12"]
	if gap == nil || gap.Family != "overfitting gap" || gap.Metric != "gap" || gap.NA != 3 || gap.NB != 3 || gap.PAdj != gap.P {
		t.Errorf("gap comparison: %+v", gap)
	}
	// Test accuracy then: dropout 0's curve is 0.05 × (1 − e^{−8}) higher
	// in every seed, a finding with its CI.
	acc := byWhat["dropout 0 vs 0.5, test accuracy after epoch 12"]
	want := 0.05 * (1 - math.Exp(-12/1.5))
	if acc == nil || acc.Verdict != Higher || math.Abs(acc.Diff-want) > 1e-9 || !(acc.Lo <= acc.Diff && acc.Diff <= acc.Hi) {
		t.Errorf("test accuracy comparison: %+v, want Higher by %.4f", acc, want)
	}

	// The breakers, one Holm family in the table's order. Every run counts,
	// at chance or diverged (at the accuracy it measured last): each change
	// with three seeds is tested and below the control; init zeros, with
	// two, is not.
	var breaking []*Comparison
	for _, c := range a.Comparisons {
		if c.Family == "breaking" {
			breaking = append(breaking, c)
		}
	}
	if len(breaking) != 4 {
		t.Fatalf("%d breaking comparisons, want 4: %+v", len(breaking), breaking)
	}
	for _, c := range breaking {
		zeros := strings.HasPrefix(c.What, "init zeros")
		switch {
		case !zeros && (c.Verdict != Lower || c.NA != 3 || c.NB != 3):
			t.Errorf("%s: %s (n = %d+%d), want lower on 3+3 runs", c.What, c.Verdict, c.NA, c.NB)
		case zeros && (c.Verdict != NotEnoughRuns || c.NB != 2):
			t.Errorf("%s: %s (n = %d+%d), want not enough runs with its 2 in", c.What, c.Verdict, c.NA, c.NB)
		}
	}
	// Two seeds of init zeros, both at chance: its row says so and states
	// no direction.
	if !strings.Contains(text, "init zeros 2 stuck at chance 2 0.098 ± 0.002 (95% CI 0.081–0.115, n = 2)") || !strings.Contains(text, "not enough runs (n = 2): seeds ≥ 3 to compare") {
		t.Errorf("init zeros with 2 seeds:\n%s", text)
	}

	// The gap figure: both arms on the epochs, with the CI as the band.
	fig := figureOf(t, a, "gap")
	p := fig.Panels[0]
	if len(p.X.Categories) != 12 || p.X.Categories[0] != "1" || len(p.Series) != 4 ||
		p.Series[0].Kind != SDBand || p.Series[1].Name != "dropout 0" || p.Series[3].Name != "dropout 0.5 (d2l)" {
		t.Errorf("gap figure: %+v", fig)
	}
}

// Exercise 8 from the real quick run. Every breaker's runs count, at chance
// or diverged, so each is compared with the control (before, those at
// chance were kept out and every breaker read "not enough runs (n = 0)");
// the lr breakers' cause names their rate against the control's 0.05.
func TestEx8RealQuickCountsRunsAtChance(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-8")
	wantInText(t, answerText(a),
		"init zeros 3 stuck at chance 3 0.110 ± 0.000 (95% CI 0.110–0.110, n = 3) 0.265 ± 0.111 (95% CI 0.000–0.542, n = 3) -15.5 points (95% CI -43.2 to +12.2; paired t, p = 0.48, n = 3+3 paired): undecided",
		"lr ×100 (5) 3 diverged 3 0.096 ± 0.000 (95% CI 0.096–0.096, n = 3)",
		"dropout 0 minus dropout 0.5: +6.6 points (95% CI -5.6 to +18.7; paired t, p = 0.15, n = 3+3 paired): undecided — this design detects differences beyond ±15.1 points",
		"likely cause: lr 0.5 is 10× above the 0.05 most alexnet relu runs of this section train at; lower it",
		"likely cause: lr 5 is 100× above the 0.05 most alexnet relu runs of this section train at; lower it",
		"15 of 21 finished runs (71%, 95% CI 50%–86%) diverged or never learned",
	)
	n := 0
	for _, c := range a.Comparisons {
		if c.Family == "breaking" {
			n++
			if !c.Enough || c.NA != 3 || c.NB != 3 {
				t.Errorf("%s was not compared over every run: %+v", c.What, c)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d breaking comparisons, want 5", n)
	}
	if strings.Contains(answerText(a), "by default") {
		t.Errorf("a cause blames the registry default:\n%s", answerText(a))
	}
}

// Exercise 8's plain answer on the real quick run: when the gap opens with
// and without dropout, dropout's effect undecided, and the breakers: lr
// ×100 diverged in every run (broken whatever the control's pace), the
// others ended at chance where the control itself had not yet clearly
// learned (its CI reaches chance at epoch 10), so broken is not told from
// slow.
func TestEx8SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-8")
	wantInText(t, a.Summary,
		"Without dropout the train–test gap opens at epoch 24 (the first epoch whose 95 % CI of the gap lies above 0), with dropout 0.5 it opens at epoch 50",
		"Whether dropout changes the gap this run cannot tell (+6.6 points (95 % CI -5.6 to +18.7), undecided: this profile detects only differences beyond ±15.1 points).",
		"Each of these changes alone broke training in every run: lr ×100 (5) (diverged in 3 of 3 runs).",
		"These left every run at chance or diverged, but the control itself had not clearly learned by epoch 10, where they stopped: its test accuracy was 0.265 (95 % CI 0.000 to 0.542), so whether they broke training or only slowed it these runs cannot tell: init normal (N(0, 0.01²) weights) (at chance in 3 of 3 runs); lr ×10 (0.5) (diverged in 2, at chance in 1 of 3 runs); init zeros (at chance in 3 of 3 runs); sigmoid activations (at chance in 3 of 3 runs).",
		"Final test accuracy over every run against the control's at the same epoch: init normal (N(0, 0.01²) weights) -15.5 points (95 % CI -43.2 to +12.2), undecided",
	)
	for _, bad := range []string{"Each of these changes alone broke training in every run: init", "usable"} {
		if strings.Contains(a.Summary, bad) {
			t.Errorf("summary says %q: %s", bad, a.Summary)
		}
	}
	if want := "Gap opens at epoch 24 without dropout, 50 with; 1 of 5 changes broke every run, 4 more unclear (control only 0.265)"; a.Glance != want {
		t.Errorf("glance %q, want %q", a.Glance, want)
	}
}
