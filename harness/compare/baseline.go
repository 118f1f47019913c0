package compare

import (
	"alexbench/harness/results"
	"alexbench/internal/atomicfile"
	"alexbench/internal/regfile"
	"alexbench/internal/stats"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	Backend  string           `json:"backend"`
	Versions results.Versions `json:"versions"`
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
	// The speed spread over seeds is the run-to-run noise compare allows for.
	ExamplesPerSecMean float64 `json:"examples_per_sec_mean"`
	ExamplesPerSecSD   float64 `json:"examples_per_sec_sd"`
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
	stored, err := results.ScanResults(root)
	if err != nil {
		return nil, err
	}
	sums := map[string]*results.Summary{}
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
	b.Versions = results.Versions{Go: joinSet(goVer), GoMLX: joinSet(gomlx), Alexbench: joinSet(commits)} // the driver is b.Driver
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
func summaryDriver(s *results.Summary) string {
	if s.Versions.Driver != "" {
		return s.Versions.Driver
	}
	if s.Memory != nil {
		return s.Memory.Driver
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
	for _, g := range speedGroups(&Baseline{Cells: cells}) {
		var accs []float64
		for _, c := range cells {
			if c.Outcome == trainer.OutcomeDone && c.Matrix == g.matrix && c.Group == g.group {
				accs = append(accs, c.TestAcc)
			}
		}
		bg := BaselineGroup{Matrix: g.matrix, Group: g.group, Label: g.label, Seeds: g.cells}
		bg.TestAccMean, bg.TestAccSD = stats.MeanSD(accs)
		if len(g.eps) > 0 {
			bg.ExamplesPerSecMean, bg.ExamplesPerSecSD = stats.MeanSD(g.eps)
		}
		groups = append(groups, bg)
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
	raw, err := regfile.ReadFile(path, maxBaselineBytes)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("reading baseline %s: %s", path, jsonErrorWhere(raw, err))
	}
	// One JSON value and nothing after it: two files concatenated, or an
	// edit gone wrong, is not a baseline whose first half counts.
	if off := dec.InputOffset(); len(bytes.TrimSpace(raw[off:])) > 0 {
		line := 1 + bytes.Count(raw[:off], []byte("\n"))
		return nil, fmt.Errorf("reading baseline %s:%d: data after the baseline's closing brace", path, line)
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
		case c.Matrix == "" || !results.IsCellKey(c.Key):
			return nil, fmt.Errorf("%s: matrix %q / key %q: want a matrix name and a 16-hex-digit key", where, c.Matrix, c.Key)
		case seen[c.Matrix+"/"+c.Key]:
			return nil, fmt.Errorf("%s: %s/%s appears twice", where, c.Matrix, c.Key)
		case !results.IsOutcome(c.Outcome):
			return nil, fmt.Errorf("%s: outcome %q is not done, diverged, oom or failed", where, c.Outcome)
		case badNumber(c.ExamplesPerSec) || badNumber(c.StepMillis) || badNumber(c.FirstStepSeconds) ||
			badNumber(c.PeakMiB) || badNumber(c.TestAcc) || c.TestAcc > 1:
			return nil, fmt.Errorf("%s: examples_per_sec, step_ms, first_step_s, peak_mib must be ≥ 0 and test_acc in [0, 1]", where)
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

// maxBaselineBytes bounds a baseline file: a cell is a few hundred bytes, so
// 64 MiB is far beyond any sweep's.
const maxBaselineBytes = 64 << 20

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
	return path, atomicfile.Write(path, data)
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
