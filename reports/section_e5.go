//go:build legacy

package reports

import (
	"alexbench/internal/stats"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/config"
)

func buildE5(b *builder, s *section, ms []*Matrix) {
	perMatrix(s, ms, buildE5Matrix)
}

func buildE5Matrix(s *section, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { s.Answer = append(s.Answer, prefix+text) }
	fa := newFactorial(m, finalTestAcc)
	if note, t := excludedBlock("", m.Cells); note != "" {
		say(note)
		defer func() { s.Blocks = append(s.Blocks, block{Table: t}) }()
	}
	inter := &family{}
	ins := fa.interactions(inter)
	inter.holm()
	S, why := fa.strataFactor(ins)
	eff := &family{}
	var effects []effect
	for _, f := range fa.factors {
		for _, l := range f.levels[1:] {
			if S != nil && f != S {
				for _, sl := range S.levels {
					effects = append(effects, fa.effect(f, l.value, map[string]string{S.key: sl.value}))
				}
				continue
			}
			effects = append(effects, fa.effect(f, l.value, nil))
		}
	}
	for i := range effects {
		effects[i].cmp = eff.add(*effects[i].cmp)
	}
	eff.holm()
	if S != nil {
		say(fmt.Sprintf("Effects of the other factors are reported within each level of %s, not averaged over it: %s.", S.key, why))
		var parts []string
		for _, l := range S.levels {
			ran, learned := 0, 0
			for _, fc := range fa.cells {
				if fc.levels[S.key] == l.value && fc.c.Summary != nil {
					ran++
					if fc.ok {
						learned++
					}
				}
			}
			parts = append(parts, fmt.Sprintf("%s=%s %d of %d", S.key, l.value, learned, ran))
		}
		say("Runs that learned (finished away from chance), per level: " + strings.Join(parts, ", ") + ".")
	}
	for _, e := range effects {
		where := ""
		if len(e.stratum) > 0 {
			where = ", within " + stratumName(e.stratum)
		}
		line := fmt.Sprintf("%s=%s instead of %s%s: %s", e.factor, e.level, e.base, where, verdict(e.cmp, pointsDiff))
		switch {
		case e.cmp.Significant():
			line += fmt.Sprintf(": it %s mean test accuracy from %s to %s over the matched runs", direction(e.cmp, "raises", "lowers"), fmtAcc(e.meanBase), fmtAcc(e.meanLevel))
		case !e.cmp.Enough && e.keptOut > 0:
			line += fmt.Sprintf(" (%s of these levels kept out: see “Runs kept out”)", plural(e.keptOut, "run", "runs"))
		}
		say(line + ".")
	}
	var sig []string
	for _, in := range ins {
		if in.cmp.Significant() {
			sig = append(sig, fmt.Sprintf("%s=%s × %s=%s (%s)", in.a, in.la, in.b, in.lb, verdict(in.cmp, pointsDiff)))
		}
	}
	switch {
	case inter.tested() == 0:
		say("No interaction could be tested (each needs ≥ 3 complete blocks: all four combinations of the two factors finished and usable for one setting of the others and one seed).")
	case len(sig) == 0:
		say(fmt.Sprintf("No significant interaction among the %s tested (table below).", plural(inter.tested(), "interaction", "interactions")))
	default:
		say("Significant interactions (the first factor's effect changes with the second's level): " + strings.Join(sig, "; ") + ".")
	}

	// Every combination, best first.
	gs := groups(m)
	type combo struct {
		name string
		acc  stats.Estimate
		d2l  bool
	}
	var combos []combo
	for _, g := range gs {
		if len(g.Done) > 0 {
			combos = append(combos, combo{comboName(fa, g), est(g.Done, finalTestAcc), isD2LLeNet(g)})
		}
	}
	sort.SliceStable(combos, func(i, j int) bool {
		a, b := combos[i].acc.Mean, combos[j].acc.Mean
		if math.IsNaN(b) {
			return !math.IsNaN(a)
		}
		return a > b
	})
	if len(combos) > 0 && combos[0].acc.N > 0 {
		best := combos[0]
		line := fmt.Sprintf("Highest mean test accuracy: %s with %s (an ordering of means; the effects above say which differences are measured).", best.name, fmtEst(best.acc, fmtAcc))
		for _, c := range combos {
			switch {
			case !c.d2l:
			case c.acc.N == 0:
				line += " d2l's LeNet setting (sigmoid, average pooling, no dropout, raw inputs) did not learn here: every run of it is kept out (see “Runs kept out”)."
			default:
				line += fmt.Sprintf(" d2l's LeNet setting (sigmoid, average pooling, no dropout, raw inputs) reached %s here.", fmtEst(c.acc, fmtAcc))
			}
		}
		say(line)
	}
	say("Settings: " + settingsLine(m) + ".")

	// Tables: effects, interactions.
	t := &table{Caption: prefix + "Effects on final test accuracy (level − base, matched by the other factors and the seed)",
		Head:  []string{"factor", "level vs base", "within", "base mean", "level mean", "difference", "95% CI", "test", "p (Holm)", "n"},
		Right: []bool{false, false, false, true, true, true, true, false, true, true}}
	var effNames []string
	var effVals []float64
	var effBars [][3]float64
	for _, e := range effects {
		c := e.cmp
		row := []string{e.factor, e.level + " vs " + e.base, stratumName(e.stratum), "–", "–", "–", "–", "–", "–", c.Sizes()}
		if c.Enough {
			row[3], row[4], row[5] = fmtAcc(e.meanBase), fmtAcc(e.meanLevel), pointsDiff(c.Diff)
			row[6] = pointsDiff(c.Lo) + " to " + pointsDiff(c.Hi)
			row[7], row[8] = c.Test, fmtPval(c.PAdj)
			if !c.Significant() {
				row[5] = "~ " + row[5]
			}
		} else {
			row[5] = c.NotEnough()
		}
		t.Rows = append(t.Rows, row)
		name := e.factor + "=" + e.level
		if len(e.stratum) > 0 {
			name += " | " + stratumName(e.stratum)
		}
		effNames = append(effNames, name)
		if c.Enough {
			effVals = append(effVals, 100*c.Diff)
			effBars = append(effBars, [3]float64{float64(len(effNames) - 1), 100 * c.Lo, 100 * c.Hi})
		} else {
			effVals = append(effVals, math.NaN())
		}
	}
	it := &table{Caption: prefix + "Interactions (the first factor's effect at the second's level minus at its base, matched by the other factors and the seed)",
		Head:  []string{"interaction", "difference of effects", "95% CI", "test", "p (Holm over interactions)", "n"},
		Right: []bool{false, true, true, false, true, true}}
	for _, in := range ins {
		c := in.cmp
		row := []string{fmt.Sprintf("%s=%s × %s=%s", in.a, in.la, in.b, in.lb), c.NotEnough(), "–", "–", "–", c.Sizes()}
		if c.Enough {
			row[1], row[2], row[3], row[4] = pointsDiff(c.Diff), pointsDiff(c.Lo)+" to "+pointsDiff(c.Hi), c.Test, fmtPval(c.PAdj)
			if !c.Significant() {
				row[1] = "~ " + row[1]
			}
		}
		it.Rows = append(it.Rows, row)
	}

	id := chartID(s, "effects-"+idSuffix)
	ec := charts.NewBar()
	eh := 110 + 26*len(effNames)
	ec.SetGlobalOptions(commonOpts(id, prefix+"Effects on test accuracy", "level − base in points, matched runs; whiskers: 95% CI", eh)...)
	ec.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("difference in test accuracy (percentage points)", "value")),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	ec.AddSeries("difference", barValues(effVals), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))

	cid := chartID(s, "combos-"+idSuffix)
	cb := charts.NewBar()
	height := 110 + 24*len(combos)
	cb.SetGlobalOptions(commonOpts(cid, prefix+"Every combination, best first", "mean test accuracy over usable seeds; whiskers: 95% CI", height)...)
	cb.SetGlobalOptions(charts.WithXAxisOpts(accAxisX("test accuracy")),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	var names []string
	var vals []float64
	var cBars [][3]float64
	for i, c := range combos {
		names, vals = append(names, c.name), append(vals, c.acc.Mean)
		if c.acc.N >= 2 {
			cBars = append(cBars, [3]float64{float64(i), c.acc.Lo, c.acc.Hi})
		}
	}
	cb.AddSeries("test acc", barValues(vals), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(1)}))
	s.Blocks = append(s.Blocks, block{Table: t}, block{Table: it},
		block{Charts: []chartBlock{finish(id, eh, ec, tweaks(
			func(m map[string]any) { setAxis(m, "yAxis", 0, map[string]any{"data": effNames}) },
			truncateLabels("yAxis", 330), addSeries(errorBars("95% CI", "#333", effBars, true))))}},
		block{Charts: []chartBlock{finish(cid, height, cb, tweaks(
			func(m map[string]any) { setAxis(m, "yAxis", 0, map[string]any{"data": names}) },
			truncateLabels("yAxis", 420), addSeries(errorBars("95% CI", "#333", cBars, true))))}})
	notes := []string{}
	if n := eff.holmNote("the effects"); n != "" {
		notes = append(notes, n)
	}
	if inter.tested() > 0 {
		notes = append(notes, fmt.Sprintf("Interactions are a family of their own (Holm over the %s tested).", plural(inter.tested(), "interaction", "interactions")))
	}
	if len(notes) > 0 {
		s.Blocks = append(s.Blocks, block{Note: strings.Join(notes, " ")})
	}
}

// comboName is a configuration by its factor levels only (a key that follows
// one, LeNet's lr, left out).
func comboName(fa *factorial, g *group) string {
	c := g.first()
	if !c.ConfigOK {
		return g.Label
	}
	var parts []string
	for _, f := range fa.factors {
		v, _ := c.Config.Get(f.key)
		parts = append(parts, f.key+"="+formatValue(v))
	}
	if len(parts) == 0 {
		return g.Label
	}
	return strings.Join(parts, " ")
}

// settingsLine states the matrix's settings once where all its cells share
// them and per level of the factor that sets them otherwise ("lr 0.9 for
// activation=sigmoid, 0.1 for activation=relu"): each cell's own values.
func settingsLine(m *Matrix) string {
	var cells []*Cell
	for _, c := range m.Cells {
		if c.ConfigOK {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return "not recorded (no readable config.toml)"
	}
	type setting struct {
		name string
		get  func(c *Cell) string
	}
	limit := func(n, all int) string {
		if n <= 0 {
			return fmt.Sprint(all)
		}
		return fmt.Sprint(n)
	}
	settings := []setting{
		{"epochs", func(c *Cell) string { return fmt.Sprint(c.Config.Epochs) }},
		{"lr", func(c *Cell) string {
			if c.Config.LRScaling == "linear" {
				return fmt.Sprintf("%g × batch/%d", c.Config.LR, c.Config.LRRefBatch)
			}
			return fmt.Sprintf("%g", c.Config.LR)
		}},
		{"batch", func(c *Cell) string { return fmt.Sprint(c.Config.BatchSize) }},
		{"inputs", func(c *Cell) string { return fmt.Sprintf("%d×%d", c.Config.Resize, c.Config.Resize) }},
		{"training images", func(c *Cell) string { return limit(c.Config.TrainLimit, 60000) }},
		{"test images", func(c *Cell) string { return limit(c.Config.TestLimit, 10000) }},
	}
	axes := factorsOf(m)
	keyOf := map[string]string{"epochs": "epochs", "lr": "lr", "batch": "batch_size", "inputs": "resize", "training images": "train_limit", "test images": "test_limit"}
	var parts []string
	for _, st := range settings {
		if hasKey(axes, keyOf[st.name]) {
			continue // a factor: each configuration's value is in its name
		}
		values := map[string]bool{}
		for _, c := range cells {
			values[st.get(c)] = true
		}
		if len(values) == 1 {
			parts = append(parts, st.name+" "+st.get(cells[0]))
			continue
		}
		by := ""
		for _, k := range axes {
			if settingFollows(cells, st.get, k) {
				by = k
				break
			}
		}
		if by == "" {
			parts = append(parts, fmt.Sprintf("%s %s (varies; see the cells)", st.name, strings.Join(sortedKeys(values), ", ")))
			continue
		}
		var per []string
		seen := map[string]bool{}
		for _, c := range cells {
			v, _ := c.Config.Get(by)
			level := formatValue(v)
			if seen[level] {
				continue
			}
			seen[level] = true
			per = append(per, fmt.Sprintf("%s for %s=%s", st.get(c), by, level))
		}
		parts = append(parts, st.name+" "+strings.Join(per, ", "))
	}
	return strings.Join(parts, ", ")
}

func settingFollows(cells []*Cell, get func(*Cell) string, key string) bool {
	seen := map[string]string{}
	for _, c := range cells {
		v, _ := c.Config.Get(key)
		k := formatValue(v)
		if prev, ok := seen[k]; ok && prev != get(c) {
			return false
		}
		seen[k] = get(c)
	}
	return true
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
