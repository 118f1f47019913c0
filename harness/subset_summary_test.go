package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"alexbench/data"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// A real cell's summary.json says how its limits picked images and the test
// subset's majority-class rate: 0.1 for a stratified 1000 of the balanced
// test file (its first 1000 images would give 0.115).
func TestSummaryRecordsSubsetAndMajorityRate(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a real cell")
	}
	if _, err := data.Load(data.Options{}); err != nil {
		t.Skipf("real Fashion-MNIST not found (set %s): %v", data.EnvVar, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "subset-real.toml")
	const file = `name = "subset-real"
description = "One one-epoch LeNet tested on a stratified 1000 images."

[fixed]
model = "lenet"
activation = "relu"
pool = "max"
epochs = 1
batch_size = 64
train_limit = 256
test_limit = 1000
backend = "go"
`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	ms := []*matrix.Matrix{mustLoad(t, path)}
	tree := filepath.Join(dir, "results")
	r := &Runner{Results: tree, Profile: matrix.ProfileQuick, Trainer: &BackendTrainer{}}
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	cells := ms[0].Cells(matrix.ProfileQuick)
	if len(cells) != 1 {
		t.Fatalf("%d cells, want 1", len(cells))
	}
	s, err := results.ReadSummary(results.CellDir(tree, ms[0].Name, cells[0].Key))
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != "done" || s.TestMajorityRate != 0.1 || s.Subset != data.SubsetRule {
		t.Errorf("outcome %s, test_majority_rate %v, subset %q; want done, 0.1, %q", s.Outcome, s.TestMajorityRate, s.Subset, data.SubsetRule)
	}
}
