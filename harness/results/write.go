package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/internal/atomicfile"
)

// The one writer of a cell's folder. Every file goes through atomicfile (a
// temp file and a rename), so a reader, or a runner killed at any instant,
// sees the old file or the whole new one; summary.json is written last.

// WriteConfig writes the cell's fully resolved config.toml.
func WriteConfig(dir string, cfg config.Config) error {
	return atomicfile.Write(filepath.Join(dir, ConfigFile), cfg.TOML())
}

// WriteMetrics makes metrics.jsonl hold exactly epochs; it rewrites the file
// only when its bytes differ.
func WriteMetrics(dir string, epochs []trainer.Epoch) error {
	path := filepath.Join(dir, MetricsFile)
	want := EncodeMetrics(epochs)
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	return atomicfile.Write(path, want)
}

// WriteSummary writes summary.json, the file whose presence means finished.
func WriteSummary(dir string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the summary of %s: %w", dir, err)
	}
	return atomicfile.Write(filepath.Join(dir, SummaryFile), append(b, '\n'))
}

// ClearForRun makes way for a new run of a cell: a folder with no summary
// holds nothing finished and is removed; one with a summary (any outcome, or a
// corrupt one) is moved aside to ReplacedDir, stamped with now.
func ClearForRun(dir, state string, now time.Time) error {
	switch state {
	case StatePending:
		return nil
	case StateInFlight:
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clearing unfinished %s: %w", dir, err)
		}
		return nil
	}
	_, err := MoveAside(dir, now)
	return err
}

// MoveAside renames a cell folder to <matrix>/.replaced/<key>-<UTC time>.
func MoveAside(dir string, now time.Time) (string, error) {
	parent := filepath.Join(filepath.Dir(dir), ReplacedDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("moving %s aside: %w", dir, err)
	}
	base := filepath.Base(dir) + "-" + now.UTC().Format("20060102T150405Z")
	dst := filepath.Join(parent, base)
	for i := 2; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(parent, fmt.Sprintf("%s-%d", base, i))
	}
	if err := os.Rename(dir, dst); err != nil {
		return "", fmt.Errorf("moving %s aside: %w", dir, err)
	}
	return dst, nil
}

// CurrentVersions reads what built this binary: Go, GoMLX, and the alexbench
// commit when the build recorded one ("-dirty" with uncommitted changes).
func CurrentVersions() Versions {
	v := Versions{}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go = bi.GoVersion
	for _, d := range bi.Deps {
		if d.Path == "github.com/gomlx/gomlx" {
			v.GoMLX = d.Version
		}
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "-dirty"
		}
		v.Alexbench = rev
	}
	return v
}
