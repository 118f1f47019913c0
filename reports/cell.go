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

	"github.com/BurntSushi/toml"

	"alexbench/harness"
	"alexbench/harness/config"
	"alexbench/harness/trainer"
)

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
	Method    string  `json:"method"` // nvml.MethodProcess, MethodDeviceDelta or MethodRSS
	PeakMiB   float64 `json:"peak_mib"`
	// SteadyPeakMiB is the peak after the first train step (compilation
	// excluded); 0 when not recorded.
	SteadyPeakMiB float64 `json:"steady_peak_mib"`
	// SteadyFromS is when the first steady sample was taken (seconds after
	// the sampler started, the timeline's time axis); nil when not recorded.
	SteadyFromS *float64 `json:"steady_from_s"`
}

// Image is a picture a cell saved for the report.
type Image struct {
	File  string // e.g. "filters.png"
	Title string
	PNG   []byte
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
