package answers

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"alexbench/harness/diagnose"
	"alexbench/internal/stats"
)

// The rules every answer follows:
//
//   - A configuration is its runs (one per seed): n, mean ± sd and the 95 %
//     confidence interval of the mean (Student's t).
//   - Two configurations are compared by the difference of their means with
//     its 95 % CI and a two-sided t-test (stats.Compare: paired by seed when
//     both sides ran the same seeds, else Welch), Holm-corrected over the
//     comparisons of a section, each metric on its own (a family per
//     section and metric; a factorial's interactions are a family of their
//     own). Every comparison is printed
//     with its difference and 95 % CI, and decides one of: higher or lower
//     (significant), equivalent (a TOST shows it inside ±1 point of accuracy
//     or ±10 % of a ratio), or undecided, stated with the smallest difference
//     the design could have found (80 % power). Not significant is never a
//     finding.
//   - With fewer than three runs a side nothing is compared and no direction
//     is stated: "not enough runs (n = 1): seeds ≥ 3 to compare".
//   - Runs that diverged or learned nothing (within 0.05 of chance accuracy,
//     the test images' majority-class rate, or a train loss still at ln 10:
//     diagnose.Check) are outcomes, not
//     missing data: every accuracy estimate and test includes them with the
//     accuracy they ended at (a diverged run that measured none counts at
//     chance), and each section also counts them as a rate per
//     configuration with its 95 % CI and lists them with their likely
//     cause. Dropping them would compare survivors: a change that leaves
//     half its runs at chance would read as good as its lucky half. Only
//     runs that did not finish (crashed, out of memory, not run) are out.

// The one evidence API. Every sample an answer tests or estimates comes
// from sample (or describe), which reads each cell through value; every
// comparison is made through a family, which records it in the Answer,
// corrects it with its family (Holm) and gives its verdict.

// Metric is a number read off a cell, and how it may be compared.
type Metric struct {
	Name string // answers.json's metric: "test_acc", "time", "throughput", "memory", "gap", "loss"
	Of   func(*Cell) float64
	// Cost marks a time, speed or memory: only runs that finished done
	// count (one at chance still measured it; a diverged one stopped
	// early, so its time is not comparable). Any other metric reads every
	// finished run, diverged ones included (value). A cost is compared
	// unpaired (Welch): a seed sets the weights and the data order, which
	// have nothing to do with speed or memory.
	Cost bool
	// Timing marks a time or speed: its verdict is withheld when the machine
	// was busier than its cores while either side trained.
	Timing bool
	// Ratio compares on the log scale: the effect is log(b/a), read as b/a.
	Ratio bool
	// FLOPs is the analytic FLOPs of the work a timing measures (the whole
	// training, an epoch, an image), stood beside the measured ratio; nil
	// where the metric times nothing.
	FLOPs func(*Cell) float64
	// FLOPsPer names FLOPs' unit when it is not the whole measured work
	// ("image", "epoch").
	FLOPsPer string
}

// sample is one configuration's values of m keyed by seed (value: every
// finished run, those at chance and diverged included), on the log scale
// for a ratio metric.
func sample(cells []*Cell, m Metric) stats.Sample {
	var s stats.Sample
	for _, c := range cells {
		v, ok := value(c, m)
		if !ok {
			continue
		}
		s.Values = append(s.Values, v)
		if !m.Cost {
			s.Keys = append(s.Keys, seedKey(c))
		}
	}
	return s
}

// value is m read off one cell as a result, on m's scale (the log for a
// ratio); ok is false where the cell gives none: it did not finish (for a
// cost, did not finish done), or measured nothing. A run that diverged or
// never learned gives what it measured, which is its outcome; where a
// diverged run measured no accuracy (at an epoch after its loss became
// NaN) it counts at chance, which is what weights gone NaN predict.
func value(c *Cell, m Metric) (float64, bool) {
	if (m.Cost && !c.Done()) || (!m.Cost && !finished(c)) {
		return math.NaN(), false
	}
	v := m.Of(c)
	if math.IsNaN(v) && m.accuracy() && diverged(c) {
		v = chanceOf(c)
	}
	if m.Ratio {
		if !(v > 0) {
			return math.NaN(), false
		}
		v = math.Log(v)
	}
	return v, !math.IsNaN(v)
}

// accuracy tells whether m is an accuracy, which a diverged run that
// measured none has at chance.
func (m Metric) accuracy() bool { return m.Name == "test_acc" || m.Name == "train_acc" }

// chanceOf is the accuracy of a run whose weights went NaN: it predicts one
// class for every image, so it scores about that class's share of the test
// subset: its test_majority_rate where the summary records it (a stratified
// subset makes it 0.10), else the chance of ten balanced classes, 0.10.
func chanceOf(c *Cell) float64 { return diagnose.ChanceOf(c.TestMajorityRate()) }

// chanceRange is the chance accuracy of the cells that ran, "0.10" when they
// share one, "0.10–0.13" when their test images' majority-class rates differ.
func chanceRange(cells []*Cell) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range cells {
		if c.Summary != nil {
			ch := chanceOf(c)
			lo, hi = min(lo, ch), max(hi, ch)
		}
	}
	switch {
	case lo > hi:
		return fmt.Sprintf("%.2f", diagnose.Chance)
	case fmt.Sprintf("%.2f", lo) == fmt.Sprintf("%.2f", hi):
		return fmt.Sprintf("%.2f", lo)
	}
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

// describe is m's estimate over every finished run (value), on m's own
// scale, not the log.
func describe(cells []*Cell, m Metric) stats.MeanCI {
	m.Ratio = false
	e := stats.Describe(sample(cells, m).Values)
	// A mean's t interval knows nothing of the metric's range: with a run
	// at chance beside two that learned, an accuracy's reached -0.33. The
	// interval is cut to the values the metric can take (accuracy 0 to 1,
	// a time, speed or size at least 0), as the charts draw it.
	if m.Name == "test_acc" || m.Cost {
		e.Lo = math.Max(e.Lo, 0)
	}
	if m.Name == "test_acc" {
		e.Hi = math.Min(e.Hi, 1)
	}
	return e
}

// family is the comparisons of one section that are Holm-corrected
// together (a factorial's interactions are a family of their own).
type family struct {
	name string
	ans  *Answer
	cs   []*Comparison
}

// family starts a Holm family of the answer's comparisons.
func (a *Answer) family(name string) *family { return &family{name: name, ans: a} }

// compare compares configuration b against a on m (b − a, or log(b/a) for a
// ratio metric), recording the comparison in the answer.
func (f *family) compare(what string, m Metric, a, b []*Cell) *Comparison {
	c := f.add(what, m, stats.Compare(sample(a, m), sample(b, m)))
	if m.Timing {
		c.Withheld = busyMachine(append(doneCells(a), doneCells(b)...))
		c.setEquivalence(c.EquivP)
	}
	if m.FLOPs != nil {
		c.FLOPsRatio, c.FLOPsPer = flopsRatio(m.FLOPs, a, b), m.FLOPsPer
	}
	return c
}

// busyMachine says why timings of cells cannot be trusted ("" when they
// can): the busiest 1-minute load any of them saw while training exceeded
// its cores, so other work shared the machine.
func busyMachine(cells []*Cell) string {
	worst, cpus := 0.0, 0
	for _, c := range cells {
		if s := c.Summary; s != nil && s.CPUs > 0 && s.Load1Max > busyLoad(s.CPUs) && s.Load1Max/float64(s.CPUs) > worst/float64(max(cpus, 1)) {
			worst, cpus = s.Load1Max, s.CPUs
		}
	}
	if cpus == 0 {
		return ""
	}
	return fmt.Sprintf("other work shared the machine while these runs trained (1-minute load %.1f on %d cores, above the cores plus one): time them on a quiet machine", worst, cpus)
}

// busyLoad is the 1-minute load above which other work shared the machine.
// A run keeps every core busy itself, so its own load is about its cores:
// a fresh, quiet 2-core make ablation read 1.3–2.15 (docs/BENCHMARKS.md),
// a machine busy with other jobs 4–9. So the line is the cores plus one
// more runnable thread, not the cores alone, which a quiet run crosses.
func busyLoad(cpus int) float64 { return float64(cpus) + 1 }

// add records a comparison made from samples the caller built with sample
// (matched blocks of a factorial, epochs of one curve).
func (f *family) add(what string, m Metric, c stats.Comparison) *Comparison {
	unit := "points"
	switch {
	case m.Ratio:
		unit = "ratio"
	case m.Name != "test_acc" && m.Name != "train_acc" && m.Name != "gap":
		unit = m.Name
	}
	p := &Comparison{What: what, Metric: m.Name, Unit: unit, Family: f.name, Comparison: c, Margin: marginOf(m),
		EquivP: math.NaN(), FLOPsRatio: math.NaN(), Detectable: stats.DetectableEffect(c, stats.Alpha, detectPower)}
	p.setEquivalence(p.EquivP)
	f.cs = append(f.cs, p)
	if f.ans != nil {
		f.ans.Comparisons = append(f.ans.Comparisons, p)
	}
	return p
}

// The equivalence margins: a difference inside them is too small for a
// student to act on. Accuracies: 1 point; ratios (times, speeds, memory):
// 10 % either way.
const (
	accuracyMargin = 0.01
	ratioMargin    = 0.0953101798043249 // log 1.1
	// detectPower is the power at which Detectable is stated.
	detectPower = 0.8
)

// marginOf is m's equivalence margin in its comparison's units, 0 for a
// metric without one.
func marginOf(m Metric) float64 {
	switch {
	case m.Ratio:
		return ratioMargin
	case m.Name == "test_acc" || m.Name == "train_acc" || m.Name == "gap":
		return accuracyMargin
	}
	return 0
}

// holm applies Holm's correction over the family's difference tests, and
// separately over its equivalence tests, then sets each verdict (call once,
// after every add and before any text is written). Each metric is corrected
// on its own: were accuracies and times one family, a timing measured on a
// busy machine would move an accuracy's corrected p, and a second run of
// the same seeds would change an accuracy verdict with no accuracy changed
// (measured: two of exercise 5.1's and 5.2's did).
func (f *family) holm() {
	byMetric := map[string][]*Comparison{}
	var order []string
	for _, c := range f.cs {
		if _, ok := byMetric[c.Metric]; !ok {
			order = append(order, c.Metric)
		}
		byMetric[c.Metric] = append(byMetric[c.Metric], c)
	}
	for _, m := range order {
		holmOf(byMetric[m])
	}
}

// holmOf is holm over one metric's comparisons.
func holmOf(list []*Comparison) {
	cs := make([]*stats.Comparison, len(list))
	var equiv []*Comparison
	var ps []float64
	for i, c := range list {
		cs[i] = &c.Comparison
		if c.Margin > 0 && c.Enough {
			if p := stats.Equivalence(c.Comparison, c.Margin); !math.IsNaN(p) {
				equiv, ps = append(equiv, c), append(ps, p)
			}
		}
	}
	stats.Holm(cs...)
	adj := stats.HolmAdjust(ps)
	for _, c := range list {
		c.setEquivalence(math.NaN())
	}
	for i, c := range equiv {
		c.setEquivalence(adj[i])
	}
}

// setEquivalence records the equivalence test's corrected p and the verdict
// the two tests give together.
func (c *Comparison) setEquivalence(p float64) {
	c.EquivP = p
	switch {
	case !c.Enough:
		c.Verdict = NotEnoughRuns
	case c.Withheld != "":
		c.Verdict = Withheld
	case c.Significant() && c.Diff > 0:
		c.Verdict = Higher
	case c.Significant():
		c.Verdict = Lower
	case p < stats.Alpha:
		c.Verdict = Equivalent
	default:
		c.Verdict = Undecided
	}
}

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
	return fmt.Sprintf("p-values of %s are two-sided t-tests (paired by seed where both sides ran the same seeds, else Welch's), Holm-corrected over the %s tested here, each metric (accuracy, time, …) on its own; 95 %% confidence intervals are Student's t, uncorrected.",
		what, plural(n, "comparison", "comparisons"))
}

func seedKey(c *Cell) string {
	if c.ConfigOK {
		return strconv.FormatInt(c.Config.Seed, 10)
	}
	return "key " + c.Key
}

// est is a configuration's estimate of f over every finished run, those
// at chance and diverged included (f is no accuracy: estAcc is).
func est(cells []*Cell, f func(*Cell) float64) stats.MeanCI {
	return describe(cells, Metric{Of: f})
}

// estAcc is est for a test accuracy: a diverged run that measured none
// counts at chance.
func estAcc(cells []*Cell, f func(*Cell) float64) stats.MeanCI {
	return describe(cells, Metric{Name: "test_acc", Of: f})
}

// estAll is est for a cost (time, speed, memory): every run that finished
// done, those at chance included, since a run at chance still measured it.
func estAll(cells []*Cell, f func(*Cell) float64) stats.MeanCI {
	return describe(cells, Metric{Of: f, Cost: true})
}

// fmtEst is "0.812 ± 0.010 (95 % CI 0.787–0.837, n = 3)", "0.812 (n = 1)",
// or "–" with no runs.
func fmtEst(e stats.MeanCI, f func(float64) string) string {
	switch {
	case e.N == 0:
		return "–"
	case e.N == 1:
		return f(e.Mean) + " (n = 1)"
	}
	return fmt.Sprintf("%s ± %s (95%% CI %s–%s, n = %d)", f(e.Mean), f(e.SD), f(e.Lo), f(e.Hi), e.N)
}

// fmtEstShort is "0.812 ± 0.010" (a table has n and the CI in columns).
func fmtEstShort(e stats.MeanCI, f func(float64) string) string {
	switch e.N {
	case 0:
		return "–"
	case 1:
		return f(e.Mean)
	}
	return f(e.Mean) + " ± " + f(e.SD)
}

// fmtCI is "0.787–0.837", "–" below two runs.
func fmtCI(e stats.MeanCI, f func(float64) string) string {
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

// verdict is how a comparison reads in an answer: always its difference
// with the 95 % CI, then what it decides — a difference with its test, an
// equivalence within the margin with its TOST, or undecided with the
// smallest difference the design could have found — or, under three runs a
// side, "not enough runs …". diff formats the difference and its bounds
// ("+3.1 points", "2.53×").
func verdict(c *Comparison, diff func(float64) string) string {
	if !c.Enough {
		return c.NotEnough()
	}
	bound := func(x float64) string { return strings.TrimSuffix(diff(x), " points") }
	est := fmt.Sprintf("%s (95%% CI %s to %s", diff(c.Diff), bound(c.Lo), bound(c.Hi))
	switch c.Verdict {
	case Withheld:
		return fmt.Sprintf("%s; %s, n = %s): withheld — %s", est, c.Test, c.Sizes(), c.Withheld)
	case Higher, Lower:
		return fmt.Sprintf("%s; %s, %s, n = %s)", est, c.Test, pEq(c.PAdj), c.Sizes())
	case Equivalent:
		return fmt.Sprintf("%s; equivalent within %s: TOST %s, n = %s)", est, marginWords(c), pEq(c.EquivP), c.Sizes())
	}
	s := fmt.Sprintf("%s; %s, %s, n = %s): undecided", est, c.Test, pEq(c.PAdj), c.Sizes())
	if d := detectableWords(c); d != "" {
		s += " — " + d
	}
	return s
}

// verdictWord is a verdict for a table cell: "higher", "equivalent (±1
// point)", "undecided (detects ±3.9 points)", "not enough runs".
func verdictWord(c *Comparison) string {
	switch c.Verdict {
	case Equivalent:
		return "equivalent (" + marginWords(c) + ")"
	case Undecided:
		if d := detectableWords(c); d != "" {
			return "undecided (" + strings.TrimPrefix(d, "this design ") + ")"
		}
	case NotEnoughRuns:
		return "not enough runs"
	case Withheld:
		return "withheld (busy machine)"
	}
	return string(c.Verdict)
}

// verdictCounts is "2 equivalent, 4 undecided": how the comparisons of a
// list that were tested decided, in a fixed order.
func verdictCounts(cs []*Comparison) string {
	n := map[Verdict]int{}
	for _, c := range cs {
		if c.Enough {
			n[c.Verdict]++
		}
	}
	var parts []string
	for _, v := range []Verdict{Higher, Lower, Equivalent, Undecided, Withheld, NotEnoughRuns} {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], strings.ReplaceAll(string(v), "_", " ")))
		}
	}
	return strings.Join(parts, ", ")
}

// marginWords is the equivalence margin as a reader says it: "±1 point",
// "±10 %".
func marginWords(c *Comparison) string {
	if c.Unit == "ratio" {
		return fmt.Sprintf("±%.0f %%", 100*(math.Exp(c.Margin)-1))
	}
	return fmt.Sprintf("±%g point", 100*c.Margin)
}

// detectableWords says what an undecided comparison could have found:
// "this design detects differences beyond ±3.9 points" (80 % power).
func detectableWords(c *Comparison) string {
	d := c.Detectable
	switch {
	case math.IsNaN(d) || math.IsInf(d, 0):
		return ""
	case c.Unit == "ratio":
		return fmt.Sprintf("this design detects ratios beyond %s either way", fmtRatio(math.Exp(d)))
	case c.Unit == "points":
		return fmt.Sprintf("this design detects differences beyond ±%.1f points", 100*d)
	}
	return fmt.Sprintf("this design detects differences beyond ±%.3g", d)
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
func direction(c *Comparison, up, down string) string {
	if !c.Significant() {
		return ""
	}
	if c.Diff > 0 {
		return up
	}
	return down
}

// allNotEnough tells whether none of cs had enough runs to be tested, and
// the largest n among them (to say it once instead of per comparison).
func allNotEnough(cs ...*Comparison) (bool, int) {
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
