package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// Two real LeNet cells trained at once on one SimpleGo backend (--jobs 2)
// learn exactly what they learn one after the other: the same seeds give
// the same losses and accuracies, epoch for epoch, and each summary records
// that the other cell trained beside it.
func TestRunJobsTwoGivesTheSequentialResults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four real cells")
	}
	dataDir := fashionMNIST(t)
	mfile := "../../testdata/matrices/good/cli-real.toml"
	trees := map[string]string{}
	for _, jobs := range []string{"1", "2"} {
		tree := filepath.Join(t.TempDir(), "results")
		var out, log bytes.Buffer
		logw = &log
		err := runRun([]string{mfile, "--results", tree, "--profile", "quick", "--data", dataDir, "--jobs", jobs}, &out)
		logw = os.Stderr
		if err != nil || !strings.Contains(out.String(), "ran 2 cells (2 done)") {
			t.Fatalf("--jobs %s: %v %q\n%s", jobs, err, out.String(), log.String())
		}
		if jobs == "2" && !strings.Contains(log.String(), "running up to 2 cells at once (no memory admission") {
			t.Errorf("--jobs 2 log has no packing line:\n%s", log.String())
		}
		trees[jobs] = tree
	}
	m, err := matrix.Load(mfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Cells(matrix.ProfileQuick) {
		seq, err1 := results.ReadMetrics(results.CellDir(trees["1"], m.Name, c.Key))
		par, err2 := results.ReadMetrics(results.CellDir(trees["2"], m.Name, c.Key))
		if err1 != nil || err2 != nil || len(seq) == 0 || len(seq) != len(par) {
			t.Fatalf("%s: metrics %d / %d lines (%v, %v)", c.Key, len(seq), len(par), err1, err2)
		}
		for i := range seq {
			a, b := seq[i], par[i]
			if a.TrainLoss != b.TrainLoss || a.TrainAcc != b.TrainAcc || a.TestAcc != b.TestAcc {
				t.Errorf("%s epoch %d: sequential loss %v acc %v/%v, packed %v %v/%v", c.Key, a.Epoch,
					a.TrainLoss, a.TrainAcc, a.TestAcc, b.TrainLoss, b.TrainAcc, b.TestAcc)
			}
		}
		s1, err1 := results.ReadSummary(results.CellDir(trees["1"], m.Name, c.Key))
		s2, err2 := results.ReadSummary(results.CellDir(trees["2"], m.Name, c.Key))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		// Both cells are admitted at once (no memory limit on a CPU), and a
		// one-epoch LeNet trains for far longer than a worker takes to start.
		if s1.PackedWith != 0 || s2.PackedWith != 1 {
			t.Errorf("%s: packed_with %d sequentially, %d with --jobs 2; want 0 and 1", c.Key, s1.PackedWith, s2.PackedWith)
		}
	}
}
