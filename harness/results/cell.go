package results

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/internal/regfile"
	"alexbench/nvml"
)

// maxTimelineBytes bounds a cell's nvml.csv: ten rows a second per device
// (about 80 bytes each) for a whole day is under 100 MB a device, so a
// larger one is damage, not a record.
const maxTimelineBytes = 512 << 20

// Cell is everything a cell's folder holds, read by ReadCell: the one reader
// reports, and anything else that wants more than the summary, goes through.
type Cell struct {
	Dir string

	Config   config.Config
	ConfigOK bool            // config.toml was there and decoded
	Summary  *Summary        // nil until the cell finished, or when unreadable
	Corrupt  bool            // summary.json exists but cannot be read (status's StateCorrupt)
	Epochs   []trainer.Epoch // metrics.jsonl in file order (those before a torn line)
	Timeline *Timeline       // nvml.csv, if any
	Pictures []Picture       // filters.png, activations.png, if any
	Problems []FileProblem   // files of this cell that could not be read
}

// Picture is a PNG a trainer saved in the cell's folder.
type Picture struct {
	File  string // e.g. "filters.png"
	Title string
	PNG   []byte
}

// FileProblem is a file of a cell that could not be read, and why.
type FileProblem struct {
	File string // the file's name inside the cell folder
	Err  error
}

// Pictures are the pictures a cell folder may hold, in display order.
var Pictures = []struct{ File, Title string }{
	{"filters.png", "conv1's learned filters"},
	{"activations.png", "conv1 activation maps, one test image per class"},
}

// IsCellDir tells whether dir holds any of a cell's files.
func IsCellDir(dir string) bool {
	for _, f := range []string{ConfigFile, SummaryFile, MetricsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// ReadCell reads every file of one cell folder. It never fails: a file that
// cannot be read is a Problem and the rest still loads. summary.json is read
// as strictly as status reads it (ReadSummary), and a null number (a diverged
// loss) reads as NaN.
func ReadCell(dir string) *Cell {
	c := &Cell{Dir: dir}
	problem := func(file string, err error) { c.Problems = append(c.Problems, FileProblem{file, err}) }
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		if cfg, err := ReadConfig(dir); err != nil {
			problem(ConfigFile, err)
		} else {
			c.Config, c.ConfigOK = cfg, true
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem(ConfigFile, err)
	}
	if s, err := ReadSummary(dir); err == nil {
		c.Summary = s
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem(SummaryFile, err)
		c.Corrupt = true
	}
	c.Problems = append(c.Problems, finishedFileProblems(dir, c.Summary)...)
	var err error
	if c.Epochs, err = ReadMetrics(dir); err != nil {
		problem(MetricsFile, err)
	}
	// nvml.csv and the PNGs are optional, but one that is there and cannot
	// be read (a FIFO, a directory, a runaway size) is named, not skipped:
	// regfile never opens a FIFO for a blocking read, so the report cannot hang.
	if data, err := regfile.ReadFile(filepath.Join(dir, nvml.CSVName), maxTimelineBytes); err == nil {
		if c.Timeline, err = ParseTimeline(data); err != nil {
			problem(nvml.CSVName, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		problem(nvml.CSVName, err)
	}
	for _, p := range Pictures {
		data, err := regfile.ReadFile(filepath.Join(dir, p.File), maxRecordBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			problem(p.File, err)
			continue
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			problem(p.File, fmt.Errorf("%s: not a PNG file", filepath.Join(dir, p.File)))
			continue
		}
		c.Pictures = append(c.Pictures, Picture{File: p.File, Title: p.Title, PNG: data})
	}
	return c
}
