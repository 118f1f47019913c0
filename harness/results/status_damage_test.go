package results

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// One matrix.json that cannot be read (bad JSON, a directory, a FIFO) does
// not stop status: the table still shows every matrix, and a line names it.
func TestStatusShowsTheTreeAroundAnUnreadableMatrixJSON(t *testing.T) {
	for name, damage := range map[string]func(t *testing.T, path string){
		"bad json":  func(t *testing.T, p string) { os.WriteFile(p, []byte("{not json"), 0o644) },
		"directory": func(t *testing.T, p string) { os.Mkdir(p, 0o755) },
		"fifo": func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			finishedCell(t, root, "good", "00000000000000aa")
			finishedCell(t, root, "hurt", "00000000000000bb")
			path := filepath.Join(root, "hurt", MatrixFile)
			damage(t, path)
			sts, err := Status(root)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			var b strings.Builder
			if err := WriteStatus(&b, sts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, want := range []string{"good", "hurt", "unreadable plan (hurt counted without it, pending cells unknown): reading " + path} {
				if !strings.Contains(out, want) {
					t.Errorf("status lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// A summary.json that is a FIFO or larger than any real one (a sparse
// 64 MiB + 1 file) is read without blocking or reading it through: status
// counts the cell corrupt and says what was found.
func TestStatusNamesASummaryThatIsNoRegularFileOrTooLarge(t *testing.T) {
	for name, tc := range map[string]struct {
		damage func(t *testing.T, path string)
		want   string
	}{
		"fifo": {func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "expected a regular file, found a FIFO"},
		"too large": {func(t *testing.T, p string) {
			if err := os.Truncate(p, maxRecordBytes+1); err != nil {
				t.Fatal(err)
			}
		}, "more than the 67108864 this file may have"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			finishedCell(t, root, "good", "00000000000000aa")
			dir := finishedCell(t, root, "good", "00000000000000bb")
			tc.damage(t, filepath.Join(dir, SummaryFile))
			sts, err := Status(root)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			var b strings.Builder
			if err := WriteStatus(&b, sts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, "corrupt (will be rerun): ") || !strings.Contains(out, tc.want) {
				t.Errorf("status does not name the damaged summary (%q):\n%s", tc.want, out)
			}
			counts := map[string]int{}
			for _, st := range sts {
				for state, n := range st.Counts {
					counts[state] += n
				}
			}
			if counts[StateCorrupt] != 1 || counts["done"] != 1 {
				t.Errorf("counts %v, want one done and one corrupt", counts)
			}
		})
	}
}
