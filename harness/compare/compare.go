package compare

import (
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/internal/bounds"
	"alexbench/internal/stats"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"alexbench/harness/trainer"
)

// Snapshot is what compare needs of a results tree: per cell its outcome,
// throughput and accuracy, and the group of seeds it belongs to. It is plain
// data so a baseline can be stored as a file and compared against later.
type Snapshot struct {
	Source string         `json:"source"`
	Cells  []SnapshotCell `json:"cells"`
}

// SnapshotCell is one cell of a Snapshot.
type SnapshotCell struct {
	Matrix  string `json:"matrix"`
	Key     string `json:"key"`
	Label   string `json:"label"`
	Profile string `json:"profile"`
	// Group is the key of the config with the seed zeroed: cells that differ
	// only by seed share it, and their spread is the accuracy noise.
	Group   string `json:"group"`
	Outcome string `json:"outcome"`
	Backend string `json:"backend"`
	Device  string `json:"device"`
	// ExamplesPerSec is the cell's stats.Throughput (the median over the
	// epochs after the first), 0 when not measured.
	ExamplesPerSec float64 `json:"examples_per_sec"`
	StepMillis     float64 `json:"step_ms"`
	TestAcc        float64 `json:"test_acc"`
	// PeakMiB is the cell's peak memory by MemoryMethod (nvml-process,
	// nvml-device-delta or rss; see the nvml package), 0 when not recorded.
	// Peaks are compared only between cells measured the same way.
	PeakMiB      float64 `json:"peak_mib,omitempty"`
	MemoryMethod string  `json:"memory_method,omitempty"`
}

// LoadSnapshot reads the cells with a summary under root.
func LoadSnapshot(root string) (*Snapshot, error) {
	stored, err := results.ScanResults(root)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, sc := range stored {
		if _, ok := labels[sc.Matrix+"/"]; ok {
			continue
		}
		labels[sc.Matrix+"/"] = ""
		if rec, err := results.ReadMatrixRecord(root, sc.Matrix); err == nil && rec != nil {
			for _, cells := range rec.Profiles {
				for _, c := range cells {
					labels[sc.Matrix+"/"+c.Key] = matrix.Cell{Params: c.Params}.Label()
				}
			}
		}
	}
	snap := &Snapshot{Source: root}
	for _, sc := range stored {
		if sc.Summary == nil {
			continue
		}
		cfg, err := results.ReadConfig(sc.Dir)
		if err != nil {
			return nil, err
		}
		metrics, err := results.ReadMetrics(sc.Dir)
		if err != nil {
			return nil, err
		}
		s := sc.Summary
		cfg.Seed = 0
		label := labels[sc.Matrix+"/"+sc.Key]
		if label == "" {
			label = sc.Key
		}
		snap.Cells = append(snap.Cells, SnapshotCell{
			Matrix: sc.Matrix, Key: sc.Key, Label: label, Profile: s.Profile,
			Group: cfg.Key(s.Profile), Outcome: s.Outcome, Backend: s.Backend, Device: s.Device,
			ExamplesPerSec: steadyThroughput(metrics), StepMillis: zeroIfNaN(s.StepMillis), TestAcc: zeroIfNaN(s.Final.TestAcc),
		})
		c := &snap.Cells[len(snap.Cells)-1]
		if peak, method := s.PeakMiB(); method != "" {
			c.PeakMiB, c.MemoryMethod = peak, method
		}
	}
	return snap, nil
}

// steadyThroughput is stats.Throughput of the cell's epochs, 0 when none
// was measured (a baseline file stores no NaN).
func steadyThroughput(epochs []trainer.Epoch) float64 {
	rates := make([]float64, len(epochs))
	for i, e := range epochs {
		rates[i] = e.ExamplesPerSec
	}
	return zeroIfNaN(stats.Throughput(rates))
}

func zeroIfNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// CompareOptions are compare's tolerances.
type CompareOptions struct {
	// MaxRegression is the relative throughput loss tolerated (0.05 = 5 %):
	// examples/sec may fall and step time may rise by this much.
	MaxRegression float64
	// AccSigmas and AccFloor set the accuracy tolerance: NEW's mean test
	// accuracy over a seed group regresses when it is below BASE's mean by more
	// than max(AccSigmas · BASE's standard deviation over seeds, AccFloor).
	AccSigmas float64
	AccFloor  float64
	// MaxMemoryGrowth and MemoryFloorMiB set the memory tolerance: peak
	// memory regresses when it grew by more than MaxMemoryGrowth (relative)
	// and by more than MemoryFloorMiB. XLA's pool grows in doubling regions,
	// so a real change in what a step keeps shows as a jump, not a drift.
	MaxMemoryGrowth float64
	MemoryFloorMiB  float64
}

// DefaultCompareOptions: 5 % throughput, 3 σ of the seed spread with a floor
// of half a point of accuracy (a single seed has no spread), and peak memory
// 10 % and 64 MiB.
func DefaultCompareOptions() CompareOptions {
	return CompareOptions{MaxRegression: 0.05, AccSigmas: 3, AccFloor: 0.005, MaxMemoryGrowth: 0.10, MemoryFloorMiB: 64}
}

// ParsePercent reads "5%" or "0.05" as 0.05, a finite fraction in [0, 1).
func ParsePercent(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("%q: want a percentage like 5%% or a fraction like 0.05", s)
	}
	if pct {
		v /= 100
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v >= 1 {
		return 0, fmt.Errorf("%q: must be in [0%%, 100%%)", s)
	}
	return v, nil
}

// Validate checks every tolerance through internal/bounds, naming compare's
// flags: a NaN tolerance makes every "worse than" test false, so it would
// pass anything — it is an error, never "no regressions".
func (o CompareOptions) Validate() error {
	for _, c := range []struct {
		flag   string
		v, max float64
	}{
		{"--max-regression", o.MaxRegression, 1},
		{"--acc-sigmas", o.AccSigmas, maxSigmas},
		{"--acc-floor", o.AccFloor, 1},
		{"--max-memory-growth", o.MaxMemoryGrowth, 1},
		{"--memory-floor-mib", o.MemoryFloorMiB, maxMiB},
	} {
		if err := bounds.Float(c.flag, c.v, 0, c.max); err != nil {
			return err
		}
	}
	return nil
}

// Upper bounds of the tolerances: far beyond any sensible gate, so only
// nonsense (an overflow, a typo of many digits) is refused.
const (
	maxSigmas = 1000
	maxMiB    = 1 << 40
)

// Row statuses of a comparison.
const (
	StatusOK         = "ok"
	StatusImproved   = "improved"
	StatusRegression = "REGRESSION"
	StatusMissing    = "MISSING"
	StatusNew        = "new"
)

// CompareRow is one line of the comparison table.
type CompareRow struct {
	Matrix string
	Cell   string // the cell's label, or "<label> (n seeds)" for accuracy
	Metric string // examples_per_sec | step_ms | test_acc | outcome
	Base   string
	New    string
	Change string
	Status string
	Why    string
}

// CompareReport is a whole comparison.
type CompareReport struct {
	Rows        []CompareRow
	Regressions int
}

// Compare compares NEW against BASE cell by cell for outcomes and per seed
// group for accuracy; speed and memory are compared per configuration by
// CompareBaselines, which is what callers use. A cell finished in BASE that
// NEW lacks or did not finish counts as a regression: a nightly that silently
// ran less is not green.
func Compare(base, cur *Snapshot, opt CompareOptions) *CompareReport {
	rep := &CompareReport{}
	add := func(r CompareRow) {
		if r.Status == StatusRegression || r.Status == StatusMissing {
			rep.Regressions++
		}
		rep.Rows = append(rep.Rows, r)
	}
	id := func(c SnapshotCell) string { return c.Matrix + "/" + c.Key }
	curBy := map[string]SnapshotCell{}
	for _, c := range cur.Cells {
		curBy[id(c)] = c
	}
	baseBy := map[string]bool{}
	for _, b := range base.Cells {
		baseBy[id(b)] = true
		if b.Outcome != trainer.OutcomeDone {
			continue // nothing measured to regress from
		}
		switch n, ok := curBy[id(b)]; {
		case !ok:
			add(CompareRow{Matrix: b.Matrix, Cell: b.Label, Metric: "outcome", Base: b.Outcome, New: "absent",
				Status: StatusMissing, Why: "not in NEW"})
		case n.Outcome != trainer.OutcomeDone:
			add(CompareRow{Matrix: b.Matrix, Cell: b.Label, Metric: "outcome", Base: b.Outcome, New: n.Outcome,
				Status: StatusRegression, Why: "did not finish"})
		}
	}
	for _, n := range cur.Cells {
		if !baseBy[id(n)] {
			add(CompareRow{Matrix: n.Matrix, Cell: n.Label, Metric: "outcome", Base: "absent", New: n.Outcome,
				Status: StatusNew, Why: "not in BASE"})
		}
	}
	for _, g := range accuracyGroups(base, cur) {
		add(accuracyRow(g, opt))
	}
	return rep
}

func ratioRow(b SnapshotCell, metric string, base, cur float64, lowerIsBetter bool, tol float64) CompareRow {
	change := cur/base - 1
	worse := -change
	if lowerIsBetter {
		worse = change
	}
	r := CompareRow{Matrix: b.Matrix, Cell: b.Label, Metric: metric,
		Base: fmtNum(base), New: fmtNum(cur), Change: fmt.Sprintf("%+.1f%%", 100*change), Status: StatusOK}
	switch {
	case worse > tol:
		r.Status, r.Why = StatusRegression, fmt.Sprintf("worse by more than %.1f%%", 100*tol)
	case -worse > tol:
		r.Status = StatusImproved
	}
	return r
}

// memoryRow compares peak memory: worse when it grew by more than both
// tolerances, better when it shrank by as much.
func memoryRow(b SnapshotCell, base, cur float64, opt CompareOptions) CompareRow {
	r := ratioRow(b, "peak_mib", base, cur, true, opt.MaxMemoryGrowth)
	if math.Abs(cur-base) <= opt.MemoryFloorMiB {
		r.Status, r.Why = StatusOK, ""
	}
	if r.Status == StatusRegression {
		r.Why = fmt.Sprintf("grew by more than %.0f%% and %.0f MiB", 100*opt.MaxMemoryGrowth, opt.MemoryFloorMiB)
	}
	return r
}

type accGroup struct {
	matrix, label string
	base, cur     []float64
}

// accuracyGroups pairs BASE's and NEW's done cells by seed group, in BASE's order.
func accuracyGroups(base, cur *Snapshot) []*accGroup {
	var order []*accGroup
	by := map[string]*accGroup{}
	get := func(c SnapshotCell) *accGroup {
		k := c.Matrix + "/" + c.Group
		g := by[k]
		if g == nil {
			g = &accGroup{matrix: c.Matrix, label: groupLabel(c.Label)}
			by[k] = g
			order = append(order, g)
		}
		return g
	}
	for _, c := range base.Cells {
		if c.Outcome == trainer.OutcomeDone {
			g := get(c)
			g.base = append(g.base, c.TestAcc)
		}
	}
	for _, c := range cur.Cells {
		if c.Outcome != trainer.OutcomeDone {
			continue
		}
		if g := by[c.Matrix+"/"+c.Group]; g != nil {
			g.cur = append(g.cur, c.TestAcc)
		}
	}
	kept := order[:0]
	for _, g := range order {
		if len(g.cur) > 0 {
			kept = append(kept, g)
		}
	}
	return kept
}

// groupLabel drops the seed from a cell label: the group spans the seeds.
func groupLabel(label string) string {
	var parts []string
	for _, p := range strings.Fields(label) {
		if !strings.HasPrefix(p, "seed=") {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "(fixed)"
	}
	return strings.Join(parts, " ")
}

func accuracyRow(g *accGroup, opt CompareOptions) CompareRow {
	bm, bsd := stats.MeanSD(g.base)
	cm := stats.Mean(g.cur)
	tol := math.Max(opt.AccSigmas*bsd, opt.AccFloor)
	r := CompareRow{Matrix: g.matrix, Cell: fmt.Sprintf("%s (%d/%d seeds)", g.label, len(g.base), len(g.cur)),
		Metric: "test_acc", Base: meanAndSpread(bm, bsd, len(g.base)), New: meanAndSpread(cm, stats.Describe(g.cur).SD, len(g.cur)),
		Change: fmt.Sprintf("%+.4f", cm-bm), Status: StatusOK}
	switch {
	case cm < bm-tol && len(g.base) < 2:
		r.Status, r.Why = StatusRegression, fmt.Sprintf("below base mean − %.4f, the floor: one seed has no spread", tol)
	case cm < bm-tol:
		r.Status, r.Why = StatusRegression, fmt.Sprintf("below base mean − %.4f", tol)
	case cm > bm+tol:
		r.Status = StatusImproved
	}
	return r
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// meanAndSpread is "0.8812±0.0040 (n=3)", and "0.8812 (n=1)" for one seed:
// a single run has no spread to print (a "±0.0000" would claim one).
func meanAndSpread(mean, sd float64, n int) string {
	if n < 2 {
		return fmt.Sprintf("%.4f (n=%d)", mean, n)
	}
	return fmt.Sprintf("%.4f±%.4f (n=%d)", mean, sd, n)
}

// WriteTable prints the comparison, then a verdict line.
func (r *CompareReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MATRIX\tCELL\tMETRIC\tBASE\tNEW\tCHANGE\tSTATUS\t")
	for _, row := range r.Rows {
		status := row.Status
		if row.Why != "" {
			status += " (" + row.Why + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.Matrix, row.Cell, row.Metric, row.Base, row.New, row.Change, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Regressions > 0 {
		_, err := fmt.Fprintf(w, "%d regression(s)\n", r.Regressions)
		return err
	}
	_, err := fmt.Fprintf(w, "no regressions (%d rows compared)\n", len(r.Rows))
	return err
}
