package answers

import (
	"fmt"
	"strings"
)

// Exercise 5.2: a better model that works directly on 28×28 images. Every
// 28×28 model is compared with AlexNet (at its largest input) on final test
// accuracy and training time.

func buildEx52(b *builder, a *Answer, ms []*Matrix) {
	setProfiles(a, ms) // the summary says the scale
	perMatrix(a, ms, buildEx52Matrix)
}

func buildEx52Matrix(a *Answer, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { a.Text = append(a.Text, prefix+text) }
	vs := variants([]*Matrix{m})
	if len(vs) == 0 {
		say("No exercise 5.2 cell has finished yet.")
		return
	}
	var ref *variant
	for _, v := range vs {
		if v.model == "alexnet" && (ref == nil || v.resize > ref.resize) {
			ref = v
		}
	}
	var small []*variant
	for _, v := range vs {
		if v != ref && v.resize == 28 {
			small = append(small, v)
		}
	}
	if ref == nil {
		say("No AlexNet cell has finished, so there is no reference to compare the 28×28 models with.")
	}
	if len(small) == 0 {
		say("No model working on 28×28 inputs has finished yet.")
	}
	if note, t := a.failedRuns("", allCells(vs)); note != "" {
		say(note)
		defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
	}
	fam := a.family(prefix + "vs AlexNet")
	accVs, timeVs := map[*variant]*Comparison{}, map[*variant]*Comparison{}
	if ref != nil {
		for _, v := range small {
			what := shortModelName(v.name) + " vs " + shortModelName(ref.name)
			accVs[v] = fam.compare(what, testAccMetric, ref.g.Cells, v.g.Cells)
			timeVs[v] = fam.compare(what, trainTimeMetric, ref.g.Cells, v.g.Cells)
		}
	}
	fam.holm()
	if ref != nil && len(small) > 0 {
		say(fmt.Sprintf("Reference: %s, test acc %s, trained in %s, %s parameters.", ref.full, fmtEst(ref.acc, fmtAcc), fmtEst(ref.time, fmtSeconds), fmtParams(ref.params)))
		var better []string
		for _, v := range small {
			say(fmt.Sprintf("%s on 28×28 vs %s: test accuracy %s; training time %s; %s parameters (%s).",
				v.full, shortModelName(ref.full), verdict(accVs[v], pointsDiff), verdict(timeVs[v], ratioDiff), fmtParams(v.params), fmtRatio(v.params/ref.params)))
			if acc, t := accVs[v], timeVs[v]; acc.Significant() && acc.Diff > 0 && t.Significant() && t.Diff < 0 {
				better = append(better, v.name)
			}
		}
		if len(better) > 0 {
			say(fmt.Sprintf("Measured to be both more accurate and faster to train than %s: %s.", shortModelName(ref.full), joinList(better)))
		} else {
			say(fmt.Sprintf("No 28×28 model here is measured (significantly, after Holm) to be both more accurate and faster to train than %s.", shortModelName(ref.full)))
		}
	}
	say("Settings per model: " + settingsList(vs) + ".")
	if ref != nil && len(small) > 0 {
		summarizeEx52(a, prefix, ref, small, accVs, timeVs, vs)
	}

	a.Blocks = append(a.Blocks, Block{Figures: modelBarFigures(vs, idSuffix)})
	t := &Table{Caption: prefix + "Models", Head: []string{"model", "input", "parameters", "test acc (mean ± sd)", "95% CI", "n", "training time", "examples/s"},
		Right: []bool{false, true, true, true, true, true, true, true}}
	for _, v := range vs {
		t.Rows = append(t.Rows, []string{v.full, fmt.Sprintf("%d×%d", v.resize, v.resize), fmtParams(v.params), fmtEstShort(v.acc, fmtAcc), fmtCI(v.acc, fmtAcc),
			fmt.Sprint(v.acc.N), fmtEstShort(v.time, fmtSeconds), fmtEstShort(v.rate, fmtRate)})
	}
	a.Blocks = append(a.Blocks, Block{Table: t})
	against := "the reference"
	if ref != nil {
		against = shortModelName(ref.full)
	}
	if n := fam.holmNote("the comparisons with " + against); n != "" {
		a.Blocks = append(a.Blocks, Block{Note: n + " Differences are 28×28 model − reference; times are ratios 28×28 model / reference."})
	}
}

// modelBarFigures are a row of three horizontal bar charts, one bar per
// model (names read level, every one in full): test accuracy and training
// time with their 95 % CIs, and the parameter count on a log axis.
func modelBarFigures(vs []*variant, idSuffix string) []Figure {
	var labels []string
	var accs, times, ps []float64
	var accBars, timeBars [][3]float64
	for i, v := range vs {
		labels = append(labels, shortModelName(v.name)+fmt.Sprintf(" @%d", v.resize))
		accs, times, ps = append(accs, v.acc.Mean), append(times, v.time.Mean), append(ps, v.params)
		if v.acc.N >= 2 {
			accBars = append(accBars, [3]float64{float64(i), v.acc.Lo, v.acc.Hi})
		}
		if v.time.N >= 2 {
			timeBars = append(timeBars, [3]float64{float64(i), v.time.Lo, v.time.Hi})
		}
	}
	height := 140 + 30*len(labels)
	bar := func(name, title, sub string, x Axis, ys []float64, col int, whiskers [][3]float64) Figure {
		series := []Series{{Name: x.Name, Kind: Bar, Color: seriesColor(col), Y: ys, Horizontal: true}}
		if len(whiskers) > 0 {
			series = append(series, Series{Name: "95% CI", Kind: Whiskers, Color: whiskerColor, Whiskers: whiskers, Horizontal: true})
		}
		return Figure{Name: name + idSuffix, Title: title, Subtitle: sub, Height: height, Tooltip: "axis", NoLegend: true,
			Panels: []Panel{{X: x, Y: Axis{Kind: Category, Categories: labels, Inverse: true, LabelWidth: 150}, Series: series}}}
	}
	const sub = "mean over seeds; whiskers: 95% CI"
	return []Figure{
		bar("acc", "Test accuracy", sub, accuracyAxis("test accuracy"), accs, 1, accBars),
		bar("time", "Training time", sub, Axis{Kind: Linear, Name: "training time (s)", ZeroBased: true}, times, 0, timeBars),
		bar("params", "Parameters", "per model (log axis)", Axis{Kind: Log, Name: "parameters (millions)"}, millions(ps), 2, nil),
	}
}

// summarizeEx52 adds the matrix's answer in plain words: the 28×28 models
// measured to beat AlexNet on both accuracy and training time, then how
// each of the others compares, every direction with its effect and CI.
func summarizeEx52(a *Answer, prefix string, ref *variant, small []*variant, accVs, timeVs map[*variant]*Comparison, vs []*variant) {
	an := shortModelName(ref.full)
	both := func(v *variant) bool { return accVs[v].Verdict == Higher && timeVs[v].Verdict == Lower }
	var sum, rest []string
	var best *variant
	for _, v := range small {
		acc, t := accVs[v], timeVs[v]
		if both(v) {
			sum = append(sum, fmt.Sprintf("On 28×28 inputs %s beats %s on both accuracy and cost: test accuracy %s, in %s, with %s the parameters.",
				shortModelName(v.full), an, effectCI(acc), timesCI(t, "the training time"), fmtRatio(v.params/ref.params)))
			if best == nil || acc.Diff > accVs[best].Diff {
				best = v
			}
			continue
		}
		accW := "test accuracy " + outcomeShort(acc)
		if decided(acc) {
			accW = fmt.Sprintf("test accuracy %s by %s", direction(acc, "higher", "lower"), byCI(acc))
		}
		timeW := "training time " + outcomeShort(t)
		if decided(t) {
			timeW = fmt.Sprintf("%s to train: %s", direction(t, "slower", "faster"), timesCI(t, "the time"))
		}
		rest = append(rest, fmt.Sprintf("%s: %s, %s", shortModelName(v.full), accW, timeW))
	}
	if best == nil {
		sum = append(sum, fmt.Sprintf("No 28×28 model here is measured to beat %s on both test accuracy and training time.", an))
	}
	if len(rest) > 0 {
		sum = append(sum, fmt.Sprintf("Against %s, %s.", an, strings.Join(rest, "; ")))
	}
	if s := quickScale(a, append(append([]*Cell(nil), ref.g.Cells...), allCells(vs)...)); s != "" {
		sum = append(sum, s)
	}
	if a.Summary != "" {
		a.Summary += " "
	}
	a.Summary += prefix + strings.Join(sum, " ")
	if a.Glance != "" {
		return
	}
	g := fmt.Sprintf("no 28×28 model beats %s on both accuracy and time", an)
	if best != nil {
		g = fmt.Sprintf("%s on 28×28: %s test accuracy in %s %s's training time", shortModelName(best.full), effectShort(accVs[best]), effectShort(timeVs[best]), an)
	}
	a.Glance = glanceLine(g, quickTag(a))
}
