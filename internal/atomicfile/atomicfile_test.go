package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	for _, content := range []string{"first\n", "second, longer\n"} {
		if err := Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	assertOnlyFile(t, dir, "summary.json")
}

// A failed write leaves the old file as it was and no temp file behind.
func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.jsonl")
	if err := Write(path, []byte("kept\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteWith(path, func(w *bufio.Writer) error {
		w.WriteString("half a line")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "kept\n" {
		t.Errorf("old file now %q", got)
	}
	assertOnlyFile(t, dir, "metrics.jsonl")
}

func TestMissingFolderIsAnErrorNamingThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "file")
	if err := Write(path, nil); err == nil {
		t.Fatal("no error")
	} else if want := "writing " + path; err.Error()[:len(want)] != want {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only %s", names, name)
	}
}
