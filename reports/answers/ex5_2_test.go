package answers

import (
	"math"
	"strings"
	"testing"
)

func expOf(x float64) float64 { return math.Exp(x) }

// Exercise 5.2 on the real quick run: three 28×28 models against AlexNet;
// only LeNet-5 is both more accurate and faster.
func TestEx52RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-5-2")
	wantText(t, a,
		"Reference: AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M), test acc 0.682 ± 0.033 (95% CI 0.600–0.763, n = 3), trained in 4.7 s ± 41 ms (95% CI 4.6 s–4.8 s, n = 3), 536,250 parameters.",
		"LeNet-5 (ReLU, max pooling) on 28×28 vs AlexNet-quick: test accuracy +12.9 points (95% CI +7.4 to +18.4; paired t, p = 0.02, n = 3+3 paired); training time 0.25× (95% CI 0.24× to 0.25×; Welch t, p < 0.001, n = 3+3); 61,706 parameters (0.12×).",
		"Measured to be both more accurate and faster to train than AlexNet-quick: LeNet-5 (ReLU, max pooling).",
		"Settings per model: AlexNet-quick: 3 epochs, lr 0.1, batch 64, 67×67 inputs, 6144 training / 1000 test images;",
	)
	want := map[string][2]Verdict{ // accuracy, time
		"CNN-28-quick":    {Higher, Higher},
		"LeNet-5":         {Higher, Lower},
		"ResNet-28-quick": {Higher, Higher},
	}
	for model, v := range want {
		acc := comparison(t, a, "vs AlexNet", model+" vs AlexNet-quick", "test_acc")
		tm := comparison(t, a, "vs AlexNet", model+" vs AlexNet-quick", "time")
		if acc.Verdict != v[0] || tm.Verdict != v[1] {
			t.Errorf("%s: accuracy %s, time %s; want %s, %s", model, acc.Verdict, tm.Verdict, v[0], v[1])
		}
	}
	if len(a.Comparisons) != 6 {
		t.Errorf("%d comparisons, want 6", len(a.Comparisons))
	}
	lenet := comparison(t, a, "vs AlexNet", "LeNet-5 vs AlexNet-quick", "test_acc")
	if pointsDiff(lenet.Diff) != "+12.9 points" || pointsDiff(lenet.Lo) != "+7.4 points" || pointsDiff(lenet.Hi) != "+18.4 points" {
		t.Errorf("LeNet-5's accuracy gain %s (%s to %s)", pointsDiff(lenet.Diff), pointsDiff(lenet.Lo), pointsDiff(lenet.Hi))
	}

	tab := tableOf(t, a, "Models")
	if len(tab.Rows) != 4 || tab.Rows[2][0] != "LeNet-5 (ReLU, max pooling)" || tab.Rows[2][3] != "0.811 ± 0.011" || tab.Rows[2][4] != "0.783–0.838" {
		t.Errorf("models table %q", tab.Rows)
	}

	labels := "AlexNet-quick @67|CNN-28-quick @28|LeNet-5 @28|ResNet-28-quick @28"
	for _, name := range []string{"acc0", "time0", "params0"} {
		f := figureOf(t, a, name)
		p := f.Panels[0]
		if strings.Join(p.Y.Categories, "|") != labels || !p.Y.Inverse || p.Y.Kind != Category || f.Height != 260 || !f.NoLegend {
			t.Errorf("%s: y %+v, height %d", name, p.Y, f.Height)
		}
		if bar := p.Series[0]; bar.Kind != Bar || !bar.Horizontal || len(bar.Y) != 4 {
			t.Errorf("%s: bars %+v", name, bar)
		}
	}
	if p := figureOf(t, a, "params0").Panels[0]; p.X.Kind != Log || len(p.Series) != 1 || !near(p.Series[0].Y[2], 0.061706) {
		t.Errorf("parameters in millions on a log axis: %+v", p)
	}
	if p := figureOf(t, a, "time0").Panels[0]; !p.X.ZeroBased || len(p.Series) != 2 || p.Series[1].Kind != Whiskers || len(p.Series[1].Whiskers) != 4 {
		t.Errorf("training time from 0 with whiskers: %+v", p)
	}
}

// Two matrices answer one exercise: each is answered on its own, its text
// and tables prefixed with its folder and its figures numbered.
func TestEx52PerMatrix(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-5-2")
	var m *Matrix
	res := realQuickResults(t)
	for _, x := range res.Matrices {
		if x.Exercise == "5.2" {
			m = x
		}
	}
	copyM := *m
	copyM.Folder = "again"
	b := &Answer{}
	buildEx52(nil, b, []*Matrix{m, &copyM, {Folder: "empty"}})
	if len(b.Text) != 2*(len(a.Text))+1 {
		t.Fatalf("%d paragraphs, want twice %d and one for the empty matrix:\n%s", len(b.Text), len(a.Text), strings.Join(b.Text, "\n"))
	}
	for i, line := range a.Text {
		if b.Text[i] != m.Folder+": "+line || b.Text[len(a.Text)+i] != "again: "+line {
			t.Errorf("paragraph %d: %q / %q, want %q prefixed", i, b.Text[i], b.Text[len(a.Text)+i], line)
		}
	}
	if last := b.Text[len(b.Text)-1]; last != "empty: No exercise 5.2 cell has finished yet." {
		t.Errorf("empty matrix: %q", last)
	}
	figureOf(t, b, "acc0")
	figureOf(t, b, "acc1")
	tableOf(t, b, "again: Models")
	fams := map[string]int{}
	for _, c := range b.Comparisons {
		fams[c.Family]++
	}
	if fams[m.Folder+": vs AlexNet"] != 6 || fams["again: vs AlexNet"] != 6 {
		t.Errorf("families %v: want one of 6 per matrix", fams)
	}
}

// Exercise 5.2's plain answer on the real quick run: LeNet-5 beats
// AlexNet-quick on accuracy and time; the others are more accurate but
// slower, each with its CI.
func TestEx52SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-5-2")
	wantInText(t, a.Summary,
		"On 28×28 inputs LeNet-5 beats AlexNet-quick on both accuracy and cost: test accuracy +12.9 points (95 % CI +7.4 to +18.4), in 0.25× the training time (95 % CI 0.24× to 0.25×), analytic training FLOPs 0.09×, with 0.12× the parameters.",
		"CNN-28-quick: test accuracy higher by 18.6 points (95 % CI 14.0 to 23.2), slower to train: 2.02× the time (95 % CI 1.98× to 2.06×)",
		"ResNet-28-quick: test accuracy higher by 12.6 points (95 % CI 3.5 to 21.7), slower to train: 4.53× the time",
		"3 epochs on 6144 training images — a trend, not d2l's numbers.",
	)
	if want := "LeNet-5 on 28×28: +12.9 points test accuracy in 0.25× AlexNet-quick's training time; quick profile"; a.Glance != want {
		t.Errorf("glance %q, want %q", a.Glance, want)
	}
}
