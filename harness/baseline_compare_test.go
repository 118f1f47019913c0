package harness

import (
	"alexbench/harness/compare"
	"alexbench/harness/matrix"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// sameGroup lists the indices of the cells in Cells[0]'s seed group.
func sameGroup(b *compare.Baseline) []int {
	var idx []int
	for i, c := range b.Cells {
		if c.Group == b.Cells[0].Group {
			idx = append(idx, i)
		}
	}
	return idx
}

func TestCompareBaselines(t *testing.T) {
	each := func(f func(c *compare.BaselineCell)) func(b *compare.Baseline) {
		return func(b *compare.Baseline) {
			for _, i := range sameGroup(b) {
				f(&b.Cells[i])
			}
		}
	}
	// The base of the noisy cases: one group's seeds measured 1000 and 1200
	// examples/sec (mean 1100, sd 141: 12.9 %, so 3 σ = 38.6 %).
	noisy := func(b *compare.Baseline) {
		g := sameGroup(b)
		b.Cells[g[0]].ExamplesPerSec, b.Cells[g[1]].ExamplesPerSec = 1000, 1200
	}
	tests := []struct {
		name       string
		changeBase func(b *compare.Baseline)
		change     func(b *compare.Baseline)
		opt        func(o *compare.BaselineCompareOptions)
		regs       int
		err        string
		says       string
	}{
		{name: "identical", change: func(*compare.Baseline) {}, says: "no regressions (12 rows compared)"},
		{name: "first step 40% slower is within 50%", change: each(func(c *compare.BaselineCell) { c.FirstStepSeconds *= 1.4 }), says: "+40.0% ok"},
		{name: "first step of one seed three times as slow", change: func(b *compare.Baseline) { b.Cells[0].FirstStepSeconds *= 3 }, regs: 1,
			says: "+100.0% REGRESSION (worse by more than 50.0%)"},
		{name: "throughput 20% lower everywhere", change: func(b *compare.Baseline) {
			for i := range b.Cells {
				b.Cells[i].ExamplesPerSec *= 0.8
			}
		}, regs: 3, says: "examples_per_sec 1064.00 851.20 -20.0% REGRESSION (worse by more than 5.0%)"},
		{name: "one seed 8% slower: the mean 4%", change: func(b *compare.Baseline) { b.Cells[0].ExamplesPerSec *= 0.92 }, says: "-4.0% ok"},
		{name: "step time 20% higher", change: each(func(c *compare.BaselineCell) { c.StepMillis *= 1.2 }), regs: 1, says: "step_ms 1.50 1.80 +20.0% REGRESSION"},
		{name: "within a noisy base's seed spread", changeBase: noisy, change: each(func(c *compare.BaselineCell) { c.ExamplesPerSec = 900 }),
			says: "-18.2% ok"},
		{name: "beyond a noisy base's seed spread", changeBase: noisy, change: each(func(c *compare.BaselineCell) { c.ExamplesPerSec = 600 }),
			regs: 1, says: "-45.5% REGRESSION (worse by more than 38.6%)"},
		{name: "a noisy base without the spread rule", changeBase: noisy, change: each(func(c *compare.BaselineCell) { c.ExamplesPerSec = 900 }),
			opt: func(o *compare.BaselineCompareOptions) { o.SpeedSigmas = 0 }, regs: 1, says: "worse by more than 5.0%"},
		{name: "peak memory 25% higher for one configuration", changeBase: each(func(c *compare.BaselineCell) { c.PeakMiB, c.MemoryMethod = 4000, "nvml-process" }),
			change: each(func(c *compare.BaselineCell) { c.PeakMiB, c.MemoryMethod = 5000, "nvml-process" }), regs: 1,
			says: "peak_mib 4000.00 5000.00 +25.0% REGRESSION (grew by more than 10% and 64 MiB)"},
		{name: "peak memory of one seed 17.5% higher: the mean 8.75% is within", changeBase: each(func(c *compare.BaselineCell) { c.PeakMiB, c.MemoryMethod = 4000, "nvml-process" }),
			change: func(b *compare.Baseline) {
				each(func(c *compare.BaselineCell) { c.PeakMiB, c.MemoryMethod = 4000, "nvml-process" })(b)
				b.Cells[sameGroup(b)[0]].PeakMiB = 4700
			}, says: "peak_mib 4000.00 4350.00 +8.7% ok"},
		{name: "accuracy beyond the floor", change: each(func(c *compare.BaselineCell) { c.TestAcc -= 0.05 }), regs: 1, says: "-0.0500 REGRESSION (below base mean − 0.0"},
		{name: "a seed that failed", change: func(b *compare.Baseline) { b.Cells[0].Outcome = "oom" }, regs: 1, says: "(2/1 seeds)"},
		{name: "another card is refused", change: func(b *compare.Baseline) { b.Card = "NVIDIA H200" }, err: "--allow-card-mismatch"},
		{name: "another card when allowed", change: func(b *compare.Baseline) { b.Card = "NVIDIA H200" },
			opt: func(o *compare.BaselineCompareOptions) { o.AllowCardMismatch = true }, says: "no regressions"},
		{name: "nothing in common", change: func(b *compare.Baseline) {
			for i := range b.Cells {
				b.Cells[i].Key = strings.Repeat("f", 15) + string(rune('0'+i))
			}
			b.Profiles = []string{matrix.ProfileFull}
		}, err: "(profiles full) have no cell in common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := fakeBaseline(t)
			cur, _ := fakeBaseline(t)
			if tt.changeBase != nil {
				tt.changeBase(base)
			}
			tt.change(cur)
			opt := compare.DefaultBaselineCompareOptions()
			if tt.opt != nil {
				tt.opt(&opt)
			}
			rep, err := compare.CompareBaselines(base, cur, opt)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			rep.WriteTable(&out)
			table := strings.Join(strings.Fields(out.String()), " ") // the columns' padding aside
			if rep.Regressions != tt.regs || !strings.Contains(table, tt.says) {
				t.Errorf("%d regressions, want %d; table:\n%s\n(want it to say %q)", rep.Regressions, tt.regs, out.String(), tt.says)
			}
		})
	}
}

// A configuration's rows sit together: speed, first step, then accuracy.
func TestCompareBaselinesRowsPerConfiguration(t *testing.T) {
	base, _ := fakeBaseline(t)
	rep, err := compare.CompareBaselines(base, base, compare.DefaultBaselineCompareOptions())
	if err != nil {
		t.Fatal(err)
	}
	var metrics []string
	for _, r := range rep.Rows {
		if r.Cell == rep.Rows[0].Cell {
			metrics = append(metrics, r.Metric)
		}
	}
	if want := []string{"examples_per_sec", "step_ms", "first_step_s", "test_acc"}; !reflect.DeepEqual(metrics, want) ||
		!strings.HasSuffix(rep.Rows[0].Cell, "(2/2 seeds)") || strings.Contains(rep.Rows[0].Cell, "seed=") {
		t.Errorf("rows of %q: %v, want %v", rep.Rows[0].Cell, metrics, want)
	}
}

func TestCompareMarkdownPutsRegressionsFirst(t *testing.T) {
	base, _ := fakeBaseline(t)
	cur, _ := fakeBaseline(t)
	for _, b := range []*compare.Baseline{base, cur} {
		for _, i := range sameGroup(b) {
			b.Cells[i].Label = "a|b " + b.Cells[i].Label // a pipe must not break the table
		}
	}
	for _, i := range sameGroup(cur) {
		cur.Cells[i].ExamplesPerSec *= 0.5
	}
	rep, err := compare.CompareBaselines(base, cur, compare.DefaultBaselineCompareOptions())
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md, base, cur); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(md.String(), "\n")
	if !strings.HasPrefix(lines[0], "### ❌ 1 regression(s)") {
		t.Errorf("verdict line %q", lines[0])
	}
	var table []string
	for _, l := range lines {
		if strings.HasPrefix(l, "| tiny |") {
			table = append(table, l)
		}
	}
	if len(table) != len(rep.Rows) || !strings.Contains(table[0], `a\|b `) || !strings.Contains(table[0], "| examples_per_sec |") ||
		!strings.Contains(table[0], "**REGRESSION**") {
		t.Errorf("table rows (%d, want %d), first %q:\n%s", len(table), len(rep.Rows), table[0], md.String())
	}
	if !strings.Contains(md.String(), "| BASE `") || !strings.Contains(md.String(), "fake device") {
		t.Errorf("no provenance table:\n%s", md.String())
	}
}
