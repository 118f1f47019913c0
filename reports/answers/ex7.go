package answers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"alexbench/internal/stats"
)

// Exercise 7: dropout and ReLU on LeNet-5, then preprocessing that uses the
// images' invariances. The first matrix is a factorial (activation, pooling,
// dropout, …) analysed by matched comparisons (factorial.go); the second,
// told apart by its augment axis, crosses augmentation with normalization
// (ex7_augment.go).

func buildEx7(b *builder, a *Answer, ms []*Matrix) {
	var lenet, augment []*Matrix
	for _, m := range ms {
		if hasKey(m.Axes, "augment") {
			augment = append(augment, m)
		} else {
			lenet = append(lenet, m)
		}
	}
	perMatrix(a, lenet, buildEx7Matrix)
	buildEx7Augment(a, augment)
}

func buildEx7Matrix(a *Answer, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { a.Text = append(a.Text, prefix+text) }
	fa := newFactorial(m, testAccMetric)
	if note, t := a.keptOut("", m.Cells); note != "" {
		say(note)
		defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
	}
	// The interactions are tested first (they decide the strata), but the
	// text states the effects first: the interactions' family is kept off the
	// answer until the effects are in, so Comparisons follow the text.
	inter := &family{name: prefix + "interactions"}
	ins := fa.interactions(inter)
	inter.holm()
	S, why := fa.strataFactor(ins)
	eff := a.family(prefix + "effects")
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
	for i, e := range effects {
		what := fmt.Sprintf("%s vs %s", plainSetting(e.factor, e.level), plainSetting(e.factor, e.base))
		if len(e.stratum) > 0 {
			what += ", within " + stratumName(e.stratum)
		}
		effects[i].cmp = eff.add(what, fa.m, e.cmp.Comparison)
	}
	eff.holm()
	a.Comparisons = append(a.Comparisons, inter.cs...)
	if S != nil {
		say(fmt.Sprintf("Effects of the other factors are reported within each level of %s, not averaged over it: %s.", strings.ReplaceAll(S.key, "_", " "), why))
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
			parts = append(parts, fmt.Sprintf("%s %d of %d", plainSetting(S.key, l.value), learned, ran))
		}
		say("Runs that learned (finished away from chance), per level: " + strings.Join(parts, ", ") + ".")
	}
	for _, e := range effects {
		where := ""
		if len(e.stratum) > 0 {
			where = ", within " + stratumName(e.stratum)
		}
		line := fmt.Sprintf("%s instead of %s%s: %s", plainSetting(e.factor, e.level), plainSetting(e.factor, e.base), where, verdict(e.cmp, pointsDiff))
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
			sig = append(sig, fmt.Sprintf("%s × %s (%s)", plainSetting(in.a, in.la), plainSetting(in.b, in.lb), verdict(in.cmp, pointsDiff)))
		}
	}
	switch {
	case inter.tested() == 0:
		say("No interaction could be tested (each needs ≥ 3 complete blocks: all four combinations of the two factors finished and usable for one setting of the others and one seed).")
	case len(sig) == 0:
		say(fmt.Sprintf("Of the %s tested, none changes another factor's effect significantly: %s (table below).",
			plural(inter.tested(), "interaction", "interactions"), verdictCounts(inter.cs)))
	default:
		say("Significant interactions (the first factor's effect changes with the second's level): " + strings.Join(sig, "; ") + ".")
	}

	combos := lenetCombos(fa, m)
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

	a.Blocks = append(a.Blocks, Block{Table: effectsTable(prefix, effects)}, Block{Table: interactionsTable(prefix, ins)},
		Block{Figures: []Figure{effectsFigure(prefix, idSuffix, effects)}},
		Block{Figures: []Figure{combosFigure(prefix, idSuffix, combos)}})
	var notes []string
	if n := eff.holmNote("the effects"); n != "" {
		notes = append(notes, n)
	}
	if inter.tested() > 0 {
		notes = append(notes, fmt.Sprintf("Interactions are a family of their own (Holm over the %s tested).", plural(inter.tested(), "interaction", "interactions")))
	}
	if len(notes) > 0 {
		a.Blocks = append(a.Blocks, Block{Note: strings.Join(notes, " ")})
	}
}

// lenetCombo is one combination of the factorial's levels.
type lenetCombo struct {
	name string
	acc  stats.MeanCI
	d2l  bool // d2l's own LeNet setting
}

// lenetCombos are the combinations with a finished run, best mean first
// (those with no usable run last).
func lenetCombos(fa *factorial, m *Matrix) []lenetCombo {
	var combos []lenetCombo
	for _, g := range groups(m) {
		if len(g.Done) > 0 {
			combos = append(combos, lenetCombo{comboName(fa, g), est(g.Done, finalTestAcc), isD2LLeNet(g)})
		}
	}
	sort.SliceStable(combos, func(i, j int) bool {
		a, b := combos[i].acc.Mean, combos[j].acc.Mean
		if math.IsNaN(b) {
			return !math.IsNaN(a)
		}
		return a > b
	})
	return combos
}

// effectsTable lists every effect with its matched means and test.
func effectsTable(prefix string, effects []effect) *Table {
	t := &Table{Caption: prefix + "Effects on final test accuracy (level − base, matched by the other factors and the seed)",
		Head:  []string{"factor", "level vs base", "within", "base mean", "level mean", "difference", "95% CI", "test", "p (Holm)", "n", "verdict"},
		Right: []bool{false, false, false, true, true, true, true, false, true, true, false}}
	for _, e := range effects {
		c := e.cmp
		row := []string{strings.ReplaceAll(e.factor, "_", " "), plainSetting(e.factor, e.level) + " vs " + plainSetting(e.factor, e.base), stratumName(e.stratum), "–", "–", "–", "–", "–", "–", c.Sizes(), verdictWord(c)}
		if c.Enough {
			row[3], row[4], row[5] = fmtAcc(e.meanBase), fmtAcc(e.meanLevel), pointsDiff(c.Diff)
			row[6] = pointsDiff(c.Lo) + " to " + pointsDiff(c.Hi)
			row[7], row[8] = c.Test, fmtPval(c.PAdj)
		} else {
			row[5] = c.NotEnough()
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// interactionsTable lists every interaction tested, Holm over their family.
func interactionsTable(prefix string, ins []interaction) *Table {
	t := &Table{Caption: prefix + "Interactions (the first factor's effect at the second's level minus at its base, matched by the other factors and the seed)",
		Head:  []string{"interaction", "difference of effects", "95% CI", "test", "p (Holm over interactions)", "n", "verdict"},
		Right: []bool{false, true, true, false, true, true, false}}
	for _, in := range ins {
		c := in.cmp
		row := []string{fmt.Sprintf("%s × %s", plainSetting(in.a, in.la), plainSetting(in.b, in.lb)), c.NotEnough(), "–", "–", "–", c.Sizes(), verdictWord(c)}
		if c.Enough {
			row[1], row[2], row[3], row[4] = pointsDiff(c.Diff), pointsDiff(c.Lo)+" to "+pointsDiff(c.Hi), c.Test, fmtPval(c.PAdj)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// effectsFigure is a horizontal bar per effect (points), whiskers its 95 %
// CI; an effect without enough runs is a gap.
func effectsFigure(prefix, idSuffix string, effects []effect) Figure {
	var names []string
	var vals []float64
	var bars [][3]float64
	for _, e := range effects {
		c := e.cmp
		name := plainSetting(e.factor, e.level)
		if len(e.stratum) > 0 {
			name += " | " + stratumName(e.stratum)
		}
		names = append(names, name)
		if c.Enough {
			vals = append(vals, 100*c.Diff)
			bars = append(bars, [3]float64{float64(len(names) - 1), 100 * c.Lo, 100 * c.Hi})
		} else {
			vals = append(vals, math.NaN())
		}
	}
	return Figure{
		Name: "effects-" + idSuffix, Title: prefix + "Effects on test accuracy", Subtitle: "level − base in points, matched runs; whiskers: 95% CI",
		Height: 110 + 26*len(names), Tooltip: "axis", NoLegend: true,
		Panels: []Panel{{
			X: Axis{Kind: Linear, Name: "difference in test accuracy (percentage points)"},
			Y: Axis{Kind: Category, Categories: names, Inverse: true, LabelWidth: 330},
			Series: []Series{
				{Name: "difference", Kind: Bar, Color: seriesColor(0), Y: vals, Horizontal: true},
				{Name: "95% CI", Kind: Whiskers, Color: whiskerColor, Whiskers: bars, Horizontal: true},
			},
		}},
	}
}

// combosFigure is every combination's mean test accuracy, best first, with
// its 95 % CI where it has two runs or more.
func combosFigure(prefix, idSuffix string, combos []lenetCombo) Figure {
	var names []string
	var vals []float64
	var bars [][3]float64
	for i, c := range combos {
		names, vals = append(names, c.name), append(vals, c.acc.Mean)
		if c.acc.N >= 2 {
			bars = append(bars, [3]float64{float64(i), c.acc.Lo, c.acc.Hi})
		}
	}
	return Figure{
		Name: "combos-" + idSuffix, Title: prefix + "Every combination, best first", Subtitle: "mean test accuracy over usable seeds; whiskers: 95% CI",
		Height: 110 + 24*len(combos), Tooltip: "axis", NoLegend: true,
		Panels: []Panel{{
			X: accuracyAxis("test accuracy"),
			Y: Axis{Kind: Category, Categories: names, Inverse: true, LabelWidth: 420},
			Series: []Series{
				{Name: "test acc", Kind: Bar, Color: seriesColor(1), Y: vals, Horizontal: true},
				{Name: "95% CI", Kind: Whiskers, Color: whiskerColor, Whiskers: bars, Horizontal: true},
			},
		}},
	}
}

// comboName is a configuration by its factor levels only (a key that follows
// one, LeNet's lr, left out).
func comboName(fa *factorial, g *group) string {
	c := g.first()
	if !c.ConfigOK {
		return plainLabel(g.Label)
	}
	var parts []string
	for _, f := range fa.factors {
		v, _ := c.Config.Get(f.key)
		parts = append(parts, plainSetting(f.key, formatValue(v)))
	}
	if len(parts) == 0 {
		return plainLabel(g.Label)
	}
	return strings.Join(parts, ", ")
}

// isD2LLeNet tells whether a group is d2l's LeNet recipe for the knobs
// exercise 7 varies.
func isD2LLeNet(g *group) bool {
	c := g.first().Config
	return c.Model == "lenet" && c.Activation == "sigmoid" && c.Pool == "avg" && c.Dropout == 0 && !c.Normalize && !c.BatchNorm
}
