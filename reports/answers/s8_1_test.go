package answers

import "testing"

// §8.1 from the real quick run: a scaled AlexNet, so d2l's numbers are shown
// but not tested, and its curves are d2l's plot with ±1 sd bands.
func TestS81RealQuick(t *testing.T) {
	a := realQuickAnswer(t, "d2l-8-1")
	wantInText(t, answerText(a),
		"over 3 seeds: final train loss 0.806 ± 0.019 (95% CI 0.758–0.854, n = 3), train acc 0.693 ± 0.008 (95% CI 0.674–0.711, n = 3), test acc 0.682 ± 0.033 (95% CI 0.600–0.763, n = 3); training throughput 3924 ± 64.9 (95% CI 3763–4085, n = 3) examples/s on CPU (2 cores) with the go (SimpleGo) backend.",
		"so they are not compared.",
		"test acc 0.682 ± 0.033 0.600–0.763 3 0.883 not comparable (scaled run)",
		"examples/s (training) 3924 ± 64.9 3763–4085 3 3942 (d2l's GPU) different hardware",
	)
	if len(a.Comparisons) != 0 {
		t.Errorf("a scaled run is compared with d2l: %+v", a.Comparisons)
	}
	var fig *Figure
	for _, b := range a.Blocks {
		for i := range b.Figures {
			fig = &b.Figures[i]
		}
	}
	if fig == nil || fig.Name != "e0-alexnet-0-curves" || fig.Height != 380 || len(fig.Legend) != 3 {
		t.Fatalf("curves figure: %+v", fig)
	}
	p := fig.Panels[0]
	if p.X.Kind != Category || len(p.X.Categories) != 3 || !p.Y.ZeroBased || len(p.Series) != 6 {
		t.Fatalf("curves panel: %+v", p)
	}
	// train loss: the ±1 sd band then the mean line (old chart: 2.0506 at
	// epoch 1, lower edge 1.98278).
	band, line := p.Series[0], p.Series[1]
	if band.Kind != SDBand || line.Name != "train loss" || fmtAcc(line.Y[0]) != "2.051" || fmtAcc(band.Lo[0]) != "1.983" ||
		fmtAcc(band.Hi[0]-band.Lo[0]) != "0.136" {
		t.Errorf("train loss band %+v, line %+v", band, line)
	}
}
