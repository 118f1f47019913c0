package results

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// A cell is written in a private staging folder and published whole, so a
// runner whose claim was taken over — stopped past the timeout, then resumed
// — has nowhere to write: it still writes into its own staging folder, which
// nobody publishes, never into the published cell.
//
// The staging folder of a run is <matrix>/.staging/<token>/<key>/, token
// being the claim's (its holder's random ID): the trainer, the sampler and
// the metrics writer all write there, and its base name is still the key.
// PublishCell renames it to <matrix>/<key> with the summary already inside.
// rename(2) of a folder onto a non-empty folder fails, atomically, on local
// filesystems and NFS alike, so of two runners publishing one cell exactly
// one wins, and a published folder is never written again: nothing else
// writes under <matrix>/<key>.

// StagingDir is the folder in each matrix folder where cells are written
// before they are published. Like every name starting with a dot it is no
// cell: status, export, merge and reports read it only to list cells in
// flight.
const StagingDir = ".staging"

// StageDir is the staging folder of a run of the cell under a claim token.
func StageDir(root, matrixName, key, token string) string {
	return filepath.Join(root, matrixName, StagingDir, token, key)
}

// NewStage makes a run's staging folder, after moving every other staging
// folder of the same cell out of the way: only the claim holder calls it,
// so those belong to runners that were killed or lost the claim, and none
// of them may ever be published.
func NewStage(root, matrixName, key, token string) (string, error) {
	if err := ClearStages(root, matrixName, key, token); err != nil {
		return "", err
	}
	stage := StageDir(root, matrixName, key, token)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return "", fmt.Errorf("staging %s/%s: %w", matrixName, key, err)
	}
	return stage, nil
}

// ClearStages removes the cell's staging folders except keep's (a token;
// "" keeps none). Each is first renamed to a trash name, atomically, and
// only then removed: a stalled runner that resumes and publishes its
// folder in the same instant either wins the rename (and its folder is
// published whole) or finds its folder gone, and a removal never follows a
// folder into the published cell.
func ClearStages(root, matrixName, key, keep string) error {
	base := filepath.Join(root, matrixName, StagingDir)
	removeTrash(base)
	for _, stage := range stagesOf(base, key) {
		if filepath.Base(filepath.Dir(stage)) == keep {
			continue
		}
		trash := filepath.Join(base, trashPrefix+randomName())
		if err := os.Rename(stage, trash); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // published or cleared meanwhile
			}
			return fmt.Errorf("clearing the stale staging folder %s: %w", stage, err)
		}
		if err := os.RemoveAll(trash); err != nil {
			return fmt.Errorf("clearing the stale staging folder %s: %w", stage, err)
		}
		os.Remove(filepath.Dir(stage)) // the token's folder, if now empty
	}
	return nil
}

// trashPrefix names a staging folder renamed on its way to removal.
const trashPrefix = ".trash-"

// removeTrash removes the trash folders a killed runner left half-removed.
// Nothing ever renames a trash folder, so removing one — even while
// another runner removes it too — can never reach into a published cell.
func removeTrash(base string) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), trashPrefix) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}

// RemoveStage removes a run's own staging folder that is not to be
// published (its claim was lost, or the cell published by another runner):
// renamed to a trash name first, as in ClearStages.
func RemoveStage(stage string) {
	base := filepath.Dir(filepath.Dir(stage))
	trash := filepath.Join(base, trashPrefix+randomName())
	if os.Rename(stage, trash) == nil {
		os.RemoveAll(trash)
	}
	os.Remove(filepath.Dir(stage))
}

// stagesOf lists the staging folders of key under base, newest first.
func stagesOf(base, key string) []string {
	tokens, err := os.ReadDir(base)
	if err != nil {
		return nil
	}
	type staged struct {
		dir string
		mod int64
	}
	var found []staged
	for _, tok := range tokens {
		dir := filepath.Join(base, tok.Name(), key)
		if info, err := os.Lstat(dir); err == nil && info.IsDir() {
			found = append(found, staged{dir, info.ModTime().UnixNano()})
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].mod > found[j].mod })
	out := make([]string, len(found))
	for i, s := range found {
		out[i] = s.dir
	}
	return out
}

// StagedDir is the newest staging folder of the cell whose published folder
// would be dir, or "" when it has none: a run in progress, or one that was
// killed or interrupted (its interrupted.json is there).
func StagedDir(dir string) string {
	if s := stagesOf(filepath.Join(filepath.Dir(dir), StagingDir), filepath.Base(dir)); len(s) > 0 {
		return s[0]
	}
	return ""
}

// PublishCell publishes the staging folder stage, which already holds
// summary.json, as the cell folder dir, in one rename. If dir holds a
// summary already it returns an error matching ErrPublished and dir is
// untouched. An unfinished folder left at dir by an older alexbench (which
// wrote cells in place) is moved out of the way first. If stage is gone —
// another runner took the claim over and cleared it — the error matches
// fs.ErrNotExist.
func PublishCell(stage, dir string) error {
	for tries := 0; ; tries++ {
		err := os.Rename(stage, dir)
		if err == nil {
			os.Remove(filepath.Dir(stage)) // the token's folder, now empty
			return nil
		}
		if !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("publishing %s: %w", dir, err)
		}
		if _, serr := os.Lstat(filepath.Join(dir, SummaryFile)); serr == nil || !errors.Is(serr, fs.ErrNotExist) || tries > 0 {
			return fmt.Errorf("publishing %s: %w", dir, ErrPublished)
		}
		// No summary: an unfinished folder, which nothing can publish onto
		// (a rename onto a non-empty folder fails), so moving it away
		// cannot take a finished result with it.
		trash := filepath.Join(filepath.Dir(stage), "..", trashPrefix+randomName())
		if err := os.Rename(dir, trash); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("publishing %s: moving the unfinished folder there away: %w", dir, err)
		}
		os.RemoveAll(trash)
	}
}

func randomName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
