package answers

import (
	"fmt"
	"sort"
	"strings"

	"alexbench/harness/config"
	"alexbench/internal/stats"
)

// Exercise 7's second question — preprocessing that uses the images'
// invariances — from experiments/ex7-augment.toml: training-batch
// augmentation (augment) crossed with input normalization, within ReLU LeNet.

// ex7Combo is one preprocessing combination: its cells.
type ex7Combo struct {
	augment   string
	normalize bool
	cells     []*Cell // every cell of it; value reads the finished ones
}

func (c ex7Combo) name() string {
	var p []string
	if c.augment != config.AugmentNone {
		p = append(p, plainSetting("augment", c.augment))
	}
	if c.normalize {
		p = append(p, "normalized inputs")
	}
	if len(p) == 0 {
		return "no preprocessing"
	}
	return strings.Join(p, " + ")
}

// buildEx7Augment answers the augmentation matrices (none: says what to run).
func buildEx7Augment(a *Answer, aug []*Matrix) {
	a.Blocks = append(a.Blocks, Block{Heading: "Augmentation: shifts and flips of the training images (d2l-ex-7-2)"})
	if len(aug) == 0 {
		a.Text = append(a.Text, "Invariances (augmentation): not measured yet — run `alexbench run experiments/ex7-augment.toml`.")
		return
	}
	byKey := map[string]*ex7Combo{}
	var combos []*ex7Combo
	var all []*Cell
	activations := map[string]bool{}
	var first *Cell
	for _, m := range aug {
		all = append(all, m.Cells...)
		for _, g := range groups(m) {
			c := g.first()
			if !c.ConfigOK {
				continue
			}
			if first == nil {
				first = c
			}
			activations[c.Config.Activation] = true
			k := fmt.Sprintf("%s/%v", c.Config.Augment, c.Config.Normalize)
			cb := byKey[k]
			if cb == nil {
				cb = &ex7Combo{augment: c.Config.Augment, normalize: c.Config.Normalize}
				byKey[k] = cb
				combos = append(combos, cb)
			}
			cb.cells = append(cb.cells, g.Cells...)
		}
	}
	order := map[string]int{}
	for i, aug := range config.Augments {
		order[aug] = i
	}
	sort.SliceStable(combos, func(i, j int) bool {
		if combos[i].normalize != combos[j].normalize {
			return !combos[i].normalize
		}
		return order[combos[i].augment] < order[combos[j].augment]
	})
	base := byKey[config.AugmentNone+"/false"]
	norm := byKey[config.AugmentNone+"/true"]
	// A matrix that normalizes every run (the cpu profile: normalization's
	// own effect is the factorial's) compares each augmentation with none on
	// those normalized inputs.
	baseWords, against := "no preprocessing", "none"
	if base == nil && norm != nil {
		base, baseWords, against = norm, "normalized inputs alone (no augmentation)", "no augmentation, all on normalized inputs"
	}
	if base == nil || first == nil {
		a.Text = append(a.Text, "Invariances (augmentation): the matrix has no cell without augmentation to compare with.")
		return
	}
	acts := sortedKeys(activations)
	keptOutNote, keptOutTable := a.failedRuns("Augmentation: ", all)

	// Every combination against no preprocessing, and each augmentation
	// against normalization alone: one family, Holm-corrected.
	type row struct {
		c          *ex7Combo
		vsBase     *Comparison
		vsNorm     *Comparison // nil where not compared
		estimation stats.MeanCI
	}
	fam := a.family("preprocessing")
	var rows []*row
	for _, c := range combos {
		r := &row{c: c, estimation: describe(c.cells, testAccMetric)}
		if c != base {
			r.vsBase = fam.compare(c.name()+" vs "+base.name(), testAccMetric, base.cells, c.cells)
		}
		if norm != nil && c != norm && !c.normalize && c != base {
			r.vsNorm = fam.compare(c.name()+" vs normalization alone", testAccMetric, norm.cells, c.cells)
		}
		rows = append(rows, r)
	}
	fam.holm()

	t := &Table{Caption: "Final test accuracy per preprocessing (within " + strings.Join(acts, ", ") + " LeNet; differences paired by seed, Holm-corrected over the table)",
		Head:  []string{"preprocessing", "test acc", "vs " + baseWords, "vs normalization alone"},
		Right: []bool{false, true, false, false}}
	var better, worse, same, open []string
	for _, r := range rows {
		vb, vn := "–", "–"
		if r.vsBase != nil {
			vb = verdict(r.vsBase, pointsDiff)
			switch {
			case !r.vsBase.Enough:
			case r.vsBase.Verdict == Higher:
				better = append(better, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			case r.vsBase.Verdict == Lower:
				worse = append(worse, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			case r.vsBase.Verdict == Equivalent:
				same = append(same, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			default:
				open = append(open, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			}
		}
		if r.vsNorm != nil {
			vn = verdict(r.vsNorm, pointsDiff)
		}
		t.Rows = append(t.Rows, []string{r.c.name(), fmtEst(r.estimation, fmtAcc), vb, vn})
	}
	ans := fmt.Sprintf("Invariances (augmentation, within %s LeNet): with %s the final test accuracy is %s. Against it, ",
		strings.Join(acts, "/"), baseWords, fmtEst(describe(base.cells, testAccMetric), fmtAcc))
	var parts []string
	if len(better) > 0 {
		parts = append(parts, "better: "+strings.Join(better, "; "))
	}
	if len(worse) > 0 {
		parts = append(parts, "worse: "+strings.Join(worse, "; "))
	}
	if len(same) > 0 {
		parts = append(parts, "the same within ±1 point: "+strings.Join(same, "; "))
	}
	if len(open) > 0 {
		parts = append(parts, "undecided: "+strings.Join(open, "; "))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing can be compared yet ("+stats.Comparison{NA: len(finishedCells(base.cells)), NB: 0}.NotEnough()+")")
	}
	ans += strings.Join(parts, "; ") + "."
	for _, r := range rows {
		if r.vsNorm != nil && r.vsNorm.Enough {
			ans += fmt.Sprintf(" %s vs normalization alone: %s.", r.c.name(), verdict(r.vsNorm, pointsDiff))
		}
	}
	ans += " Settings: " + scaleNote(first) + "."
	a.Text = append(a.Text, ans)
	var vsBase []*Comparison
	var names []string
	for _, r := range rows {
		if r.vsBase != nil {
			vsBase, names = append(vsBase, r.vsBase), append(names, r.c.name())
		}
	}
	summarizeEx7Augment(a, vsBase, names, acts, against)
	if keptOutNote != "" {
		a.Text = append(a.Text, keptOutNote)
	}

	names = nil
	var means []float64
	for _, r := range rows {
		names, means = append(names, r.c.name()), append(means, r.estimation.Mean)
	}
	fig := Figure{
		Name: "augment", Title: "Final test accuracy per preprocessing", Subtitle: "bars: mean over seeds (the table gives each 95 % CI)",
		Height: 360, Tooltip: "axis", NoLegend: true,
		Panels: []Panel{{
			X:      Axis{Kind: Category, Categories: names, LabelRotate: 20},
			Y:      Axis{Kind: Linear, Name: "test accuracy", ZeroBased: true},
			Series: []Series{{Name: "test acc", Kind: Bar, Color: seriesColor(2), Y: means}},
		}},
	}
	a.Blocks = append(a.Blocks, Block{Table: t}, Block{Figures: []Figure{fig}})
	if keptOutTable != nil {
		a.Blocks = append(a.Blocks, Block{Table: keptOutTable})
	}
}

// summarizeEx7Augment adds the preprocessing answer in plain words: each
// preprocessing that is decided against none with its effect, and how many
// are undecided with the smallest difference the runs could have found.
func summarizeEx7Augment(a *Answer, cs []*Comparison, names []string, acts []string, against string) {
	var decidedParts, same []string
	var open []*Comparison
	few := 0
	for i, c := range cs {
		switch c.Verdict {
		case Higher, Lower:
			decidedParts = append(decidedParts, fmt.Sprintf("%s %s test accuracy by %s", names[i], direction(c, "raises", "lowers"), byCI(c)))
		case Equivalent:
			same = append(same, fmt.Sprintf("%s: %s", names[i], effectCI(c)))
		case Undecided:
			open = append(open, c)
		default:
			few++
		}
	}
	var s []string
	if len(decidedParts) > 0 {
		s = append(s, strings.Join(decidedParts, "; "))
	}
	if len(same) > 0 {
		s = append(s, "the same within ±1 point: "+strings.Join(same, "; "))
	}
	if len(open) > 0 {
		what := fmt.Sprintf("%d of %d are undecided", len(open), len(cs))
		if len(open) == len(cs) {
			what = fmt.Sprintf("none of the %d is shown to help or hurt: all undecided", len(cs))
		}
		s = append(s, fmt.Sprintf("%s (this profile detects only differences beyond ±%.1f points at best)", what, 100*minDetectable(open)))
	}
	if few > 0 {
		s = append(s, fmt.Sprintf("%d without enough finished runs to compare", few))
	}
	if len(s) == 0 {
		return
	}
	var words []string
	for _, x := range acts {
		words = append(words, plainSetting("activation", x))
	}
	a.addSummary(fmt.Sprintf("Preprocessing that uses the images' invariances (shifts, flips, normalization; LeNet-5 with %s) against %s: %s.", strings.Join(words, "/"), against, strings.Join(s, "; ")))
}
