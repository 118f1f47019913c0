package answers

import (
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// Exercise 7 on the real quick run: the LeNet factorial (activation ×
// dropout × normalize, sigmoid's runs often stuck at chance) and the
// augmentation matrix, told apart by its augment axis.
func TestEx7RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-7")
	if strings.HasPrefix(a.Text[0], "e5-lenet: ") {
		t.Errorf("the augmentation matrix was answered as a second factorial: %q", a.Text[0])
	}
	// The runs at chance are in every effect: ReLU's is over all 12 matched
	// pairs, sigmoid's 5 runs at chance included (over the 7 that learned it
	// read +17.8 points); within sigmoid, dropout and normalization are now
	// measured, over its runs at chance too.
	wantText(t, a,
		"5 of 24 finished runs (21%, 95% CI 9%–40%) diverged or never learned",
		"Per configuration: sigmoid, average pooling, dropout 0, raw inputs 1 of 3 (33%, 95% CI 6%–79%); sigmoid, average pooling, dropout 0.5, raw inputs 3 of 3 (100%, 95% CI 44%–100%); sigmoid, average pooling, dropout 0.5, normalized inputs 1 of 3 (33%, 95% CI 6%–79%); none in the other 5 configurations.",
		"Effects of the other factors are reported within each level of activation, not averaged over it: each activation trains with its own learning rate (sigmoid lr 0.9, ReLU lr 0.1), so the levels are different recipes, and one effect averaged over them would describe neither.",
		"Finished runs that learned (ended away from chance, without diverging), per level: sigmoid 7 of 12, ReLU 12 of 12; the others count in the effects at the accuracy they ended at.",
		"ReLU instead of sigmoid: +37.9 points (95% CI +21.8 to +53.9; paired t, p = 0.002, n = 12+12 paired): it raises mean test accuracy from 0.391 to 0.770 over the matched runs.",
		"dropout 0.5 instead of dropout 0, within sigmoid: -27.5 points (95% CI -53.7 to -1.3; paired t, p = 0.09, n = 6+6 paired): undecided — this design detects differences beyond ±35.5 points.",
		"normalized inputs instead of raw inputs, within ReLU: +4.0 points (95% CI +2.5 to +5.5; paired t, p = 0.004, n = 6+6 paired)",
		"Of the 3 interactions tested, none changes another factor's effect significantly: 3 undecided (table below).",
		"d2l's LeNet setting (sigmoid, average pooling, no dropout, raw inputs) reached 0.377 ± 0.245 (95% CI 0.000–0.985, n = 3) here, 1 of its 3 runs at chance or diverged.",
		"Settings: epochs 5, lr 0.1 for ReLU, 0.9 for sigmoid, batch 128, inputs 28×28, training images 12800, test images 1000.",
		"Invariances (augmentation, within relu LeNet): with no preprocessing the final test accuracy is 0.726 ± 0.013 (95% CI 0.694–0.758, n = 3).",
		"shifts and flips vs normalization alone: -9.3 points (95% CI -17.9 to -0.7; paired t, p = 0.44, n = 3+3 paired): undecided — this design detects differences beyond ±10.8 points.",
	)

	// Comparisons in the order the text states them: effects, interactions,
	// then the preprocessing table.
	var fams []string
	for _, c := range a.Comparisons {
		if len(fams) == 0 || fams[len(fams)-1] != c.Family {
			fams = append(fams, c.Family)
		}
	}
	if strings.Join(fams, ",") != "effects,interactions,preprocessing" {
		t.Errorf("comparison families in order %v", fams)
	}
	for what, v := range map[string]Verdict{
		"ReLU vs sigmoid":                                 Higher,
		"dropout 0.5 vs dropout 0, within sigmoid":        Undecided,
		"dropout 0.5 vs dropout 0, within ReLU":           Undecided,
		"normalized inputs vs raw inputs, within ReLU":    Higher,
		"normalized inputs vs raw inputs, within sigmoid": Undecided,
	} {
		if c := comparison(t, a, "effects", what, "test_acc"); c.Verdict != v {
			t.Errorf("%s: %s, want %s", what, c.Verdict, v)
		}
	}
	if c := comparison(t, a, "interactions", "dropout 0.5 × normalized inputs", "test_acc"); c.Verdict != Undecided || c.Sizes() != "6+6 paired" {
		t.Errorf("dropout × normalize: %s, n = %s", c.Verdict, c.Sizes())
	}
	relu := comparison(t, a, "effects", "ReLU vs sigmoid", "test_acc")
	if pointsDiff(relu.Diff) != "+37.9 points" || relu.NA != 12 || relu.NB != 12 || relu.Verdict != Higher {
		t.Errorf("relu effect %s, n = %d, p %g", pointsDiff(relu.Diff), relu.NA, relu.PAdj)
	}

	if len(a.KeptOut) != 5 {
		t.Errorf("%d runs that diverged or never learned, want 5", len(a.KeptOut))
	}
	for _, k := range a.KeptOut {
		if !strings.HasPrefix(k.Label, "sigmoid") || k.TestAcc >= 0.15 || !strings.Contains(k.Why, "within 0.05 of chance") {
			t.Errorf("never learned %+v", k)
		}
	}
	if rows := tableOf(t, a, "Runs that diverged or never learned").Rows; len(rows) != 5 {
		t.Errorf("table of runs that never learned: %d rows", len(rows))
	}
	eff := tableOf(t, a, "Effects on final test accuracy")
	if len(eff.Rows) != 5 || strings.Join(eff.Rows[0], "|") != "activation|ReLU vs sigmoid|all|0.391|0.770|+37.9 points|+21.8 points to +53.9 points|paired t|0.002|12+12 paired|higher" {
		t.Errorf("effects table %q", eff.Rows)
	}
	if rows := tableOf(t, a, "Interactions").Rows; len(rows) != 3 || rows[0][1] != "+25.4 points" {
		t.Errorf("interactions table %q", rows)
	}

	ef := figureOf(t, a, "effects-0")
	bars := ef.Panels[0].Series[0]
	if strings.Join(ef.Panels[0].Y.Categories, "|") != "ReLU|dropout 0.5 | sigmoid|dropout 0.5 | ReLU|normalized inputs | sigmoid|normalized inputs | ReLU" ||
		!near(bars.Y[1], -27.483) || !near(bars.Y[4], 4) || ef.Height != 110+26*5 {
		t.Errorf("effects figure: %v %v height %d", ef.Panels[0].Y.Categories, bars.Y, ef.Height)
	}
	if w := ef.Panels[0].Series[1].Whiskers; len(w) != 5 || w[1][0] != 1 {
		t.Errorf("effects whiskers %v: one per tested effect, at its row", w)
	}
	cf := figureOf(t, a, "combos-0")
	if cats := cf.Panels[0].Y.Categories; len(cats) != 8 || cats[0] != "ReLU, dropout 0, normalized inputs" || cats[7] != "sigmoid, dropout 0.5, raw inputs" {
		t.Errorf("combinations, best first: %v", cats)
	}

	heading := false
	for _, b := range a.Blocks {
		heading = heading || strings.HasPrefix(b.Heading, "Augmentation: shifts and flips")
	}
	if !heading {
		t.Error("no augmentation heading")
	}
	if rows := tableOf(t, a, "Final test accuracy per preprocessing").Rows; len(rows) != 8 || rows[0][0] != "no preprocessing" || rows[4][0] != "normalized inputs" {
		t.Errorf("preprocessing table %q", rows)
	}
	if f := figureOf(t, a, "augment"); len(f.Panels[0].X.Categories) != 8 || !f.Panels[0].Y.ZeroBased || f.Panels[0].X.LabelRotate != 20 {
		t.Errorf("augmentation figure %+v", f.Panels[0])
	}
}

// augmentFixture writes a ReLU LeNet matrix crossing augmentation with
// normalization, three seeds each: skill is each combination's accuracy,
// stuck the seeds that end at chance.
func augmentFixture(t *testing.T, stuck map[string]int64) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, c := range []struct {
		augment   string
		normalize bool
		skill     float64
	}{{"none", false, 0.7}, {"shift", false, 0.7}, {"flip", false, 0.65}, {"none", true, 0.8}} {
		for seed := int64(1); seed <= 3; seed++ {
			cfg := fixture.QuickConfig(t, "lenet", map[string]any{"seed": seed, "activation": "relu", "pool": "max", "lr": 0.1,
				"augment": c.augment, "normalize": c.normalize})
			skill := c.skill
			if s, ok := stuck[c.augment]; ok && s == seed && !c.normalize {
				skill = 0.1
			}
			fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "e7-augment", Config: cfg, Outcome: "done", Skill: skill, EpochSeconds: 1})
			i++
		}
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e7-augment", Exercise: "7", Description: "augmentation"})
	return root
}

// Exercise 7's augmentation: a real effect (normalization: the same curve
// 0.1 higher in every seed, +9.3 points after 4 epochs of the fixture's
// saturating curve) is a finding with its CI; no effect (shift: the same
// curve) is "~".
func TestEx7AugmentFromCells(t *testing.T) {
	a := sectionAnswer(t, augmentFixture(t, nil), "d2l-ex-7")
	wantText(t, a,
		"Invariances (augmentation, within relu LeNet)",
		"better: normalized inputs (+9.3 points (95% CI +9.3 to +9.3; paired t, p < 0.001, n = 3+3 paired)",
		"worse: horizontal flips (-4.7 points",
		"the same within ±1 point: ±2 px shifts (+0.0 points (95% CI +0.0 to +0.0; equivalent within ±1 point: TOST p < 0.001, n = 3+3 paired))",
		"±2 px shifts vs normalization alone: -9.3 points",
	)
	if len(a.Text) != 1 {
		t.Errorf("no factorial matrix, so one paragraph; got:\n%s", strings.Join(a.Text, "\n"))
	}
	norm := comparison(t, a, "preprocessing", "normalized inputs vs no preprocessing", "test_acc")
	if norm.Verdict != Higher || !near(norm.Diff, 0.093) || !near(norm.Lo, 0.093) || !near(norm.Hi, 0.093) || norm.Test != "paired t" {
		t.Errorf("normalization: %s %+.4f (%+.4f to %+.4f) %s", norm.Verdict, norm.Diff, norm.Lo, norm.Hi, norm.Test)
	}
	if c := comparison(t, a, "preprocessing", "horizontal flips vs no preprocessing", "test_acc"); c.Verdict != Lower {
		t.Errorf("flip: %s", c.Verdict)
	}
	// The fixture's shift changes nothing, exactly: shown equivalent.
	if c := comparison(t, a, "preprocessing", "±2 px shifts vs no preprocessing", "test_acc"); c.Verdict != Equivalent {
		t.Errorf("shift: %s", c.Verdict)
	}
	if c := comparison(t, a, "preprocessing", "±2 px shifts vs normalization alone", "test_acc"); c.Verdict != Lower || pointsDiff(c.Diff) != "-9.3 points" {
		t.Errorf("shift vs normalization alone: %s %s", c.Verdict, pointsDiff(c.Diff))
	}
	if len(a.KeptOut) != 0 {
		t.Errorf("kept out %+v: every run learned", a.KeptOut)
	}
	rows := tableOf(t, a, "Final test accuracy per preprocessing (within relu LeNet").Rows
	if len(rows) != 4 || rows[3][0] != "normalized inputs" || rows[3][3] != "–" || rows[1][3] == "–" {
		t.Errorf("preprocessing table %q", rows)
	}
}

// A run at chance counts in the augmentation estimates, as everywhere
// else: flip's seed 3 never learned, so flip's three runs average two at
// 0.605 and one at chance, and the run is listed with its cause.
func TestEx7AugmentCountsRunsAtChance(t *testing.T) {
	a := sectionAnswer(t, augmentFixture(t, map[string]int64{"flip": 3}), "d2l-ex-7")
	wantText(t, a,
		"Augmentation: 1 of 12 finished runs (8%, 95% CI 1%–35%) diverged or never learned",
		"better: normalized inputs (+9.3 points",
	)
	if c := comparison(t, a, "preprocessing", "horizontal flips vs no preprocessing", "test_acc"); c.NA != 3 || c.NB != 3 || c.Verdict == NotEnoughRuns {
		t.Errorf("flip with a run at chance: %s, n = %s", c.Verdict, c.Sizes())
	}
	if len(a.KeptOut) != 1 || a.KeptOut[0].Seed != 3 || !strings.Contains(a.KeptOut[0].Label, "horizontal flips") {
		t.Errorf("never learned %+v, want flip's seed 3", a.KeptOut)
	}
	found := false
	for _, r := range tableOf(t, a, "Final test accuracy per preprocessing").Rows {
		if r[0] == "horizontal flips" {
			found = true
			if !strings.HasPrefix(r[1], "0.435 ± ") || !strings.HasSuffix(r[1], "n = 3)") {
				t.Errorf("flip's estimate %q, want its three runs", r[1])
			}
		}
	}
	if !found {
		t.Error("no flip row")
	}
	tableOf(t, a, "Augmentation: Runs that diverged or never learned")
}

// Exercise 7's plain answer on the real quick run: ReLU's effect over every
// run, the sigmoid runs at chance in it and counted as a rate with its CI,
// dropout and normalization within each activation, preprocessing
// undecided.
func TestEx7SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-7")
	wantInText(t, a.Summary,
		"ReLU instead of sigmoid raises test accuracy by 37.9 points (95 % CI 21.8 to 53.9); 5 of 12 sigmoid runs (42%, 95% CI 19%–68%) and 0 of 12 ReLU runs (0%, 95% CI 0%–24%) learned nothing or diverged, and count in it at the accuracy they ended at.",
		"Dropout 0.5 instead of dropout 0: within sigmoid this run cannot tell (-27.5 points (95 % CI -53.7 to -1.3), undecided: this profile detects only differences beyond ±35.5 points); within ReLU this run cannot tell (-2.0 points (95 % CI -5.1 to +1.0), undecided: this profile detects only differences beyond ±4.2 points).",
		"within ReLU it raises test accuracy by 4.0 points (95 % CI 2.5 to 5.5)",
		"none of the 7 is shown to help or hurt: all undecided (this profile detects only differences beyond ±4.4 points at best)",
	)
	wantInText(t, a.Glance, "ReLU +37.9 points", "5 of 12 sigmoid runs at chance")
	if strings.Contains(a.Summary, "that learned") || strings.Contains(a.Summary, "+17.8") {
		t.Errorf("the summary still reads the survivors: %s", a.Summary)
	}
}

// Decided preprocessing is stated with its effect; the equivalent one as
// the same within ±1 point.
func TestEx7AugmentSummary(t *testing.T) {
	a := sectionAnswer(t, augmentFixture(t, nil), "d2l-ex-7")
	wantInText(t, a.Summary,
		"horizontal flips lowers test accuracy by 4.7 points",
		"normalized inputs raises test accuracy by 9.3 points",
		"the same within ±1 point: ±2 px shifts: +0.0 points",
	)
	wantInText(t, a.Glance, "flips -4.7, normalized inputs +9.3 points")
}
