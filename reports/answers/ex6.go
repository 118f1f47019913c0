package answers

import (
	"alexbench/internal/switches"
	"fmt"
	"slices"
	"sort"
	"strings"

	"alexbench/harness/results"
	"alexbench/internal/stats"
	"alexbench/nvml"
)

// batchPoint is one batch size of one series of exercise 6, over its seeds.
type batchPoint struct {
	batch          int
	rate, mem, acc stat
	steady, model  stat // peak after the first step; the analytic memory model
	ratio          stat // measured peak / model, per cell
	outcomes       map[string]int
	memMethods     distinct
	cells          []*Cell
}

type batchSeries struct {
	name   string
	points []*batchPoint // by batch size
}

// batchSeriesOf splits cells by every axis except batch size and seed.
func batchSeriesOf(ms []*Matrix) []*batchSeries {
	var out []*batchSeries
	for _, m := range ms {
		byName := map[string]*batchSeries{}
		var order []string
		sortKey := map[string]string{}
		type key struct {
			series string
			batch  int
		}
		cells := map[key][]*Cell{}
		for _, c := range m.Cells {
			if !c.ConfigOK {
				continue
			}
			var parts, keys []string
			for _, k := range m.Axes {
				if k == "seed" || k == "batch_size" {
					continue
				}
				v, _ := c.Config.Get(k)
				parts = append(parts, plainSetting(k, formatValue(v)))
				keys = append(keys, k+"="+formatValue(v))
			}
			name := strings.Join(parts, ", ")
			if name == "" {
				name = c.Config.Model
			}
			if len(ms) > 1 {
				name = m.Folder + ": " + name
			}
			if byName[name] == nil {
				byName[name] = &batchSeries{name: name}
				order = append(order, name)
				sortKey[name] = strings.Join(keys, " ")
			}
			k := key{name, c.Config.BatchSize}
			cells[k] = append(cells[k], c)
		}
		for k, cs := range cells {
			p := &batchPoint{batch: k.batch, outcomes: map[string]int{}, memMethods: distinct{}, cells: cs}
			var rates, mems, accs, steadies, modelled, ratios []float64
			for _, c := range cs {
				p.outcomes[c.Outcome()]++
				if c.Memory != nil && c.Memory.PeakMiB > 0 {
					p.memMethods.add(c.Memory.Method)
				}
				if c.Summary != nil {
					// Every run cell, OOM ones too: there the model says what did not fit.
					modelled = append(modelled, modelMiB(c))
				}
				// Accuracy over every finished run, at chance or diverged
				// included (value); speed and memory over those done.
				if v, ok := value(c, testAccMetric); ok {
					accs = append(accs, v)
				}
				if c.Done() {
					rates, mems = append(rates, steadyThroughput(c)), append(mems, peakMiB(c))
					steadies = append(steadies, steadyPeakMiB(c))
					ratios = append(ratios, peakMiB(c)/modelMiB(c))
				}
			}
			p.rate, p.mem, p.acc = statOf(rates), statOf(mems), statOf(accs)
			p.steady, p.model, p.ratio = statOf(steadies), statOf(modelled), statOf(ratios)
			byName[k.series].points = append(byName[k.series].points, p)
		}
		// In the order of the config values (linear before none), whatever
		// their words.
		sort.Slice(order, func(i, j int) bool { return sortKey[order[i]] < sortKey[order[j]] })
		for _, n := range order {
			bs := byName[n]
			sort.Slice(bs.points, func(i, j int) bool { return bs.points[i].batch < bs.points[j].batch })
			out = append(out, bs)
		}
	}
	return out
}

var (
	throughputMetric = Metric{Name: "throughput", Of: steadyThroughput, Cost: true, Timing: true, Ratio: true, FLOPs: trainFLOPsPerImage, FLOPsPer: "image"}
	memoryMetric     = Metric{Name: "memory", Of: peakMiB, Cost: true, Ratio: true}
)

// buildEx6 answers exercise 6: per series, throughput, peak memory and
// final test accuracy from the smallest batch to the largest, linear
// learning-rate scaling against a fixed rate (a factorial), and how the
// measured memory compares with the analytic model.
func buildEx6(b *builder, a *Answer, ms []*Matrix) {
	setProfiles(a, ms) // the summary says the scale
	series := batchSeriesOf(ms)
	methods := distinct{}
	fam := a.family("batch size")
	// panel draws f per series with 95 % CI whiskers; dashed, when set, is a
	// companion per series drawn dashed in the same colour (the memory model
	// next to the peak).
	panel := func(name, title, subtitle string, yAxis Axis, f func(*batchPoint) stat, ci func(*batchPoint) stats.MeanCI, dashed func(*batchPoint) stat) Figure {
		xy := func(bs *batchSeries, g func(*batchPoint) stat) (xs, ys []float64) {
			for _, p := range bs.points {
				if st := g(p); st.N > 0 {
					xs, ys = append(xs, float64(p.batch)), append(ys, st.Mean)
				}
			}
			return xs, ys
		}
		var lines, bars []Series
		for i, bs := range series {
			col := seriesColor(i)
			xs, ys := xy(bs, f)
			lines = append(lines, Series{Name: bs.name, Kind: Line, Color: col, X: xs, Y: ys, Symbol: "circle", SymbolSize: 7})
			if ci != nil {
				var w [][3]float64
				for _, p := range bs.points {
					if e := ci(p); e.N >= 2 {
						w = append(w, [3]float64{float64(p.batch), e.Lo, e.Hi})
					}
				}
				if len(w) > 0 {
					bars = append(bars, Series{Name: bs.name + " 95% CI", Kind: Whiskers, Color: col, Whiskers: w})
				}
			}
			if dashed == nil {
				continue
			}
			if xs, ys := xy(bs, dashed); len(xs) > 0 {
				lines = append(lines, Series{Name: bs.name + " (model)", Kind: Line, Color: col, X: xs, Y: ys, Dashed: true})
			}
		}
		return Figure{Name: name, Title: title, Subtitle: subtitle, Height: 360, Tooltip: "axis",
			Panels: []Panel{{X: Axis{Kind: Log, Name: "batch size (log₂ axis)", LogBase: 2}, Y: yAxis, Series: append(lines, bars...)}}}
	}
	rateCI := func(p *batchPoint) stats.MeanCI { return estAll(p.cells, steadyThroughput) }
	memCI := func(p *batchPoint) stats.MeanCI { return estAll(p.cells, peakMiB) }
	accCI := func(p *batchPoint) stats.MeanCI { return describe(p.cells, testAccMetric) }

	type seriesAnswer struct {
		bs        *batchSeries
		done      []*batchPoint // with a finished run
		lo, hi    *batchPoint   // the smallest and largest batch that measured speed
		text      []string
		rate, mem *Comparison
		accVs     map[*batchPoint]*Comparison
		ref       *batchPoint
		refIsLR   bool
	}
	var answers []*seriesAnswer
	for _, bs := range series {
		sa := &seriesAnswer{bs: bs, accVs: map[*batchPoint]*Comparison{}}
		for _, p := range bs.points {
			methods = mergeDistinct(methods, p.memMethods)
			for _, o := range sortedKeys(p.outcomes) {
				if n := p.outcomes[o]; o != "done" {
					sa.text = append(sa.text, fmt.Sprintf("batch %d: %s %s", p.batch, plural(n, "cell", "cells"), o))
				}
			}
			if p.rate.N > 0 || p.acc.N > 0 {
				sa.done = append(sa.done, p)
			}
			// Speed and memory are compared between batches with enough
			// runs that measured them (a run that diverged stopped early,
			// before its speed settled): three a side, not one.
			if p.rate.N >= stats.MinRuns {
				if sa.lo == nil {
					sa.lo = p
				}
				sa.hi = p
			}
		}
		sort.Strings(sa.text)
		if sa.lo != nil && sa.lo != sa.hi {
			what := fmt.Sprintf("%s: batch %d vs %d", bs.name, sa.hi.batch, sa.lo.batch)
			sa.rate = fam.compare(what, throughputMetric, sa.lo.cells, sa.hi.cells)
			sa.mem = fam.compare(what, memoryMetric, sa.lo.cells, sa.hi.cells)
		}
		if len(sa.done) >= 2 {
			// Accuracy against the batch the learning rate was set for.
			sa.ref = sa.done[0]
			for _, p := range sa.done {
				if c := p.cells[0]; c.ConfigOK && p.batch == c.Config.LRRefBatch {
					sa.ref, sa.refIsLR = p, true
				}
			}
			for _, p := range sa.done {
				if p != sa.ref {
					sa.accVs[p] = fam.compare(fmt.Sprintf("%s: batch %d vs %d", bs.name, p.batch, sa.ref.batch), testAccMetric, sa.ref.cells, p.cells)
				}
			}
		}
		answers = append(answers, sa)
	}
	// The factorial: linear scaling against none at each batch size, and
	// whether its effect changes with the batch (interactions).
	type scalingEffects struct {
		m       *Matrix
		effects []effect
		ins     []interaction
	}
	var scaling []scalingEffects
	inter := a.family("batch × scaling interactions")
	for _, m := range ms {
		fa := newFactorial(m, testAccMetric)
		bf, lf := fa.factor("batch_size"), fa.factor("lr_scaling")
		if bf == nil || lf == nil || len(lf.levels) < 2 {
			continue
		}
		se := scalingEffects{m: m}
		for _, bl := range bf.levels {
			for _, l := range lf.levels[1:] {
				e := fa.effect(lf, l.value, map[string]string{"batch_size": bl.value})
				if e.cmp.NA == 0 && e.missing == 0 {
					continue // no such cells (the reference batch runs once)
				}
				e.cmp = fam.add(fmt.Sprintf("%s vs %s at %s", plainSetting("lr_scaling", e.level), plainSetting("lr_scaling", e.base), stratumName(e.stratum)), testAccMetric, e.cmp.Comparison)
				se.effects = append(se.effects, e)
			}
		}
		// After the effects, so the answer's comparisons follow the text.
		se.ins = fa.interactions(inter)
		scaling = append(scaling, se)
	}
	fam.holm()
	inter.holm()

	for _, sa := range answers {
		bs := sa.bs
		if len(sa.done) == 0 {
			a.Text = append(a.Text, fmt.Sprintf("%s: no batch size has finished yet.", bs.name))
			continue
		}
		lo, hi := sa.lo, sa.hi
		line := fmt.Sprintf("%s: ", bs.name)
		switch {
		case sa.rate != nil:
			line += fmt.Sprintf("from batch %d to %d, training throughput went from %s to %s examples/s: %s", lo.batch, hi.batch,
				fmtEst(rateCI(lo), fmtRate), fmtEst(rateCI(hi), fmtRate), verdict(sa.rate, ratioDiff))
			if lo.mem.N > 0 && hi.mem.N > 0 {
				line += fmt.Sprintf("; peak memory from %s to %s: %s", fmtMiB(lo.mem.Mean), fmtMiB(hi.mem.Mean), verdict(sa.mem, ratioDiff))
			}
			line += "."
		case lo != nil:
			line += fmt.Sprintf("one batch size measured its speed (%d).", lo.batch)
		default:
			line += "no batch size measured its speed (every run diverged)."
		}
		var accs []string
		for _, p := range sa.done {
			accs = append(accs, fmt.Sprintf("%d: %s", p.batch, fmtEstShort(accCI(p), fmtAcc)))
		}
		line += " Final test accuracy by batch (mean ± sd over every finished seed, those at chance or diverged included): " + strings.Join(accs, "; ") + "."
		if len(sa.accVs) > 0 {
			var vs []string
			var cs []*Comparison
			for _, p := range sa.done {
				if c, ok := sa.accVs[p]; ok {
					vs = append(vs, fmt.Sprintf("batch %d %s", p.batch, verdict(c, pointsDiff)))
					cs = append(cs, c)
				}
			}
			if none, n := allNotEnough(cs...); none {
				vs = []string{notEnoughAll(n)}
			}
			why := "the smallest"
			if sa.refIsLR {
				why = "the batch its learning rate was set for"
			}
			line += fmt.Sprintf(" Against batch %d (%s): %s.", sa.ref.batch, why, strings.Join(vs, "; "))
		}
		if len(sa.text) > 0 {
			line += " Not done: " + strings.Join(sa.text, "; ") + "."
		}
		a.Text = append(a.Text, line)
	}
	for _, se := range scaling {
		var parts []string
		var cs []*Comparison
		for _, e := range se.effects {
			parts = append(parts, fmt.Sprintf("at %s %s", stratumName(e.stratum), verdict(e.cmp, pointsDiff)))
			cs = append(cs, e.cmp)
		}
		if none, n := allNotEnough(cs...); none && len(cs) > 0 {
			parts = []string{"at every batch size " + notEnoughAll(n)}
		}
		if len(parts) > 0 {
			a.Text = append(a.Text, "Linear learning-rate scaling (lr × batch / reference batch) against a fixed rate, final test accuracy: "+strings.Join(parts, "; ")+".")
		}
		var sig []string
		for _, in := range se.ins {
			if in.cmp.Significant() {
				sig = append(sig, fmt.Sprintf("%s × %s (%s)", plainSetting(in.a, in.la), plainSetting(in.b, in.lb), verdict(in.cmp, pointsDiff)))
			}
		}
		switch {
		case inter.tested() == 0:
		case len(sig) > 0:
			a.Text = append(a.Text, "The effect of linear scaling changes with the batch size (significant interactions): "+strings.Join(sig, "; ")+".")
		default:
			a.Text = append(a.Text, fmt.Sprintf("Of the %d batch × scaling interactions tested (Holm), none is significant: %s.", inter.tested(), verdictCounts(inter.cs)))
		}
	}
	var all []*Cell
	for _, m := range ms {
		all = append(all, m.Cells...)
	}
	if note, t := a.failedRuns("", all); note != "" {
		a.Text = append(a.Text, note)
		defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
	}
	for _, m := range ms {
		if line := settingsLine(m); line != "" {
			prefix := ""
			if len(ms) > 1 {
				prefix = m.Folder + ": "
			}
			a.Text = append(a.Text, prefix+"Settings: "+modelName(firstConfig(m), matrixProfile(m))+", "+line+".")
		}
	}
	if len(methods) > 0 {
		a.Text = append(a.Text, "Peak memory as recorded per cell, by method: "+methods.String()+".")
		if line := memoryModelLine(series, methods); line != "" {
			a.Text = append(a.Text, line)
		}
	} else {
		a.Text = append(a.Text, "Peak memory was not recorded for any finished cell"+memoryReason(ms)+".")
	}
	var ss []ex6Series
	for _, sa := range answers {
		ss = append(ss, ex6Series{name: sa.bs.name, done: sa.done, lo: sa.lo, hi: sa.hi, rate: sa.rate, mem: sa.mem, accVs: sa.accVs, ref: sa.ref})
	}
	summarizeEx6(a, ss, all, methods, accCI)
	if len(series) == 0 {
		return
	}
	const sub = "mean over seeds; whiskers: 95% CI"
	a.Blocks = append(a.Blocks, Block{Figures: []Figure{
		panel("throughput", "Throughput", sub, Axis{Kind: Linear, Name: "examples/s", NonNegative: true}, func(p *batchPoint) stat { return p.rate }, rateCI, nil),
		panel("memory", "Peak memory", "mean over seeds; dashed: analytic model", Axis{Kind: Linear, Name: "MiB", NonNegative: true},
			func(p *batchPoint) stat { return p.mem }, memCI, func(p *batchPoint) stat { return p.model }),
		panel("accuracy", "Final test accuracy", sub, Axis{Kind: Linear, Name: "test accuracy", Min: 0, Max: 1, Fixed: true},
			func(p *batchPoint) stat { return p.acc }, accCI, nil),
	}})
	anySteady := false
	for _, bs := range series {
		for _, p := range bs.points {
			anySteady = anySteady || p.steady.N > 0
		}
	}
	head := []string{"series", "batch", "examples/s", "peak memory (MiB)"}
	right := []bool{false, true, true, true}
	if anySteady {
		head, right = append(head, "after first step (MiB)"), append(right, true)
	}
	head = append(head, "model (MiB)", "peak / model", "test acc (mean ± sd)", "95% CI", "cells")
	right = append(right, true, true, true, true, false)
	t := &Table{Caption: "Batch sizes", Head: head, Right: right}
	mib := func(st stat) string {
		if st.N == 0 {
			return "–"
		}
		return fmtMeanSD(st.Mean, st.SD, st.N, func(x float64) string { return fmt.Sprintf("%.0f", x) })
	}
	for _, bs := range series {
		for _, p := range bs.points {
			var oc []string
			for _, o := range sortedKeys(p.outcomes) {
				oc = append(oc, fmt.Sprintf("%d %s", p.outcomes[o], o))
			}
			row := []string{bs.name, fmt.Sprint(p.batch), p.rate.rate(), mib(p.mem)}
			if anySteady {
				row = append(row, mib(p.steady))
			}
			ratio := "–"
			if p.ratio.N > 0 {
				ratio = fmtRatio(p.ratio.Mean)
			}
			acc := accCI(p)
			row = append(row, mib(p.model), ratio, fmtEstShort(acc, fmtAcc), fmtCI(acc, fmtAcc), strings.Join(oc, ", "))
			t.Rows = append(t.Rows, row)
		}
	}
	notes := "Throughput is training examples per second, the median over the epochs after the first (the first includes graph compilation); throughput and memory are compared as ratios (t-tests of logs). " +
		"The model column is the analytic training-memory estimate (parameters, gradients, activations kept for backward, the input batch and " +
		"the backward pass's largest transient); it leaves out " + results.MemoryModelExcludes + ", so a measured peak sits above it." +
		steadyNote(anySteady)
	if n := fam.holmNote("throughput, memory and accuracy"); n != "" {
		notes += " " + n
	}
	a.Blocks = append(a.Blocks, Block{Table: t}, Block{Note: notes})
}

// memoryModelLine says how far measured peaks are from the analytic model, as a
// ratio and as growth from the smallest to the largest batch (fixed costs the
// model leaves out, a CUDA context or a Go runtime, cancel in the growth).
func memoryModelLine(series []*batchSeries, methods distinct) string {
	var peak, steady, growth []float64
	for _, bs := range series {
		var withBoth []*batchPoint
		for _, p := range bs.points {
			if p.ratio.N > 0 {
				peak = append(peak, p.ratio.Mean)
				withBoth = append(withBoth, p)
			}
			if p.steady.N > 0 && p.model.N > 0 {
				steady = append(steady, p.steady.Mean/p.model.Mean)
			}
		}
		if n := len(withBoth); n >= 2 {
			lo, hi := withBoth[0], withBoth[n-1]
			// A peak that fell with the batch (another process, a pool from an
			// earlier cell) says nothing about growth.
			if dm, dp := hi.model.Mean-lo.model.Mean, hi.mem.Mean-lo.mem.Mean; dm > 0 && dp > 0 {
				growth = append(growth, dp/dm)
			}
		}
	}
	if len(peak) == 0 {
		return ""
	}
	line := "Measured peak memory is " + ratioRange(peak) + " the analytic memory model"
	if len(steady) > 0 {
		line += "; over the samples after the first train step " + ratioRange(steady)
	}
	if len(growth) > 0 {
		line += "; from the smallest to the largest batch it grew " + ratioRange(growth) + " as much as the model"
	}
	line += "."
	if len(methods) == 1 && methods[nvml.MethodRSS] > 0 {
		line += " On a CPU the peak is the process's resident memory: besides the model's tensors it holds the Go runtime, " +
			"the dataset and SimpleGo's intermediate buffers (every graph node's output is a buffer of its own until its last use, where XLA fuses), " +
			"so there the comparison mostly measures SimpleGo's buffers, not the model's tensors."
	}
	return line
}

func ratioRange(xs []float64) string {
	lo, hi := slices.Min(xs), slices.Max(xs)
	if fmtRatio(lo) == fmtRatio(hi) {
		return fmtRatio(lo)
	}
	return fmtRatio(lo) + "–" + fmtRatio(hi)
}

func steadyNote(shown bool) string {
	if !shown {
		return ""
	}
	return " \"After first step\" is the peak over NVML samples taken once the first train step had finished, so without the train step's " +
		"compilation and autotuning (the evaluation graph compiles later, at the end of epoch 1; its convolutions have the train step's forward " +
		"shapes, which XLA's autotuning cache already holds). " +
		"With XLA's default BFC allocator it equals the peak, since the pool only grows; with " + switches.XLAAllocatorVar + "=platform it follows the " +
		"live buffers: the training footprint plus the CUDA context."
}

// memoryReason quotes why memory was unavailable, from the cells' summaries.
func memoryReason(ms []*Matrix) string {
	reasons := distinct{}
	for _, m := range ms {
		for _, c := range m.Cells {
			if c.Memory != nil && c.Memory.Reason != "" {
				reasons.add(c.Memory.Reason)
			}
		}
	}
	if len(reasons) == 0 {
		return ""
	}
	return " (" + reasons.String() + ")"
}

// ex6Series is what the summary reads of one batch-size series.
type ex6Series struct {
	name      string
	done      []*batchPoint // with a finished run
	lo, hi    *batchPoint   // the smallest and largest batch that measured speed
	rate, mem *Comparison
	accVs     map[*batchPoint]*Comparison
	ref       *batchPoint
}

// summarizeEx6 is exercise 6's answer in plain words: throughput and
// memory from the smallest batch to the largest (ratio verdicts), the mean
// accuracy at each batch with what its comparisons decide, the runs that
// ended at chance, and that every batch ran the same epochs, so the larger
// ones took fewer steps.
func summarizeEx6(a *Answer, ss []ex6Series, all []*Cell, methods distinct, accCI func(*batchPoint) stats.MeanCI) {
	change := func(c *Comparison) string {
		switch c.Verdict {
		case Higher:
			return "rose " + effectCI(c)
		case Lower:
			return "fell to " + effectCI(c)
		}
		return outcomeShort(c)
	}
	var rate, mem, accs, decidedAcc []string
	var undecidedAcc []*Comparison
	var lo, hi *batchPoint
	for _, sr := range ss {
		// Speed and memory where this series measured them on enough runs;
		// its accuracies in any case (a series whose large batches
		// diverged has no speed to compare but still answers accuracy).
		if sr.rate != nil {
			if lo == nil {
				lo, hi = sr.lo, sr.hi
			}
			rate = append(rate, fmt.Sprintf("%s with %s", change(sr.rate), sr.name))
			if sr.mem != nil && sr.mem.Enough {
				mem = append(mem, fmt.Sprintf("%s with %s", change(sr.mem), sr.name))
			}
		}
		var per []string
		for _, p := range sr.done {
			e := accCI(p)
			switch e.N {
			case 0:
				per = append(per, fmt.Sprintf("%d: no finished run", p.batch))
			case 1:
				per = append(per, fmt.Sprintf("%d: %s (1 run)", p.batch, fmtAcc(e.Mean)))
			default:
				per = append(per, fmt.Sprintf("%d: %s", p.batch, fmtAcc(e.Mean)))
			}
			if c := sr.accVs[p]; c != nil {
				switch c.Verdict {
				case Higher, Lower, Equivalent:
					decidedAcc = append(decidedAcc, fmt.Sprintf("batch %d vs %d with %s: %s", p.batch, sr.ref.batch, sr.name, outcomeShort(c)))
				case Undecided:
					undecidedAcc = append(undecidedAcc, c)
				}
			}
		}
		if len(per) > 0 {
			accs = append(accs, sr.name+" — "+strings.Join(per, ", "))
		}
	}
	if len(accs) == 0 {
		return
	}
	var sum []string
	if lo != nil {
		s := fmt.Sprintf("From batch %d to %d, training throughput %s", lo.batch, hi.batch, strings.Join(rate, "; "))
		if len(mem) > 0 {
			what := "peak memory"
			if len(methods) == 1 && methods[nvml.MethodRSS] > 0 {
				what = "peak memory (the process's resident memory on a CPU)"
			}
			s += "; " + what + " " + strings.Join(mem, "; ")
		}
		sum = append(sum, s+".")
	}
	bad := map[int]int{}
	ran, out := 0, 0
	for _, c := range all {
		if !finished(c) || !c.ConfigOK {
			continue
		}
		ran++
		if failed(c) {
			out++
			bad[c.Config.BatchSize]++
		}
	}
	acc := "Mean final test accuracy by batch"
	if out > 0 {
		var per []string
		for _, b := range sortedIntKeys(bad) {
			per = append(per, fmt.Sprintf("%d at batch %d", bad[b], b))
		}
		acc += fmt.Sprintf(" (over every finished run: %d of %d diverged or never learned and count at the accuracy they ended at, %s)", out, ran, andList(per))
	}
	acc += ": " + strings.Join(accs, "; ") + "."
	switch {
	case len(decidedAcc) > 0:
		acc += " Against each series' reference batch: " + strings.Join(decidedAcc, "; ") + "."
	case len(undecidedAcc) > 0:
		acc += fmt.Sprintf(" No accuracy difference between batch sizes is decided: each is undecided (this profile detects only differences beyond ±%.1f points at best) or has too few finished runs.", 100*minDetectable(undecidedAcc))
	default:
		acc += " No accuracy difference between batch sizes could be tested: too few finished runs."
	}
	sum = append(sum, acc)
	if lo != nil {
		if c0, c1 := lo.cells[0], hi.cells[0]; c0.ConfigOK && c1.ConfigOK && c0.Config.Epochs == c1.Config.Epochs {
			steps := func(c *Cell) int { return c.Config.Epochs * stepsPerEpoch(c.Config) }
			sum = append(sum, fmt.Sprintf("Every batch size ran the same %s, so the larger batches took fewer optimizer steps (%d at batch %d against %d at batch %d): the accuracies above are compared at equal epochs (the same images seen), not at equal steps: a larger batch also took fewer updates.",
				plural(c0.Config.Epochs, "epoch", "epochs"), steps(c1), hi.batch, steps(c0), lo.batch))
		}
	}
	if s := quickScale(a, all); s != "" {
		sum = append(sum, s)
	}
	a.Summary = strings.Join(sum, " ")
	if lo == nil {
		return // no series measured speed: the glance has no throughput to name
	}
	// The glance names a series whose throughput is decided, where one is.
	sr := ss[0]
	for _, x := range ss {
		if x.rate != nil && (sr.rate == nil || decided(x.rate) && !decided(sr.rate)) {
			sr = x
			break
		}
	}
	g := fmt.Sprintf("%s, batch %d→%d: throughput %s", capitalize(sr.name), lo.batch, hi.batch, effectShort(sr.rate))
	if !decided(sr.rate) {
		g = fmt.Sprintf("%s, batch %d→%d: throughput %s", capitalize(sr.name), lo.batch, hi.batch, strings.ReplaceAll(string(sr.rate.Verdict), "_", " "))
	}
	if sr.mem != nil && decided(sr.mem) {
		g += ", memory " + effectShort(sr.mem)
	}
	// The same series' decided accuracy differences, in points.
	var shortAcc []string
	for _, p := range sr.done {
		if c := sr.accVs[p]; c != nil && decided(c) {
			shortAcc = append(shortAcc, fmt.Sprintf("%d %+.1f", p.batch, 100*c.Diff))
		}
	}
	accG := "accuracy undecided"
	if len(shortAcc) > 0 {
		accG = fmt.Sprintf("acc vs %d: %s points", sr.ref.batch, strings.Join(shortAcc, ", "))
	} else if len(decidedAcc) > 0 {
		accG = "accuracy: see the answer"
	} else if len(undecidedAcc) == 0 {
		accG = "accuracy: too few runs"
	}
	a.Glance = glanceLine(g, accG, "equal epochs", quickTag(a))
}
