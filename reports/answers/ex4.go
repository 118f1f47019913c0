package answers

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// d2lEpochs is how many epochs d2l trains both AlexNet and LeNet for.
const d2lEpochs = 10

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

// testAccAtEpoch and gapAtEpoch are the metrics read at one epoch index.
func testAccAtEpoch(i int) Metric { return Metric{Name: "test_acc", Of: atEpoch(i, testAccOf)} }
func gapAtEpoch(i int) Metric     { return Metric{Name: "gap", Of: atEpoch(i, gapOf)} }

// buildEx4 answers exercise 4: per configuration, test accuracy and the
// train–test gap over the epochs (has accuracy stopped improving while the
// gap widened?), then AlexNet against LeNet at their last epoch.
func buildEx4(b *builder, a *Answer, ms []*Matrix) {
	setProfiles(a, ms) // the summary says the scale
	var gs []*group
	for _, m := range ms {
		for _, g := range groups(m) {
			if len(g.finished()) > 0 {
				gs = append(gs, g)
			}
		}
	}
	if len(gs) == 0 {
		a.Text = append(a.Text, "No cell of exercise 4 has finished yet.")
		return
	}
	names := displayNames(gs)
	short := legendNames(gs, names)
	fam := a.family("epochs")
	type summary struct {
		matrix, model     string
		name              string
		g                 *group
		test, train, gap  curve
		n                 int // epochs every seed that finished done reached
		last              stats.MeanCI
		lastGap, firstGap stats.MeanCI
		bestTest          float64
		bestEpoch, epochs int
		recent, gapGrowth *Comparison
		recentFrom        int
		params, epochSecs float64
	}
	var sums []*summary
	const sub = "mean over seeds, band: 95% CI"
	epochAxis := Axis{Kind: Linear, Name: "epoch"}
	acc := Figure{Name: "accuracy", Title: "Accuracy per epoch", Subtitle: "solid: test, dashed: train; " + sub, Height: 400, Tooltip: "axis",
		Panels: []Panel{{X: epochAxis, Y: Axis{Kind: Linear, Name: "accuracy", Min: 0, Max: 1, Fixed: true}}}}
	gap := Figure{Name: "gap", Title: "Train − test accuracy gap", Subtitle: sub, Height: 340, Tooltip: "axis",
		Panels: []Panel{{X: epochAxis, Y: Axis{Kind: Linear, Name: "train acc − test acc"}}}}
	loss := Figure{Name: "loss", Title: "Train loss per epoch", Subtitle: sub, Height: 340, Tooltip: "axis",
		Panels: []Panel{{X: epochAxis, Y: Axis{Kind: Linear, Name: "loss", NonNegative: true}}}}
	// The CI bands are drawn after every line, as the old charts did.
	var accBands, gapBands, lossBands []Series

	for i, g := range gs {
		col := seriesColor(i)
		su := &summary{matrix: g.Matrix, model: g.first().Config.Model, name: names[i], g: g}
		// The curves are over the runs that finished done, those at chance
		// included; a diverged run's curve stops at its NaN, so it counts in
		// the estimates and tests below (at chance after it), not here.
		su.test = g.ciCurve(testAccOf)
		su.train = g.ciCurve(func(e trainer.Epoch) float64 { return e.TrainAcc })
		cl := g.ciCurve(func(e trainer.Epoch) float64 { return e.TrainLoss })
		su.gap = g.ciCurve(gapOf)
		n := len(su.test.Mean)
		if note, t := a.failedRuns(su.name+": ", g.Cells); note != "" {
			a.Text = append(a.Text, note)
			defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
		}
		if n == 0 {
			continue
		}
		su.n = n
		xs := epochsXY(su.test)
		short := short[i]
		acc.Panels[0].Series = append(acc.Panels[0].Series,
			Series{Name: short + " test", Kind: Line, Color: col, X: xs, Y: su.test.Mean, Width: 2},
			Series{Name: short + " train", Kind: Line, Color: col, X: xs, Y: su.train.Mean, Dashed: true})
		gap.Panels[0].Series = append(gap.Panels[0].Series, Series{Name: short, Kind: Line, Color: col, X: xs, Y: su.gap.Mean})
		loss.Panels[0].Series = append(loss.Panels[0].Series, Series{Name: short, Kind: Line, Color: col, X: xs, Y: cl.Mean})
		accBands = append(accBands, ciBand(short+" test 95% CI", col, xs, su.test.Lo, su.test.Hi))
		gapBands = append(gapBands, ciBand(short+" 95% CI", col, xs, su.gap.Lo, su.gap.Hi))
		lossBands = append(lossBands, ciBand(short+" 95% CI", col, xs, cl.Lo, cl.Hi))

		su.epochs = su.test.Epochs[n-1]
		su.last = estAcc(g.Cells, atEpoch(n-1, testAccOf))
		su.lastGap, su.firstGap = est(g.Cells, atEpoch(n-1, gapOf)), est(g.Cells, atEpoch(0, gapOf))
		su.bestTest = math.Inf(-1)
		for j, v := range su.test.Mean {
			if v > su.bestTest {
				su.bestTest, su.bestEpoch = v, su.test.Epochs[j]
			}
		}
		// More epochs than d2l's 10 is the exercise's question: past them,
		// the last epoch is compared with the 10th (the same runs, paired by
		// seed); a run no longer than d2l's compares its last six epochs.
		k := max(0, n-6)
		if i := slices.Index(su.test.Epochs, d2lEpochs); i >= 0 && i < n-1 {
			k = i
		}
		su.recentFrom = su.test.Epochs[k]
		if n >= 2 {
			su.recent = fam.add(fmt.Sprintf("%s: test accuracy at epoch %d vs %d", su.name, su.epochs, su.recentFrom), testAccAtEpoch(n-1),
				stats.Compare(sample(g.Cells, testAccAtEpoch(k)), sample(g.Cells, testAccAtEpoch(n-1))))
			su.gapGrowth = fam.add(fmt.Sprintf("%s: train–test gap at epoch %d vs %d", su.name, su.epochs, su.test.Epochs[0]), gapAtEpoch(n-1),
				stats.Compare(sample(g.Cells, gapAtEpoch(0)), sample(g.Cells, gapAtEpoch(n-1))))
		}
		su.params = g.over(params).Mean
		su.epochSecs = g.over(steadyTrainSeconds).Mean / float64(max(su.epochs, 1))
		sums = append(sums, su)
	}
	// AlexNet against LeNet, within each matrix that has one group of each.
	type pair struct {
		m         *Matrix
		a, l      *summary
		test, gap *Comparison
		time      *Comparison
		unlike    []string // how their training differed besides the model
	}
	var pairs []*pair
	for _, m := range ms {
		var al, le []*summary
		for _, su := range sums {
			if su.matrix == m.Folder && su.model == "alexnet" {
				al = append(al, su)
			}
			if su.matrix == m.Folder && su.model == "lenet" {
				le = append(le, su)
			}
		}
		if len(al) != 1 || len(le) != 1 {
			continue
		}
		pr := &pair{m: m, a: al[0], l: le[0]}
		// Differences are AlexNet − LeNet: B is AlexNet. Two models share
		// nothing a seed sets, so they are compared unpaired (Welch).
		alex, lenet := al[0], le[0]
		pr.unlike = unlikeData(alex.g.first(), lenet.g.first())
		pr.test = fam.add("AlexNet vs LeNet, test accuracy at their last epoch", testAccAtEpoch(alex.n-1),
			stats.WelchCompare(sample(lenet.g.Cells, testAccAtEpoch(lenet.n-1)).Values, sample(alex.g.Cells, testAccAtEpoch(alex.n-1)).Values))
		pr.gap = fam.add("AlexNet vs LeNet, train–test gap at their last epoch", gapAtEpoch(alex.n-1),
			stats.WelchCompare(sample(lenet.g.Cells, gapAtEpoch(lenet.n-1)).Values, sample(alex.g.Cells, gapAtEpoch(alex.n-1)).Values))
		perEpoch := func(c *Cell) float64 { return steadyTrainSeconds(c) / float64(max(len(c.Epochs), 1)) }
		what, timing := "AlexNet vs LeNet, training time per epoch",
			Metric{Name: "time", Of: perEpoch, Cost: true, Timing: true, Ratio: true, FLOPs: trainFLOPsPerEpoch, FLOPsPer: "epoch"}
		if len(pr.unlike) > 0 { // epochs of different sizes: the time of one training image
			what, timing.FLOPs, timing.FLOPsPer = "AlexNet vs LeNet, training time per image", trainFLOPsPerImage, "image"
			timing.Of = func(c *Cell) float64 { return perEpoch(c) / imagesPerEpoch(c) }
		}
		pr.time = fam.compare(what, timing, lenet.g.Cells, alex.g.Cells)
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
			// "Stopped improving" needs the epochs shown equivalent (within
			// 1 point), not merely a test that found no rise.
			since := "over the last epochs"
			if su.recentFrom == d2lEpochs {
				since = fmt.Sprintf("past d2l's %d epochs", d2lEpochs)
			}
			switch {
			case su.gapGrowth.Verdict == Higher && su.recent.Verdict == Equivalent:
				text += " Test accuracy stopped improving " + since + " while the train–test gap widened: the measurements show overfitting."
			case su.gapGrowth.Verdict == Higher && su.recent.Verdict == Higher:
				text += " The train–test gap widened, but test accuracy still rose " + since + ": more epochs helped."
			case su.gapGrowth.Verdict == Higher:
				text += " The train–test gap widened; whether test accuracy still rose " + since + " these runs cannot tell."
			}
		}
		a.Text = append(a.Text, text)
	}
	for _, pr := range pairs {
		al, le := pr.a, pr.l
		took := fmt.Sprintf("an epoch of training took %s vs %s", fmtSeconds(al.epochSecs), fmtSeconds(le.epochSecs))
		if len(pr.unlike) > 0 { // epochs of different sizes: the time per image
			took = fmt.Sprintf("a training image took %.0f µs vs %.0f µs", 1e6*al.epochSecs/imagesPerEpoch(al.g.first()), 1e6*le.epochSecs/imagesPerEpoch(le.g.first()))
		}
		text := fmt.Sprintf("AlexNet vs LeNet at their last epoch (%s vs %s): test accuracy %s; train–test gap %s; %s: %s.",
			shortModelName(al.name), shortModelName(le.name), verdict(pr.test, pointsDiff), verdict(pr.gap, pointsDiff),
			took, verdict(pr.time, ratioDiff))
		if len(ms) > 1 {
			text = pr.m.Folder + ": " + text
		}
		if !math.IsNaN(al.params) && !math.IsNaN(le.params) {
			text += fmt.Sprintf(" %s has %s parameters, %s %s (%s).", al.name, fmtParams(al.params), le.name, fmtParams(le.params), fmtRatio(al.params/le.params))
		}
		a.Text = append(a.Text, text)
	}
	// The answer in plain words: the last epoch's accuracies (d2l's beside
	// where comparable), whether accuracy still rose, how the gap grew, and
	// why only as far as the verdicts go.
	var sum []string
	lastWord := func(su *summary) string {
		c := su.recent
		what := fmt.Sprintf("%s (epoch %d to %d: ", shortModelName(su.name), su.recentFrom, su.epochs)
		switch c.Verdict {
		case Higher:
			return what + "rising by " + byCI(c) + ")"
		case Lower:
			return what + "falling by " + byCI(c) + ")"
		case Equivalent:
			return what + "stopped improving: " + outcomeShort(c) + ")"
		}
		return what + outcomeShort(c) + ")"
	}
	gapWord := func(su *summary) string {
		c := su.gapGrowth
		what := fmt.Sprintf("%s's (epoch %d to %d) ", shortModelName(su.name), su.test.Epochs[0], su.epochs)
		switch c.Verdict {
		case Higher:
			return what + "widened by " + byCI(c)
		case Lower:
			return what + "narrowed by " + byCI(c)
		}
		return what + outcomeShort(c)
	}
	accAt := func(su *summary) string {
		s := fmtAcc(su.last.Mean)
		ref, ok := d2lAtScale(su.g.first())
		if !ok {
			return s
		}
		// d2l's figure is of epoch 10: past it, ours at epoch 10 stands beside it.
		if i := slices.Index(su.test.Epochs, 10); su.epochs != 10 && i >= 0 {
			at := estAcc(su.g.Cells, atEpoch(i, testAccOf))
			return s + fmt.Sprintf(" (at epoch 10: %s, 95 %% CI %s; d2l: %.3f after 10 epochs)", fmtAcc(at.Mean), fmtCI(at, fmtAcc), ref.TestAcc)
		}
		return s + fmt.Sprintf(" (d2l: %.3f after 10 epochs)", ref.TestAcc)
	}
	var glance []string
	if len(pairs) > 0 {
		pr := pairs[0]
		al, le := pr.a, pr.l
		an, ln := shortModelName(al.name), shortModelName(le.name)
		s := fmt.Sprintf("After %d epochs %s reaches test accuracy %s and %s %s", al.epochs, an, accAt(al), ln, accAt(le))
		_, aok := d2lAtScale(al.g.first())
		_, lok := d2lAtScale(le.g.first())
		if !aok && !lok {
			s += fmt.Sprintf(" (d2l's %.3f and %.3f are full-scale 10-epoch runs on all 60,000 images, not comparable)", d2lRefs["alexnet"].TestAcc, d2lRefs["lenet"].TestAcc)
		}
		diff := "the difference is " + outcomeShort(pr.test)
		if decided(pr.test) {
			diff = fmt.Sprintf("%s ends %s by %s", an, direction(pr.test, "higher", "lower"), byCI(pr.test))
		}
		if len(pr.unlike) > 0 {
			diff += " — a difference of model and data together, since they did not train alike (below)"
		}
		sum = append(sum, s+"; "+diff+".")
		g := fmt.Sprintf("After %d epochs %s %s vs %s %s test acc", al.epochs, an, fmtAcc(al.last.Mean), ln, fmtAcc(le.last.Mean))
		switch pr.test.Verdict {
		case Higher, Lower:
			g += ": " + an + " " + effectShort(pr.test)
		case Equivalent:
			g += ": the same within ±1 point"
		case Undecided:
			g += fmt.Sprintf(", undecided (detects only ±%.1f points)", 100*pr.test.Detectable)
		default:
			g += ", too few runs to compare"
		}
		glance = append(glance, g)
	} else if len(sums) > 0 {
		var parts []string
		for _, su := range sums {
			parts = append(parts, fmt.Sprintf("%s %s", shortModelName(su.name), accAt(su)))
		}
		sum = append(sum, fmt.Sprintf("Final test accuracy after %d epochs: %s; no AlexNet–LeNet pair to compare.", sums[0].epochs, andList(parts)))
		glance = append(glance, "Final test accuracy: "+andList(parts))
	}
	// Still rising at the end, and the gap's growth: the undecided ones
	// said once together, the others each with their effect.
	var last, gaps []string
	var lastOpen, gapOpen []*summary
	for _, su := range sums {
		if su.recent == nil {
			continue
		}
		if su.recent.Verdict == Undecided {
			lastOpen = append(lastOpen, su)
		} else {
			last = append(last, lastWord(su))
		}
		if su.gapGrowth.Verdict == Undecided {
			gapOpen = append(gapOpen, su)
		} else {
			gaps = append(gaps, gapWord(su))
		}
	}
	openWords := func(sus []*summary, c func(*summary) *Comparison) string {
		var names, ds []string
		for _, su := range sus {
			names = append(names, shortModelName(su.name))
			ds = append(ds, fmt.Sprintf("±%.1f", 100*c(su).Detectable))
		}
		return fmt.Sprintf("%s (this profile detects only differences beyond %s points)", andList(names), andList(ds))
	}
	if len(lastOpen) > 0 {
		su := lastOpen[0]
		last = append(last, fmt.Sprintf("undecided for %s between epochs %d and %d", openWords(lastOpen, func(s *summary) *Comparison { return s.recent }), su.recentFrom, su.epochs))
	}
	if len(gapOpen) > 0 {
		gaps = append(gaps, "undecided for "+openWords(gapOpen, func(s *summary) *Comparison { return s.gapGrowth }))
	}
	if len(last) > 0 {
		head := "Whether test accuracy is still rising at the end: "
		if sums[0].recentFrom == d2lEpochs {
			head = fmt.Sprintf("What the epochs past d2l's %d did to test accuracy: ", d2lEpochs)
		}
		sum = append(sum, head+strings.Join(last, "; ")+".")
	}
	if len(gaps) > 0 {
		sum = append(sum, "The train–test gap from the first epoch to the last: "+strings.Join(gaps, "; ")+".")
	}
	if len(pairs) > 0 {
		pr := pairs[0]
		al, le := pr.a, pr.l
		an, ln := shortModelName(al.name), shortModelName(le.name)
		why := ""
		if !math.IsNaN(al.params) && !math.IsNaN(le.params) {
			why = fmt.Sprintf("%s has %s the parameters of %s (%s vs %s)", an, fmtRatio(al.params/le.params), ln, fmtParams(al.params), fmtParams(le.params))
		}
		if ad, ld := al.g.first().Config.Dropout, le.g.first().Config.Dropout; ad != ld && ld == 0 {
			why += fmt.Sprintf(" and dropout %g in its dense layers, %s none", ad, ln)
		} else if ad != ld {
			why += fmt.Sprintf(" and dropout %g in its dense layers to %s's %g", ad, ln, ld)
		}
		if why != "" {
			why = "Why: " + why + "; "
		} else {
			why = "Why: "
		}
		switch {
		case len(pr.unlike) > 0:
			// The data differ too: the gap cannot be put on the model.
			why += fmt.Sprintf("but the two did not train alike (%s), so the difference in their train–test gaps at the last epoch (%s) mixes the model with the data and cannot be put on capacity or dropout.",
				strings.Join(pr.unlike, "; "), outcomeShort(pr.gap))
		case pr.gap.Verdict == Higher || pr.gap.Verdict == Lower:
			why += fmt.Sprintf("its train–test gap at the last epoch is %s than %s's by %s, though this design does not separate capacity from dropout.",
				direction(pr.gap, "higher", "lower"), ln, effectCI(pr.gap))
		case pr.gap.Verdict == Equivalent:
			why += fmt.Sprintf("yet the two gaps at the last epoch are the same within ±1 point: %s.", effectCI(pr.gap))
		default:
			why += fmt.Sprintf("whether their train–test gaps differ at the last epoch this run cannot tell (%s), so it cannot say which of capacity or dropout weighs more.", outcomeShort(pr.gap))
		}
		sum = append(sum, why)
	}
	if s := quickScale(a, sectionCells(ms)); s != "" {
		sum = append(sum, s)
	}
	a.Summary = strings.Join(sum, " ")
	a.Glance = glanceLine(append(glance, quickTag(a))...)

	acc.Panels[0].Series = append(acc.Panels[0].Series, accBands...)
	gap.Panels[0].Series = append(gap.Panels[0].Series, gapBands...)
	loss.Panels[0].Series = append(loss.Panels[0].Series, lossBands...)
	a.Blocks = append(a.Blocks, Block{Figures: []Figure{acc}}, Block{Figures: []Figure{gap, loss}})
	if n := fam.holmNote("the epoch-to-epoch and AlexNet–LeNet comparisons"); n != "" {
		a.Blocks = append(a.Blocks, Block{Note: n + " AlexNet vs LeNet differences are AlexNet − LeNet; times are ratios AlexNet / LeNet."})
	}
}

// unlikeData lists how two models' runs trained differently besides the
// model and its own recipe (training images, test images, input
// normalization),
// in words: a comparison of the two then mixes the model with the data.
func unlikeData(a, b *Cell) []string {
	if !a.ConfigOK || !b.ConfigOK {
		return nil
	}
	x, y := a.Config, b.Config
	an, bn := shortModelName(modelName(x, cellProfile(a))), shortModelName(modelName(y, cellProfile(b)))
	images := func(n, all int) string {
		if n <= 0 {
			return fmt.Sprintf("all %d", all)
		}
		return fmt.Sprint(n)
	}
	var out []string
	if x.TrainLimit != y.TrainLimit {
		out = append(out, fmt.Sprintf("%s trained on %s images, %s on %s", an, images(x.TrainLimit, 60000), bn, images(y.TrainLimit, 60000)))
	}
	if x.TestLimit != y.TestLimit {
		out = append(out, fmt.Sprintf("scored on %s and %s test images", images(x.TestLimit, 10000), images(y.TestLimit, 10000)))
	}
	if x.Normalize != y.Normalize {
		out = append(out, fmt.Sprintf("%s on %s, %s on %s", an, plainSetting("normalize", fmt.Sprint(x.Normalize)), bn, plainSetting("normalize", fmt.Sprint(y.Normalize))))
	}
	return out
}
