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
		"sigmoid activations (stuck at chance, 3 of 3 runs)",
		"lr ×100 (1) (diverged, 3 of 3 runs)",
		"init zeros (stuck at chance, 2 of 2 runs)",
		"Still training in some runs: init normal (N(0, 0.01²) weights) (fine 3 of 3 runs",
		"the train–test gap opens at epoch",
		"After epoch 12 (the last that ≥ 3 runs of each arm reached)",
	)
	// Its plain answer: init normal kept training, and is measured below
	// the control, with its effect; the property holds on it.
	wantInText(t, a.Summary, "Final test accuracy against the control's at the same epoch: init normal (N(0, 0.01²) weights) -")
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

	// The breakers, one Holm family in the table's order. Runs at chance are
	// kept out of every estimate: sigmoid and init zeros have no runs left
	// to compare, the diverged lr's none either (NaN accuracy), so only init
	// normal is tested, and it is below the control (0.6 vs 0.7).
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
		normal := strings.HasPrefix(c.What, "init normal")
		switch {
		case normal && (c.Verdict != Lower || c.NB != 3):
			t.Errorf("%s: %s (n = %d+%d), want lower on 3 runs", c.What, c.Verdict, c.NA, c.NB)
		case !normal && (c.Verdict != NotEnoughRuns || c.NB != 0):
			t.Errorf("%s: %s (n = %d+%d), want not enough runs with none left in", c.What, c.Verdict, c.NA, c.NB)
		}
	}
	// Two seeds of init zeros, both at chance: its row says so and states
	// no direction.
	if !strings.Contains(text, "init zeros 2 stuck at chance 2") || !strings.Contains(text, "not enough runs (n = 0): seeds ≥ 3 to compare") {
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

// Exercise 8 from the real quick run. Runs at chance are kept out of the
// breakers' estimates (they entered them before the kept-out rule applied
// here): a breaker whose every run is at chance has nothing to compare.
func TestEx8RealQuickKeepsOutChance(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-8")
	wantInText(t, answerText(a),
		"init zeros 3 stuck at chance 3 – 0.265 ± 0.111 (95% CI -0.012–0.542, n = 3) not enough runs (n = 0): seeds ≥ 3 to compare",
		"dropout 0 minus dropout 0.5: +6.6 points (95% CI -5.6 to +18.7; paired t, p = 0.15, n = 3+3 paired): undecided — this design detects differences beyond ±15.1 points",
	)
	for _, c := range a.Comparisons {
		if c.Family == "breaking" && c.Enough {
			t.Errorf("%s was tested on runs at chance: %+v", c.What, c)
		}
	}
}

// Exercise 8's plain answer on the real quick run: when the gap opens with
// and without dropout, dropout's effect undecided, the changes that broke
// every run with their counts, and that the control itself had barely left
// chance where those runs stopped.
func TestEx8SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-8")
	wantInText(t, a.Summary,
		"Without dropout the train–test gap opens at epoch 24 (the first epoch whose 95 % CI of the gap lies above 0), with dropout 0.5 it opens at epoch 50",
		"Whether dropout changes the gap this run cannot tell (+6.6 points (95 % CI -5.6 to +18.7), undecided: this profile detects only differences beyond ±15.1 points).",
		"lr ×100 (5) (diverged in 3 of 3 runs)",
		"(run counts, not tests: no change has the 3 usable runs a comparison of accuracy with the control needs).",
		"sigmoid activations (at chance in 3 of 3 runs)",
		"in some runs: lr ×10 (0.5) (diverged in 2 of 3 runs)",
		"The control itself had reached only 0.265 (95 % CI -0.012 to 0.542) by epoch 10, where these runs stopped — its CI reaches chance",
	)
	wantInText(t, a.Summary, "Each of these changes alone left every run diverged or at chance: init normal")
	if want := "Gap opens at epoch 24 without dropout, 50 with; 4 of 5 changes failed every run (but the control was only at 0.265 then)"; a.Glance != want {
		t.Errorf("glance %q, want %q", a.Glance, want)
	}
}
