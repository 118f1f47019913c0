package answers

import (
	"math"
	"sort"
	"strings"

	"alexbench/harness/config"
	"alexbench/internal/stats"
)

// Exercises 5.1 and 5.2 weigh model variants by accuracy against training
// time: each variant is one group of a matrix (its seeds), a point of the
// trade-off.

// variant is one group summarized: a point of the trade-off.
type variant struct {
	name   string // the label (what the matrix varies), or the model's honest name
	model  string // registry name
	full   string // the model's honest name (modelName)
	g      *group
	acc    stats.MeanCI // final test accuracy over every finished seed
	time   stats.MeanCI // training seconds over done seeds
	rate   stats.MeanCI
	params float64
	resize int
}

// variants are the groups of the matrices with at least one finished
// cell (a configuration whose every run diverged is one too).
func variants(ms []*Matrix) []*variant {
	var vs []*variant
	for _, m := range ms {
		var done []*group
		for _, g := range groups(m) {
			if len(g.finished()) > 0 {
				done = append(done, g)
			}
		}
		names := displayNames(done)
		for i, g := range done {
			cfg := g.first().Config
			vs = append(vs, &variant{name: names[i], g: g, full: groupModelName(g), acc: estAcc(g.Cells, finalTestAcc), time: estAll(g.Cells, steadyTrainSeconds),
				rate: estAll(g.Cells, steadyThroughput), params: g.over(params).Mean, resize: cfg.Resize, model: cfg.Model})
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

// timeAxisKind is a log axis when the variants' mean times span more than
// 20×, else a linear one.
func timeAxisKind(vs []*variant) AxisKind {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if t := v.time.Mean; t > 0 {
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
	}
	if hi/lo > 20 {
		return Log
	}
	return Linear
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
			val, _ := v.g.first().Value(k)
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
			if val, _ := v.g.first().Value(k); formatValue(val) == mode[k] {
				score++
			}
		}
		if score > refScore || (score == refScore && v.params > ref.params) {
			ref, refScore = v, score
		}
	}
	return ref
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
