package results

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PublishCell publishes a staging folder whole, never onto a published cell,
// and moves an older alexbench's unfinished folder out of the way.
func TestPublishCell(t *testing.T) {
	const key = "0123456789abcdef"
	cases := []struct {
		name    string
		before  map[string]string // files already at the cell folder (nil: none)
		wantErr error
		want    string // summary.json's content afterwards
	}{
		{"nothing there", nil, nil, "ours"},
		{"published by another runner", map[string]string{SummaryFile: "theirs", MetricsFile: "theirs"}, ErrPublished, "theirs"},
		{"an unfinished folder", map[string]string{MetricsFile: "half", InterruptedFile: "{}"}, nil, "ours"},
		{"an empty folder", map[string]string{}, nil, "ours"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := CellDir(root, "m", key)
			if tc.before != nil {
				os.MkdirAll(dir, 0o755)
				for f, b := range tc.before {
					os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644)
				}
			}
			stage, err := NewStage(root, "m", key, "tok")
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(stage, SummaryFile), []byte("ours"), 0o644)
			err = PublishCell(stage, dir)
			if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("PublishCell: %v, want %v", err, tc.wantErr)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, SummaryFile)); string(b) != tc.want {
				t.Errorf("summary.json %q, want %q", b, tc.want)
			}
			if tc.wantErr != nil {
				if b, _ := os.ReadFile(filepath.Join(dir, MetricsFile)); string(b) != "theirs" {
					t.Errorf("the published cell's metrics became %q", b)
				}
				return
			}
			if _, err := os.Stat(filepath.Join(dir, MetricsFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the unfinished folder's files were kept: %v", err)
			}
			if left, _ := filepath.Glob(filepath.Join(root, "m", StagingDir, "*")); len(left) > 0 {
				t.Errorf("left in %s: %v", StagingDir, left)
			}
		})
	}
}

// A cell only staged — running, or left by a killed or interrupted run — is
// in flight for CellState and ScanResults, with its interruption marker;
// NewStage clears every other run's staging folder of the cell.
func TestStagedCellsAreInFlight(t *testing.T) {
	const key = "0123456789abcdef"
	root := t.TempDir()
	dir := CellDir(root, "m", key)
	old, err := NewStage(root, "m", key, "killed")
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteInterrupted(old, Interruption{Reason: "terminated signal received"}); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := CellState(dir); st != StateInFlight {
		t.Errorf("CellState: %s, want %s", st, StateInFlight)
	}
	if in, _ := ReadInterrupted(dir); in == nil || in.Reason != "terminated signal received" {
		t.Errorf("ReadInterrupted: %+v", in)
	}
	stored, _ := ScanResults(root)
	if len(stored) != 1 || stored[0].State != StateInFlight || stored[0].Interrupted == nil || stored[0].Key != key {
		t.Errorf("ScanResults: %+v", stored)
	}
	if _, err := NewStage(root, "m", key, "next"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the killed run's staging folder is still there: %v", err)
	}
}

// A staging folder a killed runner left half-removed (renamed to a trash
// name) is removed by the next run's temp cleaning.
func TestCleanTempsRemovesHalfRemovedStagingFolders(t *testing.T) {
	root := t.TempDir()
	trash := filepath.Join(root, "m", StagingDir, trashPrefix+"x")
	os.MkdirAll(trash, 0o755)
	os.WriteFile(filepath.Join(trash, MetricsFile), nil, 0o644)
	CleanTemps(root, StaleTempAge, time.Now())
	if _, err := os.Stat(trash); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is still there: %v", trash, err)
	}
}
