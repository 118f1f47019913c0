package answers

import (
	"testing"
)

// Exercise 4 from the real quick run: AlexNet-quick and LeNet over 30
// epochs, each last epoch against d2l's 10th; LeNet's gap widens
// significantly.
func TestEx4RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-4")
	wantInText(t, answerText(a),
		"the gap from epoch 1 to 30: +27.3 points (95% CI +21.3 to +33.3; paired t, p = 0.008, n = 3+3 paired). The train–test gap widened; whether test accuracy still rose past d2l's 10 epochs these runs cannot tell.",
		"AlexNet vs LeNet at their last epoch (AlexNet-quick vs LeNet-5): test accuracy -3.2 points (95% CI -6.3 to -0.1; Welch t, p = 0.14, n = 3+3): undecided — this design detects differences beyond ±4.2 points; train–test gap -5.9 points (95% CI -11.4 to -0.5; Welch t, p = 0.08, n = 3+3): undecided — this design detects differences beyond ±7.0 points; an epoch of training took 264 ms vs 62 ms: 4.25× (95% CI 4.08× to 4.43×; Welch t, p < 0.001, n = 3+3).",
	)
	if len(a.Comparisons) != 7 {
		t.Errorf("%d comparisons, want 7 (two per configuration, three AlexNet vs LeNet)", len(a.Comparisons))
	}
	var time *Comparison
	for _, c := range a.Comparisons {
		if c.Metric == "time" {
			time = c
		}
	}
	if time == nil || time.Unit != "ratio" || time.Verdict != Higher {
		t.Errorf("time per epoch: %+v", time)
	}
	figs := figures(a)
	if len(figs) != 3 || figs[0].Name != "accuracy" || figs[1].Name != "gap" || figs[2].Name != "loss" {
		t.Fatalf("figures: %+v", figs)
	}
	acc := figs[0].Panels[0]
	// Two configurations: test and dashed train lines each, then the bands.
	if len(acc.Series) != 6 || !acc.Series[1].Dashed || acc.Series[4].Kind != Band || len(acc.Series[4].X) != 30 ||
		!acc.Y.Fixed || acc.Y.Max != 1 {
		t.Errorf("accuracy figure: %+v", acc)
	}
}

// Exercise 4's plain answer on the real quick run: the accuracies with
// d2l's said not comparable, every undecided comparison with what it could
// detect, LeNet's gap growth with its CI, and why only as far as it goes.
func TestEx4SummaryRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-4")
	wantInText(t, a.Summary,
		"After 30 epochs AlexNet-quick reaches test accuracy 0.786 and LeNet-5 0.818 (d2l's 0.883 and 0.779 are full-scale 10-epoch runs on all 60,000 images, not comparable); the difference is -3.2 points (95 % CI -6.3 to -0.1), undecided: this profile detects only differences beyond ±4.2 points.",
		"What the epochs past d2l's 10 did to test accuracy: undecided for AlexNet-quick and LeNet-5 (this profile detects only differences beyond ±41.7 and ±7.0 points) between epochs 10 and 30.",
		"LeNet-5's (epoch 1 to 30) widened by 27.3 points (95 % CI 21.3 to 33.3)",
		"AlexNet-quick has 8.69× the parameters of LeNet-5 (536,250 vs 61,706) and dropout 0.5 in its dense layers, LeNet-5 none; whether their train–test gaps differ at the last epoch this run cannot tell",
		"Measured on the CPU quick profile: AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M) and LeNet-5, 30 epochs on 1024 training images — a trend, not d2l's numbers.",
	)
	if want := "After 30 epochs AlexNet-quick 0.786 vs LeNet-5 0.818 test acc, undecided (detects only ±4.2 points); quick profile"; a.Glance != want {
		t.Errorf("glance %q, want %q", a.Glance, want)
	}
}

// On a fixture whose curves flatten (equivalent) while the gap grows and
// AlexNet ends 5 points above LeNet (higher), the answer says so.
func TestEx4SummaryDecided(t *testing.T) {
	a := sectionAnswer(t, epochsFixture(t), "d2l-ex-4")
	wantInText(t, a.Summary,
		"AlexNet-quick ends higher by 5.0 points (95 % CI 4.5 to 5.5)",
		"AlexNet-quick (epoch 10 to 20: stopped improving: the same within ±1 point",
		"AlexNet-quick's (epoch 1 to 20) widened by 1.0 points",
		"yet the two gaps at the last epoch are the same within ±1 point",
	)
	wantInText(t, a.Glance, "AlexNet-quick +5.0 points")
}
