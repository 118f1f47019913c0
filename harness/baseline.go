package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"alexbench/harness/trainer"
)

// A baseline is a results tree boiled down to what the nightly compares:
// per cell its throughput, step time, first-step (compile) time and accuracy,
// with the card, driver and versions that measured them. It is committed
// (benchmarks/baseline-<card>.json) so the nightly's results tree can be
// compared against it without keeping old results around.

// BaselineFormat names the file layout; a reader refuses any other.
const BaselineFormat = "alexbench-baseline/1"

// Baseline is a baseline file, or a results tree read the same way.
type Baseline struct {
	Format string `json:"format"`
	// Card is the device the cells ran on ("NVIDIA H100 80GB HBM3",
	// "CPU (2 cores)"); several are joined with " + ".
	Card   string `json:"card"`
	Driver string `json:"driver,omitempty"`
	// Backend is the cells' backend (xla:cuda, go, …), joined like Card.
	Backend  string   `json:"backend"`
	Versions Versions `json:"versions"`
	// Date is when the baseline was written; MeasuredFrom/To span the cells' runs.
	Date         time.Time      `json:"date"`
	MeasuredFrom time.Time      `json:"measured_from"`
	MeasuredTo   time.Time      `json:"measured_to"`
	Source       string         `json:"source"`
	Profiles     []string       `json:"profiles"`
	Cells        []BaselineCell `json:"cells"`
	// Groups summarise the accuracy of each seed group (for people reading the
	// file; compare recomputes them from Cells).
	Groups []BaselineGroup `json:"groups"`
}

// BaselineCell is one cell of a Baseline.
type BaselineCell struct {
	SnapshotCell
	FirstStepSeconds float64 `json:"first_step_s"`
}

// BaselineGroup is the accuracy over the seeds of one configuration.
type BaselineGroup struct {
	Matrix      string  `json:"matrix"`
	Group       string  `json:"group"`
	Label       string  `json:"label"`
	Seeds       int     `json:"seeds"`
	TestAccMean float64 `json:"test_acc_mean"`
	TestAccSD   float64 `json:"test_acc_sd"`
}

// Snapshot is the part harness.Compare works on.
func (b *Baseline) Snapshot() *Snapshot {
	s := &Snapshot{Source: b.Source}
	for _, c := range b.Cells {
		s.Cells = append(s.Cells, c.SnapshotCell)
	}
	return s
}

// BaselineFromResults reads a results tree's finished cells into a Baseline.
func BaselineFromResults(root string) (*Baseline, error) {
	snap, err := LoadSnapshot(root)
	if err != nil {
		return nil, err
	}
	stored, err := ScanResults(root)
	if err != nil {
		return nil, err
	}
	sums := map[string]*Summary{}
	for _, sc := range stored {
		if sc.Summary != nil {
			sums[sc.Matrix+"/"+sc.Key] = sc.Summary
		}
	}
	b := &Baseline{Format: BaselineFormat, Source: root}
	var cards, backends, drivers, profiles []string
	var gomlx, goVer, commits []string
	for _, c := range snap.Cells {
		s := sums[c.Matrix+"/"+c.Key]
		if s == nil {
			continue // cannot happen: LoadSnapshot read the same summaries
		}
		b.Cells = append(b.Cells, BaselineCell{SnapshotCell: c, FirstStepSeconds: s.FirstStepSeconds})
		profiles = addUnique(profiles, s.Profile)
		if s.Outcome != trainer.OutcomeDone {
			continue // a failed cell's device and versions say nothing measured
		}
		cards = addUnique(cards, s.Device)
		backends = addUnique(backends, s.Backend)
		drivers = addUnique(drivers, summaryDriver(s))
		goVer = addUnique(goVer, s.Versions.Go)
		gomlx = addUnique(gomlx, s.Versions.GoMLX)
		commits = addUnique(commits, s.Versions.Alexbench)
		if b.MeasuredFrom.IsZero() || s.Started.Before(b.MeasuredFrom) {
			b.MeasuredFrom = s.Started
		}
		if s.Finished.After(b.MeasuredTo) {
			b.MeasuredTo = s.Finished
		}
	}
	b.Card, b.Backend, b.Driver = joinSet(cards), joinSet(backends), joinSet(drivers)
	b.Versions = Versions{Go: joinSet(goVer), GoMLX: joinSet(gomlx), Alexbench: joinSet(commits), Driver: b.Driver}
	b.Profiles = profiles
	if b.Profiles == nil {
		b.Profiles = []string{}
	}
	b.Groups = baselineGroups(b.Cells)
	return b, nil
}

// summaryDriver is the NVIDIA driver a cell ran under: the runner's version
// record when it has one, else what the NVML sampler wrote into the memory
// summary.
func summaryDriver(s *Summary) string {
	if s.Versions.Driver != "" {
		return s.Versions.Driver
	}
	if m, ok := s.Memory.(map[string]any); ok {
		if d, ok := m["driver"].(string); ok {
			return d
		}
	}
	return ""
}

func addUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func joinSet(list []string) string {
	s := append([]string(nil), list...)
	sort.Strings(s)
	return strings.Join(s, " + ")
}

func baselineGroups(cells []BaselineCell) []BaselineGroup {
	groups := []BaselineGroup{}
	where := map[string]int{}
	accs := [][]float64{}
	for _, c := range cells {
		if c.Outcome != trainer.OutcomeDone {
			continue
		}
		k := c.Matrix + "/" + c.Group
		i, ok := where[k]
		if !ok {
			i = len(groups)
			where[k] = i
			groups = append(groups, BaselineGroup{Matrix: c.Matrix, Group: c.Group, Label: groupLabel(c.Label)})
			accs = append(accs, nil)
		}
		accs[i] = append(accs[i], c.TestAcc)
	}
	for i := range groups {
		groups[i].Seeds = len(accs[i])
		groups[i].TestAccMean, groups[i].TestAccSD = meanSD(accs[i])
	}
	return groups
}

// Encode is the baseline as indented JSON with a final newline.
func (b *Baseline) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadBaseline reads and checks a baseline file.
func ReadBaseline(path string) (*Baseline, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("reading baseline %s: %s", path, jsonErrorWhere(raw, err))
	}
	switch {
	case b.Format != BaselineFormat:
		return nil, fmt.Errorf("reading baseline %s: format %q, want %q", path, b.Format, BaselineFormat)
	case len(b.Cells) == 0:
		return nil, fmt.Errorf("reading baseline %s: no cells", path)
	}
	seen := map[string]bool{}
	for i, c := range b.Cells {
		where := fmt.Sprintf("reading baseline %s: cells[%d]", path, i)
		switch {
		case c.Matrix == "" || !IsCellKey(c.Key):
			return nil, fmt.Errorf("%s: matrix %q / key %q: want a matrix name and a 16-hex-digit key", where, c.Matrix, c.Key)
		case seen[c.Matrix+"/"+c.Key]:
			return nil, fmt.Errorf("%s: %s/%s appears twice", where, c.Matrix, c.Key)
		case !isOutcome(c.Outcome):
			return nil, fmt.Errorf("%s: outcome %q is not done, diverged, oom or failed", where, c.Outcome)
		case badNumber(c.ExamplesPerSec) || badNumber(c.StepMillis) || badNumber(c.FirstStepSeconds) ||
			badNumber(c.TestAcc) || c.TestAcc > 1:
			return nil, fmt.Errorf("%s: examples_per_sec, step_ms, first_step_s must be ≥ 0 and test_acc in [0, 1]", where)
		}
		seen[c.Matrix+"/"+c.Key] = true
		if c.Group == "" {
			b.Cells[i].Group = c.Key // a hand-written cell is its own group
		}
		if c.Label == "" {
			b.Cells[i].Label = c.Key
		}
	}
	if b.Source == "" {
		b.Source = path
	}
	return &b, nil
}

func badNumber(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }

// jsonErrorWhere adds the line to a JSON decoding error.
func jsonErrorWhere(raw []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(raw)) {
		return err.Error()
	}
	line := 1 + bytes.Count(raw[:off], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// CardSlug turns a card name into a file-name part: "NVIDIA H100 80GB HBM3"
// → "nvidia-h100-80gb-hbm3".
func CardSlug(card string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(card), "-"), "-")
	if s == "" {
		return "unknown"
	}
	return s
}

// BaselineFileName is the file a baseline for card has in a baseline folder.
func BaselineFileName(card string) string { return "baseline-" + CardSlug(card) + ".json" }

// WriteBaseline writes b to path (a file, or a folder where the card's
// BaselineFileName goes) atomically and returns the file written. An existing
// baseline is replaced only with replace: updating one is a decision.
func WriteBaseline(path string, b *Baseline, replace bool) (string, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, BaselineFileName(b.Card))
	}
	if _, err := os.Stat(path); err == nil && !replace {
		return "", fmt.Errorf("%s exists: updating a baseline is a decision; pass --force to replace it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("writing baseline: %w", err)
	}
	if b.Date.IsZero() {
		b.Date = time.Now().UTC().Truncate(time.Second)
	}
	data, err := b.Encode()
	if err != nil {
		return "", fmt.Errorf("encoding baseline: %w", err)
	}
	return path, writeFileAtomic(path, data)
}

// CompareSource reads what compare takes on either side: a results folder or
// a baseline file.
func CompareSource(path string) (*Baseline, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	var b *Baseline
	if st.IsDir() {
		if b, err = BaselineFromResults(path); err != nil {
			return nil, err
		}
	} else {
		if b, err = ReadBaseline(path); err != nil {
			return nil, err
		}
		b.Source = path // the results tree it was made from is in the file
	}
	done := 0
	for _, c := range b.Cells {
		if c.Outcome == trainer.OutcomeDone {
			done++
		}
	}
	if done == 0 {
		return nil, fmt.Errorf("compare: no finished cells in %s", path)
	}
	return b, nil
}

// FindBaseline picks the baseline for card from a folder of baselines.
func FindBaseline(dir, card string) (string, error) {
	path := filepath.Join(dir, BaselineFileName(card))
	if _, err := os.Stat(path); err != nil {
		have, _ := filepath.Glob(filepath.Join(dir, "baseline-*.json"))
		for i := range have {
			have[i] = filepath.Base(have[i])
		}
		known := "none"
		if len(have) > 0 {
			known = strings.Join(have, ", ")
		}
		return "", fmt.Errorf("no baseline for card %q in %s (want %s; have: %s): write one with `alexbench compare --write-baseline %s RESULTS`",
			card, dir, filepath.Base(path), known, dir)
	}
	return path, nil
}

// BaselineCompareOptions are CompareOptions plus the baseline-level checks.
type BaselineCompareOptions struct {
	CompareOptions
	// MaxFirstStepRegression is the relative rise of the first step's time
	// (graph compile and autotuning) tolerated; it is noisier than steady
	// throughput, so it has its own, wider tolerance.
	MaxFirstStepRegression float64
	// AllowCardMismatch compares results from different cards (the speed
	// rows then say little; accuracy still does).
	AllowCardMismatch bool
}

// DefaultBaselineCompareOptions: compare's defaults and 50 % for the first step.
func DefaultBaselineCompareOptions() BaselineCompareOptions {
	return BaselineCompareOptions{CompareOptions: DefaultCompareOptions(), MaxFirstStepRegression: 0.5}
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

// CompareBaselines compares NEW against BASE: harness.Compare's throughput
// and accuracy rows, plus the first step's time of every cell. It refuses
// different cards unless told otherwise, and two sides without a cell in
// common (different profiles or matrices: every row would be MISSING).
func CompareBaselines(base, cur *Baseline, opt BaselineCompareOptions) (*CompareReport, error) {
	if base.Card != cur.Card && !opt.AllowCardMismatch {
		return nil, &CardMismatchError{Base: base.Card, New: cur.Card, BaseSource: base.Source, NewSource: cur.Source}
	}
	curBy := map[string]BaselineCell{}
	for _, c := range cur.Cells {
		curBy[c.Matrix+"/"+c.Key] = c
	}
	common := 0
	for _, b := range base.Cells {
		if _, ok := curBy[b.Matrix+"/"+b.Key]; ok {
			common++
		}
	}
	if common == 0 {
		return nil, fmt.Errorf("%s (profiles %s) and %s (profiles %s) have no cell in common: "+
			"different profiles, matrices, or alexbench versions whose defaults changed the cell keys",
			base.Source, strings.Join(base.Profiles, ","), cur.Source, strings.Join(cur.Profiles, ","))
	}
	rep := Compare(base.Snapshot(), cur.Snapshot(), opt.CompareOptions)
	for _, b := range base.Cells {
		n, ok := curBy[b.Matrix+"/"+b.Key]
		if !ok || b.Outcome != trainer.OutcomeDone || n.Outcome != trainer.OutcomeDone ||
			b.FirstStepSeconds <= 0 || n.FirstStepSeconds <= 0 {
			continue
		}
		row := ratioRow(b.SnapshotCell, "first_step_s", b.FirstStepSeconds, n.FirstStepSeconds, true, opt.MaxFirstStepRegression)
		if row.Status == StatusRegression {
			rep.Regressions++
		}
		rep.Rows = insertAfterCell(rep.Rows, row)
	}
	return rep, nil
}

// insertAfterCell puts row after the last row of the same cell, so a cell's
// speed rows stay together.
func insertAfterCell(rows []CompareRow, row CompareRow) []CompareRow {
	at := len(rows)
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].Matrix == row.Matrix && rows[i].Cell == row.Cell {
			at = i + 1
			break
		}
	}
	rows = append(rows, CompareRow{})
	copy(rows[at+1:], rows[at:])
	rows[at] = row
	return rows
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
	b.WriteString("\n| matrix | cell | metric | base | new | change | status |\n|---|---|---|---|---|---|---|\n")
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
