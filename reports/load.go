package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"alexbench/harness"
	"alexbench/harness/config"
	"alexbench/harness/trainer"
)

// Results is what a results tree holds, in a fixed order.
type Results struct {
	Dir      string
	Matrices []*Matrix  // by exercise order, then name
	Profiles []*Profile // E4: by model, then batch
	Problems []string   // what could not be read, each naming its file
}

// Matrix is one results/<matrix>/ folder.
type Matrix struct {
	Folder      string // results/<Folder>/
	Name        string // matrix.toml's name, else Folder
	Description string
	Exercise    string // "E0", "E1", "E2.1", "E2.2", "E3", "E4", "E5", or "" if unknown
	// ExerciseFrom says how Exercise was found: "matrix.json", "matrix.toml"
	// or "folder name".
	ExerciseFrom string
	// File is the experiments/*.toml the matrix came from, when recorded.
	File   string
	record *harness.MatrixRecord // results/<matrix>/matrix.json, if the runner wrote one
	Cells  []*Cell               // by label, then seed, then key
	// Axes are the config keys whose values differ between the cells (seed
	// included), sorted: what the matrix varies. Keys that only follow the
	// model (each model's own defaults, when model is an axis) are left out.
	Axes []string
}

// Cell is one results/<matrix>/<key>/ folder, or a planned cell without one.
type Cell struct {
	Key string
	Dir string // "" for a planned cell that has no folder yet

	Config   config.Config
	ConfigOK bool
	Summary  *harness.Summary // nil until the cell finished (or if unreadable)
	Epochs   []trainer.Epoch  // metrics.jsonl, in file order
	Memory   *MemoryInfo      // from summary.json's "memory", if any
	Timeline *Timeline        // nvml.csv, if any
	Images   []Image          // filters.png, activations.png, if any
	Problems []string         // files of this cell that could not be read

	summaryUnreadable bool
	// Params are the cell's axis values as the runner recorded them in
	// matrix.json (nil without one).
	Params []Param
	// Label names the cell by its matrix's axes (seed excluded), e.g.
	// "batch_size=128 lr_scaling=linear"; replicate seeds share a label.
	Label string
}

// MemoryInfo is the part of summary.json's "memory" (the nvml package's
// per-cell summary) the report uses.
type MemoryInfo struct {
	Available *bool   `json:"available"`
	Reason    string  `json:"reason"`
	Method    string  `json:"method"` // e.g. "nvml-process", "nvml-delta", "rss"
	PeakMiB   float64 `json:"peak_mib"`
}

// Image is a picture a cell saved for the report.
type Image struct {
	File  string // e.g. "filters.png"
	Title string
	PNG   []byte
}

// Profile is one results/profile/*.json file.
type Profile struct {
	File string // path relative to the results folder
	ProfileFile
}

// Cell states beyond the four outcomes, in `alexbench status`'s words.
const (
	OutcomeInFlight = harness.StateInFlight // a folder without summary.json: running, or killed
	OutcomePending  = harness.StatePending  // planned by matrix.json, no folder yet
	OutcomeCorrupt  = harness.StateCorrupt  // summary.json exists but cannot be read
)

// outcomeOrder lists outcomes and states in the order counts are shown.
var outcomeOrder = []string{trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM, trainer.OutcomeFailed,
	OutcomeCorrupt, OutcomeInFlight, OutcomePending}

// Outcome is the cell's outcome: done | diverged | oom | failed from its
// summary, else in-flight, pending or corrupt.
func (c *Cell) Outcome() string {
	switch {
	case c.Summary != nil:
		return c.Summary.Outcome
	case c.summaryUnreadable:
		return OutcomeCorrupt
	case c.Dir == "":
		return OutcomePending
	}
	return OutcomeInFlight
}

// Done tells whether the cell finished with usable final metrics.
func (c *Cell) Done() bool { return c.Summary != nil && c.Summary.Outcome == trainer.OutcomeDone }

// cellImages are the pictures a cell folder may hold, in display order.
var cellImages = []struct{ file, title string }{
	{"filters.png", "conv1's learned filters"},
	{"activations.png", "conv1 activation maps, one test image per class"},
}

// Load reads a results tree. Only a missing or unreadable dir is an error:
// every broken file inside is recorded as a problem and the rest still loads.
func Load(dir string) (*Results, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("results folder %s does not exist (run `alexbench run experiments/*.toml` or `make ablation` first)", dir)
		}
		return nil, fmt.Errorf("reading results folder %s: %w", dir, err)
	}
	res := &Results{Dir: dir}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if name == "profile" {
			res.loadProfiles(filepath.Join(dir, name))
			continue
		}
		m, err := res.loadMatrix(dir, name)
		if err != nil {
			res.Problems = append(res.Problems, err.Error())
			continue
		}
		if m != nil {
			res.Matrices = append(res.Matrices, m)
		}
	}
	profiles := map[string]bool{}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile != "" {
				profiles[c.Summary.Profile] = true
			}
		}
	}
	for _, m := range res.Matrices {
		m.addPlanned(profiles)
		m.label()
		m.applyRecord()
	}
	sort.SliceStable(res.Matrices, func(i, j int) bool {
		a, b := res.Matrices[i], res.Matrices[j]
		if oa, ob := exerciseOrder(a.Exercise), exerciseOrder(b.Exercise); oa != ob {
			return oa < ob
		}
		return a.Name < b.Name
	})
	sort.Strings(res.Problems)
	return res, nil
}

// Paths in problems are relative to the results folder, so a copied tree
// reports the same.
func (res *Results) loadMatrix(root, name string) (*Matrix, error) {
	dir := filepath.Join(root, name)
	m := &Matrix{Folder: name, Name: name}
	described := res.readMatrixFiles(root, m)
	if m.Exercise == "" {
		if ex := exerciseFromName(name); ex != "" {
			m.Exercise, m.ExerciseFrom = ex, "folder name"
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		cdir := filepath.Join(dir, e.Name())
		if !isCellDir(cdir) {
			continue
		}
		c := loadCell(cdir, filepath.Join(name, e.Name()), e.Name())
		res.Problems = append(res.Problems, c.Problems...)
		m.Cells = append(m.Cells, c)
	}
	if len(m.Cells) == 0 && !described {
		return nil, nil // not a matrix folder
	}
	return m, nil
}

// unwrapPath drops the absolute path a *fs.PathError carries (the message
// names the file relative to the results folder already).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func isCellDir(dir string) bool {
	for _, f := range []string{"config.toml", "summary.json", "metrics.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// loadCell reads one cell folder; rel is its path inside the results folder.
func loadCell(dir, rel, key string) *Cell {
	c := &Cell{Key: key, Dir: dir}
	problem := func(file string, err error) {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: %v", filepath.Join(rel, file), unwrapPath(err)))
	}
	if data, err := os.ReadFile(filepath.Join(dir, "config.toml")); err == nil {
		if _, err := toml.Decode(string(data), &c.Config); err != nil {
			problem("config.toml", err)
		} else {
			c.ConfigOK = true
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem("config.toml", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "summary.json")); err == nil {
		if s, err := parseSummary(data, key); err != nil {
			problem("summary.json", err)
			c.summaryUnreadable = true
		} else {
			c.Summary = s
			c.Memory = parseMemory(s.Memory)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem("summary.json", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl")); err == nil {
		c.Epochs, err = parseMetrics(data)
		if err != nil {
			problem("metrics.jsonl", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem("metrics.jsonl", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "nvml.csv")); err == nil {
		if c.Timeline, err = parseTimeline(data); err != nil {
			problem("nvml.csv", err)
		}
	}
	for _, im := range cellImages {
		data, err := os.ReadFile(filepath.Join(dir, im.file))
		if err != nil {
			continue
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			problem(im.file, errors.New("not a PNG file"))
			continue
		}
		c.Images = append(c.Images, Image{File: im.file, Title: im.title, PNG: data})
	}
	return c
}

// parseSummary decodes summary.json as strictly as `alexbench status` does
// (a known outcome, the folder's key), with null metrics read as NaN.
func parseSummary(data []byte, key string) (*harness.Summary, error) {
	var s harness.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	switch s.Outcome {
	case trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM, trainer.OutcomeFailed:
	default:
		return nil, fmt.Errorf("outcome %q is not done, diverged, oom or failed", s.Outcome)
	}
	if harness.IsCellKey(key) && s.Key != key {
		return nil, fmt.Errorf("key %q is not the folder's %q", s.Key, key)
	}
	var raw struct {
		Final json.RawMessage `json:"final"`
	}
	if json.Unmarshal(data, &raw) == nil && len(raw.Final) > 0 {
		final, err := parseEpoch(raw.Final)
		if err != nil {
			return nil, fmt.Errorf("final: %w", err)
		}
		s.Final = final
	}
	return &s, nil
}

// nullableEpoch is trainer.Epoch as the harness writes it: a non-finite
// number (a diverged loss) is null, which must read as NaN, not 0.
type nullableEpoch struct {
	Epoch          int      `json:"epoch"`
	TrainLoss      *float64 `json:"train_loss"`
	TrainAcc       *float64 `json:"train_acc"`
	TestAcc        *float64 `json:"test_acc"`
	ExamplesPerSec *float64 `json:"examples_per_sec"`
	EpochSeconds   *float64 `json:"epoch_seconds"`
	TrainSeconds   *float64 `json:"train_seconds"`
	EvalSeconds    *float64 `json:"eval_seconds"`
}

func parseEpoch(b []byte) (trainer.Epoch, error) {
	var n nullableEpoch
	if err := json.Unmarshal(b, &n); err != nil {
		return trainer.Epoch{}, err
	}
	f := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	return trainer.Epoch{Epoch: n.Epoch, TrainLoss: f(n.TrainLoss), TrainAcc: f(n.TrainAcc), TestAcc: f(n.TestAcc),
		ExamplesPerSec: f(n.ExamplesPerSec), EpochSeconds: f(n.EpochSeconds), TrainSeconds: f(n.TrainSeconds), EvalSeconds: f(n.EvalSeconds)}, nil
}

// parseMetrics reads metrics.jsonl; on a bad line it returns the epochs before
// it and an error naming the line (a killed writer may leave a torn last line).
func parseMetrics(data []byte) ([]trainer.Epoch, error) {
	var eps []trainer.Epoch
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		e, err := parseEpoch(b)
		if err != nil {
			return eps, fmt.Errorf("line %d: %w", line, err)
		}
		eps = append(eps, e)
	}
	return eps, sc.Err()
}

func parseMemory(v any) *MemoryInfo {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m MemoryInfo
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

func (res *Results) loadProfiles(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("profile: %v", unwrapPath(err)))
		return
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join("profile", e.Name())
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %v", path, unwrapPath(err)))
			continue
		}
		p := &Profile{File: filepath.ToSlash(path)}
		if err := json.Unmarshal(data, &p.ProfileFile); err != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		if len(p.Layers) == 0 {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: no layers", path))
			continue
		}
		res.Profiles = append(res.Profiles, p)
	}
	sort.Slice(res.Profiles, func(i, j int) bool {
		a, b := res.Profiles[i], res.Profiles[j]
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		if a.Batch != b.Batch {
			return a.Batch < b.Batch
		}
		return a.File < b.File
	})
}

// label finds the axes and names every cell by them.
func (m *Matrix) label() {
	var withConfig []*Cell
	for _, c := range m.Cells {
		if c.ConfigOK {
			withConfig = append(withConfig, c)
		}
	}
	m.Axes = nil
	for _, k := range config.Keys() {
		if k == "backend" {
			continue // where a cell ran, not what it computed
		}
		first, _ := withConfig0(withConfig).Get(k)
		for _, c := range withConfig {
			if v, _ := c.Config.Get(k); v != first {
				m.Axes = append(m.Axes, k)
				break
			}
		}
	}
	m.Axes = dropModelDetermined(m.Axes, withConfig)
	for _, c := range m.Cells {
		if !c.ConfigOK {
			c.Label = "key " + c.Key
			continue
		}
		var parts []string
		for _, k := range m.Axes {
			if k == "seed" {
				continue
			}
			v, _ := c.Config.Get(k)
			parts = append(parts, k+"="+formatValue(v))
		}
		if len(parts) == 0 {
			parts = append(parts, c.Config.Model)
		}
		c.Label = strings.Join(parts, " ")
	}
	sort.SliceStable(m.Cells, func(i, j int) bool {
		a, b := m.Cells[i], m.Cells[j]
		if a.Label != b.Label {
			return lessLabel(a, b, m.Axes)
		}
		if a.Config.Seed != b.Config.Seed {
			return a.Config.Seed < b.Config.Seed
		}
		return a.Key < b.Key
	})
}

// dropModelDetermined removes the keys whose value is a function of the
// model (LeNet's lr 0.9 vs AlexNet's 0.01 when the matrix varies model): they
// say nothing the model name does not.
func dropModelDetermined(axes []string, cells []*Cell) []string {
	hasModel := false
	for _, k := range axes {
		hasModel = hasModel || k == "model"
	}
	if !hasModel {
		return axes
	}
	var out []string
	for _, k := range axes {
		if k == "model" || k == "seed" {
			out = append(out, k)
			continue
		}
		byModel := map[string]any{}
		determined := true
		for _, c := range cells {
			v, _ := c.Config.Get(k)
			if prev, ok := byModel[c.Config.Model]; ok && prev != v {
				determined = false
				break
			}
			byModel[c.Config.Model] = v
		}
		if !determined {
			out = append(out, k)
		}
	}
	return out
}

func withConfig0(cs []*Cell) config.Config {
	if len(cs) == 0 {
		return config.Config{}
	}
	return cs[0].Config
}

// lessLabel orders cells by their axis values, numerically where the values
// are numbers (so batch 16 comes before 128).
func lessLabel(a, b *Cell, axes []string) bool {
	for _, k := range axes {
		if k == "seed" {
			continue
		}
		va, oka := a.value(k)
		vb, okb := b.value(k)
		if oka != okb {
			return oka
		}
		if !oka || va == vb {
			continue
		}
		if fa, ok := toFloat(va); ok {
			if fb, ok := toFloat(vb); ok {
				if fa != fb {
					return fa < fb
				}
				continue
			}
		}
		if sa, sb := formatValue(va), formatValue(vb); sa != sb {
			return sa < sb
		}
	}
	return a.Label < b.Label
}

// value is a config key's value for the cell: from its config, else from the
// params the runner recorded.
func (c *Cell) value(key string) (any, bool) {
	if c.ConfigOK {
		v, err := c.Config.Get(key)
		return v, err == nil
	}
	for _, p := range c.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%g", x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

var exerciseOrderList = []string{"E0", "E1", "E2.1", "E2.2", "E3", "E4", "E5"}

func exerciseOrder(ex string) int {
	for i, e := range exerciseOrderList {
		if e == ex {
			return i
		}
	}
	return len(exerciseOrderList)
}

// normalizeExercise turns "e2.1", "2.1", "E2_1" into "E2.1"; a bare "E2" is
// split into E2.1/E2.2 by the folder name. Unknown spellings give "".
func normalizeExercise(s, folder string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "_", ".")
	if s != "" && s[0] != 'E' {
		s = "E" + s
	}
	if s == "E2" {
		if ex := exerciseFromName(folder); strings.HasPrefix(ex, "E2.") {
			return ex
		}
		return "E2.1"
	}
	for _, e := range exerciseOrderList {
		if e == s {
			return s
		}
	}
	return ""
}

// exerciseFromName infers the exercise from the matrix folder's conventional
// name (experiments/e0-alexnet.toml → results/e0-alexnet/...).
func exerciseFromName(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "e0"):
		return "E0"
	case strings.HasPrefix(n, "e1"):
		return "E1"
	case strings.HasPrefix(n, "e2") && strings.Contains(n, "28"):
		return "E2.2"
	case strings.HasPrefix(n, "e2"):
		return "E2.1"
	case strings.HasPrefix(n, "e3"):
		return "E3"
	case strings.HasPrefix(n, "e4"):
		return "E4"
	case strings.HasPrefix(n, "e5"):
		return "E5"
	}
	return ""
}
