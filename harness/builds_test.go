package harness

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"

	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/fastcpu"
	"alexbench/internal/switches"
	"alexbench/models"
)

// fashionMNIST is the dataset's folder, or the test is skipped.
func fashionMNIST(t *testing.T) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("ALEXBENCH_DATA"), "/work/shared/data/fashion-mnist", "/usr/share/datasets/fashion-mnist", "../data/fashion-mnist"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(dir + "/train-images-idx3-ubyte.gz"); err == nil {
			return dir
		}
		if _, err := os.Stat(dir + "/train-images-idx3-ubyte"); err == nil {
			return dir
		}
	}
	t.Skip("Fashion-MNIST not found (set ALEXBENCH_DATA)")
	return ""
}

// buildsMatrix is three small LeNet cells on SimpleGo: a real sweep that
// trains in seconds.
const buildsMatrix = `name = "builds"
description = "three small LeNet cells, to count model builds"
exercise = "7"
seeds = 1
[fixed]
model = "lenet"
backend = "go"
epochs = 1
train_limit = 128
test_limit = 64
batch_size = 64
[axes]
activation = ["sigmoid", "relu"]
pool = ["avg", "max"]
[[exclude]]
activation = "sigmoid"
pool = "max"
`

// A real sweep (SimpleGo, the real dataset, a CPU estimate and memory
// admission on, so every step that needs a cell's layers runs) builds each
// cell's layers once, when the matrix is loaded: validation, the plan's cost,
// the sweep clock, admission, the estimate, the trainer and the summary's
// memory model all use the cell's spec. And each summary.json says what ran
// the cell: the backend whole, with the CPU kernels, the conv1 form and the
// switches.
func TestLayersAreBuiltOncePerCell(t *testing.T) {
	dataDir := fashionMNIST(t)
	before := models.Builds()
	m, err := matrix.Parse("builds.toml", []byte(buildsMatrix))
	if err != nil {
		t.Fatal(err)
	}
	// Loading resolves every cell of every profile, once each.
	cells, cpu, full := m.Cells(matrix.ProfileQuick), m.Cells(matrix.ProfileCPU), m.Cells(matrix.ProfileFull)
	if len(cells) != 3 || len(cpu) != 3 || len(full) != 3 {
		t.Fatalf("%d quick, %d cpu and %d full cells, want 3 each", len(cells), len(cpu), len(full))
	}
	if n := models.Builds() - before; n != int64(len(cells)+len(cpu)+len(full)) {
		t.Errorf("loading %d cells built layers %d times, want once each", len(cells)+len(cpu)+len(full), n)
	}
	before = models.Builds()
	tr := &BackendTrainer{DataDir: dataDir}
	r := &Runner{Results: t.TempDir(), Profile: matrix.ProfileQuick, Trainer: tr, Jobs: 2, Admission: Admission{CapacityMiB: 1 << 20},
		Versions: results.Versions{Go: "go-test"}}
	rep, err := r.Run(context.Background(), []*matrix.Matrix{m})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != len(cells) || rep.Outcomes[trainer.OutcomeDone] != len(cells) {
		t.Fatalf("report %+v, want %d cells done", rep, len(cells))
	}
	// Running them builds nothing more (the trainer's graph is built from
	// the spec's layers).
	if n := models.Builds() - before; n != 0 {
		t.Errorf("running %d cells built layers %d more times, want none", len(cells), n)
	}
	for _, c := range cells {
		s, err := results.ReadSummary(results.CellDir(r.Results, m.Name, c.Key))
		if err != nil {
			t.Fatal(err)
		}
		bi := s.BackendInfo
		if bi == nil || bi.Name != "go (SimpleGo)" || bi.CPUKernels != fastcpu.Status() || !strings.HasPrefix(bi.CPUKernels, "fastcpu") ||
			s.Backend != bi.Name || s.Device != bi.Device {
			t.Errorf("%s: backend %q on %q, backend_info %+v; want SimpleGo with fastcpu's status %q", c.Key, s.Backend, s.Device, bi, fastcpu.Status())
		}
		if s.Conv1 != models.Conv1Strided || s.Switches == nil || *s.Switches != switches.Current() {
			t.Errorf("%s: conv1 %q, switches %+v; want strided and the process's", c.Key, s.Conv1, s.Switches)
		}
		if s.MemoryModel == nil || *s.MemoryModel != *c.Memory {
			t.Errorf("%s: memory model %+v, want the cell's %+v", c.Key, s.MemoryModel, c.Memory)
		}
		// What its times can be trusted for: the median steady step, the
		// machine's cores and how busy it was.
		if s.StepMillisMedian <= 0 || s.CPUs != runtime.GOMAXPROCS(0) || s.Load1Max <= 0 {
			t.Errorf("%s: step median %v ms, %d CPUs, load %v", c.Key, s.StepMillisMedian, s.CPUs, s.Load1Max)
		}
	}
}
