package answers

import (
	"regexp"
	"strings"
	"testing"
)

// TestRealQuickAnswers reads the answers of what the harness really wrote
// (reports/testdata/README.md): the findings a student acts on, each with
// its evidence.
func TestRealQuickAnswers(t *testing.T) {
	as := Build(realQuickResults(t))
	var all []string
	for _, a := range as {
		all = append(all, a.Text...)
		for _, b := range a.Blocks {
			if b.Note != "" {
				all = append(all, b.Note)
			}
		}
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		// Exercise 7 within ReLU, with its CI and p (Holm over the five
		// effects now tested: the sigmoid runs at chance count, so the
		// effects within sigmoid are measured too).
		"dropout 0.5 instead of dropout 0, within ReLU: -2.0 points (95% CI -5.1 to +1.0; paired t, p = 0.15, n = 6+6 paired): undecided — this design detects differences beyond ±4.2 points",
		"normalized inputs instead of raw inputs, within ReLU: +4.0 points (95% CI +2.5 to +5.5; paired t, p = 0.004, n = 6+6 paired): it raises mean test accuracy",
		"5 of 24 finished runs (21%, 95% CI 9%–40%) diverged or never learned (test accuracy within 0.05 of chance, 0.10, or a train loss still at ln 10). They are outcomes, not missing data: every accuracy estimate and test in this section includes them",
		"Highest mean test accuracy: ReLU, dropout 0, normalized inputs with 0.799 ± 0.033 (95% CI 0.719–0.880, n = 3)",
		"Settings: epochs 5, lr 0.1 for ReLU, 0.9 for sigmoid, batch 128",
		// Scaled models named as such, d2l's figures not claimed for them.
		"AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M), 3 epochs, lr 0.1, batch 64, 67×67 inputs, 6144 training / 1000 test images, over 3 seeds",
		"so they are not compared.",
		"AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M) has 536,250 parameters",
		"CNN-28-quick (½ width, 0.42 M params; full width: 0.87 M) on 28×28 vs AlexNet-quick: test accuracy +18.6 points (95% CI +14.0 to +23.2; paired t, p = 0.010, n = 3+3 paired)",
		// Three seeds a side: the change over the last epochs is tested.
		"Test accuracy from epoch 10 to 30: +22.3 points (95% CI -11.1 to +55.7; paired t, p = 0.14, n = 3+3 paired): undecided — this design detects differences beyond ±41.7 points",
		"Pareto front of the means",
		"Peak memory as recorded per cell, by method: rss.",
		"the analytic memory model; from the smallest to the largest batch it grew",
		"On a CPU the peak is the process",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the answers of the real run lack %q", want)
		}
	}
	for _, bad := range []string{"AlexNet has 536,250", "Most accurate 28×28 model", "Welch p", "significant at the 5% level", "not distinguishable",
		"kept out", "usable", "by default"} {
		if strings.Contains(text, bad) {
			t.Errorf("the answers of the real run still say %q", bad)
		}
	}
	// A direction is stated only with its interval: no paragraph raises or
	// lowers, speeds up or slows down, without a 95% CI in it.
	for _, p := range all {
		for _, word := range []string{" raises ", " lowers ", "× faster", "× slower"} {
			if strings.Contains(p, word) && !strings.Contains(p, "95% CI") {
				t.Errorf("a direction without its evidence: %s", p)
			}
		}
	}
	// No internal section name reaches a reader.
	re := regexp.MustCompile(`\bE[0-9](\.[0-9])?\b`)
	for _, a := range as {
		for _, s := range append(append([]string{a.Title}, a.Question...), a.Text...) {
			if m := re.FindString(s); m != "" {
				t.Errorf("%s says %q: %s", a.ID, m, s)
			}
		}
	}
	// Every comparison is recorded with a verdict its numbers support.
	for _, a := range as {
		for _, c := range a.Comparisons {
			switch {
			case !c.Enough && c.Verdict != NotEnoughRuns,
				c.Enough && c.Significant() && c.Diff > 0 && c.Verdict != Higher,
				c.Enough && c.Significant() && c.Diff < 0 && c.Verdict != Lower,
				c.Enough && !c.Significant() && c.Verdict != Undecided:
				t.Errorf("%s: %s (%s): verdict %s for diff %g, p %g, enough %v", a.ID, c.What, c.Family, c.Verdict, c.Diff, c.PAdj, c.Enough)
			}
		}
	}
}
