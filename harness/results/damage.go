package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// finishedFileProblems names the files a finished cell (one with a summary)
// must have but lacks. The runner writes config.toml before training and
// metrics.jsonl every epoch, so a finished cell without them was damaged
// afterwards; readers that took "missing" as "none yet" reported such a cell
// with no config, or with 0 epochs, and said nothing.
func finishedFileProblems(dir string, s *Summary) []FileProblem {
	if s == nil {
		return nil
	}
	var out []FileProblem
	missing := func(file, why string) {
		path := filepath.Join(dir, file)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			out = append(out, FileProblem{file, fmt.Errorf("%s: missing, but the cell finished (%s): the folder was damaged", path, why)})
		}
	}
	missing(ConfigFile, "its config is written before it runs")
	if s.Final.Epoch > 0 {
		missing(MetricsFile, fmt.Sprintf("its summary says %d epochs ran", s.Final.Epoch))
	}
	return out
}

// maxRecordBytes bounds one summary.json, config.toml, metrics.jsonl or
// matrix.json read (the largest real ones are a few hundred KB): a damaged
// or foreign file must not make status or the report read gigabytes. Only
// regular files are read at all (a FIFO there would hang every reader).
const maxRecordBytes = 64 << 20
