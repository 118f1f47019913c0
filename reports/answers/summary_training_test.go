package answers

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// trainingSections are the sections whose Summary and Glance
// summary_training.go's pieces build.
var trainingSections = []string{"d2l-ex-4", "d2l-ex-5-1", "d2l-ex-5-2", "d2l-ex-6", "d2l-ex-7", "d2l-ex-8"}

// directionWord finds a word that states a direction.
var directionWord = regexp.MustCompile(`(?i)\b(raises|lowers|faster|slower|higher|lower|better|worse|overfit\w*)\b`)

// summarySentences are a summary's sentences and its glance line.
func summarySentences(a *Answer) []string {
	out := strings.Split(a.Summary, ". ")
	if a.Glance != "" {
		out = append(out, a.Glance)
	}
	return out
}

// unbacked lists the sentences of a's Summary and Glance that state a
// direction without the effect of a comparison of the section decided
// higher or lower in the same sentence, or say "the same within" without
// the effect of one shown equivalent.
func unbacked(a *Answer) []string {
	var dir, same []string
	for _, c := range a.Comparisons {
		switch c.Verdict {
		case Higher, Lower:
			// Signed, or its magnitude after a word that gives the sign
			// ("lowers test accuracy by 4.7 points").
			dir = append(dir, effectShort(c), strings.TrimLeft(effectShort(c), "+-"))
		case Equivalent:
			same = append(same, effectShort(c))
		}
	}
	has := func(s string, effects []string) bool {
		for _, e := range effects {
			if strings.Contains(s, e) {
				return true
			}
		}
		return false
	}
	var bad []string
	for _, s := range summarySentences(a) {
		if w := directionWord.FindString(s); w != "" && !has(s, dir) {
			bad = append(bad, w+": "+s)
		}
		if strings.Contains(s, "the same within") && !has(s, same) {
			bad = append(bad, "the same within: "+s)
		}
	}
	return bad
}

// checkSummaries asserts the property on every training section of as, and
// that each measured one has a Summary and a Glance that fits its line.
func checkSummaries(t *testing.T, as []*Answer) {
	t.Helper()
	for _, a := range as {
		if !hasKey(trainingSections, a.ID) {
			continue
		}
		if a.Status == NotMeasured {
			if a.Summary != "" || a.Glance != "" {
				t.Errorf("%s: not measured, yet summary %q, glance %q", a.ID, a.Summary, a.Glance)
			}
			continue
		}
		if len([]rune(a.Glance)) > glanceMax {
			t.Errorf("%s: glance of %d characters: %q", a.ID, len([]rune(a.Glance)), a.Glance)
		}
		for _, b := range unbacked(a) {
			t.Errorf("%s: a direction or equivalence no comparison backs — %s", a.ID, b)
		}
		for _, bad := range []string{"=", "not significant", "dropout=", "activation="} {
			if strings.Contains(a.Summary+a.Glance, bad) {
				t.Errorf("%s: summary says %q: %s", a.ID, bad, a.Summary)
			}
		}
	}
}

// The property on the real quick tree and on fixtures with every verdict:
// no direction without a decided comparison, no "the same" without an
// equivalence.
func TestTrainingSummariesStateOnlyDecidedDirections(t *testing.T) {
	as := Build(realQuickResults(t))
	for _, id := range trainingSections {
		if a := answerOf(t, as, id); a.Summary == "" || a.Glance == "" {
			t.Errorf("%s: no summary or glance on the real quick tree", id)
		}
	}
	checkSummaries(t, as)
	checkSummaries(t, Build(loadTree(t, augmentFixture(t, nil))))
	checkSummaries(t, Build(loadTree(t, simplifyFixture(t))))
	checkSummaries(t, Build(loadTree(t, epochsFixture(t))))
}

// The check itself catches a planted mistake: a direction stated from an
// undecided comparison, and "the same" said of one not shown equivalent.
func TestUnbackedCatchesPlantedMistakes(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-4")
	if bad := unbacked(a); len(bad) > 0 {
		t.Fatalf("real summary flagged: %v", bad)
	}
	planted := *a
	// AlexNet vs LeNet's test accuracy is undecided (-3.2 points).
	planted.Summary += " AlexNet-quick ends lower than LeNet-5 by -3.2 points."
	if len(unbacked(&planted)) == 0 {
		t.Error("a direction from an undecided comparison was not caught")
	}
	planted = *a
	planted.Glance = "AlexNet-quick and LeNet-5 are the same within ±1 point"
	if len(unbacked(&planted)) == 0 {
		t.Error("an equivalence no comparison shows was not caught")
	}
}

// simplifyFixture is an exercise 5.1 matrix: the reference, a narrower
// variant that trains in half the time at the same accuracy (shown
// equivalent) and a narrower FC that takes as long and is less accurate.
func simplifyFixture(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, v := range []struct {
		set   map[string]any
		secs  float64
		skill float64
	}{{map[string]any{"width": 0.25}, 2, 0.8}, {map[string]any{"width": 0.125}, 1, 0.8}, {map[string]any{"width": 0.25, "fc_width": int64(128)}, 2, 0.7}} {
		for seed := int64(1); seed <= 3; seed++ {
			set := map[string]any{"seed": seed}
			for k, x := range v.set {
				set[k] = x
			}
			fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "e2-simplify", Config: fixture.QuickConfig(t, "alexnet", set), Outcome: "done", Skill: v.skill, EpochSeconds: v.secs})
			i++
		}
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e2-simplify", Exercise: "5.1", Axes: []string{"width", "fc_width", "seed"}})
	return root
}

// epochsFixture is an exercise 4 matrix: AlexNet and LeNet over 20 epochs, six seeds,
// whose curves have flattened by the last ones (shown equivalent) while the
// gap grew (higher), AlexNet 5 points more accurate.
func epochsFixture(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, m := range []struct {
		model string
		skill float64
	}{{"alexnet", 0.85}, {"lenet", 0.8}} {
		for seed := int64(1); seed <= 6; seed++ {
			cfg := fixture.QuickConfig(t, m.model, map[string]any{"seed": seed, "epochs": int64(20)})
			fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "e1-epochs", Config: cfg, Outcome: "done", Skill: m.skill, EpochSeconds: 1})
			i++
		}
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e1-epochs", Exercise: "4", Axes: []string{"model", "seed"}})
	return root
}
