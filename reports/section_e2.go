package reports

import (
	"fmt"
	"math"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/config"
)

// variant is one group summarized for E2: a point of the trade-off.
type variant struct {
	name   string
	g      *group
	acc    stat
	time   stat // training seconds
	rate   stat
	params float64
	resize int
	model  string
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
			vs = append(vs, &variant{name: names[i], g: g, acc: g.over(finalTestAcc), time: g.over(trainSeconds),
				rate: g.over(throughput), params: g.over(params).Mean, resize: cfg.Resize, model: cfg.Model})
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

// accTolerance is how much accuracy a simplification may lose and still count
// as "not significantly" worse in the generated answer (1 percentage point).
const (
	accTolerance     = 0.01
	accToleranceText = "1 percentage point"
)

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
	ref := baseline(vs, ms)
	front := paretoFront(vs)
	onFront := map[*variant]bool{}
	for _, v := range front {
		onFront[v] = true
	}
	say(fmt.Sprintf("Reference (the baseline: every varied knob at its most common value in the matrix): %s, %s parameters, test acc %s after %s of training (%s).",
		ref.name, fmtParams(ref.params), ref.acc.acc(), ref.time.seconds(), scaleNote(ref.g.first())))
	var fastest *variant
	for _, v := range vs {
		if v != ref && v.acc.Mean >= ref.acc.Mean-accTolerance && v.time.Mean < ref.time.Mean {
			if fastest == nil || v.time.Mean < fastest.time.Mean {
				fastest = v
			}
		}
	}
	if fastest != nil {
		say(fmt.Sprintf("Fastest variant no more than %s below the reference's accuracy: %s — test acc %s (%s) in %s, %s faster, with %s parameters (%s of the reference's).",
			accToleranceText, fastest.name, fastest.acc.acc(), fmtPoints(fastest.acc.Mean-ref.acc.Mean), fastest.time.seconds(),
			fmtRatio(ref.time.Mean/fastest.time.Mean), fmtParams(fastest.params), fmtPct(fastest.params/ref.params)))
	} else {
		say(fmt.Sprintf("No measured variant trains faster than the reference while staying no more than %s below its accuracy.", accToleranceText))
	}
	var chance []string
	for _, v := range vs {
		if isNearChance(v.acc.Mean) {
			chance = append(chance, v.name)
		}
	}
	if len(chance) > 0 {
		say(fmt.Sprintf("Near chance accuracy (below %.2f: not learned with these settings, so their speed says nothing about simplifying): %s.", nearChance, joinList(chance)))
	}
	var names []string
	for _, v := range front {
		names = append(names, v.name)
	}
	say(fmt.Sprintf("Pareto front (no other variant is both faster and more accurate), fastest first: %s.", joinList(names)))

	id := chartID(s, "pareto"+idSuffix)
	sc := charts.NewScatter()
	sc.SetGlobalOptions(commonOpts(id, "Test accuracy vs training time", "each point: one variant, mean over seeds; line: Pareto front", 420)...)
	sc.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("training time (s)", timeAxisType(vs))), charts.WithYAxisOpts(valueAxisY("test accuracy", "value")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "item"}))
	var pts []opts.ScatterData
	for _, v := range vs {
		pts = append(pts, opts.ScatterData{Name: v.name, Value: xyPoint(v.time.Mean, v.acc.Mean), SymbolSize: 12})
	}
	sc.AddSeries("variants", pts)
	var fx, fy []float64
	for _, v := range front {
		fx, fy = append(fx, v.time.Mean), append(fy, v.acc.Mean)
	}
	frontLine := charts.NewLine()
	frontLine.AddSeries("Pareto front", lineXY(fx, fy), charts.WithLineChartOpts(opts.LineChart{Step: "end", Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: seriesColor(3)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(3) }))
	sc.Overlap(frontLine)
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{finish(id, 420, sc, nil)}})

	t := &table{Caption: prefix + "Variants", Head: []string{"variant", "parameters", "training time", "test acc", "speed-up vs reference", "Δ test acc", "Pareto"},
		Right: []bool{false, true, true, true, true, true, false}}
	for _, v := range vs {
		mark := ""
		if onFront[v] {
			mark = "✓"
		}
		if v == ref {
			mark += " (reference)"
		}
		t.Rows = append(t.Rows, []string{v.name, fmtParams(v.params), v.time.seconds(), v.acc.acc(),
			fmtRatio(ref.time.Mean / v.time.Mean), fmtSigned(v.acc.Mean - ref.acc.Mean), mark})
	}
	s.Blocks = append(s.Blocks, block{Table: t})
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
	if ref != nil && len(small) > 0 {
		best := small[0]
		for _, v := range small[1:] {
			if v.acc.Mean > best.acc.Mean {
				best = v
			}
		}
		say(fmt.Sprintf("Most accurate 28×28 model: %s — test acc %s vs AlexNet@%d's %s (%s), trained in %s vs %s (%s), with %s parameters vs %s (%s).",
			best.name, best.acc.acc(), ref.resize, ref.acc.acc(), fmtPoints(best.acc.Mean-ref.acc.Mean), best.time.seconds(), ref.time.seconds(),
			fasterOrSlower(ref.time.Mean/best.time.Mean), fmtParams(best.params), fmtParams(ref.params), fmtRatio(best.params/ref.params)))
		var better []string
		for _, v := range small {
			if v.acc.Mean >= ref.acc.Mean && v.time.Mean < ref.time.Mean {
				better = append(better, v.name)
			}
		}
		if len(better) > 0 {
			say("28×28 models both more accurate and faster to train than AlexNet@" + fmt.Sprint(ref.resize) + ": " + joinList(better) + ".")
		} else {
			say("No 28×28 model measured here is both more accurate and faster to train than AlexNet@" + fmt.Sprint(ref.resize) + ".")
		}
	}
	for _, v := range vs {
		if isNearChance(v.acc.Mean) {
			say(fmt.Sprintf("%s is near chance accuracy (%s): it has not learned with these settings.", v.name, v.acc.acc()))
		}
	}
	say("Settings: " + scaleNote(vs[0].g.first()) + " (first variant; see the cells for each one's).")

	var labels []string
	var accs, times, ps []float64
	for _, v := range vs {
		name := v.name
		if v.resize > 0 {
			name += fmt.Sprintf(" @%d", v.resize)
		}
		labels = append(labels, name)
		accs, times, ps = append(accs, v.acc.Mean), append(times, v.time.Mean), append(ps, v.params)
	}
	bar := func(name, title, axis, axisType string, ys []float64, col int) chartBlock {
		id := chartID(s, name+idSuffix)
		c := charts.NewBar()
		c.SetGlobalOptions(commonOpts(id, title, "mean over seeds", 340)...)
		c.SetGlobalOptions(charts.WithYAxisOpts(valueAxisY(axis, axisType)),
			charts.WithXAxisOpts(categoryAxisX(30)),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
		c.SetXAxis(labels)
		c.AddSeries(axis, barValues(ys), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(col)}))
		return finish(id, 340, c, truncateLabels("xAxis", 110))
	}
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{
		bar("acc", "Test accuracy", "test accuracy", "value", accs, 1),
		bar("time", "Training time", "seconds", "value", times, 0),
		bar("params", "Parameters", "parameters", "log", ps, 2),
	}})
	t := &table{Caption: prefix + "Models", Head: []string{"model", "input", "parameters", "test acc", "training time", "examples/s"},
		Right: []bool{false, true, true, true, true, true}}
	for _, v := range vs {
		t.Rows = append(t.Rows, []string{v.name, fmt.Sprintf("%d×%d", v.resize, v.resize), fmtParams(v.params), v.acc.acc(), v.time.seconds(), v.rate.rate()})
	}
	s.Blocks = append(s.Blocks, block{Table: t})
}

// fasterOrSlower words a speed-up: "2.53× faster", or "2.17× slower" for a
// ratio below 1 (not "0.46× faster").
func fasterOrSlower(speedup float64) string {
	if speedup > 0 && speedup < 1 {
		return fmtRatio(1/speedup) + " slower"
	}
	return fmtRatio(speedup) + " faster"
}
