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
	setProfiles(a, ms) // the summary says the scale
	perMatrix(a, lenet, buildEx7Matrix)
	buildEx7Augment(a, augment)
	if s := quickScale(a, sectionCells(ms)); s != "" && a.Summary != "" {
		a.Summary += " " + s
	}
	a.Glance = glanceEx7(a, lenet)
}

// addSummary appends sentences to the section's plain answer.
func (a *Answer) addSummary(sentences ...string) {
	for _, s := range sentences {
		if s == "" {
			continue
		}
		if a.Summary != "" {
			a.Summary += " "
		}
		a.Summary += s
	}
}

// effectWords is one factorial effect in a summary: "raises test accuracy
// by +4.0 points, 95 % CI +2.5 to +5.5", or what its verdict decides.
func effectWords(c *Comparison) string {
	switch c.Verdict {
	case Higher, Lower:
		return fmt.Sprintf("%s test accuracy by %s", direction(c, "raises", "lowers"), byCI(c))
	case Equivalent:
		return "leaves test accuracy " + outcomeShort(c)
	case Undecided:
		return "this run cannot tell (" + effectCI(c) + ", " + cannotTell(c) + ")"
	}
	return "there are too few finished runs to compare"
}

// chanceRates are, per level of a factor, the finished runs that ended at
// chance or diverged, with the rate's 95 % CI: "5 of 12 sigmoid runs (42%,
// 95% CI 19%–68%)". They are in the effects, not left out of them.
func chanceRates(fa *factorial, key string) (parts []string, any bool) {
	f := fa.factor(key)
	if f == nil {
		return nil, false
	}
	for _, l := range f.levels {
		ran, out := 0, 0
		for _, fc := range fa.cells {
			if fc.levels[key] == l.value && finished(fc.c) {
				ran++
				if fc.failed {
					out++
				}
			}
		}
		any = any || out > 0
		parts = append(parts, fmt.Sprintf("%d of %d %s runs (%s)", out, ran, plainSetting(key, l.value), rateCIShort(out, ran)))
	}
	return parts, any
}

// glanceEx7 is exercise 7's one line, from its comparisons: ReLU's effect,
// the sigmoid runs at chance, dropout's and normalization's effects, and
// what preprocessing showed.
func glanceEx7(a *Answer, lenet []*Matrix) string {
	var parts []string
	short := func(c *Comparison) string {
		switch c.Verdict {
		case Higher, Lower:
			return effectShort(c)
		case Equivalent:
			return "the same within ±1 point"
		case Undecided:
			return "undecided"
		}
		return "too few runs"
	}
	find := func(fam, prefix string) []*Comparison {
		var out []*Comparison
		for _, c := range a.Comparisons {
			if c.Family == fam && strings.HasPrefix(c.What, prefix) {
				out = append(out, c)
			}
		}
		return out
	}
	for _, c := range find("effects", "ReLU vs sigmoid") {
		parts = append(parts, "ReLU "+short(c))
	}
	if len(lenet) == 1 {
		if rates, any := chanceRates(newFactorial(lenet[0], testAccMetric), "activation"); any {
			for _, r := range rates {
				if !strings.HasPrefix(r, "0 of") {
					count, _, _ := strings.Cut(r, " (") // the glance has no room for the CI
					parts = append(parts, count+" at chance")
				}
			}
		}
	}
	// Numbers without units past the first: the glance is one short line.
	num := func(c *Comparison) string {
		switch c.Verdict {
		case Higher, Lower:
			return fmt.Sprintf("%+.1f", 100*c.Diff)
		case Equivalent:
			return "≈0"
		}
		return "undecided"
	}
	named := "" // the strata already named, in the order the values follow
	for _, f := range []struct{ prefix, name string }{{"dropout 0.5 vs", "dropout"}, {"normalized inputs vs", "normalizing"}} {
		var vals, wheres []string
		for _, c := range find("effects", f.prefix) {
			if c.Verdict == NotEnoughRuns {
				continue
			}
			vals = append(vals, num(c))
			if i := strings.Index(c.What, ", within "); i > 0 {
				// The stratum alone ("ReLU"): no room for the levels the
				// design held the other factors at.
				where, _, _ := strings.Cut(strings.TrimPrefix(c.What[i:], ", within "), ",")
				wheres = append(wheres, where)
			}
		}
		switch {
		case len(vals) == 0:
		case len(wheres) == len(vals) && len(vals) > 1 && strings.Join(wheres, " / ") != named:
			named = strings.Join(wheres, " / ")
			parts = append(parts, fmt.Sprintf("%s %s (%s)", f.name, strings.Join(vals, " / "), named))
		default:
			parts = append(parts, f.name+" "+strings.Join(vals, " / "))
		}
	}
	pre := find("preprocessing", "")
	var shown []string
	for _, c := range pre {
		// Against the section's reference (no preprocessing, or normalized
		// inputs alone where every run normalizes), not normalization alone.
		if i := strings.LastIndex(c.What, " vs "); decided(c) && i > 0 && !strings.HasSuffix(c.What, " vs normalization alone") {
			name := strings.TrimSuffix(c.What[:i], " + normalized inputs")
			if short, ok := map[string]string{"±2 px shifts": "shifts", "horizontal flips": "flips", "shifts and flips": "both"}[name]; ok {
				name = short
			}
			shown = append(shown, name+" "+num(c))
		}
	}
	switch {
	case len(shown) > 0:
		parts = append(parts, strings.Join(shown, ", ")+" points")
	case len(pre) > 0:
		parts = append(parts, "preprocessing undecided")
	}
	return glanceLine(append(parts, quickTag(a))...)
}

func buildEx7Matrix(a *Answer, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { a.Text = append(a.Text, prefix+text) }
	fa := newFactorial(m, testAccMetric)
	if note, t := a.failedRuns("", m.Cells); note != "" {
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
		if w := e.scopeWords(); w != "" {
			what += ", " + w
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
				if fc.levels[S.key] == l.value && finished(fc.c) {
					ran++
					if !fc.failed {
						learned++
					}
				}
			}
			parts = append(parts, fmt.Sprintf("%s %d of %d", plainSetting(S.key, l.value), learned, ran))
		}
		say("Finished runs that learned (ended away from chance, without diverging), per level: " + strings.Join(parts, ", ") + "; the others count in the effects at the accuracy they ended at.")
	}
	for _, e := range effects {
		where := ""
		if w := e.scopeWords(); w != "" {
			where = ", " + w
		}
		line := fmt.Sprintf("%s instead of %s%s: %s", plainSetting(e.factor, e.level), plainSetting(e.factor, e.base), where, verdict(e.cmp, pointsDiff))
		switch {
		case e.cmp.Significant():
			line += fmt.Sprintf(": it %s mean test accuracy from %s to %s over the matched runs", direction(e.cmp, "raises", "lowers"), fmtAcc(e.meanBase), fmtAcc(e.meanLevel))
		case !e.cmp.Enough && e.missing > 0:
			line += fmt.Sprintf(" (%s of these levels did not finish)", plural(e.missing, "run", "runs"))
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
		say("No interaction could be tested (each needs ≥ 3 complete blocks: all four combinations of the two factors finished for one setting of the others and one seed).")
	case len(sig) == 0:
		say(fmt.Sprintf("Of the %s tested, none changes another factor's effect significantly: %s (table below).",
			plural(inter.tested(), "interaction", "interactions"), verdictCounts(inter.cs)))
	default:
		say("Significant interactions (the first factor's effect changes with the second's level): " + strings.Join(sig, "; ") + ".")
	}

	summarizeEx7Matrix(a, prefix, fa, m, S, effects)
	combos := lenetCombos(fa, m)
	if len(combos) > 0 && combos[0].acc.N > 0 {
		best := combos[0]
		line := fmt.Sprintf("Highest mean test accuracy: %s with %s (an ordering of means; the effects above say which differences are measured).", best.name, fmtEst(best.acc, fmtAcc))
		for _, c := range combos {
			switch {
			case !c.d2l:
			case c.acc.N == 0:
			default:
				line += fmt.Sprintf(" d2l's LeNet setting (sigmoid, average pooling, no dropout, raw inputs) reached %s here%s.", fmtEst(c.acc, fmtAcc), c.failedWords())
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
	name         string
	acc          stats.MeanCI // over every finished run
	failed, runs int          // finished runs that diverged or never learned, of runs
	d2l          bool         // d2l's own LeNet setting
	first        *Cell        // its first cell with a config
	cells        []*Cell      // its finished cells
}

// failedWords is ", 1 of its 3 runs at chance or diverged", "" for none.
func (c lenetCombo) failedWords() string {
	if c.failed == 0 {
		return ""
	}
	return fmt.Sprintf(", %d of its %d runs at chance or diverged", c.failed, c.runs)
}

// lenetCombos are the combinations with a finished run, best mean first
// (those with no measured accuracy last).
func lenetCombos(fa *factorial, m *Matrix) []lenetCombo {
	var combos []lenetCombo
	for _, g := range groups(m) {
		if fin := g.finished(); len(fin) > 0 {
			n := 0
			for _, c := range fin {
				if failed(c) {
					n++
				}
			}
			combos = append(combos, lenetCombo{comboName(fa, g), estAcc(g.Cells, finalTestAcc), n, len(fin), isD2LLeNet(g), g.first(), fin})
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
		row := []string{strings.ReplaceAll(e.factor, "_", " "), plainSetting(e.factor, e.level) + " vs " + plainSetting(e.factor, e.base), stratumName(e.scope()), "–", "–", "–", "–", "–", "–", c.Sizes(), verdictWord(c)}
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
		if len(e.scope()) > 0 {
			name += " | " + stratumName(e.scope())
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
		Name: "combos-" + idSuffix, Title: prefix + "Every combination, best first", Subtitle: "mean test accuracy over every finished seed; whiskers: 95% CI",
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

// d2lLeNetWhy says where d2l's one LeNet run and ours part: their training
// figures side by side (train accuracy and loss after the last epoch), and
// how far the test accuracy of one of our runs moves from one epoch to the
// next over its last three epochs, which is how far one run's last figure
// can land from its neighbours.
func d2lLeNetWhy(cells []*Cell, ref d2lRef) string {
	var train, loss []float64
	swing := 0.0
	for _, c := range cells {
		n := len(c.Epochs)
		if n == 0 {
			continue
		}
		last := c.Epochs[n-1]
		train, loss = append(train, last.TrainAcc), append(loss, last.TrainLoss)
		for i := max(1, n-3); i < n; i++ {
			swing = math.Max(swing, math.Abs(c.Epochs[i].TestAcc-c.Epochs[i-1].TestAcc))
		}
	}
	if len(train) == 0 {
		return ""
	}
	tr, lo := stats.Mean(train), stats.Mean(loss)
	figures := fmt.Sprintf("train accuracy %s against d2l's %.3f, loss %.3f against %.3f", fmtAcc(tr), ref.TrainAcc, lo, ref.Loss)
	moved := fmt.Sprintf("at this recipe's constant lr one run's test accuracy moved by up to %.1f points from one epoch to the next over its last three epochs here, and d2l prints one run's last epoch", 100*swing)
	if math.Abs(tr-ref.TrainAcc) <= sameTraining {
		return fmt.Sprintf("Why they differ: our runs trained as d2l's did (%s), so the gap is in the test figure; %s.", figures, moved)
	}
	return fmt.Sprintf("Where they differ: our runs' training figures differ from d2l's too (%s); %s.", figures, moved)
}

// sameTraining is how close (in accuracy) our train accuracy must be to
// d2l's printed one to call the two trainings alike: 1.5 points, the
// half-width the cpu profile is designed for.
const sameTraining = 0.015

// summarizeEx7Matrix adds the factorial's answer in plain words: each
// effect as its verdict decides, within the strata where the text reports
// it, with the rate of runs at chance per level over every run.
func summarizeEx7Matrix(a *Answer, prefix string, fa *factorial, m *Matrix, S *fFactor, effects []effect) {
	var sum []string
	byFactor := map[string][]effect{}
	var order []string
	for _, e := range effects {
		k := e.factor + "=" + e.level
		if byFactor[k] == nil {
			order = append(order, k)
		}
		byFactor[k] = append(byFactor[k], e)
	}
	for _, k := range order {
		es := byFactor[k]
		e0 := es[0]
		head := fmt.Sprintf("%s instead of %s", plainSetting(e0.factor, e0.level), plainSetting(e0.factor, e0.base))
		if len(es) == 1 && len(e0.scope()) == 0 {
			s := head + ": " + effectWords(e0.cmp)
			if decided(e0.cmp) || e0.cmp.Verdict == Equivalent {
				s = head + " " + effectWords(e0.cmp)
			}
			if e0.factor == "activation" {
				if rates, any := chanceRates(fa, "activation"); any {
					s += "; " + andList(rates) + " learned nothing or diverged, and count in it at the accuracy they ended at"
				}
			}
			sum = append(sum, capitalize(s)+".")
			continue
		}
		var parts []string
		for _, e := range es {
			w := effectWords(e.cmp)
			if decided(e.cmp) || e.cmp.Verdict == Equivalent {
				w = "it " + w
			}
			parts = append(parts, e.scopeWords()+" "+w)
		}
		sum = append(sum, capitalize(head)+": "+strings.Join(parts, "; ")+".")
	}
	if S != nil && S.key != "activation" {
		if rates, any := chanceRates(fa, S.key); any {
			sum = append(sum, capitalize(andList(rates))+" learned nothing or diverged; they count in the effects at the accuracy they ended at.")
		}
	}
	for _, c := range lenetCombos(fa, m) {
		if !c.d2l {
			continue
		}
		e := c.acc
		ref, ok := d2lAtScale(c.first)
		switch {
		case e.N == 0:
		case c.failed == c.runs:
			sum = append(sum, fmt.Sprintf("d2l's own LeNet setting (sigmoid, average pooling, no dropout, raw inputs) did not learn here in any run (test accuracy %s).", fmtAcc(e.Mean)))
		case ok && e.N >= 2:
			// d2l prints one run: it is set against the spread one run of ours
			// shows (a 95 % prediction interval), not the CI of our mean.
			lo, hi := predictionInterval(e)
			where := "inside"
			switch {
			case fmtAcc(ref.TestAcc) == fmtAcc(lo) || fmtAcc(ref.TestAcc) == fmtAcc(hi):
				where = "at the edge of" // inside or out only past the third decimal
			case ref.TestAcc < lo || ref.TestAcc > hi:
				where = "outside"
			}
			sum = append(sum, fmt.Sprintf("d2l's own LeNet setting reached test accuracy %s here (95 %% CI %s over %s%s); d2l's one printed run, %.3f, is %+.1f points from that mean, %s the range one run of ours would fall in 95 %% of the time (%s–%s).",
				fmtAcc(e.Mean), fmtCI(e, fmtAcc), plural(e.N, "seed", "seeds"), c.failedWords(), ref.TestAcc, 100*(ref.TestAcc-e.Mean), where, fmtAcc(lo), fmtAcc(hi)))
			if where != "inside" {
				sum = append(sum, d2lLeNetWhy(c.cells, ref))
			}
		case ok:
			sum = append(sum, fmt.Sprintf("d2l's own LeNet setting reached %s here (d2l: %.3f)%s.", fmtAcc(e.Mean), ref.TestAcc, c.failedWords()))
		}
		// At another scale d2l's figure is not compared: the scale
		// sentence says the numbers are a trend, not d2l's.
	}
	if len(sum) > 0 {
		a.addSummary(prefix + strings.Join(sum, " "))
	}
}
