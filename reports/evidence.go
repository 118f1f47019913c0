package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"alexbench/harness/diagnose"
	"alexbench/internal/stats"
)

// The rules every answer follows (issue "Answers a student can trust"):
//
//   - A configuration is its runs (one per seed): n, mean ± sd and the 95 %
//     confidence interval of the mean (Student's t).
//   - Two configurations are compared by the difference of their means with
//     its 95 % CI and a two-sided t-test (stats.Compare: paired by seed when
//     both sides ran the same seeds, else Welch), Holm-corrected over the
//     comparisons of a section (a family per section; a factorial's
//     interactions are a family of their own). Only a significant difference
//     is stated as a finding, with its direction; anything else is printed as
//     "~ (p = 0.41, n = 3+3)".
//   - With fewer than three runs a side nothing is compared and no direction
//     is stated: "not enough runs (n = 1): seeds ≥ 3 to compare".
//   - Runs that diverged or ended within 0.05 of chance (diagnose.Check) are
//     kept out of every estimate, listed with their likely cause.

// family is the comparisons of one section, corrected together.
type family struct{ cs []*stats.Comparison }

func (f *family) add(c stats.Comparison) *stats.Comparison {
	p := &c
	f.cs = append(f.cs, p)
	return p
}

// holm applies Holm's correction over the family (call once, after every
// add and before any text is written).
func (f *family) holm() { stats.Holm(f.cs...) }

// tested counts the comparisons that had enough runs.
func (f *family) tested() int {
	n := 0
	for _, c := range f.cs {
		if c.Enough {
			n++
		}
	}
	return n
}

// holmNote says what the p-values are, for a section's notes.
func (f *family) holmNote(what string) string {
	n := f.tested()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("p-values of %s are two-sided t-tests (paired by seed where both sides ran the same seeds, else Welch's), Holm-corrected over the %s tested here; 95 %% confidence intervals are Student's t, uncorrected.",
		what, plural(n, "comparison", "comparisons"))
}

// sample is one configuration's values keyed by seed, runs that must not be
// read as results left out.
func sampleOf(cells []*Cell, f func(*Cell) float64) stats.Sample {
	var s stats.Sample
	for _, c := range usable(cells) {
		v := f(c)
		if math.IsNaN(v) {
			continue
		}
		s.Values = append(s.Values, v)
		s.Keys = append(s.Keys, seedKey(c))
	}
	return s
}

func seedKey(c *Cell) string {
	if c.ConfigOK {
		return strconv.FormatInt(c.Config.Seed, 10)
	}
	return "key " + c.Key
}

// logSample is the sample of log(f): speeds and times are compared as ratios.
func logSample(cells []*Cell, f func(*Cell) float64) stats.Sample {
	return sampleOf(cells, func(c *Cell) float64 {
		if v := f(c); v > 0 {
			return math.Log(v)
		}
		return math.NaN()
	})
}

// usable are the done cells whose numbers can be read as results: not near
// chance, not diverged (diverged cells are not done anyway).
func usable(cells []*Cell) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if c.Done() && !atChance(c) {
			out = append(out, c)
		}
	}
	return out
}

// atChance tells whether a finished cell ended within 0.05 of chance.
func atChance(c *Cell) bool { return c.Done() && diagnose.IsNearChance(finalTestAcc(c)) }

// finding is why a cell is kept out of the estimates ("" when it is not).
func finding(c *Cell) string {
	if !c.ConfigOK || c.Summary == nil {
		return ""
	}
	f := c.final()
	d, ok := diagnose.Check(diagnose.Run{Config: c.Config, Outcome: c.Outcome(), TestAcc: f.TestAcc, TrainAcc: f.TrainAcc, DivergedEpoch: c.Summary.DivergedEpoch})
	if !ok {
		return ""
	}
	return d.String()
}

// excluded lists the cells of ms kept out of the estimates, with why.
func excludedBlock(prefix string, cells []*Cell) (note string, t *table) {
	var rows [][]string
	for _, c := range cells {
		if f := finding(c); f != "" {
			seed := ""
			if c.ConfigOK {
				seed = fmt.Sprint(c.Config.Seed)
			}
			rows = append(rows, []string{c.Label, seed, c.Outcome(), fmtAcc(c.final().TestAcc), f})
		}
	}
	if len(rows) == 0 {
		return "", nil
	}
	note = fmt.Sprintf("%s%s of %d diverged or ended within %.2f of chance accuracy (%.2f): they are kept out of every estimate and test below, and listed with their likely cause under “Runs kept out”.",
		prefix, plural(len(rows), "run", "runs"), countRun(cells), diagnose.NearChance, diagnose.Chance)
	return note, &table{Caption: prefix + "Runs kept out of the estimates", Head: []string{"configuration", "seed", "outcome", "test acc", "why"},
		Right: []bool{false, true, false, true, false}, Rows: rows}
}

func countRun(cells []*Cell) int {
	n := 0
	for _, c := range cells {
		if c.Summary != nil {
			n++
		}
	}
	return n
}

// est is a configuration's estimate of f over its usable cells.
func est(cells []*Cell, f func(*Cell) float64) stats.Estimate {
	var xs []float64
	for _, c := range usable(cells) {
		xs = append(xs, f(c))
	}
	return stats.Describe(xs)
}

// estAll is est over every done cell, chance ones included (for speed and
// memory, which a run at chance still measures).
func estAll(cells []*Cell, f func(*Cell) float64) stats.Estimate {
	var xs []float64
	for _, c := range cells {
		if c.Done() {
			xs = append(xs, f(c))
		}
	}
	return stats.Describe(xs)
}

// fmtEst is "0.812 ± 0.010 (95 % CI 0.787–0.837, n = 3)", "0.812 (n = 1)",
// or "–" with no runs.
func fmtEst(e stats.Estimate, f func(float64) string) string {
	switch {
	case e.N == 0:
		return "–"
	case e.N == 1:
		return f(e.Mean) + " (n = 1)"
	}
	return fmt.Sprintf("%s ± %s (95%% CI %s–%s, n = %d)", f(e.Mean), f(e.SD), f(e.Lo), f(e.Hi), e.N)
}

// fmtEstShort is "0.812 ± 0.010" (a table has n and the CI in columns).
func fmtEstShort(e stats.Estimate, f func(float64) string) string {
	switch e.N {
	case 0:
		return "–"
	case 1:
		return f(e.Mean)
	}
	return f(e.Mean) + " ± " + f(e.SD)
}

// fmtCI is "0.787–0.837", "–" below two runs.
func fmtCI(e stats.Estimate, f func(float64) string) string {
	if e.N < 2 || math.IsNaN(e.Lo) {
		return "–"
	}
	return f(e.Lo) + "–" + f(e.Hi)
}

// fmtPval is "0.41", "0.003", "< 0.001".
func fmtPval(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 0.001:
		return "< 0.001"
	case p < 0.01:
		return fmt.Sprintf("%.3f", p)
	}
	return fmt.Sprintf("%.2f", p)
}

func pEq(p float64) string {
	if f := fmtPval(p); strings.HasPrefix(f, "<") {
		return "p " + f
	}
	return "p = " + fmtPval(p)
}

// verdict is how a comparison reads in an answer: a finding with its
// interval and test, "~ (p = …, n = …)", or "not enough runs …".
// diff formats the difference and its bounds ("+3.1 points", "2.53×").
func verdict(c *stats.Comparison, diff func(float64) string) string {
	switch {
	case !c.Enough:
		return c.NotEnough()
	case !c.Significant():
		return fmt.Sprintf("~ (%s, n = %s)", pEq(c.PAdj), c.Sizes())
	}
	bound := func(x float64) string { return strings.TrimSuffix(diff(x), " points") }
	return fmt.Sprintf("%s (95%% CI %s to %s; %s, %s, n = %s)", diff(c.Diff), bound(c.Lo), bound(c.Hi), c.Test, pEq(c.PAdj), c.Sizes())
}

// pointsDiff formats an accuracy difference in percentage points.
func pointsDiff(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%+.1f points", 100*x)
}

// ratioDiff formats a difference of logs as a ratio ("2.53×").
func ratioDiff(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmtRatio(math.Exp(x))
}

// direction words a significant comparison ("raises", "lowers"); "" when it
// is not a finding, so callers state a direction only for findings.
func direction(c *stats.Comparison, up, down string) string {
	if !c.Significant() {
		return ""
	}
	if c.Diff > 0 {
		return up
	}
	return down
}

// compareCells compares configuration b against a on f (b − a).
func compareCells(a, b []*Cell, f func(*Cell) float64) stats.Comparison {
	return stats.Compare(sampleOf(a, f), sampleOf(b, f))
}

// compareRatio compares b against a on log f: Diff is log(b/a).
func compareRatio(a, b []*Cell, f func(*Cell) float64, all bool) stats.Comparison {
	pick := usable
	if all {
		pick = doneCells
	}
	return stats.Compare(logOf(pick(a), f), logOf(pick(b), f))
}

func doneCells(cells []*Cell) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if c.Done() {
			out = append(out, c)
		}
	}
	return out
}

func logOf(cells []*Cell, f func(*Cell) float64) stats.Sample {
	var s stats.Sample
	for _, c := range cells {
		if v := f(c); v > 0 {
			s.Values = append(s.Values, math.Log(v))
			s.Keys = append(s.Keys, seedKey(c))
		}
	}
	return s
}

// errorBars is a custom echarts series drawing a 95 % CI whisker per point
// (the page's alexbench.renderers draw it): data [x, lo, hi], or with
// horizontal [y, lo, hi] on a value x axis.
func errorBars(name, color string, pts [][3]float64, horizontal bool) map[string]any {
	data := make([][3]num, len(pts))
	for i, p := range pts {
		data[i] = [3]num{num(p[0]), num(p[1]), num(p[2])}
	}
	render := "errorBar"
	enc := map[string]any{"x": 0, "y": []int{1, 2}}
	if horizontal {
		render = "errorBarX"
		enc = map[string]any{"y": 0, "x": []int{1, 2}}
	}
	return map[string]any{"type": "custom", "name": name, "renderItem": render, "data": data, "encode": enc,
		"itemStyle": map[string]any{"color": color}, "z": 3, "silent": true, "tooltip": map[string]any{"show": false}}
}

// band is a custom series shading lo–hi between consecutive points of a
// curve (the 95 % CI of a mean over seeds): data [x0, lo0, hi0, x1, lo1, hi1].
func band(name, color string, xs, lo, hi []float64) map[string]any {
	var data [][6]num
	for i := 0; i+1 < len(xs); i++ {
		if math.IsNaN(lo[i]) || math.IsNaN(lo[i+1]) {
			continue
		}
		data = append(data, [6]num{num(xs[i]), num(lo[i]), num(hi[i]), num(xs[i+1]), num(lo[i+1]), num(hi[i+1])})
	}
	return map[string]any{"type": "custom", "name": name, "renderItem": "band", "data": data,
		"encode":    map[string]any{"x": []int{0, 3}, "y": []int{1, 2, 4, 5}},
		"itemStyle": map[string]any{"color": color, "opacity": 0.18}, "z": 1, "silent": true, "tooltip": map[string]any{"show": false}}
}

// addSeries appends raw echarts series (custom ones go-echarts has no type for).
func addSeries(ss ...map[string]any) func(map[string]any) {
	return func(m map[string]any) {
		series, _ := m["series"].([]any)
		for _, s := range ss {
			series = append(series, s)
		}
		m["series"] = series
	}
}

// allNotEnough tells whether none of cs had enough runs to be tested, and
// the largest n among them (to say it once instead of per comparison).
func allNotEnough(cs ...*stats.Comparison) (bool, int) {
	n := 0
	for _, c := range cs {
		if c == nil {
			continue
		}
		if c.Enough {
			return false, 0
		}
		n = max(n, min(c.NA, c.NB))
	}
	return true, n
}

// notEnoughAll is the one sentence for a list of comparisons none of which
// had enough runs.
func notEnoughAll(n int) string {
	return fmt.Sprintf("not enough runs (n ≤ %d): seeds ≥ %d to compare", n, stats.MinRuns)
}
