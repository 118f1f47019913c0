package results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"alexbench/harness/trainer"
	"alexbench/internal/atomicfile"
	"alexbench/internal/regfile"
)

// MergeReport says what Merge did, cell by cell ("matrix/key").
type MergeReport struct {
	Copied    []string // new in the destination
	Replaced  []string // a failed / oom / unfinished destination cell replaced by a finished one
	Same      []string // already there, byte-identical
	Kept      []string // the destination's result is better (finished vs failed) or both failed
	Unfinish  []string // source cells without a readable summary: not copied
	Conflicts []string // both finished (done or diverged) but different: nothing was copied
}

// Merge copies the finished cells of the src results trees into dst (sharded
// runs on machines without a shared filesystem each make a tree). A cell dst
// lacks, or has only failed / oom / unfinished, is copied (the old folder moved
// aside to .replaced); one that both have finished and that differs is a
// conflict, and if there is any conflict Merge copies nothing and returns an
// error listing them. matrix.json records are merged too.
func Merge(dst string, srcs []string, now time.Time) (*MergeReport, error) {
	return MergeContext(context.Background(), dst, srcs, now)
}

// MergeContext is Merge, stopped between files when ctx is cancelled (a
// signal): the cell being copied is removed from its temp folder, the cells
// already copied stay, and the error wraps ctx's. A later merge copies the
// rest, and removes any temp folder a killed merge left (it holds the lock
// exclusively, so no other merge is writing one).
func MergeContext(ctx context.Context, dst string, srcs []string, now time.Time) (*MergeReport, error) {
	lock, err := LockResults(dst, Exclusive)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	removeMergeTemps(dst)

	type step struct {
		src    StoredCell
		action string // copy | replace
	}
	rep := &MergeReport{}
	var steps []step
	// planned: what dst will hold for a cell once earlier steps ran, so two
	// sources with different results for one cell conflict too.
	planned := map[string]StoredCell{}
	for _, src := range srcs {
		// A missing source is named as such before anything compares it with
		// dst (two missing folders would otherwise look like one).
		if _, err := os.Stat(src); err != nil {
			return nil, fmt.Errorf("merge: source %w", err)
		}
		// The same folder by device and inode (another path to it, a
		// symlink); two folders that merely hold the same files are not.
		if sameFolder(src, dst) {
			return nil, fmt.Errorf("merge: source %s is the destination", src)
		}
		cells, err := ScanResults(src)
		if err != nil {
			return nil, err
		}
		for _, sc := range cells {
			id := sc.Matrix + "/" + sc.Key
			if sc.Summary == nil {
				rep.Unfinish = append(rep.Unfinish, fmt.Sprintf("%s (%s in %s)", id, sc.State, src))
				continue
			}
			have, ok := planned[id]
			if !ok {
				dir := CellDir(dst, sc.Matrix, sc.Key)
				state, sum, err := CellState(dir)
				have = StoredCell{Matrix: sc.Matrix, Key: sc.Key, Dir: dir, State: state, Summary: sum, Err: err}
			}
			action := ""
			switch {
			case have.State == StatePending:
				action = "copy"
				rep.Copied = append(rep.Copied, id)
			case have.Summary == nil: // in flight or corrupt: nothing finished to lose
				action = "replace"
				rep.Replaced = append(rep.Replaced, id)
			default:
				same, err := sameDir(have.Dir, sc.Dir)
				if err != nil {
					return nil, err
				}
				switch {
				case same:
					rep.Same = append(rep.Same, id)
				case finished(have.State) && finished(sc.State):
					rep.Conflicts = append(rep.Conflicts, fmt.Sprintf("%s: %s (%s) and %s (%s) differ",
						id, have.Dir, have.State, sc.Dir, sc.State))
				case finished(sc.State):
					action = "replace"
					rep.Replaced = append(rep.Replaced, id)
				default:
					rep.Kept = append(rep.Kept, id)
				}
			}
			if action != "" {
				steps = append(steps, step{sc, action})
				planned[id] = sc
			}
		}
	}
	if len(rep.Conflicts) > 0 {
		return rep, fmt.Errorf("merge: %d cells finished differently in two trees, nothing copied:\n  %s",
			len(rep.Conflicts), strings.Join(rep.Conflicts, "\n  "))
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		dir := CellDir(dst, st.src.Matrix, st.src.Key)
		if st.action == "replace" {
			state, _, _ := CellState(dir)
			if err := ClearForRun(dir, state, now); err != nil {
				return rep, err
			}
		}
		if err := copyCell(ctx, st.src.Dir, dir); err != nil {
			return rep, err
		}
	}
	for _, src := range srcs {
		if err := mergeMatrixRecords(dst, src); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// finished: a result worth keeping (a failure or OOM may go away on a rerun).
func finished(state string) bool {
	return state == trainer.OutcomeDone || state == trainer.OutcomeDiverged
}

// mergeTempPrefix names the temp folder a cell is copied into before its
// rename into place.
const mergeTempPrefix = ".merge-"

// removeMergeTemps removes the temp folders an interrupted or killed merge
// left in dst's matrix folders.
func removeMergeTemps(dst string) {
	for _, m := range dirNames(dst) {
		entries, _ := os.ReadDir(filepath.Join(dst, m))
		for _, e := range entries {
			if e.IsDir() && strings.HasPrefix(e.Name(), mergeTempPrefix) {
				os.RemoveAll(filepath.Join(dst, m, e.Name()))
			}
		}
	}
}

// copyCell copies a cell folder into place: into a temp folder next to it,
// then one rename, so dst never holds half a cell. Folders and files keep
// their modes (a report job running as another user must read them); a
// symlinked file is copied as the file it points to, and one that points
// to no regular file is an error naming it, never skipped.
func copyCell(ctx context.Context, src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), mergeTempPrefix+filepath.Base(dst)+"-*")
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(tmp, rel)
		info, err := os.Stat(path) // follows a symlink: what it points to is copied
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if d.IsDir() {
			if rel != "." {
				if err := os.Mkdir(target, 0o700); err != nil {
					return err
				}
			}
			return os.Chmod(target, info.Mode().Perm())
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil // temp files a killed writer left are not results
		}
		if !info.Mode().IsRegular() {
			return &regfile.NotRegularError{Path: path, Found: regfile.Describe(path, info.Mode())}
		}
		return copyFile(ctx, path, target, info.Mode().Perm())
	})
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return nil
}

func copyFile(ctx context.Context, src, dst string, perm fs.FileMode) error {
	// regfile makes sure the open finds a regular file too (a FIFO swapped
	// in meanwhile would block the merge).
	in, err := regfile.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, regfile.Reader(ctx, in)); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(perm); err != nil { // the umask narrowed it
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sameFolder tells whether a and b are one folder (by device and inode).
func sameFolder(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

// sameDir tells whether two cell folders hold the same files (a symlink as
// what it points to) with the same bytes, temp files left by a kill aside.
// Two paths to one folder are the same. Files are compared as streams, in
// bounded memory, whatever their size.
func sameDir(a, b string) (bool, error) {
	if sameFolder(a, b) {
		return true, nil
	}
	fa, err := listFiles(a)
	if err != nil {
		return false, err
	}
	fb, err := listFiles(b)
	if err != nil {
		return false, err
	}
	if len(fa) != len(fb) {
		return false, nil
	}
	for i := range fa {
		if fa[i] != fb[i] {
			return false, nil
		}
		same, err := sameFile(filepath.Join(a, fa[i]), filepath.Join(b, fb[i]))
		if err != nil || !same {
			return false, err
		}
	}
	return true, nil
}

// sameFile compares two regular files' bytes a block at a time.
func sameFile(a, b string) (bool, error) {
	fa, err := regfile.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := regfile.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	sa, err1 := fa.Stat()
	sb, err2 := fb.Stat()
	if err := errors.Join(err1, err2); err != nil {
		return false, err
	}
	if sa.Size() != sb.Size() {
		return false, nil
	}
	const block = 64 << 10
	ba, bb := make([]byte, block), make([]byte, block)
	for {
		na, erra := io.ReadFull(fa, ba)
		nb, errb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA := erra == io.EOF || erra == io.ErrUnexpectedEOF
		endB := errb == io.EOF || errb == io.ErrUnexpectedEOF
		switch {
		case endA && endB:
			return true, nil
		case endA != endB:
			return false, nil
		case erra != nil:
			return false, fmt.Errorf("reading %s: %w", a, erra)
		case errb != nil:
			return false, fmt.Errorf("reading %s: %w", b, errb)
		}
	}
}

// listFiles lists a cell folder's files (regular, or symlinks to regular
// ones: what copyCell copies), temp files aside.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	sort.Strings(out)
	return out, err
}

// mergeMatrixRecords adds src's planned cells to dst's matrix.json records.
func mergeMatrixRecords(dst, src string) error {
	names, err := listMatrixRecords(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		s, err := ReadMatrixRecord(src, name)
		if err != nil || s == nil {
			continue
		}
		d, err := ReadMatrixRecord(dst, name)
		if err != nil || d == nil {
			d = &MatrixRecord{Name: s.Name, Description: s.Description, Exercise: s.Exercise, File: s.File,
				Axes: s.Axes, Profiles: map[string][]CellRecord{}}
		}
		if d.Profiles == nil {
			d.Profiles = map[string][]CellRecord{}
		}
		for profile, cells := range s.Profiles {
			have := map[string]bool{}
			for _, c := range d.Profiles[profile] {
				have[c.Key] = true
			}
			for _, c := range cells {
				if !have[c.Key] {
					d.Profiles[profile] = append(d.Profiles[profile], c)
				}
			}
		}
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, name), 0o755); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dst, name, MatrixFile), append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}
