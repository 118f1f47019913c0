package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

const mergeKey = "0123456789abcdef"

// mergeCell writes a done cell m/<mergeKey> into root, with files.
func mergeCell(t *testing.T, root string, files map[string]string) string {
	t.Helper()
	dir := CellDir(root, "m", mergeKey)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteSummary(dir, &Summary{Matrix: "m", Key: mergeKey, Outcome: "done"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A cell whose files are symlinks arrives with what they point to; a link
// to no regular file is an error naming it, never a silently empty cell.
func TestMergeCopiesSymlinkedFilesAsWhatTheyPointTo(t *testing.T) {
	cases := []struct {
		name    string
		target  func(t *testing.T, dir string) string
		wantErr string
	}{
		{"link to a file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "elsewhere.jsonl")
			os.WriteFile(p, []byte("{\"epoch\":1}\n"), 0o644)
			return p
		}, ""},
		{"dangling link", func(t *testing.T, dir string) string { return filepath.Join(dir, "gone") }, "no such file"},
		{"link to a device", func(t *testing.T, dir string) string { return "/dev/null" }, "expected a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			cell := mergeCell(t, src, nil)
			if err := os.Symlink(tc.target(t, t.TempDir()), filepath.Join(cell, MetricsFile)); err != nil {
				t.Fatal(err)
			}
			rep, err := Merge(dst, []string{src}, time.Now())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), MetricsFile) {
					t.Fatalf("Merge: %v, want an error naming %s (%q)", err, MetricsFile, tc.wantErr)
				}
				if _, err := os.Stat(CellDir(dst, "m", mergeKey)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the cell was copied anyway: %v", err)
				}
				return
			}
			if err != nil || len(rep.Copied) != 1 {
				t.Fatalf("Merge: %v %+v", err, rep)
			}
			b, err := os.ReadFile(filepath.Join(CellDir(dst, "m", mergeKey), MetricsFile))
			if err != nil || string(b) != "{\"epoch\":1}\n" {
				t.Errorf("merged metrics: %q, %v", b, err)
			}
			// Merging again finds the same cell: the symlink compares as its target.
			if rep, err := Merge(dst, []string{src}, time.Now()); err != nil || len(rep.Same) != 1 {
				t.Errorf("second merge: %v %+v", err, rep)
			}
		})
	}
}

// Merged folders and files keep the source's modes, whatever the umask and
// the temp folder's 0700: a report job running as another user reads them.
func TestMergeKeepsTheSourcesModes(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	src, dst := t.TempDir(), t.TempDir()
	cell := mergeCell(t, src, map[string]string{"filters.png": "png"})
	os.Chmod(cell, 0o755)
	os.Chmod(filepath.Join(cell, "filters.png"), 0o644)
	if _, err := Merge(dst, []string{src}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"": 0o755, "filters.png": 0o644} {
		info, err := os.Stat(filepath.Join(CellDir(dst, "m", mergeKey), name))
		if err != nil || info.Mode().Perm() != want {
			t.Errorf("%q: mode %v (%v), want %v", name, info.Mode().Perm(), err, want)
		}
	}
}

// A merge interrupted (its context cancelled) copies no half cell and says
// why; the temp folder a killed merge left is removed by the next merge.
func TestMergeInterruptedAndLeftovers(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	mergeCell(t, src, map[string]string{"filters.png": "png"})
	leftover := filepath.Join(dst, "m", mergeTempPrefix+mergeKey+"-123")
	os.MkdirAll(leftover, 0o700)
	os.WriteFile(filepath.Join(leftover, "half"), nil, 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MergeContext(ctx, dst, []string{src}, time.Now()); !errors.Is(err, context.Canceled) {
		t.Fatalf("MergeContext cancelled: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dst, "m", mergeTempPrefix+"*")); len(left) > 0 {
		t.Errorf("temp folders left: %v", left)
	}
	if _, err := os.Stat(CellDir(dst, "m", mergeKey)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled merge copied the cell: %v", err)
	}
	if rep, err := Merge(dst, []string{src}, time.Now()); err != nil || len(rep.Copied) != 1 {
		t.Errorf("the next merge: %v %+v", err, rep)
	}
}

// "The source is the destination" is said of one folder (by device and
// inode), never of two folders that hold the same files, or are both empty.
func TestMergeTellsTheSameFolderFromEqualContents(t *testing.T) {
	dst := t.TempDir()
	mergeCell(t, dst, map[string]string{"filters.png": "png"})
	twin := t.TempDir()
	mergeCell(t, twin, map[string]string{"filters.png": "png"})
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(dst, link)
	empty, emptyDst := t.TempDir(), t.TempDir()
	cases := []struct {
		name, src, dst string
		same           bool
	}{
		{"a symlink to the destination", link, dst, true},
		{"the destination itself", dst, dst, true},
		{"another tree with the same cells", twin, dst, false},
		{"an empty source into an empty tree", empty, emptyDst, false},
	}
	for _, tc := range cases {
		_, err := Merge(tc.dst, []string{tc.src}, time.Now())
		if said := err != nil && strings.Contains(err.Error(), "is the destination"); said != tc.same {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// Comparing a cell both trees hold streams the files: two 256 MiB files
// compare without reading either whole into memory.
func TestMergeComparesLargeFilesInBoundedMemory(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, root := range []string{src, dst} {
		cell := mergeCell(t, root, nil)
		f, err := os.Create(filepath.Join(cell, "nvml.csv"))
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(256 << 20) // sparse: no disk, same bytes
		f.Close()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep, err := Merge(dst, []string{src}, time.Now())
	runtime.ReadMemStats(&after)
	if err != nil || len(rep.Same) != 1 {
		t.Fatalf("Merge: %v %+v", err, rep)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("comparing two 256 MiB files allocated %d MiB", alloc>>20)
	}
}

// Every reader lists a symlinked matrix folder as the runner writes through it.
func TestScanResultsFollowsASymlinkedMatrixFolder(t *testing.T) {
	real, root := t.TempDir(), t.TempDir()
	mergeCell(t, real, nil)
	if err := os.Symlink(filepath.Join(real, "m"), filepath.Join(root, "m")); err != nil {
		t.Fatal(err)
	}
	stored, err := ScanResults(root)
	if err != nil || len(stored) != 1 || stored[0].State != "done" {
		t.Fatalf("ScanResults through a symlinked matrix folder: %+v, %v", stored, err)
	}
}
