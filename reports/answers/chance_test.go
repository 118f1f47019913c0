package answers

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// A cell's chance is its test images' majority-class rate, read from its
// summary.json (test_majority_rate) through load: test acc 0.14 against a
// rate of 0.13 is near chance, and so is 0.19 against 0.14 (not near the old
// fixed 0.10). A summary without the field, as older trees have, falls back
// to 0.10.
func TestChanceIsTheCellsTestMajorityRate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		majority string // test_majority_rate's JSON, "" for none
		acc      float64
		why      string // the finding's start, "" when the cell learned
		chance   string // the kept-out note's chance
	}{
		{"0.14 near 0.13", `0.13`, 0.14, "test acc 0.140 is within 0.05 of chance (0.13, the test images' majority-class rate)", "0.13"},
		{"0.19 near 0.14", `0.14`, 0.19, "test acc 0.190 is within 0.05 of chance (0.14, the test images' majority-class rate)", "0.14"},
		{"0.16 not near 0.10", `0.1`, 0.16, "", ""},
		{"no field: 0.14 near 0.10", ``, 0.14, "test acc 0.140 is within 0.05 of chance (0.10)", "0.10"},
		{"no field: 0.19 not near 0.10", ``, 0.19, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			cfg := fixture.QuickConfig(t, "alexnet", nil)
			key := cfg.Key("quick")
			dir := filepath.Join(root, "m", key)
			rate := ""
			if tc.majority != "" {
				rate = `, "test_majority_rate": ` + tc.majority
			}
			final := fmt.Sprintf(`{"epoch": 1, "train_loss": 0.3, "train_acc": 0.9, "test_acc": %g}`, tc.acc)
			fixture.WriteFile(t, filepath.Join(dir, "config.toml"), cfg.TOML())
			fixture.WriteFile(t, filepath.Join(dir, "metrics.jsonl"), []byte(final+"\n"))
			fixture.WriteFile(t, filepath.Join(dir, "summary.json"), fmt.Appendf(nil,
				`{"matrix": "m", "key": %q, "profile": "quick", "outcome": "done", "final": %s%s}`, key, final, rate))
			res := loadTree(t, root)
			if len(res.Problems) > 0 || len(res.Matrices) != 1 || len(res.Matrices[0].Cells) != 1 {
				t.Fatalf("loaded %d matrices, problems %v", len(res.Matrices), res.Problems)
			}
			c := res.Matrices[0].Cells[0]
			if got, want := atChance(c), tc.why != ""; got != want {
				t.Errorf("atChance = %v, want %v", got, want)
			}
			if got := finding(c, nil); !strings.HasPrefix(got, tc.why) || (tc.why == "") != (got == "") {
				t.Errorf("finding %q, want %q…", got, tc.why)
			}
			var a Answer
			note, _ := a.failedRuns("", []*Cell{c})
			if want := "within 0.05 of chance, " + tc.chance + ","; tc.why != "" && !strings.Contains(note, want) {
				t.Errorf("failed-runs note %q does not say %q", note, want)
			}
		})
	}
}

// The kept-out note names the cells' chance, a range when their test
// majority-class rates differ (an older cell's is 0.10).
func TestChanceRange(t *testing.T) {
	cell := func(rate float64) *Cell {
		return &Cell{Summary: &results.Summary{Outcome: "done", TestMajorityRate: rate}}
	}
	for _, tc := range []struct {
		cells []*Cell
		want  string
	}{
		{nil, "0.10"},
		{[]*Cell{cell(0)}, "0.10"},
		{[]*Cell{cell(0.1), cell(0)}, "0.10"},
		{[]*Cell{cell(0.13), cell(0), {}}, "0.10–0.13"},
		{[]*Cell{cell(0.115), cell(0.13)}, "0.12–0.13"},
	} {
		if got := chanceRange(tc.cells); got != tc.want {
			t.Errorf("chanceRange(%d cells) = %q, want %q", len(tc.cells), got, tc.want)
		}
	}
}
