package reports

import (
	"alexbench/internal/stats"
	"fmt"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/config"
)

// factorLevel is one level of one factor, over every done cell at that level
// (the other factors averaged over, as a main effect).
type factorLevel struct {
	value string
	raw   any
	accs  []float64
	stat  stat
}

type factor struct {
	key    string
	levels []*factorLevel
}

func e5Factors(m *Matrix) []*factor {
	var fs []*factor
	for _, k := range m.Axes {
		if k == "seed" {
			continue
		}
		f := &factor{key: k}
		byValue := map[string]*factorLevel{}
		for _, c := range m.Cells {
			if !c.ConfigOK {
				continue
			}
			v, _ := c.Config.Get(k)
			sv := formatValue(v)
			l := byValue[sv]
			if l == nil {
				l = &factorLevel{value: sv, raw: v}
				byValue[sv] = l
				f.levels = append(f.levels, l)
			}
			if c.Done() {
				l.accs = append(l.accs, finalTestAcc(c))
			}
		}
		sort.SliceStable(f.levels, func(i, j int) bool {
			a, aok := toFloat(f.levels[i].raw)
			b, bok := toFloat(f.levels[j].raw)
			if aok && bok {
				return a < b
			}
			return f.levels[i].value < f.levels[j].value
		})
		// The model's d2l default (LeNet: sigmoid, avg pooling, no dropout, no
		// normalization) is the base level, so effects read as "changing d2l's
		// choice to X".
		if def, ok := matrixDefault(m); ok {
			dv, _ := def.Get(k)
			for i, l := range f.levels {
				if l.value == formatValue(dv) && i > 0 {
					f.levels = append([]*factorLevel{l}, append(f.levels[:i:i], f.levels[i+1:]...)...)
					break
				}
			}
		}
		for _, l := range f.levels {
			l.stat = statOf(l.accs)
		}
		fs = append(fs, f)
	}
	return fs
}

func buildE5(b *builder, s *section, ms []*Matrix) {
	for mi, m := range ms {
		fs := e5Factors(m)
		prefix := ""
		if len(ms) > 1 {
			prefix = m.Folder + ": "
		}
		t := &table{Caption: prefix + "Main effects on final test accuracy (each level averages over the other factors and seeds; the first level of each factor is the base)",
			Head:  []string{"factor", "level", "test acc (mean ± sd)", "cells", "effect vs base level", "Welch t", "df", "p (two-sided)"},
			Right: []bool{false, false, true, true, true, true, true, true}}
		var cats []string
		var bars []opts.BarData
		for fi, f := range fs {
			base := f.levels[0]
			for li, l := range f.levels {
				row := []string{f.key, l.value, l.stat.acc(), fmt.Sprint(l.stat.N), "–", "–", "–", "–"}
				if li > 0 {
					row[4] = fmtSigned(l.stat.Mean - base.stat.Mean)
					if w := stats.WelchTest(l.accs, base.accs); w.OK {
						row[5], row[6], row[7] = fmt.Sprintf("%.2f", w.T), fmt.Sprintf("%.1f", w.DF), fmtP(w.P)
					} else {
						row[7] = "n/a (needs ≥ 2 cells per level with some spread)"
					}
				}
				t.Rows = append(t.Rows, row)
				cats = append(cats, f.key+"="+l.value)
				bars = append(bars, opts.BarData{Value: num(l.stat.Mean), ItemStyle: &opts.ItemStyle{Color: seriesColor(fi)}})
			}
			if len(f.levels) < 2 {
				continue
			}
			for _, l := range f.levels[1:] {
				if l.stat.N == 0 || base.stat.N == 0 {
					s.Answer = append(s.Answer, fmt.Sprintf("%s%s=%s vs %s: not measured yet (no finished cell at one of the levels).", prefix, f.key, l.value, base.value))
					continue
				}
				w := stats.WelchTest(l.accs, base.accs)
				verdict := "the Welch test is undefined here (fewer than 2 cells per level, or no spread)"
				if w.OK {
					if w.P < 0.05 {
						verdict = fmt.Sprintf("significant at the 5%% level (Welch p %s)", pPhrase(w.P))
					} else {
						verdict = fmt.Sprintf("not distinguishable from seed and interaction noise at the 5%% level (Welch p %s)", pPhrase(w.P))
					}
				}
				dir := "raises"
				if l.stat.Mean < base.stat.Mean {
					dir = "lowers"
				}
				s.Answer = append(s.Answer, fmt.Sprintf("%s%s=%s instead of %s %s mean test accuracy from %s to %s (%s, %d vs %d cells): %s.",
					prefix, f.key, l.value, base.value, dir, fmtAcc(base.stat.Mean), fmtAcc(l.stat.Mean), fmtPoints(l.stat.Mean-base.stat.Mean),
					l.stat.N, base.stat.N, verdict))
			}
		}
		// Every combination, best first.
		gs := groups(m)
		type combo struct {
			name string
			acc  stat
		}
		var combos []combo
		for _, g := range gs {
			if len(g.Done) > 0 {
				combos = append(combos, combo{g.Label, g.over(finalTestAcc)})
			}
		}
		sort.SliceStable(combos, func(i, j int) bool { return combos[i].acc.Mean > combos[j].acc.Mean })
		if n := countNearChance(combos, func(c combo) float64 { return c.acc.Mean }); n > 0 {
			s.Answer = append(s.Answer, fmt.Sprintf("%s%d of %d combinations stayed near chance accuracy (below %.2f): they did not learn with these settings, which weighs on every main effect above.",
				prefix, n, len(combos), nearChance))
		}
		if len(combos) > 0 {
			best := combos[0]
			line := fmt.Sprintf("%sBest combination: %s with test acc %s.", prefix, best.name, best.acc.acc())
			for _, g := range gs {
				if len(g.Done) > 0 && isD2LLeNet(g) {
					line += fmt.Sprintf(" d2l's LeNet setting (sigmoid, average pooling, no dropout, no normalization) reached %s here.", g.over(finalTestAcc).acc())
				}
			}
			line += " Settings: " + scaleNote(gs[0].first()) + "."
			s.Answer = append(s.Answer, line)
		}
		id := chartID(s, fmt.Sprintf("effects-%d", mi))
		bar := charts.NewBar()
		bar.SetGlobalOptions(commonOpts(id, prefix+"Mean test accuracy per factor level", "each bar averages over the other factors and seeds", 360)...)
		bar.SetGlobalOptions(charts.WithYAxisOpts(valueAxisY("test accuracy", "value")),
			charts.WithXAxisOpts(categoryAxisX(30)),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
		bar.SetXAxis(cats)
		bar.AddSeries("mean test acc", bars)

		cid := chartID(s, fmt.Sprintf("combos-%d", mi))
		cb := charts.NewBar()
		height := 120 + 22*len(combos)
		cb.SetGlobalOptions(commonOpts(cid, prefix+"Every combination, best first", "mean over seeds", height)...)
		cb.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("test accuracy", "value")),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
		var names []string
		var vals []float64
		for _, c := range combos {
			names, vals = append(names, c.name), append(vals, c.acc.Mean)
		}
		cb.AddSeries("test acc", barValues(vals), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(1)}))
		s.Blocks = append(s.Blocks, block{Table: t}, block{Charts: []chartBlock{finish(id, 360, bar, truncateLabels("xAxis", 130))}},
			block{Charts: []chartBlock{finish(cid, height, cb, tweaks(
				func(m map[string]any) { setAxis(m, "yAxis", 0, map[string]any{"data": names}) },
				truncateLabels("yAxis", 300)))}})
	}
}

// matrixDefault is the registry default of the matrix's model, when all its
// cells share one model.
func matrixDefault(m *Matrix) (config.Config, bool) {
	model := ""
	for _, c := range m.Cells {
		if !c.ConfigOK {
			continue
		}
		if model != "" && c.Config.Model != model {
			return config.Config{}, false
		}
		model = c.Config.Model
	}
	def, err := config.Default(model)
	return def, err == nil
}

// isD2LLeNet tells whether a group is d2l's LeNet recipe for the knobs E5 varies.
func isD2LLeNet(g *group) bool {
	c := g.first().Config
	return c.Model == "lenet" && c.Activation == "sigmoid" && c.Pool == "avg" && c.Dropout == 0 && !c.Normalize && !c.BatchNorm
}

func countNearChance[T any](xs []T, acc func(T) float64) int {
	n := 0
	for _, x := range xs {
		if isNearChance(acc(x)) {
			n++
		}
	}
	return n
}
