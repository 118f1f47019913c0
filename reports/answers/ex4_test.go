package answers

import (
	"testing"
)

// Exercise 4 from the real quick run: AlexNet-quick and LeNet over 30
// epochs; LeNet's gap widens significantly while its accuracy has stopped.
func TestEx4RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-ex-4")
	wantInText(t, answerText(a),
		"the gap from epoch 1 to 30: +27.3 points (95% CI +21.3 to +33.3; paired t, p = 0.02, n = 3+3 paired). The train–test gap widened; whether test accuracy has stopped improving these runs cannot tell.",
		"AlexNet vs LeNet at their last epoch (AlexNet-quick vs LeNet-5): test accuracy -3.2 points (95% CI -8.7 to +2.3; paired t, p = 0.39, n = 3+3 paired): undecided — this design detects differences beyond ±6.8 points; train–test gap -5.9 points (95% CI -12.1 to +0.2; paired t, p = 0.27, n = 3+3 paired): undecided — this design detects differences beyond ±7.7 points; an epoch of training took 264 ms vs 62 ms: 4.25× (95% CI 4.08× to 4.43×; Welch t, p < 0.001, n = 3+3).",
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
