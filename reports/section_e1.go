//go:build legacy

package reports

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// displayNames names groups by their model's honest name when that is
// unambiguous, else by matrix and name, else by label.
func displayNames(gs []*group) []string {
	byName, byMatrixName := map[string]int{}, map[string]int{}
	full := make([]string, len(gs))
	for i, g := range gs {
		full[i] = groupModelName(g)
		byName[full[i]]++
		byMatrixName[g.Matrix+"\x00"+full[i]]++
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		switch {
		case byName[full[i]] == 1:
			names[i] = full[i]
		case byMatrixName[g.Matrix+"\x00"+full[i]] == 1:
			names[i] = g.Matrix + ": " + full[i]
		default:
			names[i] = full[i] + " [" + g.Label + "]"
		}
	}
	return names
}

// legendNames are the names without their parenthesis where that leaves
// them distinct, else with their matrix in front.
func legendNames(gs []*group, names []string) []string {
	count := map[string]int{}
	for _, n := range names {
		count[shortModelName(n)]++
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = shortModelName(n)
		if count[out[i]] > 1 {
			out[i] = gs[i].Matrix + ": " + out[i]
		}
	}
	return out
}

func epochsXY(cv curve) []float64 {
	xs := make([]float64, len(cv.Epochs))
	for i, e := range cv.Epochs {
		xs[i] = float64(e)
	}
	return xs
}

// atEpoch is f of a cell's i-th epoch (0-based), NaN past its end.
func atEpoch(i int, f func(trainer.Epoch) float64) func(*Cell) float64 {
	return func(c *Cell) float64 {
		if i < 0 || i >= len(c.Epochs) {
			return math.NaN()
		}
		return f(c.Epochs[i])
	}
}

func testAccOf(e trainer.Epoch) float64 { return e.TestAcc }
func gapOf(e trainer.Epoch) float64     { return e.TrainAcc - e.TestAcc }

func buildE1(b *builder, s *section, ms []*Matrix) {
	var gs []*group
	for _, m := range ms {
		for _, g := range groups(m) {
			if len(g.Done) > 0 {
				gs = append(gs, g)
			}
		}
	}
	if len(gs) == 0 {
		s.Answer = append(s.Answer, "No E1 cell has finished yet.")
		return
	}
	names := displayNames(gs)
	short := legendNames(gs, names)
	fam := &family{}
	type summary struct {
		matrix, model     string
		name              string
		g                 *group
		test, train, gap  curve
		n                 int // epochs every usable seed reached
		last              stats.Estimate
		lastGap, firstGap stats.Estimate
		bestTest          float64
		bestEpoch, epochs int
		recent, gapGrowth *stats.Comparison
		recentFrom        int
		params, epochSecs float64
	}
	var sums []*summary
	acc := charts.NewLine()
	accID := chartID(s, "accuracy")
	const sub = "mean over seeds, band: 95% CI"
	acc.SetGlobalOptions(commonOpts(accID, "Accuracy per epoch", "solid: test, dashed: train; "+sub, 400)...)
	acc.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(accAxisY("accuracy")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	gap := charts.NewLine()
	gapID := chartID(s, "gap")
	gap.SetGlobalOptions(commonOpts(gapID, "Train − test accuracy gap", sub, 340)...)
	gap.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(valueAxisY("train acc − test acc", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	loss := charts.NewLine()
	lossID := chartID(s, "loss")
	loss.SetGlobalOptions(commonOpts(lossID, "Train loss per epoch", sub, 340)...)
	loss.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(valueAxisY("loss", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	var accBands, gapBands, lossBands []map[string]any

	for i, g := range gs {
		col := seriesColor(i)
		su := &summary{matrix: g.Matrix, model: g.first().Config.Model, name: names[i], g: g}
		ug := &group{Matrix: g.Matrix, Label: g.Label, Cells: g.Cells, Done: usable(g.Done)}
		su.test = ug.ciCurve(testAccOf)
		su.train = ug.ciCurve(func(e trainer.Epoch) float64 { return e.TrainAcc })
		cl := ug.ciCurve(func(e trainer.Epoch) float64 { return e.TrainLoss })
		su.gap = ug.ciCurve(gapOf)
		n := len(su.test.Mean)
		if note, t := excludedBlock(su.name+": ", g.Done); note != "" {
			s.Answer = append(s.Answer, note)
			defer func() { s.Blocks = append(s.Blocks, block{Table: t}) }()
		}
		if n == 0 {
			continue
		}
		su.n = n
		xs := epochsXY(su.test)
		short := short[i]
		acc.AddSeries(short+" test", lineXY(xs, su.test.Mean), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 2}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		acc.AddSeries(short+" train", lineXY(xs, su.train.Mean), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Type: "dashed"}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		gap.AddSeries(short, lineXY(xs, su.gap.Mean), charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		loss.AddSeries(short, lineXY(xs, cl.Mean), charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		accBands = append(accBands, band(short+" test 95% CI", col, xs, su.test.Lo, su.test.Hi))
		gapBands = append(gapBands, band(short+" 95% CI", col, xs, su.gap.Lo, su.gap.Hi))
		lossBands = append(lossBands, band(short+" 95% CI", col, xs, cl.Lo, cl.Hi))

		su.epochs = su.test.Epochs[n-1]
		su.last = est(g.Done, atEpoch(n-1, testAccOf))
		su.lastGap, su.firstGap = est(g.Done, atEpoch(n-1, gapOf)), est(g.Done, atEpoch(0, gapOf))
		su.bestTest = math.Inf(-1)
		for j, v := range su.test.Mean {
			if v > su.bestTest {
				su.bestTest, su.bestEpoch = v, su.test.Epochs[j]
			}
		}
		k := max(0, n-6)
		su.recentFrom = su.test.Epochs[k]
		if n >= 2 {
			su.recent = fam.add(stats.Compare(sampleOf(g.Done, atEpoch(k, testAccOf)), sampleOf(g.Done, atEpoch(n-1, testAccOf))))
			su.gapGrowth = fam.add(stats.Compare(sampleOf(g.Done, atEpoch(0, gapOf)), sampleOf(g.Done, atEpoch(n-1, gapOf))))
		}
		su.params = g.over(params).Mean
		su.epochSecs = g.over(trainSeconds).Mean / float64(max(su.epochs, 1))
		sums = append(sums, su)
	}
	// AlexNet against LeNet, within each matrix that has one group of each.
	type pair struct {
		m         *Matrix
		a, l      *summary
		test, gap *stats.Comparison
		time      *stats.Comparison
	}
	var pairs []*pair
	for _, m := range ms {
		var a, l []*summary
		for _, su := range sums {
			if su.matrix == m.Folder && su.model == "alexnet" {
				a = append(a, su)
			}
			if su.matrix == m.Folder && su.model == "lenet" {
				l = append(l, su)
			}
		}
		if len(a) != 1 || len(l) != 1 {
			continue
		}
		pr := &pair{m: m, a: a[0], l: l[0]}
		// Differences are AlexNet − LeNet: B is AlexNet.
		pr.test = fam.add(stats.Compare(sampleOf(l[0].g.Done, atEpoch(l[0].n-1, testAccOf)), sampleOf(a[0].g.Done, atEpoch(a[0].n-1, testAccOf))))
		pr.gap = fam.add(stats.Compare(sampleOf(l[0].g.Done, atEpoch(l[0].n-1, gapOf)), sampleOf(a[0].g.Done, atEpoch(a[0].n-1, gapOf))))
		perEpoch := func(c *Cell) float64 { return trainSeconds(c) / float64(max(len(c.Epochs), 1)) }
		pr.time = fam.add(compareRatio(l[0].g.Done, a[0].g.Done, perEpoch, true))
		pairs = append(pairs, pr)
	}
	fam.holm()

	for _, su := range sums {
		g, n := su.g, su.n
		text := fmt.Sprintf("%s (%s, %s): after %d epochs test acc %s (best mean %s at epoch %d), train acc %s; the train–test gap went from %s at epoch %d to %s.",
			su.name, scaleNote(g.first()), plural(su.test.N, "seed", "seeds"), su.epochs, fmtEst(su.last, fmtAcc), fmtAcc(su.bestTest), su.bestEpoch,
			fmtAcc(su.train.Mean[n-1]), fmtEstShort(su.firstGap, fmtSigned), su.test.Epochs[0], fmtEst(su.lastGap, fmtSigned))
		if su.recent != nil {
			text += fmt.Sprintf(" Test accuracy from epoch %d to %d: %s; the gap from epoch %d to %d: %s.",
				su.recentFrom, su.epochs, verdict(su.recent, pointsDiff), su.test.Epochs[0], su.epochs, verdict(su.gapGrowth, pointsDiff))
			if su.gapGrowth.Significant() && su.gapGrowth.Diff > 0 && su.recent.Enough && !(su.recent.Significant() && su.recent.Diff > 0) {
				text += " Test accuracy has stopped improving while the train–test gap widened: the measurements show overfitting."
			}
		}
		s.Answer = append(s.Answer, text)
	}
	for _, pr := range pairs {
		a, l := pr.a, pr.l
		text := fmt.Sprintf("AlexNet vs LeNet at their last epoch (%s vs %s): test accuracy %s; train–test gap %s; an epoch of training took %s vs %s: %s.",
			shortModelName(a.name), shortModelName(l.name), verdict(pr.test, pointsDiff), verdict(pr.gap, pointsDiff),
			fmtSeconds(a.epochSecs), fmtSeconds(l.epochSecs), verdict(pr.time, ratioDiff))
		if len(ms) > 1 {
			text = pr.m.Folder + ": " + text
		}
		if !math.IsNaN(a.params) && !math.IsNaN(l.params) {
			text += fmt.Sprintf(" %s has %s parameters, %s %s (%s).", a.name, fmtParams(a.params), l.name, fmtParams(l.params), fmtRatio(a.params/l.params))
		}
		s.Answer = append(s.Answer, text)
	}
	s.Blocks = append(s.Blocks,
		block{Charts: []chartBlock{finish(accID, 400, acc, addSeries(accBands...))}},
		block{Charts: []chartBlock{finish(gapID, 340, gap, addSeries(gapBands...)), finish(lossID, 340, loss, addSeries(lossBands...))}})
	if n := fam.holmNote("the epoch-to-epoch and AlexNet–LeNet comparisons"); n != "" {
		s.Blocks = append(s.Blocks, block{Note: n + " AlexNet vs LeNet differences are AlexNet − LeNet; times are ratios AlexNet / LeNet."})
	}
}
