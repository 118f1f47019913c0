package answers

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// realCPURoot is the committed results tree of a fresh `make ablation` on
// the cpu profile (reports/testdata/README.md): the report a user without a
// GPU gets.
var realCPURoot = filepath.Join("..", "testdata", "real-cpu")

// The cpu profile is sized to decide. Its committed tree must answer every
// section, compare nothing on fewer than three runs a side, give every
// comparison its 95 % CI, decide most accuracy comparisons, and keep
// LeNet's (d2l's scale) within ±1.5 points; without dropping a question to
// get there (the least count of accuracy comparisons per exercise).
func TestRealCPUTreeDecides(t *testing.T) {
	if _, err := os.Stat(realCPURoot); err != nil {
		t.Fatalf("the committed cpu tree is missing: %v", err)
	}
	as := Build(loadTree(t, realCPURoot))
	want := []string{"d2l-8-1", "d2l-ex-1-1", "d2l-ex-1-2", "d2l-ex-1-3", "d2l-ex-2", "d2l-ex-3", "d2l-ex-4",
		"d2l-ex-5-1", "d2l-ex-5-2", "d2l-ex-6", "d2l-ex-7", "d2l-ex-8"}
	minAcc := map[string]int{"d2l-ex-4": 2, "d2l-ex-5-1": 4, "d2l-ex-5-2": 3, "d2l-ex-6": 3, "d2l-ex-7": 8, "d2l-ex-8": 6}
	accs, decidedAcc := 0, 0
	for _, id := range want {
		a := answerOf(t, as, id)
		if a.Summary == "" {
			t.Errorf("%s: no answer", id)
		}
		n := 0
		for _, c := range a.Comparisons {
			if c.NA < 3 || c.NB < 3 {
				t.Errorf("%s: %q compares %d against %d runs", id, c.What, c.NA, c.NB)
			}
			if math.IsNaN(c.Lo) || math.IsNaN(c.Hi) {
				t.Errorf("%s: %q has no CI", id, c.What)
			}
			if c.Metric != "test_acc" {
				continue
			}
			n++
			accs++
			switch c.Verdict {
			case Higher, Lower, Equivalent:
				decidedAcc++
			}
			if id == "d2l-ex-7" && (c.Hi-c.Lo)/2 > maxLeNetHalfWidth {
				t.Errorf("%s: %q has a 95 %% CI ±%.1f points wide, want ≤ ±%.1f", id, c.What, 100*(c.Hi-c.Lo)/2, 100*maxLeNetHalfWidth)
			}
		}
		if n < minAcc[id] {
			t.Errorf("%s: %d accuracy comparisons, want ≥ %d", id, n, minAcc[id])
		}
	}
	t.Logf("%d of %d accuracy comparisons decided", decidedAcc, accs)
	if float64(decidedAcc) < minDecided*float64(accs) {
		t.Errorf("%d of %d accuracy comparisons decided, want ≥ %.0f %%", decidedAcc, accs, 100*minDecided)
	}
}

// The bars the committed cpu tree is held to.
const (
	maxLeNetHalfWidth = 0.015
	minDecided        = 0.80
)
