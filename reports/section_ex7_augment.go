//go:build legacy

package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/config"
	"alexbench/internal/stats"
)

// Exercise 7's second question — preprocessing that uses the images'
// invariances — from experiments/e7-augment.toml: training-batch
// augmentation (augment) crossed with input normalization, within ReLU LeNet.
func init() { contribute("7", []string{"E7"}, buildEx7Augment) }

// ex7Cell is one preprocessing combination: its done cells.
type ex7Combo struct {
	augment   string
	normalize bool
	cells     []*Cell
}

func (c ex7Combo) name() string {
	var p []string
	if c.augment != config.AugmentNone {
		p = append(p, "augment "+c.augment)
	}
	if c.normalize {
		p = append(p, "normalized")
	}
	if len(p) == 0 {
		return "no preprocessing"
	}
	return strings.Join(p, " + ")
}

func buildEx7Augment(b *builder, s *section, ms []*Matrix) {
	var aug []*Matrix
	for _, m := range ms {
		if m.Exercise == "E7" {
			aug = append(aug, m)
		}
	}
	s.Blocks = append(s.Blocks, block{Heading: "Augmentation: shifts and flips of the training images (d2l-ex-7-2)"})
	if len(aug) == 0 {
		s.Answer = append(s.Answer, "Invariances (augmentation): not measured yet — run `alexbench run experiments/e7-augment.toml`.")
		return
	}
	byKey := map[string]*ex7Combo{}
	var combos []*ex7Combo
	activations := map[string]bool{}
	var first *Cell
	for _, m := range aug {
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
			cb.cells = append(cb.cells, g.Done...)
		}
	}
	order := map[string]int{}
	for i, a := range config.Augments {
		order[a] = i
	}
	sort.SliceStable(combos, func(i, j int) bool {
		if combos[i].normalize != combos[j].normalize {
			return !combos[i].normalize
		}
		return order[combos[i].augment] < order[combos[j].augment]
	})
	base := byKey[config.AugmentNone+"/false"]
	norm := byKey[config.AugmentNone+"/true"]
	if base == nil || first == nil {
		s.Answer = append(s.Answer, "Invariances (augmentation): the matrix has no cell without preprocessing to compare with.")
		return
	}
	var acts []string
	for a := range activations {
		acts = append(acts, a)
	}
	sort.Strings(acts)

	// Every combination against no preprocessing, and each augmentation
	// against normalization alone: one family, Holm-corrected.
	type row struct {
		c          *ex7Combo
		vsBase     stats.Comparison
		vsNorm     stats.Comparison
		hasVsNorm  bool
		estimation stats.Estimate
	}
	var rows []*row
	var fam []*stats.Comparison
	for _, c := range combos {
		r := &row{c: c, estimation: exDescribe(c.cells, finalTestAcc)}
		if c != base {
			r.vsBase = stats.Compare(exSample(base.cells, finalTestAcc), exSample(c.cells, finalTestAcc))
			fam = append(fam, &r.vsBase)
		}
		if norm != nil && c != norm && !c.normalize && c != base {
			r.vsNorm, r.hasVsNorm = stats.Compare(exSample(norm.cells, finalTestAcc), exSample(c.cells, finalTestAcc)), true
			fam = append(fam, &r.vsNorm)
		}
		rows = append(rows, r)
	}
	stats.Holm(fam...)

	t := &table{Caption: "Final test accuracy per preprocessing (within " + strings.Join(acts, ", ") + " LeNet; differences paired by seed, Holm-corrected over the table)",
		Head:  []string{"preprocessing", "test acc", "vs no preprocessing", "vs normalization alone"},
		Right: []bool{false, true, false, false}}
	var better, worse, same []string
	for _, r := range rows {
		vb, vn := "–", "–"
		if r.c != base {
			vb = exComparison(r.vsBase, exPoints)
			switch {
			case !r.vsBase.Enough:
			case r.vsBase.Significant() && r.vsBase.Diff > 0:
				better = append(better, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			case r.vsBase.Significant():
				worse = append(worse, fmt.Sprintf("%s (%s)", r.c.name(), vb))
			default:
				same = append(same, fmt.Sprintf("%s %s", r.c.name(), vb))
			}
		}
		if r.hasVsNorm {
			vn = exComparison(r.vsNorm, exPoints)
		}
		t.Rows = append(t.Rows, []string{r.c.name(), exEstimate(r.estimation, fmtAcc), vb, vn})
	}
	ans := fmt.Sprintf("Invariances (augmentation, within %s LeNet): with no preprocessing the final test accuracy is %s. Against it, ",
		strings.Join(acts, "/"), exEstimate(exDescribe(base.cells, finalTestAcc), fmtAcc))
	var parts []string
	if len(better) > 0 {
		parts = append(parts, "better: "+strings.Join(better, "; "))
	}
	if len(worse) > 0 {
		parts = append(parts, "worse: "+strings.Join(worse, "; "))
	}
	if len(same) > 0 {
		parts = append(parts, "no difference these runs can tell: "+strings.Join(same, "; "))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing can be compared yet ("+stats.Comparison{NA: len(base.cells), NB: 0}.NotEnough()+")")
	}
	ans += strings.Join(parts, "; ") + "."
	for _, r := range rows {
		if r.hasVsNorm && r.vsNorm.Enough {
			ans += fmt.Sprintf(" %s vs normalization alone: %s.", r.c.name(), exComparison(r.vsNorm, exPoints))
		}
	}
	ans += " Settings: " + scaleNote(first) + "."
	s.Answer = append(s.Answer, ans)

	id := chartID(s, "augment")
	bar := charts.NewBar()
	bar.SetGlobalOptions(commonOpts(id, "Final test accuracy per preprocessing", "bars: mean over seeds (the table gives each 95 % CI)", 360)...)
	bar.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "test accuracy", Min: 0}),
		charts.WithXAxisOpts(categoryAxisX(20)), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	var names []string
	var means []float64
	for _, r := range rows {
		names, means = append(names, r.c.name()), append(means, r.estimation.Mean)
	}
	bar.SetXAxis(names)
	bar.AddSeries("test acc", barValues(means), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(2)}))
	s.Blocks = append(s.Blocks, block{Table: t}, block{Charts: []chartBlock{finish(id, 360, bar, nil)}})
}
