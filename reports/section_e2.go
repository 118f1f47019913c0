//go:build legacy

package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"alexbench/internal/stats"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/config"
)

// variant is one group summarized for E2: a point of the trade-off.
type variant struct {
	name   string // the label (what the matrix varies), or the model's honest name
	model  string // registry name
	full   string // the model's honest name (modelName)
	g      *group
	acc    stats.Estimate // final test accuracy over usable seeds
	time   stats.Estimate // training seconds over done seeds
	rate   stats.Estimate
	params float64
	resize int
}

func variants(ms []*Matrix) []*variant {
	var vs []*variant
	for _, m := range ms {
		gs := groups(m)
		var done []*group
		for _, g := range gs {
			if len(g.Done) > 0 {
				done = append(done, g)
			}
		}
		names := displayNames(done)
		for i, g := range done {
			cfg := g.first().Config
			vs = append(vs, &variant{name: names[i], g: g, full: groupModelName(g), acc: est(g.Done, finalTestAcc), time: estAll(g.Done, trainSeconds),
				rate: estAll(g.Done, throughput), params: g.over(params).Mean, resize: cfg.Resize, model: cfg.Model})
		}
	}
	return vs
}

// paretoFront returns the variants no other variant beats on both training
// time (lower) and test accuracy (higher), by increasing time.
func paretoFront(vs []*variant) []*variant {
	sorted := append([]*variant(nil), vs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].time.Mean != sorted[j].time.Mean {
			return sorted[i].time.Mean < sorted[j].time.Mean
		}
		return sorted[i].acc.Mean > sorted[j].acc.Mean
	})
	var front []*variant
	best := math.Inf(-1)
	for _, v := range sorted {
		if math.IsNaN(v.time.Mean) || math.IsNaN(v.acc.Mean) {
			continue
		}
		if v.acc.Mean > best {
			front = append(front, v)
			best = v.acc.Mean
		}
	}
	return front
}

func timeAxisType(vs []*variant) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if t := v.time.Mean; t > 0 {
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}
	if hi/lo > 20 {
		return "log"
	}
	return "value"
}

// perMatrix runs an answer for each matrix on its own (variants of two
// matrices are not comparable), prefixing the text when there are several.
func perMatrix(s *section, ms []*Matrix, one func(s *section, m *Matrix, prefix, id string)) {
	for i, m := range ms {
		prefix := ""
		if len(ms) > 1 {
			prefix = m.Folder + ": "
		}
		one(s, m, prefix, fmt.Sprint(i))
	}
}

func buildE21(b *builder, s *section, ms []*Matrix) {
	perMatrix(s, ms, buildE21Matrix)
}

func buildE21Matrix(s *section, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { s.Answer = append(s.Answer, prefix+text) }
	ms := []*Matrix{m}
	vs := variants(ms)
	if len(vs) == 0 {
		say("No E2.1 cell has finished yet.")
		return
	}
	// Variants are named by what they change; the reference by its model too.
	for _, v := range vs {
		v.name = v.g.Label
	}
	ref := baseline(vs, ms)
	fam := &family{}
	accVs := map[*variant]*stats.Comparison{}
	timeVs := map[*variant]*stats.Comparison{}
	for _, v := range vs {
		if v == ref {
			continue
		}
		accVs[v] = fam.add(compareCells(ref.g.Done, v.g.Done, finalTestAcc))
		timeVs[v] = fam.add(compareRatio(ref.g.Done, v.g.Done, trainSeconds, true))
	}
	fam.holm()
	front := paretoFront(vs)
	onFront := map[*variant]bool{}
	for _, v := range front {
		onFront[v] = true
	}
	say(fmt.Sprintf("Reference (the baseline: every varied knob at its most common value in the matrix): %s [%s], %s parameters, test acc %s after %s of training (%s).",
		ref.full, ref.name, fmtParams(ref.params), fmtEst(ref.acc, fmtAcc), fmtEst(ref.time, fmtSeconds), scaleNote(ref.g.first())))
	if note, t := excludedBlock("", allCells(vs)); note != "" {
		say(note)
		defer func() { s.Blocks = append(s.Blocks, block{Table: t}) }()
	}
	// Faster (a significant time ratio below 1) without a significant loss of
	// accuracy: d2l's "without the accuracy dropping significantly", tested.
	var ok []*variant
	for _, v := range vs {
		if v == ref {
			continue
		}
		a, t := accVs[v], timeVs[v]
		if t.Significant() && t.Diff < 0 && a.Enough && !(a.Significant() && a.Diff < 0) {
			ok = append(ok, v)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].time.Mean < ok[j].time.Mean })
	if len(ok) > 0 {
		var names []string
		for _, v := range ok {
			names = append(names, v.name)
		}
		f := ok[0]
		say(fmt.Sprintf("Faster than the reference with no significant loss of accuracy: %s. The fastest, %s: training time %s, test accuracy %s, with %s parameters (%s of the reference's).",
			joinList(names), f.name, verdict(timeVs[f], ratioDiff), verdict(accVs[f], pointsDiff), fmtParams(f.params), fmtPct(f.params/ref.params)))
	} else {
		say("No variant is measured to train faster than the reference without a significant loss of accuracy (see the table: each needs ≥ 3 seeds a side and a significant time ratio).")
	}
	var cs []*stats.Comparison
	for _, v := range vs {
		cs = append(cs, accVs[v], timeVs[v])
	}
	if none, n := allNotEnough(cs...); none && len(vs) > 1 {
		say(fmt.Sprintf("Every variant against the reference, time and accuracy: %s.", notEnoughAll(n)))
	} else {
		for _, v := range vs {
			if v == ref {
				continue
			}
			say(fmt.Sprintf("%s vs the reference: training time %s; test accuracy %s.", v.name, verdict(timeVs[v], ratioDiff), verdict(accVs[v], pointsDiff)))
		}
	}
	var names []string
	for _, v := range front {
		names = append(names, v.name)
	}
	say(fmt.Sprintf("Pareto front of the means (no other variant has both a lower mean time and a higher mean accuracy; a description, not a test), fastest first: %s.", joinList(names)))

	id := chartID(s, "pareto"+idSuffix)
	sc := charts.NewScatter()
	height := 460
	sc.SetGlobalOptions(commonOpts(id, "Test accuracy vs training time", "each point: one variant, mean over seeds, whiskers: 95% CI; dashed: Pareto front of the means", height)...)
	xa := valueAxisX("training time (s)", timeAxisType(vs))
	xmax := 0.0
	for _, v := range vs {
		for _, x := range []float64{v.time.Mean, v.time.Hi} {
			if !math.IsNaN(x) {
				xmax = math.Max(xmax, x)
			}
		}
	}
	xmin := 0.0
	if xa.Type == "log" {
		xmin = math.Inf(1)
		for _, v := range vs {
			if v.time.Mean > 0 {
				xmin = math.Min(xmin, v.time.Mean)
			}
		}
		xmin, xmax = math.Pow(10, math.Floor(math.Log10(xmin))), math.Pow(10, math.Ceil(math.Log10(xmax)))
	} else {
		xmax = niceCeil(xmax * 1.25) // room for the right-most labels
	}
	xa.Min, xa.Max, xa.Scale = num(xmin), num(xmax), nil
	sc.SetGlobalOptions(charts.WithXAxisOpts(xa), charts.WithYAxisOpts(accAxisY("test accuracy")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "item"}))
	var pts []opts.ScatterData
	var lps []labelPoint
	var yBars, xBars [][3]float64
	for _, v := range vs {
		pts = append(pts, opts.ScatterData{Name: v.name, Value: xyPoint(v.time.Mean, v.acc.Mean), SymbolSize: 10})
		lps = append(lps, labelPoint{v.time.Mean, v.acc.Mean, v.name})
		if v.acc.N >= 2 {
			yBars = append(yBars, [3]float64{v.time.Mean, v.acc.Lo, v.acc.Hi})
		}
		if v.time.N >= 2 && v.acc.N > 0 {
			xBars = append(xBars, [3]float64{v.acc.Mean, v.time.Lo, v.time.Hi})
		}
	}
	sc.AddSeries("variants", pts, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{b}", FontSize: 10}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))
	var fx, fy []float64
	for _, v := range front {
		fx, fy = append(fx, v.time.Mean), append(fy, v.acc.Mean)
	}
	frontLine := charts.NewLine()
	frontLine.AddSeries("Pareto front", lineXY(fx, fy), charts.WithLineChartOpts(opts.LineChart{Step: "end", Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: seriesColor(3)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(3) }))
	sc.Overlap(frontLine)
	spots := placeLabels(lps, plotBox{xmin: xmin, xmax: xmax, ymin: 0, ymax: 1, xlog: xa.Type == "log", w: 940, h: float64(height) - 200})
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{finish(id, height, sc, tweaks(applyLabels(0, spots),
		addSeries(errorBars("95% CI (accuracy)", seriesColor(0), yBars, false), errorBars("95% CI (time)", seriesColor(0), xBars, true))))}})

	t := &table{Caption: prefix + "Variants (differences against the reference: variant − reference, times as variant / reference)",
		Head:  []string{"variant", "parameters", "training time", "test acc (mean ± sd, n)", "time vs reference", "Δ test acc vs reference", "Pareto"},
		Right: []bool{false, true, true, true, true, true, false}}
	for _, v := range vs {
		mark := ""
		if onFront[v] {
			mark = "✓"
		}
		tv, av := "(reference)", "(reference)"
		if v != ref {
			tv, av = verdict(timeVs[v], ratioDiff), verdict(accVs[v], pointsDiff)
		}
		t.Rows = append(t.Rows, []string{v.name, fmtParams(v.params), fmtEstShort(v.time, fmtSeconds), fmtEstShort(v.acc, fmtAcc) + fmt.Sprintf(" (n = %d)", v.acc.N), tv, av, mark})
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	if n := fam.holmNote("the comparisons with the reference"); n != "" {
		s.Blocks = append(s.Blocks, block{Note: n + " Training times are compared as ratios (a t-test of log times)."})
	}
}

// allCells are the cells of the variants' groups.
func allCells(vs []*variant) []*Cell {
	var out []*Cell
	for _, v := range vs {
		out = append(out, v.g.Cells...)
	}
	return out
}

// baseline finds the unsimplified variant of a one-knob-at-a-time matrix:
// the one whose every varied knob has the value most variants share (the
// matrix's fixed setting; d2l's value on a tie). Ties between variants go to
// the one with more parameters.
func baseline(vs []*variant, ms []*Matrix) *variant {
	var axes []string
	seen := map[string]bool{}
	for _, m := range ms {
		for _, k := range m.Axes {
			if k != "seed" && !seen[k] {
				seen[k] = true
				axes = append(axes, k)
			}
		}
	}
	mode := map[string]string{}
	for _, k := range axes {
		counts := map[string]int{}
		for _, v := range vs {
			val, _ := v.g.first().value(k)
			counts[formatValue(val)]++
		}
		// Ties go to d2l's own value (the model's default), else the first.
		def := ""
		if d, err := config.Default(vs[0].model); err == nil {
			dv, _ := d.Get(k)
			def = formatValue(dv)
		}
		best := ""
		for _, val := range sortedKeys(counts) {
			if best == "" || counts[val] > counts[best] || (counts[val] == counts[best] && val == def) {
				best = val
			}
		}
		mode[k] = best
	}
	var ref *variant
	refScore := -1
	for _, v := range vs {
		score := 0
		for _, k := range axes {
			if val, _ := v.g.first().value(k); formatValue(val) == mode[k] {
				score++
			}
		}
		if score > refScore || (score == refScore && v.params > ref.params) {
			ref, refScore = v, score
		}
	}
	return ref
}

func joinList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	out := xs[0]
	for _, x := range xs[1:] {
		out += "; " + x
	}
	return out
}

func buildE22(b *builder, s *section, ms []*Matrix) {
	perMatrix(s, ms, buildE22Matrix)
}

func buildE22Matrix(s *section, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { s.Answer = append(s.Answer, prefix+text) }
	vs := variants([]*Matrix{m})
	if len(vs) == 0 {
		say("No E2.2 cell has finished yet.")
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
	if note, t := excludedBlock("", allCells(vs)); note != "" {
		say(note)
		defer func() { s.Blocks = append(s.Blocks, block{Table: t}) }()
	}
	fam := &family{}
	accVs, timeVs := map[*variant]*stats.Comparison{}, map[*variant]*stats.Comparison{}
	if ref != nil {
		for _, v := range small {
			accVs[v] = fam.add(compareCells(ref.g.Done, v.g.Done, finalTestAcc))
			timeVs[v] = fam.add(compareRatio(ref.g.Done, v.g.Done, trainSeconds, true))
		}
	}
	fam.holm()
	if ref != nil && len(small) > 0 {
		say(fmt.Sprintf("Reference: %s, test acc %s, trained in %s, %s parameters.", ref.full, fmtEst(ref.acc, fmtAcc), fmtEst(ref.time, fmtSeconds), fmtParams(ref.params)))
		var better []string
		for _, v := range small {
			say(fmt.Sprintf("%s on 28×28 vs %s: test accuracy %s; training time %s; %s parameters (%s).",
				v.full, shortModelName(ref.full), verdict(accVs[v], pointsDiff), verdict(timeVs[v], ratioDiff), fmtParams(v.params), fmtRatio(v.params/ref.params)))
			if a, t := accVs[v], timeVs[v]; a.Significant() && a.Diff > 0 && t.Significant() && t.Diff < 0 {
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
	// Horizontal bars: the model names read level, every one in full.
	height := 140 + 30*len(labels)
	bar := func(name, title, sub string, axis opts.XAxis, ys []float64, col int, whiskers [][3]float64) chartBlock {
		id := chartID(s, name+idSuffix)
		c := charts.NewBar()
		c.SetGlobalOptions(commonOpts(id, title, sub, height)...)
		c.SetGlobalOptions(charts.WithXAxisOpts(axis),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
		c.AddSeries(axis.Name, barValues(ys), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(col)}))
		tw := []func(map[string]any){func(m map[string]any) { setAxis(m, "yAxis", 0, map[string]any{"data": labels}) }, truncateLabels("yAxis", 150)}
		if len(whiskers) > 0 {
			tw = append(tw, addSeries(errorBars("95% CI", "#333", whiskers, true)))
		}
		return finish(id, height, c, tweaks(tw...))
	}
	const sub = "mean over seeds; whiskers: 95% CI"
	timeAxis := valueAxisX("training time (s)", "value")
	timeAxis.Min, timeAxis.Scale = 0, nil
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{
		bar("acc", "Test accuracy", sub, accAxisX("test accuracy"), accs, 1, accBars),
		bar("time", "Training time", sub, timeAxis, times, 0, timeBars),
		bar("params", "Parameters", "per model (log axis)", valueAxisX("parameters (millions)", "log"), millions(ps), 2, nil),
	}})
	t := &table{Caption: prefix + "Models", Head: []string{"model", "input", "parameters", "test acc (mean ± sd)", "95% CI", "n", "training time", "examples/s"},
		Right: []bool{false, true, true, true, true, true, true, true}}
	for _, v := range vs {
		t.Rows = append(t.Rows, []string{v.full, fmt.Sprintf("%d×%d", v.resize, v.resize), fmtParams(v.params), fmtEstShort(v.acc, fmtAcc), fmtCI(v.acc, fmtAcc),
			fmt.Sprint(v.acc.N), fmtEstShort(v.time, fmtSeconds), fmtEstShort(v.rate, fmtRate)})
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	if n := fam.holmNote("the comparisons with " + func() string {
		if ref != nil {
			return shortModelName(ref.full)
		}
		return "the reference"
	}()); n != "" {
		s.Blocks = append(s.Blocks, block{Note: n + " Differences are 28×28 model − reference; times are ratios 28×28 model / reference."})
	}
}

// settingsList is each variant's own settings, "name: settings; …".
func settingsList(vs []*variant) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, shortModelName(v.name)+": "+scaleNote(v.g.first()))
	}
	return strings.Join(parts, "; ")
}

func millions(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x / 1e6
	}
	return out
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten.
func niceCeil(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// fasterOrSlower words a speed-up: "2.53× faster", or "2.17× slower" for a
// ratio below 1 (not "0.46× faster").
func fasterOrSlower(speedup float64) string {
	if speedup > 0 && speedup < 1 {
		return fmtRatio(1/speedup) + " slower"
	}
	return fmtRatio(speedup) + " faster"
}
