package reports

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/trainer"
)

// displayNames names groups by model when that is unambiguous, else by
// matrix and model, else by label.
func displayNames(gs []*group) []string {
	byModel, byMatrixModel := map[string]int{}, map[string]int{}
	for _, g := range gs {
		m := g.first().Config.Model
		byModel[m]++
		byMatrixModel[g.Matrix+"\x00"+m]++
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		m := g.first().Config.Model
		switch {
		case m != "" && byModel[m] == 1:
			names[i] = m
		case m != "" && byMatrixModel[g.Matrix+"\x00"+m] == 1:
			names[i] = g.Matrix + ": " + m
		default:
			names[i] = g.Label
		}
	}
	return names
}

func epochsXY(cv curve) []float64 {
	xs := make([]float64, len(cv.Epochs))
	for i, e := range cv.Epochs {
		xs[i] = float64(e)
	}
	return xs
}

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
	type summary struct {
		matrix, model               string
		name                        string
		test, train, gap            curve
		lastTest, lastGap, firstGap float64
		bestTest                    float64
		bestEpoch, epochs           int
		recentChange                float64 // test acc change over the last 5 epochs
		params, epochSecs           float64
	}
	var sums []summary
	acc := charts.NewLine()
	accID := chartID(s, "accuracy")
	acc.SetGlobalOptions(commonOpts(accID, "Accuracy per epoch", "solid: test, dashed: train; mean over seeds", 380)...)
	acc.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(valueAxisY("accuracy", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	gap := charts.NewLine()
	gapID := chartID(s, "gap")
	gap.SetGlobalOptions(commonOpts(gapID, "Train − test accuracy gap", "mean over seeds", 320)...)
	gap.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(valueAxisY("train acc − test acc", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	loss := charts.NewLine()
	lossID := chartID(s, "loss")
	loss.SetGlobalOptions(commonOpts(lossID, "Train loss per epoch", "mean over seeds", 320)...)
	loss.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("epoch", "value")), charts.WithYAxisOpts(valueAxisY("loss", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))

	for i, g := range gs {
		col := seriesColor(i)
		su := summary{matrix: g.Matrix, model: g.first().Config.Model, name: names[i]}
		su.test = g.curve(func(e trainer.Epoch) float64 { return e.TestAcc })
		su.train = g.curve(func(e trainer.Epoch) float64 { return e.TrainAcc })
		cl := g.curve(func(e trainer.Epoch) float64 { return e.TrainLoss })
		su.gap = g.curve(func(e trainer.Epoch) float64 { return e.TrainAcc - e.TestAcc })
		n := len(su.test.Mean)
		if n == 0 {
			continue
		}
		xs := epochsXY(su.test)
		acc.AddSeries(su.name+" test", lineXY(xs, su.test.Mean), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Width: 2}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		acc.AddSeries(su.name+" train", lineXY(xs, su.train.Mean), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Type: "dashed"}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		gap.AddSeries(su.name, lineXY(xs, su.gap.Mean), charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
		loss.AddSeries(su.name, lineXY(xs, cl.Mean), charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))

		su.epochs = su.test.Epochs[n-1]
		su.lastTest, su.lastGap, su.firstGap = su.test.Mean[n-1], su.gap.Mean[n-1], su.gap.Mean[0]
		su.bestTest = math.Inf(-1)
		for j, v := range su.test.Mean {
			if v > su.bestTest {
				su.bestTest, su.bestEpoch = v, su.test.Epochs[j]
			}
		}
		k := max(0, n-6)
		su.recentChange = su.test.Mean[n-1] - su.test.Mean[k]
		su.params = g.over(params).Mean
		su.epochSecs = g.over(trainSeconds).Mean / float64(max(su.epochs, 1))
		sums = append(sums, su)

		text := fmt.Sprintf("%s (%s, %s): after %d epochs test acc %s (best %s at epoch %d), train acc %s; the train–test gap went from %s at epoch %d to %s.",
			su.name, scaleNote(g.first()), plural(su.test.N, "seed", "seeds"), su.epochs, fmtAcc(su.lastTest), fmtAcc(su.bestTest), su.bestEpoch,
			fmtAcc(su.train.Mean[n-1]), fmtSigned(su.firstGap), su.test.Epochs[0], fmtSigned(su.lastGap))
		if n >= 2 {
			text += fmt.Sprintf(" Over its last %d epochs test accuracy changed by %s.", n-1-k, fmtPoints(su.recentChange))
		}
		switch {
		case isNearChance(su.train.Mean[n-1]):
			text += fmt.Sprintf(" Its training accuracy is still near chance (%.1f for 10 classes): with these settings it has not learned, so its curves say nothing about overfitting.", chanceAcc)
		case n >= 2 && su.lastGap > 0.02 && su.lastGap > su.firstGap+0.02 && su.recentChange <= 0.002:
			text += " Test accuracy has stopped improving while the train–test gap keeps widening: the measurements show overfitting."
		}
		s.Answer = append(s.Answer, text)
	}
	// AlexNet against LeNet, within each matrix that has one group of each.
	for _, m := range ms {
		var a, l []summary
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
		text := fmt.Sprintf("AlexNet vs LeNet at their last epoch: test acc %s vs %s (%s), train–test gap %s vs %s.",
			fmtAcc(a[0].lastTest), fmtAcc(l[0].lastTest), fmtPoints(a[0].lastTest-l[0].lastTest), fmtSigned(a[0].lastGap), fmtSigned(l[0].lastGap))
		if len(ms) > 1 {
			text = m.Folder + ": " + text
		}
		if !math.IsNaN(a[0].params) && !math.IsNaN(l[0].params) {
			text += fmt.Sprintf(" AlexNet has %s parameters, LeNet %s (%s);", fmtParams(a[0].params), fmtParams(l[0].params), fmtRatio(a[0].params/l[0].params))
		}
		text += fmt.Sprintf(" an epoch of training took %s vs %s.", fmtSeconds(a[0].epochSecs), fmtSeconds(l[0].epochSecs))
		s.Answer = append(s.Answer, text)
	}
	s.Blocks = append(s.Blocks,
		block{Charts: []chartBlock{finish(accID, 380, acc, nil)}},
		block{Charts: []chartBlock{finish(gapID, 320, gap, nil), finish(lossID, 320, loss, nil)}})
}
