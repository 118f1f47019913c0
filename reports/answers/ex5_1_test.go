package answers

import (
	"sort"
	"strings"
	"testing"

	"alexbench/reports/internal/fixture"
)

func TestBaselineOfOneKnobMatrix(t *testing.T) {
	type knobs = map[string]any
	cases := []struct {
		name     string
		base     knobs // the matrix's fixed setting
		variants []knobs
		want     int // index into variants
	}{
		{
			name: "quick e2-simplify: baseline first",
			base: knobs{"width": 0.25, "fc_width": int64(512), "resize": int64(67)},
			variants: []knobs{{}, {"width": 0.125}, {"fc_width": int64(128)}, {"conv_layers": int64(3)}, {"resize": int64(96)},
				{"width": 0.125, "fc_width": int64(128), "conv_layers": int64(3)}},
			want: 0,
		},
		{
			name: "full e2-simplify: baseline in the middle, bigger inputs elsewhere",
			base: knobs{},
			variants: []knobs{{"width": 0.5}, {"resize": int64(160)}, {}, {"fc_width": int64(1024)}, {"conv_layers": int64(4)},
				{"width": 0.5, "fc_width": int64(1024), "conv_layers": int64(3), "resize": int64(112)}},
			want: 2,
		},
		{
			name:     "a full grid: d2l's values win the ties",
			base:     knobs{},
			variants: []knobs{{"width": 0.5, "fc_width": int64(256)}, {"width": 0.5}, {"fc_width": int64(256)}, {}},
			want:     3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The matrix's axes are the knobs some variant changes (what
			// the runner records in matrix.json).
			axes := map[string]bool{}
			m := &Matrix{Folder: "e2-simplify"}
			var vs []*variant
			for i, kv := range c.variants {
				set := map[string]any{}
				for k, v := range c.base {
					set[k] = v
				}
				for k, v := range kv {
					set[k] = v
					axes[k] = true
				}
				cfg := fixture.QuickConfig(t, "alexnet", set)
				cell := &Cell{Key: string(rune('a' + i)), Label: string(rune('a' + i)), Config: cfg, ConfigOK: true}
				m.Cells = append(m.Cells, cell)
				vs = append(vs, &variant{name: cell.Key, g: &group{Cells: []*Cell{cell}, Done: []*Cell{cell}}, model: "alexnet", params: float64(i)})
			}
			m.Axes = sortedKeys(axes)
			if got := baseline(vs, []*Matrix{m}); got != vs[c.want] {
				t.Errorf("baseline %s, want %s", got.name, vs[c.want].name)
			}
		})
	}
}

// Exercise 5.1 on the real quick run: four simplifications of a ¼-width
// AlexNet, each faster with no accuracy loss it can measure.
func TestEx51RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-5-1")
	wantText(t, a,
		"Reference (the baseline: every varied knob at its most common value in the matrix): AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M) [¼ width], 536,250 parameters, test acc 0.682 ± 0.033 (95% CI 0.600–0.763, n = 3)",
		// Faster, but three seeds cannot show any variant as accurate: none
		// is claimed "without losing accuracy" (it was, on non-significance).
		"No variant is shown to train faster than the reference while staying as accurate (within ±1 point of test accuracy, or higher)",
		"128-wide FC vs the reference: training time 0.89× (95% CI 0.88× to 0.91×; Welch t, p < 0.001, n = 3+3); test accuracy +2.4 points (95% CI -12.9 to +17.7; paired t, p = 1.00, n = 3+3 paired): undecided — this design detects differences beyond ±19.1 points.",
		"fastest first: 3 conv layers, 128-wide FC, ⅛ width; 3 conv layers.",
	)
	if len(a.Comparisons) != 8 {
		t.Fatalf("%d comparisons, want 8 (time and accuracy of four variants)", len(a.Comparisons))
	}
	for _, c := range a.Comparisons {
		if c.Family != "vs reference" || !strings.HasSuffix(c.What, " vs ¼ width") {
			t.Errorf("comparison %q in family %q: want each variant vs the reference", c.What, c.Family)
		}
		switch c.Metric {
		case "time":
			if c.Unit != "ratio" || c.Verdict != Lower {
				t.Errorf("%s time: %s %s, want a ratio, lower", c.What, c.Unit, c.Verdict)
			}
		case "test_acc":
			if c.Unit != "points" || c.Verdict != Undecided {
				t.Errorf("%s accuracy: %s %s, want points, undecided", c.What, c.Unit, c.Verdict)
			}
		default:
			t.Errorf("%s: metric %s", c.What, c.Metric)
		}
	}
	fast := comparison(t, a, "vs reference", "3 conv layers, 128-wide FC, ⅛ width vs ¼ width", "time")
	if fmtRatio(expOf(fast.Diff)) != "0.36×" || fast.Test != "Welch t" || fast.Sizes() != "3+3" {
		t.Errorf("fastest variant's time: %s (%s, %s)", fmtRatio(expOf(fast.Diff)), fast.Test, fast.Sizes())
	}

	tab := tableOf(t, a, "Variants")
	var refRow []string
	for _, r := range tab.Rows {
		if r[0] == "¼ width" {
			refRow = r
		}
	}
	if want := []string{"¼ width", "536,250", "4.7 s ± 41 ms", "0.682 ± 0.033 (n = 3)", "(reference)", "(reference)", ""}; strings.Join(refRow, "|") != strings.Join(want, "|") {
		t.Errorf("reference row %q, want %q", refRow, want)
	}
	if len(tab.Rows) != 5 {
		t.Errorf("%d variant rows, want 5", len(tab.Rows))
	}

	f := figureOf(t, a, "pareto0")
	p := f.Panels[0]
	if f.Height != 460 || f.Tooltip != "item" || p.X.Kind != Linear || !p.X.Fixed || p.X.Min != 0 || p.X.Max != 10 || !p.Y.Fixed || p.Y.Max != 1 {
		t.Errorf("pareto axes: height %d, x %+v, y %+v", f.Height, p.X, p.Y)
	}
	var names []string
	for _, s := range p.Series {
		names = append(names, s.Name+":"+string(s.Kind))
	}
	if got := strings.Join(names, " "); got != "variants:scatter Pareto front:line 95% CI (accuracy):whiskers 95% CI (time):whiskers" {
		t.Fatalf("pareto series %s", got)
	}
	pts, front := p.Series[0], p.Series[1]
	if len(pts.X) != 5 || !pts.LabelPoints || len(pts.PointNames) != 5 || pts.SymbolSize != 10 {
		t.Errorf("points: %d, labelled %v, names %v", len(pts.X), pts.LabelPoints, pts.PointNames)
	}
	if len(front.X) != 2 || !front.Dashed || front.Step != "end" || !sort.Float64sAreSorted(front.X) {
		t.Errorf("front: %v %v dashed %v step %q", front.X, front.Y, front.Dashed, front.Step)
	}
	if !near(front.Y[0], 0.748) || !near(front.Y[1], 0.786) {
		t.Errorf("front accuracies %v, want 0.748 then 0.786", front.Y)
	}
	if len(p.Series[3].Whiskers) != 5 || !p.Series[3].Horizontal || p.Series[2].Horizontal {
		t.Errorf("time whiskers %v (horizontal %v)", p.Series[3].Whiskers, p.Series[3].Horizontal)
	}
}

// Exercise 5.1's plain answer on the real quick run: every simplification
// faster, with its ratio and CI, none shown as accurate, and the smallest
// accuracy loss the runs could have found.
func TestEx51SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-5-1")
	wantInText(t, a.Summary,
		"All 4 simplifications of the reference (¼ width) train faster, training time as a ratio of the reference's: 3 conv layers, 128-wide FC, ⅛ width 0.36× (95 % CI 0.36× to 0.37×), analytic training FLOPs 0.18×;",
		"128-wide FC 0.89× (95 % CI 0.88× to 0.91×), analytic training FLOPs 0.94×.",
		"None is shown to keep its accuracy within ±1 point: no accuracy comparison is shown equivalent, and the smallest accuracy loss these runs could detect is 10.6 points, so this profile cannot show that accuracy does not drop significantly.",
		"Measured on the CPU quick profile: AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M), 3 epochs on 6144 training images",
	)
	if want := "4 of 4 simplifications faster (down to 0.36× the time); none shown as accurate (detects only ±10.6 points)"; a.Glance != want {
		t.Errorf("glance %q, want %q", a.Glance, want)
	}
}

// A variant that halves the time at the same accuracy is shown as the
// answer; one that is less accurate is said to be, with its CI.
func TestEx51SummaryEquivalent(t *testing.T) {
	a := sectionAnswer(t, simplifyFixture(t), "d2l-ex-5-1")
	wantInText(t, a.Summary,
		"Faster and shown to keep its accuracy: 4096-wide FC, ⅛ width (training time 0.50× (95 % CI 0.48× to 0.52×), analytic training FLOPs 0.85×; test accuracy the same within ±1 point: +0.0 points",
		"Test accuracy measured lower for: 128-wide FC, ¼ width -9.3 points",
		"No cut in training time shown for: 128-wide FC, ¼ width (the same within ±10 %",
	)
	wantInText(t, a.Glance, "1 also shown as accurate")
}
