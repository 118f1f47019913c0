package load

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/nvml"
)

// Cell is one results/<matrix>/<key>/ folder, or a planned cell without one.
type Cell struct {
	Key string
	Dir string // "" for a planned cell that has no folder yet

	Config   config.Config
	ConfigOK bool
	Summary  *results.Summary  // nil until the cell finished (or if unreadable)
	Epochs   []trainer.Epoch   // metrics.jsonl, in file order
	Memory   *nvml.Summary     // summary.json's "memory", if any
	Timeline *results.Timeline // nvml.csv, if any
	Images   []Image           // filters.png, activations.png, if any
	Problems []string          // files of this cell that could not be read

	summaryUnreadable bool
	// Params are the cell's axis values as the runner recorded them in
	// matrix.json (nil without one).
	Params []Param
	// Label names the cell by its matrix's axes (seed excluded), e.g.
	// "batch_size=128 lr_scaling=linear"; replicate seeds share a label.
	Label string
}

// Image is a picture a cell saved for the report.
type Image = results.Picture

// Cell states beyond the four outcomes, in `alexbench status`'s words.
const (
	OutcomeInFlight = results.StateInFlight // a folder without summary.json: running, or killed
	OutcomePending  = results.StatePending  // planned by matrix.json, no folder yet
	OutcomeCorrupt  = results.StateCorrupt  // summary.json exists but cannot be read
)

// OutcomeOrder lists outcomes and states in the order counts are shown.
var OutcomeOrder = []string{trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM, trainer.OutcomeFailed,
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

// TestMajorityRate is the largest class share among the test images the
// cell was evaluated on (summary.json's test_majority_rate): the accuracy of
// always guessing that class, the cell's chance. 0 when not recorded (an
// older tree, or no summary); diagnose.ChanceOf falls back to 0.10 for it.
func (c *Cell) TestMajorityRate() float64 {
	if c.Summary == nil {
		return 0
	}
	return c.Summary.TestMajorityRate
}

// loadCell reads one cell folder through results.ReadCell; rel is its path
// inside the results folder, which problems name (so a copied tree reports
// the same).
func loadCell(dir, rel, key string) *Cell {
	rc := results.ReadCell(dir)
	c := &Cell{Key: key, Dir: dir, Config: rc.Config, ConfigOK: rc.ConfigOK, Summary: rc.Summary,
		Epochs: rc.Epochs, Timeline: rc.Timeline, summaryUnreadable: rc.Corrupt}
	if rc.Summary != nil {
		c.Memory = rc.Summary.Memory
	}
	c.Images = rc.Pictures
	for _, p := range rc.Problems {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: %s", filepath.Join(rel, p.File), relativeError(p.Err, dir)))
	}
	return c
}

// relativeError is err's text without the cell folder's absolute path.
func relativeError(err error, dir string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && !strings.Contains(pe.Err.Error(), dir) {
		return fmt.Sprintf("%s: %v", pe.Op, pe.Err)
	}
	msg := err.Error()
	for _, f := range []string{results.ConfigFile, results.SummaryFile, results.MetricsFile} {
		msg = strings.ReplaceAll(msg, "reading "+filepath.Join(dir, f)+": ", "")
		msg = strings.ReplaceAll(msg, "reading "+filepath.Join(dir, f)+":", "line ")
	}
	return strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
}
