package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"alexbench/internal/regfile"
	"alexbench/nvml"
)

// A FIFO (or a directory) where a cell's nvml.csv, PNG or interruption
// marker belongs is named as a problem of that file and the rest of the cell
// still loads; no read blocks (a plain read of a FIFO waits for a writer
// forever, which would hang the report). The same files as regular files load.
func TestReadCellNamesNonRegularOptionalFiles(t *testing.T) {
	root := t.TempDir()
	good := finishedCell(t, root, "m", "00000000000000aa")
	csv := "t_s,device,mem_used_mib,proc_mib\n0,0,100,10\n0.1,0,120,20\n"
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	for name, b := range map[string][]byte{nvml.CSVName: []byte(csv), Pictures[0].File: png, Pictures[1].File: png} {
		if err := os.WriteFile(filepath.Join(good, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c := ReadCell(good); len(c.Problems) != 0 || c.Timeline == nil || len(c.Pictures) != 2 {
		t.Fatalf("regular files: problems %v, timeline %v, %d pictures; want none, one, 2", c.Problems, c.Timeline != nil, len(c.Pictures))
	}

	bad := finishedCell(t, root, "m", "00000000000000bb")
	for _, name := range []string{nvml.CSVName, Pictures[0].File, InterruptedFile} {
		if err := syscall.Mkfifo(filepath.Join(bad, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(bad, Pictures[1].File), 0o755); err != nil {
		t.Fatal(err)
	}
	c := ReadCell(bad)
	found := map[string]string{}
	for _, p := range c.Problems {
		found[p.File] = p.Err.Error()
	}
	for name, want := range map[string]string{nvml.CSVName: "a FIFO", Pictures[0].File: "a FIFO", Pictures[1].File: "a directory"} {
		if !strings.Contains(found[name], want) {
			t.Errorf("problem for %s: %q, want one naming %s (all: %v)", name, found[name], want, c.Problems)
		}
	}
	if c.Summary == nil || len(c.Epochs) != 2 || !c.ConfigOK {
		t.Errorf("the rest of the cell did not load: summary %v, %d epochs, config %v", c.Summary != nil, len(c.Epochs), c.ConfigOK)
	}
	var nr *regfile.NotRegularError
	if in, err := ReadInterrupted(bad); in != nil || !errors.As(err, &nr) {
		t.Errorf("ReadInterrupted of a FIFO: %v, %v; want a NotRegularError", in, err)
	}
}
