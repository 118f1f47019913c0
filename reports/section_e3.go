package reports

import (
	"alexbench/harness/results"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/nvml"
)

// batchPoint is one batch size of one E3 series, over its seeds.
type batchPoint struct {
	batch          int
	rate, mem, acc stat
	steady, model  stat // peak after the first step; the analytic memory model
	ratio          stat // measured peak / model, per cell
	outcomes       map[string]int
	memMethods     distinct
}

type batchSeries struct {
	name   string
	points []*batchPoint // by batch size
}

// e3Series splits cells by every axis except batch size and seed.
func e3Series(ms []*Matrix) []*batchSeries {
	var out []*batchSeries
	for _, m := range ms {
		byName := map[string]*batchSeries{}
		var order []string
		type key struct {
			series string
			batch  int
		}
		cells := map[key][]*Cell{}
		for _, c := range m.Cells {
			if !c.ConfigOK {
				continue
			}
			var parts []string
			for _, k := range m.Axes {
				if k == "seed" || k == "batch_size" {
					continue
				}
				v, _ := c.Config.Get(k)
				parts = append(parts, k+"="+formatValue(v))
			}
			name := strings.Join(parts, " ")
			if name == "" {
				name = c.Config.Model
			}
			if len(ms) > 1 {
				name = m.Folder + ": " + name
			}
			if byName[name] == nil {
				byName[name] = &batchSeries{name: name}
				order = append(order, name)
			}
			k := key{name, c.Config.BatchSize}
			cells[k] = append(cells[k], c)
		}
		for k, cs := range cells {
			p := &batchPoint{batch: k.batch, outcomes: map[string]int{}, memMethods: distinct{}}
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
				if c.Done() {
					rates, mems, accs = append(rates, throughput(c)), append(mems, peakMiB(c)), append(accs, finalTestAcc(c))
					steadies = append(steadies, steadyPeakMiB(c))
					ratios = append(ratios, peakMiB(c)/modelMiB(c))
				}
			}
			p.rate, p.mem, p.acc = statOf(rates), statOf(mems), statOf(accs)
			p.steady, p.model, p.ratio = statOf(steadies), statOf(modelled), statOf(ratios)
			byName[k.series].points = append(byName[k.series].points, p)
		}
		sort.Strings(order)
		for _, n := range order {
			bs := byName[n]
			sort.Slice(bs.points, func(i, j int) bool { return bs.points[i].batch < bs.points[j].batch })
			out = append(out, bs)
		}
	}
	return out
}

func buildE3(b *builder, s *section, ms []*Matrix) {
	series := e3Series(ms)
	methods := distinct{}
	// panel draws f per series; dashed, when set, is a companion per series
	// drawn dashed in the same colour (the memory model next to the peak).
	panel := func(name, title, subtitle, axis, axisType string, f, dashed func(*batchPoint) stat) chartBlock {
		id := chartID(s, name)
		c := charts.NewLine()
		c.SetGlobalOptions(commonOpts(id, title, subtitle, 340)...)
		c.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("batch size", "log")), charts.WithYAxisOpts(valueAxisY(axis, axisType)),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
		xy := func(bs *batchSeries, g func(*batchPoint) stat) (xs, ys []float64) {
			for _, p := range bs.points {
				if st := g(p); st.N > 0 {
					xs, ys = append(xs, float64(p.batch)), append(ys, st.Mean)
				}
			}
			return xs, ys
		}
		for i, bs := range series {
			col := seriesColor(i)
			xs, ys := xy(bs, f)
			c.AddSeries(bs.name, lineXY(xs, ys), charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 7}),
				charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
			if dashed == nil {
				continue
			}
			if xs, ys := xy(bs, dashed); len(xs) > 0 {
				c.AddSeries(bs.name+" (model)", lineXY(xs, ys), charts.WithLineStyleOpts(opts.LineStyle{Color: col, Type: "dashed"}),
					charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = col }))
			}
		}
		return finish(id, 340, c, func(m map[string]any) { setAxis(m, "xAxis", 0, map[string]any{"logBase": 2}) })
	}
	for _, bs := range series {
		var text []string
		var done []*batchPoint
		for _, p := range bs.points {
			methods = mergeDistinct(methods, p.memMethods)
			for _, o := range sortedKeys(p.outcomes) {
				n := p.outcomes[o]
				if o != "done" {
					text = append(text, fmt.Sprintf("batch %d: %s %s", p.batch, plural(n, "cell", "cells"), o))
				}
			}
			if p.acc.N > 0 {
				done = append(done, p)
			}
		}
		sort.Strings(text)
		if len(done) == 0 {
			s.Answer = append(s.Answer, fmt.Sprintf("%s: no batch size has finished yet.", bs.name))
			continue
		}
		lo, hi := done[0], done[len(done)-1]
		line := fmt.Sprintf("%s: from batch %d to %d, training throughput went from %s to %s examples/s (%s)",
			bs.name, lo.batch, hi.batch, fmtRate(lo.rate.Mean), fmtRate(hi.rate.Mean), fmtRatio(hi.rate.Mean/lo.rate.Mean))
		if lo.mem.N > 0 && hi.mem.N > 0 {
			line += fmt.Sprintf(", peak memory from %s to %s", fmtMiB(lo.mem.Mean), fmtMiB(hi.mem.Mean))
		}
		best, worst := done[0], done[0]
		for _, p := range done {
			if p.acc.Mean > best.acc.Mean {
				best = p
			}
			if p.acc.Mean < worst.acc.Mean {
				worst = p
			}
		}
		line += fmt.Sprintf(", and final test accuracy from %s to %s", fmtAcc(lo.acc.Mean), fmtAcc(hi.acc.Mean))
		if fmtAcc(best.acc.Mean) == fmtAcc(worst.acc.Mean) {
			line += "; it was the same at every batch size."
		} else {
			line += fmt.Sprintf("; the most accurate batch size was %d (%s), the least %d (%s).", best.batch, best.acc.acc(), worst.batch, worst.acc.acc())
		}
		var chance []string
		for _, p := range done {
			if isNearChance(p.acc.Mean) {
				chance = append(chance, fmt.Sprint(p.batch))
			}
		}
		if len(chance) > 0 {
			line += fmt.Sprintf(" At batch %s test accuracy stayed near chance (below %.2f): those runs did not learn with these settings, so their accuracy says nothing about batch size.",
				strings.Join(chance, ", "), nearChance)
		}
		if len(text) > 0 {
			line += " Not done: " + strings.Join(text, "; ") + "."
		}
		s.Answer = append(s.Answer, line)
	}
	if len(methods) > 0 {
		s.Answer = append(s.Answer, "Peak memory as recorded per cell, by method: "+methods.String()+".")
		if line := e3ModelLine(series, methods); line != "" {
			s.Answer = append(s.Answer, line)
		}
	} else {
		s.Answer = append(s.Answer, "Peak memory was not recorded for any finished cell"+memoryReason(ms)+".")
	}
	if len(series) == 0 {
		return
	}
	const sub = "mean over seeds; x: batch size (log₂)"
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{
		panel("throughput", "Throughput", sub, "examples/s", "value", func(p *batchPoint) stat { return p.rate }, nil),
		panel("memory", "Peak memory", sub+"; dashed: the analytic model", "MiB", "value",
			func(p *batchPoint) stat { return p.mem }, func(p *batchPoint) stat { return p.model }),
		panel("accuracy", "Final test accuracy", sub, "test accuracy", "value", func(p *batchPoint) stat { return p.acc }, nil),
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
	head = append(head, "model (MiB)", "peak / model", "test acc", "cells")
	right = append(right, true, true, true, false)
	t := &table{Caption: "Batch sizes", Head: head, Right: right}
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
			row = append(row, mib(p.model), ratio, p.acc.acc(), strings.Join(oc, ", "))
			t.Rows = append(t.Rows, row)
		}
	}
	s.Blocks = append(s.Blocks, block{Table: t},
		block{Note: "Throughput is training examples per second, the mean over the epochs after the first (the first includes graph compilation). " +
			"The model column is the analytic training-memory estimate (parameters, gradients, activations kept for backward, the input batch and " +
			"the backward pass's largest transient); it leaves out " + results.MemoryModelExcludes + ", so a measured peak sits above it." +
			steadyNote(anySteady)})
}

// e3ModelLine says how far measured peaks are from the analytic model, as a
// ratio and as growth from the smallest to the largest batch (fixed costs the
// model leaves out, a CUDA context or a Go runtime, cancel in the growth).
func e3ModelLine(series []*batchSeries, methods distinct) string {
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
			"the dataset and SimpleGo's intermediate buffers (its convolutions' im2col patches are k² times their input), " +
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
		"With XLA's default BFC allocator it equals the peak, since the pool only grows; with ALEXBENCH_XLA_ALLOCATOR=platform it follows the " +
		"live buffers: the training footprint plus the CUDA context."
}

func mergeDistinct(a, b distinct) distinct {
	for k, v := range b {
		a[k] += v
	}
	return a
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
