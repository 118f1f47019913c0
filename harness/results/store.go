package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/BurntSushi/toml"

	"alexbench/harness/config"
	"alexbench/harness/matrix"
	"alexbench/harness/trainer"
	"alexbench/internal/atomicfile"
	"alexbench/internal/regfile"
)

// Files of a results tree. A cell's folder is <root>/<matrix>/<key>/; a
// matrix's folder also holds MatrixFile (what its cells are, for status and
// reports) and ReplacedDir (cell folders --force or --retry-failed moved
// aside: a finished result is never deleted).
const (
	ConfigFile  = "config.toml"
	MetricsFile = "metrics.jsonl"
	SummaryFile = "summary.json"
	MatrixFile  = "matrix.json"
	ReplacedDir = ".replaced"
)

// Cell states besides the four outcomes (trainer.OutcomeDone, …).
const (
	StatePending  = "pending"   // no folder yet
	StateInFlight = "in-flight" // staged, not published (or an older alexbench's folder without summary.json): running, killed or interrupted
	StateCorrupt  = "corrupt"   // summary.json exists but cannot be read
)

var keyRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// IsCellKey tells whether name can be a cell folder (a 16-hex-digit key).
func IsCellKey(name string) bool { return keyRE.MatchString(name) }

// CellDir is the folder of a cell in the results tree root.
func CellDir(root, matrixName, key string) string { return filepath.Join(root, matrixName, key) }

// IsOutcome tells whether s is one of the four outcomes a summary may hold.
func IsOutcome(s string) bool {
	switch s {
	case trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM, trainer.OutcomeFailed:
		return true
	}
	return false
}

// ReadSummary reads a cell's summary.json strictly: unknown outcome, a key
// that is not the folder's, or bad JSON make it corrupt.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryFile)
	b, err := regfile.ReadFile(path, maxRecordBytes)
	if err != nil {
		return nil, err // fs.ErrNotExist: not finished (CellState tells in-flight from pending)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !IsOutcome(s.Outcome) {
		return nil, fmt.Errorf("reading %s: outcome %q is not done, diverged, oom or failed", path, s.Outcome)
	}
	if base := filepath.Base(dir); IsCellKey(base) && s.Key != base {
		return nil, fmt.Errorf("reading %s: key %q is not the folder's %q", path, s.Key, base)
	}
	return &s, nil
}

// CellState classifies a cell folder; sum is set for the four outcomes, err
// says why a summary is corrupt.
func CellState(dir string) (state string, sum *Summary, err error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if StagedDir(dir) != "" {
			return StateInFlight, nil, nil
		}
		return StatePending, nil, nil
	}
	s, err := ReadSummary(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return StateInFlight, nil, nil
	case err != nil:
		return StateCorrupt, nil, err
	}
	return s.Outcome, s, nil
}

// ReadConfig reads a cell's config.toml. Keys a newer or older alexbench
// does not know are ignored: the cell key already says what it was.
func ReadConfig(dir string) (config.Config, error) {
	path := filepath.Join(dir, ConfigFile)
	var c config.Config
	b, err := regfile.ReadFile(path, maxRecordBytes)
	if err != nil {
		return c, fmt.Errorf("reading %s: %w", path, err)
	}
	if _, err := toml.Decode(string(b), &c); err != nil {
		return c, fmt.Errorf("reading %s: %w", path, err)
	}
	c.FillAbsent()
	return c, nil
}

// ReadMetrics reads a cell's metrics.jsonl (a missing file is no epochs). On
// a bad line it returns the epochs before it and an error naming the line (a
// writer killed mid-write leaves at most a torn last line; see atomicfile).
func ReadMetrics(dir string) ([]trainer.Epoch, error) {
	path := filepath.Join(dir, MetricsFile)
	b, err := regfile.ReadFile(path, maxRecordBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []trainer.Epoch
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e trainer.Epoch
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return out, fmt.Errorf("reading %s:%d: %w", path, n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// EncodeMetrics is metrics.jsonl's text for epochs: one JSON line each, a
// diverged loss written as null (trainer.Epoch's own encoding).
func EncodeMetrics(epochs []trainer.Epoch) []byte {
	var buf bytes.Buffer
	for _, e := range epochs {
		b, _ := json.Marshal(e) // numbers only, non-finite ones as null: cannot fail
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// StoredCell is a cell folder found in a results tree.
type StoredCell struct {
	Matrix  string
	Key     string
	Dir     string
	State   string   // an outcome, StateInFlight or StateCorrupt
	Summary *Summary // for the four outcomes
	Err     error    // why the summary is corrupt
	// Interrupted is set for an unfinished cell whose run was stopped by a
	// signal (InterruptedFile).
	Interrupted *Interruption
}

// ScanResults lists every cell folder under root, sorted by matrix then key.
// A missing root is an empty tree.
func ScanResults(root string) ([]StoredCell, error) {
	matrices, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading results %s: %w", root, err)
	}
	var out []StoredCell
	for _, m := range matrices {
		if !IsDirEntry(root, m) || !matrix.ValidName(m.Name()) {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(root, m.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading results %s: %w", root, err)
		}
		have := map[string]bool{}
		for _, e := range entries {
			if !IsDirEntry(filepath.Join(root, m.Name()), e) || !IsCellKey(e.Name()) {
				continue
			}
			dir := filepath.Join(root, m.Name(), e.Name())
			state, sum, err := CellState(dir)
			sc := StoredCell{Matrix: m.Name(), Key: e.Name(), Dir: dir, State: state, Summary: sum, Err: err}
			if state == StateInFlight {
				sc.Interrupted, _ = ReadInterrupted(dir)
			}
			out = append(out, sc)
			have[e.Name()] = true
		}
		out = append(out, stagedOnly(root, m.Name(), have)...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Matrix != out[j].Matrix {
			return out[i].Matrix < out[j].Matrix
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// IsDirEntry tells whether the entry e of folder parent is a folder, or a
// symlink to one: what the runner sees, since it opens paths (which follow
// links). Every reader of a tree (status, export, merge, report) lists
// folders with it, so all of them see the cells the runner wrote.
func IsDirEntry(parent string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(filepath.Join(parent, e.Name()))
	return err == nil && info.IsDir()
}

// stagedOnly lists the cells of a matrix that are staged (running, or left
// by a killed or interrupted run) and not published: in flight, their Dir
// the staging folder.
func stagedOnly(root, matrixName string, have map[string]bool) []StoredCell {
	base := filepath.Join(root, matrixName, StagingDir)
	tokens, _ := readDirNames(base)
	var out []StoredCell
	for _, tok := range tokens {
		keys, _ := readDirNames(filepath.Join(base, tok))
		for _, key := range keys {
			if !IsCellKey(key) || have[key] {
				continue
			}
			have[key] = true
			dir := StagedDir(CellDir(root, matrixName, key))
			if dir == "" {
				continue
			}
			sc := StoredCell{Matrix: matrixName, Key: key, Dir: dir, State: StateInFlight}
			sc.Interrupted, _ = ReadInterrupted(dir)
			out = append(out, sc)
		}
	}
	return out
}

// MatrixRecord is a matrix's matrix.json: what the matrix is and which cells
// each profile it was run with has, so status can count pending cells and
// reports can label cells without the TOML file.
type MatrixRecord struct {
	Name        string                  `json:"name"`
	Description string                  `json:"description"`
	Exercise    string                  `json:"exercise,omitempty"`
	File        string                  `json:"file"`
	Axes        []string                `json:"axes"`
	Profiles    map[string][]CellRecord `json:"profiles"`
}

// CellRecord is one planned cell of a MatrixRecord.
type CellRecord struct {
	Key    string         `json:"key"`
	Params []matrix.Param `json:"params"`
}

// ReadMatrixRecord reads <root>/<matrix>/matrix.json; a missing one is nil, nil.
func ReadMatrixRecord(root, name string) (*MatrixRecord, error) {
	path := filepath.Join(root, name, MatrixFile)
	b, err := regfile.ReadFile(path, maxRecordBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var r MatrixRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &r, nil
}

// WriteMatrixRecord records m's cells for profile, keeping other profiles'.
func WriteMatrixRecord(root string, m *matrix.Matrix, profile string) error {
	rec, err := ReadMatrixRecord(root, m.Name)
	if err != nil || rec == nil {
		rec = &MatrixRecord{} // a corrupt record is rewritten: it is derived data
	}
	rec.Name, rec.Description, rec.Exercise, rec.File, rec.Axes = m.Name, m.Description, m.Exercise, m.File, m.Axes
	if rec.Axes == nil {
		rec.Axes = []string{}
	}
	if rec.Profiles == nil {
		rec.Profiles = map[string][]CellRecord{}
	}
	var cells []CellRecord
	for _, c := range m.Cells(profile) {
		params := c.Params
		if params == nil {
			params = []matrix.Param{}
		}
		cells = append(cells, CellRecord{Key: c.Key, Params: params})
	}
	rec.Profiles[profile] = cells
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, m.Name), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(root, m.Name, MatrixFile), append(b, '\n'))
}

// readDirNames lists the names in dir (a missing dir is empty).
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}
