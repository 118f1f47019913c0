package answers

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realCPURoot is the committed results tree of a fresh `make ablation` on
// the cpu profile (reports/testdata/README.md): the report a user without a
// GPU gets.
var realCPURoot = filepath.Join("..", "testdata", "real-cpu")

// The cpu profile is sized to decide. Its committed tree must answer every
// section; give every comparison three or more runs a side and its 95 %
// CI; keep every exercise's accuracy questions (the least count per
// exercise is what the quick report asked); decide at least 80 % of the
// accuracy comparisons (higher, lower or equivalent); and hold every
// LeNet-family accuracy comparison (exercise 7's, and any naming LeNet) to a
// 95 % CI at most ±1.5 points wide.
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
				t.Errorf("%s: %q compares %d against %d runs, want ≥ 3 a side", id, c.What, c.NA, c.NB)
				continue
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
			if lenetFamily(id, c.What) && (c.Hi-c.Lo)/2 > 0.015 {
				t.Errorf("%s: %q has a 95 %% CI ±%.1f points wide, want ≤ ±1.5", id, c.What, 100*(c.Hi-c.Lo)/2)
			}
		}
		if n < minAcc[id] {
			t.Errorf("%s: %d accuracy comparisons, want ≥ %d", id, n, minAcc[id])
		}
	}
	t.Logf("%d of %d accuracy comparisons decided", decidedAcc, accs)
	if 5*decidedAcc < 4*accs {
		t.Errorf("%d of %d accuracy comparisons decided, want ≥ 80 %%", decidedAcc, accs)
	}
}

// lenetFamily tells whether a comparison is about LeNet-family models at
// d2l's LeNet recipe or beside it: every one of exercise 7's, and any other
// that names LeNet.
func lenetFamily(id, what string) bool {
	return id == "d2l-ex-7" || strings.Contains(what, "LeNet")
}
