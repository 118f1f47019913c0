package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/data"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/nvml"
)

// A real CPU sweep, cnn28 then LeNet, in one process: LeNet's peak RSS must
// be its own, not the high-water mark cnn28 left (the kernel keeps VmHWM for
// the process's lifetime; the sampler resets it before each cell).
func TestCPUSweepRecordsEachCellsOwnPeakRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	if _, err := data.Load(data.Options{}); err != nil {
		t.Skipf("no Fashion-MNIST here: %v", err)
	}
	src := `name = "rss-sweep"
description = "cnn28 then LeNet: each cell's own peak"
[fixed]
backend = "go"
epochs = 1
train_limit = 512
test_limit = 256
batch_size = 256
[axes]
model = ["cnn28", "lenet"]
`
	m, err := matrix.Parse("rss-sweep.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	s := NewSampler()
	defer s.Close()
	r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: &BackendTrainer{}, Sampler: s}
	if _, err := r.Run(context.Background(), []*matrix.Matrix{m}); err != nil {
		t.Fatal(err)
	}
	peaks := map[string]float64{}
	for _, c := range m.Cells(matrix.ProfileQuick) {
		sum, err := results.ReadSummary(results.CellDir(root, m.Name, c.Key))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Outcome != "done" || sum.Memory == nil {
			t.Fatalf("%s: %s %s, memory %v", c.Config.Model, sum.Outcome, sum.Error, sum.Memory)
		}
		if sum.Memory.Method != nvml.MethodRSS {
			t.Skipf("sampled by %s, not RSS (a GPU machine)", sum.Memory.Method)
		}
		if !strings.Contains(sum.Memory.RSSReason, "reset at Start") {
			t.Skipf("VmHWM cannot be reset here: %s", sum.Memory.RSSReason)
		}
		peaks[c.Config.Model] = float64(sum.Memory.PeakMiB)
	}
	t.Logf("peak RSS: cnn28 %.0f MiB, then lenet %.0f MiB", peaks["cnn28"], peaks["lenet"])
	if !(peaks["lenet"] > 0 && peaks["lenet"] < 0.8*peaks["cnn28"]) {
		t.Errorf("LeNet's peak %.0f MiB is not its own: cnn28 before it peaked at %.0f MiB", peaks["lenet"], peaks["cnn28"])
	}
	if _, err := os.Stat(filepath.Join(root, m.Name, results.MatrixFile)); err != nil {
		t.Error(err)
	}
}
