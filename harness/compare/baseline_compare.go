package compare

import (
	"alexbench/internal/bounds"
	"alexbench/internal/stats"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"alexbench/harness/trainer"
)

// BaselineCompareOptions are CompareOptions plus the baseline-level checks.
type BaselineCompareOptions struct {
	CompareOptions
	// SpeedSigmas widens the throughput tolerance where BASE's own seeds
	// disagree: a configuration's speed regresses when its mean over seeds is
	// worse than BASE's by more than max(MaxRegression, SpeedSigmas × BASE's
	// relative standard deviation over seeds). Seeds are repeat measurements
	// of the same shapes, so their spread is the run-to-run noise (on an H200,
	// ≈ 1 % for AlexNet, ≈ 4 % for the launch-bound LeNet).
	SpeedSigmas float64
	// MaxFirstStepRegression is the relative rise of the first step's time
	// (graph compile and autotuning) tolerated; it is noisier than steady
	// throughput, so it has its own, wider tolerance.
	MaxFirstStepRegression float64
	// AllowCardMismatch compares results from different cards (the speed
	// rows then say little; accuracy still does).
	AllowCardMismatch bool
}

// DefaultBaselineCompareOptions: compare's defaults, 3 σ of the seeds' speed
// spread, and 50 % for the first step.
func DefaultBaselineCompareOptions() BaselineCompareOptions {
	return BaselineCompareOptions{CompareOptions: DefaultCompareOptions(), SpeedSigmas: 3, MaxFirstStepRegression: 0.5}
}

// Validate checks every tolerance (see CompareOptions.Validate).
func (o BaselineCompareOptions) Validate() error {
	if err := o.CompareOptions.Validate(); err != nil {
		return err
	}
	if err := bounds.Float("--speed-sigmas", o.SpeedSigmas, 0, maxSigmas); err != nil {
		return err
	}
	return bounds.Float("--max-first-step-regression", o.MaxFirstStepRegression, 0, 1)
}

// CardMismatchError is compare's refusal to compare different cards.
type CardMismatchError struct {
	Base, New             string // card names
	BaseSource, NewSource string
}

func (e *CardMismatchError) Error() string {
	return fmt.Sprintf("%s ran on %q but %s on %q: speed is not comparable across cards "+
		"(pass --allow-card-mismatch to compare anyway, or use the baseline for this card)",
		e.BaseSource, e.Base, e.NewSource, e.New)
}

// CompareBaselines compares NEW against BASE per configuration (seed group):
// the mean over seeds of examples/sec, step time and first-step time, and
// harness.Compare's accuracy row (against BASE's seed spread); a cell
// finished in BASE but missing or unfinished in NEW is a regression of its
// own. It refuses different cards unless told otherwise, and two sides
// without a cell in common (different profiles or matrices: every row would
// be MISSING).
func CompareBaselines(base, cur *Baseline, opt BaselineCompareOptions) (*CompareReport, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if base.Card != cur.Card && !opt.AllowCardMismatch {
		return nil, &CardMismatchError{Base: base.Card, New: cur.Card, BaseSource: base.Source, NewSource: cur.Source}
	}
	if !shareACell(base, cur) {
		return nil, fmt.Errorf("%s (profiles %s) and %s (profiles %s) have no cell in common: "+
			"different profiles, matrices, or alexbench versions whose defaults changed the cell keys",
			base.Source, strings.Join(base.Profiles, ","), cur.Source, strings.Join(cur.Profiles, ","))
	}
	cellRep := Compare(base.Snapshot(), cur.Snapshot(), opt.CompareOptions)
	accRows := map[string]CompareRow{}
	var accOrder []string
	rep := &CompareReport{}
	for _, r := range cellRep.Rows {
		switch r.Metric {
		case "test_acc":
			k := r.Matrix + "\x00" + r.Cell
			accRows[k] = r
			accOrder = append(accOrder, k)
		default:
			rep.Rows = append(rep.Rows, r) // outcome rows: missing, unfinished, new cells
		}
	}
	curGroups := map[string]*speedGroup{}
	for _, g := range speedGroups(cur) {
		curGroups[g.matrix+"/"+g.group] = g
	}
	for _, b := range speedGroups(base) {
		n := curGroups[b.matrix+"/"+b.group]
		if n == nil {
			continue // no finished cell in NEW: its outcome rows say so
		}
		cell := fmt.Sprintf("%s (%d/%d seeds)", b.label, b.cells, n.cells)
		speed := func(metric string, bv, nv []float64, lowerIsBetter bool) {
			bm, bsd := stats.MeanSD(bv)
			nm := stats.Mean(nv)
			if !(bm > 0 && nm > 0) { // NaN: nothing measured on a side
				return
			}
			tol := math.Max(opt.MaxRegression, opt.SpeedSigmas*bsd/bm)
			rep.Rows = append(rep.Rows, ratioRow(SnapshotCell{Matrix: b.matrix, Label: cell}, metric, bm, nm, lowerIsBetter, tol))
		}
		speed("examples_per_sec", b.eps, n.eps, false)
		speed("step_ms", b.stepMS, n.stepMS, true)
		if bm, nm := mean(b.firstStep), mean(n.firstStep); bm > 0 && nm > 0 {
			rep.Rows = append(rep.Rows, ratioRow(SnapshotCell{Matrix: b.matrix, Label: cell}, "first_step_s", bm, nm, true, opt.MaxFirstStepRegression))
		}
		if bm, nm := mean(b.peak), mean(n.peak); bm > 0 && nm > 0 && b.memoryMethod == n.memoryMethod {
			rep.Rows = append(rep.Rows, memoryRow(SnapshotCell{Matrix: b.matrix, Label: cell}, bm, nm, opt.CompareOptions))
		}
		if r, ok := accRows[b.matrix+"\x00"+cell]; ok {
			rep.Rows = append(rep.Rows, r)
			delete(accRows, b.matrix+"\x00"+cell)
		}
	}
	for _, k := range accOrder {
		if r, ok := accRows[k]; ok {
			rep.Rows = append(rep.Rows, r)
		}
	}
	for _, r := range rep.Rows {
		if r.Status == StatusRegression || r.Status == StatusMissing {
			rep.Regressions++
		}
	}
	return rep, nil
}

func shareACell(base, cur *Baseline) bool {
	have := map[string]bool{}
	for _, c := range cur.Cells {
		have[c.Matrix+"/"+c.Key] = true
	}
	for _, c := range base.Cells {
		if have[c.Matrix+"/"+c.Key] {
			return true
		}
	}
	return false
}

// speedGroup is one configuration's finished cells: its speed per seed.
type speedGroup struct {
	matrix, group, label   string
	cells                  int
	eps, stepMS, firstStep []float64
	peak                   []float64
	memoryMethod           string // of the first cell with a peak; cells measured otherwise are left out
}

// speedGroups collects the finished cells by seed group, in cell order. A
// metric a cell did not measure (0: step time of a one-step epoch) is left
// out of its list.
func speedGroups(b *Baseline) []*speedGroup {
	var order []*speedGroup
	by := map[string]*speedGroup{}
	for _, c := range b.Cells {
		if c.Outcome != trainer.OutcomeDone {
			continue
		}
		k := c.Matrix + "/" + c.Group
		g := by[k]
		if g == nil {
			g = &speedGroup{matrix: c.Matrix, group: c.Group, label: groupLabel(c.Label)}
			by[k] = g
			order = append(order, g)
		}
		g.cells++
		g.eps = appendMeasured(g.eps, c.ExamplesPerSec)
		g.stepMS = appendMeasured(g.stepMS, c.StepMillis)
		g.firstStep = appendMeasured(g.firstStep, c.FirstStepSeconds)
		if c.PeakMiB > 0 && (g.memoryMethod == "" || g.memoryMethod == c.MemoryMethod) {
			g.memoryMethod = c.MemoryMethod
			g.peak = append(g.peak, c.PeakMiB)
		}
	}
	return order
}

func appendMeasured(list []float64, v float64) []float64 {
	if v > 0 {
		return append(list, v)
	}
	return list
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return stats.Mean(v)
}

// WriteMarkdown writes the comparison as a GitHub-flavoured Markdown section
// (for $GITHUB_STEP_SUMMARY): a verdict, what was compared, then the table
// with regressions first.
func (r *CompareReport) WriteMarkdown(w io.Writer, base, cur *Baseline) error {
	var b strings.Builder
	if r.Regressions > 0 {
		fmt.Fprintf(&b, "### ❌ %d regression(s)\n\n", r.Regressions)
	} else {
		fmt.Fprintf(&b, "### ✅ No regressions (%d rows compared)\n\n", len(r.Rows))
	}
	fmt.Fprintf(&b, "| | card | driver | GoMLX | alexbench | measured |\n|---|---|---|---|---|---|\n")
	for _, side := range []struct {
		name string
		b    *Baseline
	}{{"BASE", base}, {"NEW", cur}} {
		fmt.Fprintf(&b, "| %s `%s` | %s | %s | %s | %s | %s |\n", side.name, mdEscape(side.b.Source), mdEscape(side.b.Card),
			mdEscape(side.b.Driver), mdEscape(side.b.Versions.GoMLX), mdEscape(side.b.Versions.Alexbench),
			side.b.MeasuredTo.UTC().Format("2006-01-02 15:04 MST"))
	}
	b.WriteString("\n| matrix | configuration | metric | base | new | change | status |\n|---|---|---|---|---|---|---|\n")
	rows := append([]CompareRow(nil), r.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rowRank(rows[i]) < rowRank(rows[j]) })
	for _, row := range rows {
		status := row.Status
		if row.Status == StatusRegression || row.Status == StatusMissing {
			status = "**" + status + "**"
		}
		if row.Why != "" {
			status += " (" + row.Why + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(row.Matrix), mdEscape(row.Cell), row.Metric,
			mdEscape(row.Base), mdEscape(row.New), row.Change, mdEscape(status))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func rowRank(r CompareRow) int {
	switch r.Status {
	case StatusRegression, StatusMissing:
		return 0
	case StatusImproved, StatusNew:
		return 1
	}
	return 2
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
