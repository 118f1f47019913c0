package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/internal/atomicfile"
	"alexbench/internal/regfile"
)

// ClaimsDir is where a results root keeps the per-cell claims of the runners
// sharing it: <results>/.claims/<key>/ (package harness/claim). A claim is
// per key, not per matrix: a cell several matrices list (the same resolved
// config and profile) is trained once, under one claim, and shared. Like
// every name starting with a dot it is no matrix: status, export, merge and
// reports skip it.
const ClaimsDir = ".claims"

// ClaimDir is the claim folder of the cell with key.
func ClaimDir(root, key string) string {
	return filepath.Join(root, ClaimsDir, key)
}

// ErrPublished: a cell's summary.json exists already, so PublishSummary did
// not write one.
var ErrPublished = errors.New("summary.json is already published")

// PublishSummary writes summary.json, the file whose presence means finished,
// exclusively: complete to a temp file, then hard-linked to its name, which
// fails if the name exists (atomic on local filesystems and on NFS; see
// claim.CreateExclusive). So of two runners that both believed they held a
// cell, only one publishes, and a finished result is never replaced; the
// other gets an error matching ErrPublished. (--force and --retry-failed move
// the old folder aside before running the cell, so its summary is not there.)
func PublishSummary(dir string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the summary of %s: %w", dir, err)
	}
	path := filepath.Join(dir, SummaryFile)
	if err := claim.CreateExclusive(path, append(b, '\n')); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("publishing %s: %w", path, ErrPublished)
		}
		return fmt.Errorf("publishing %s: %w", path, err)
	}
	return nil
}

// InterruptedFile marks a cell folder whose run was stopped by a signal
// (SIGINT, SIGTERM): the cell is unfinished (in flight) and the next run
// redoes it; the marker says when, why and who, for the dry run and status.
const InterruptedFile = "interrupted.json"

// Interruption is what InterruptedFile holds.
type Interruption struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"` // e.g. "terminated signal received"
	Host   string    `json:"host"`
	PID    int       `json:"pid"`
}

func (in Interruption) String() string {
	return fmt.Sprintf("%s at %s (PID %d on %s)", in.Reason, in.At.UTC().Format(time.RFC3339), in.PID, in.Host)
}

// WriteInterrupted marks dir as interrupted.
func WriteInterrupted(dir string, in Interruption) error {
	b, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, InterruptedFile), append(b, '\n'))
}

// ReadInterrupted reads dir's interruption marker, or, when dir is a cell
// folder not published, its staging folder's: nil, nil when there is none.
func ReadInterrupted(dir string) (*Interruption, error) {
	b, err := regfile.ReadFile(filepath.Join(dir, InterruptedFile), maxRecordBytes)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			if staged := StagedDir(dir); staged != "" {
				return ReadInterrupted(staged)
			}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var in Interruption
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, InterruptedFile), err)
	}
	return &in, nil
}

// StaleTempAge is when a temp file (atomicfile's or claim's) in a results
// tree counts as left behind by a killed writer: a live one keeps it for
// milliseconds.
const StaleTempAge = 10 * time.Minute

// CleanTemps removes temp files a killed writer left in the results tree
// root: in root itself, in every matrix folder, its cell folders and the
// folders in its .replaced. A temp file is removed when it is older than
// olderThan, or at once when it is a second name of a file next to it (what
// PublishSummary leaves when killed between linking and removing its temp).
// Claim folders are left to package claim, which cleans its own. It returns
// the paths removed; errors are ignored (a file that cannot be removed stays,
// as before).
func CleanTemps(root string, olderThan time.Duration, now time.Time) []string {
	var removed []string
	clean := func(dir string) {
		removed = append(removed, cleanTempsIn(dir, olderThan, now)...)
	}
	clean(root)
	for _, m := range dirNames(root) {
		if !matrix.ValidName(m) {
			continue
		}
		mdir := filepath.Join(root, m)
		clean(mdir)
		removeTrash(filepath.Join(mdir, StagingDir)) // a killed runner's half-removed staging folders
		for _, c := range dirNames(mdir) {
			switch {
			case IsCellKey(c):
				clean(filepath.Join(mdir, c))
			case c == ReplacedDir:
				for _, r := range dirNames(filepath.Join(mdir, c)) {
					clean(filepath.Join(mdir, c, r))
				}
			}
		}
	}
	return removed
}

func isTempName(name string) bool { return atomicfile.IsTemp(name) || claim.IsTemp(name) }

func cleanTempsIn(dir string, olderThan time.Duration, now time.Time) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	var others map[[2]uint64]bool // (dev, inode) of the non-temp files, built when needed
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		stale := now.Sub(info.ModTime()) > olderThan
		if !stale {
			st, ok := info.Sys().(*syscall.Stat_t)
			if !ok || st.Nlink < 2 {
				continue
			}
			if others == nil {
				others = map[[2]uint64]bool{}
				for _, o := range entries {
					if o.Type().IsRegular() && !isTempName(o.Name()) {
						if oi, err := o.Info(); err == nil {
							if ost, ok := oi.Sys().(*syscall.Stat_t); ok {
								others[[2]uint64{uint64(ost.Dev), ost.Ino}] = true
							}
						}
					}
				}
			}
			if !others[[2]uint64{uint64(st.Dev), st.Ino}] {
				continue
			}
		}
		path := filepath.Join(dir, e.Name())
		if os.Remove(path) == nil {
			removed = append(removed, path)
		}
	}
	return removed
}

// dirNames lists the folders in dir, symlinked ones too (none if it cannot be read).
func dirNames(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if IsDirEntry(dir, e) {
			out = append(out, e.Name())
		}
	}
	return out
}
