package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
)

// finishedCell writes a real finished cell (config, two epochs, summary)
// with the package's own writers and returns its folder.
func finishedCell(t *testing.T, root, matrixName, key string) string {
	t.Helper()
	dir := CellDir(root, matrixName, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	epochs := []trainer.Epoch{{Epoch: 1, TrainLoss: 1, TrainAcc: 0.5, TestAcc: 0.5}, {Epoch: 2, TrainLoss: 0.5, TrainAcc: 0.7, TestAcc: 0.6}}
	if err := WriteConfig(dir, config.MustDefault("lenet")); err != nil {
		t.Fatal(err)
	}
	if err := WriteMetrics(dir, epochs); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(dir, &Summary{Matrix: matrixName, Key: key, Profile: "quick", Outcome: trainer.OutcomeDone, Final: epochs[1]}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A finished cell whose config.toml or metrics.jsonl was deleted is named
// by ReadCell (what the report's "files that could not be read" lists) and
// by export, instead of reading as a cell with no config or 0 epochs.
func TestDeletedFilesOfAFinishedCellAreNamed(t *testing.T) {
	for _, file := range []string{ConfigFile, MetricsFile} {
		t.Run(file, func(t *testing.T) {
			root := t.TempDir()
			dir := finishedCell(t, root, "m", "00000000000000aa")
			finishedCell(t, root, "m", "00000000000000bb")
			if err := os.Remove(filepath.Join(dir, file)); err != nil {
				t.Fatal(err)
			}
			c := ReadCell(dir)
			if len(c.Problems) != 1 || c.Problems[0].File != file ||
				!strings.Contains(c.Problems[0].Err.Error(), filepath.Join(dir, file)+": missing, but the cell finished") {
				t.Errorf("ReadCell problems %+v, want one naming %s", c.Problems, file)
			}
			rows, skipped, err := ExportRows(root)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0]["key"] != "00000000000000bb" || rows[0]["epochs_done"] != 2 {
				t.Errorf("export rows %v, want only the intact cell, with its 2 epochs", rows)
			}
			if len(skipped) != 1 || !strings.Contains(skipped[0], "m/00000000000000aa: ") || !strings.Contains(skipped[0], file) {
				t.Errorf("export skipped %q, want the damaged cell and its %s", skipped, file)
			}
		})
	}
	// An intact finished cell has no problems (the check is not always on).
	if c := ReadCell(finishedCell(t, t.TempDir(), "m", "00000000000000cc")); len(c.Problems) != 0 {
		t.Errorf("intact cell: %+v", c.Problems)
	}
}
