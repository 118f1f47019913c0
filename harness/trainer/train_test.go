package trainer

import (
	stdctx "context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/config"
)

func goBackend(t testing.TB) backends.Backend {
	t.Helper()
	be, err := backends.NewWithConfig("go:" + backend.SimpleGoConfig)
	if err != nil {
		t.Fatal(err)
	}
	return be
}

func tinyLeNet() config.Config {
	cfg := config.MustDefault("lenet")
	cfg.Activation, cfg.Pool, cfg.LR = "relu", "max", 0.2
	cfg.Epochs, cfg.BatchSize, cfg.TrainLimit, cfg.TestLimit = 3, 64, 2048, 256
	return cfg
}

// LeNet learns Fashion-MNIST well above chance (0.10) in three short epochs, and
// reports d2l's per-epoch metrics as data.
func TestLeNetLearns(t *testing.T) {
	set := loadRealData(t)
	var seen []Epoch
	firstSteps, epochsAtFirstStep := 0, -1
	dir := t.TempDir()
	res, err := Train(stdctx.Background(), specOf(t, tinyLeNet()), Options{
		Backend: goBackend(t), Info: backend.Info{Name: "go"}, Data: set, ArtifactsDir: dir,
		Hooks: Hooks{
			OnEpoch:     func(e Epoch) { seen = append(seen, e) },
			OnFirstStep: func() { firstSteps++; epochsAtFirstStep = len(seen) },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeDone {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
	}
	if len(res.Epochs) != 3 || len(seen) != 3 {
		t.Fatalf("got %d epochs (%d callbacks), want 3", len(res.Epochs), len(seen))
	}
	if firstSteps != 1 || epochsAtFirstStep != 0 {
		t.Errorf("OnFirstStep called %d times, after %d epochs; want once, before the first epoch ends", firstSteps, epochsAtFirstStep)
	}
	f := res.Final()
	if f.TestAcc < 0.6 || f.TrainAcc < 0.5 {
		t.Errorf("final train acc %.3f, test acc %.3f: not learning", f.TrainAcc, f.TestAcc)
	}
	if !(res.Epochs[2].TrainLoss < res.Epochs[0].TrainLoss) {
		t.Errorf("train loss did not fall: %v", res.Epochs)
	}
	if f.ExamplesPerSec <= 0 || res.FirstStepSeconds <= 0 || res.Params != 61706 {
		t.Errorf("bookkeeping: %+v", res)
	}
	// Timing that reproduces: the median steady step, in the mean's range
	// (CPU steps are synchronous), and the machine's load and cores.
	if res.StepMillisMedian <= 0 || res.StepMillisMedian > 3*res.StepMillis || res.CPUs != runtime.GOMAXPROCS(0) {
		t.Errorf("step median %.3f ms (mean %.3f), CPUs %d", res.StepMillisMedian, res.StepMillis, res.CPUs)
	}
	if _, err := os.Stat("/proc/loadavg"); err == nil && res.Load1Max <= 0 {
		t.Errorf("load not sampled: %v", res.Load1Max)
	}
	for _, name := range []string{FiltersPNG, ActivationsPNG} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() < 100 {
			t.Errorf("artifact %s: %v", name, err)
		}
	}
}

// Same seed, same numbers (CPU); another seed, other numbers.
func TestDeterministic(t *testing.T) {
	set := loadRealData(t)
	be := goBackend(t)
	cfg := tinyLeNet()
	cfg.Epochs, cfg.TrainLimit = 1, 512
	run := func(seed int64) Epoch {
		c := cfg
		c.Seed = seed
		res, err := Train(stdctx.Background(), specOf(t, c), Options{Backend: be, Data: set})
		if err != nil || res.Outcome != OutcomeDone {
			t.Fatalf("seed %d: %v %+v", seed, err, res)
		}
		return res.Final()
	}
	a, b, c := run(7), run(7), run(8)
	if a.TrainLoss != b.TrainLoss || a.TestAcc != b.TestAcc || a.TrainAcc != b.TrainAcc {
		t.Errorf("same seed differs: %+v vs %+v", a, b)
	}
	if a.TrainLoss == c.TrainLoss {
		t.Errorf("seeds 7 and 8 gave the same loss %v", a.TrainLoss)
	}
}

// A learning rate far too large makes the loss non-finite: the run stops with
// outcome diverged and names the epoch, instead of training on NaNs. Inputs
// are normalized: on raw ones lr 90 sometimes only kills every ReLU, leaving
// a finite loss (seeds 1, 2 and 5 on the stratified 512), while normalized
// ones diverged in epoch 1 for every seed tried (1–5).
func TestDivergenceStopsTheRun(t *testing.T) {
	set := loadRealData(t)
	cfg := tinyLeNet()
	cfg.LR, cfg.Epochs, cfg.TrainLimit, cfg.Normalize = 90, 3, 512, true
	res, err := Train(stdctx.Background(), specOf(t, cfg), Options{Backend: goBackend(t), Data: set})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeDiverged || res.DivergedEpoch != 1 || len(res.Epochs) != 1 {
		t.Fatalf("outcome %s at epoch %d after %d epochs (loss %v), want diverged in epoch 1",
			res.Outcome, res.DivergedEpoch, len(res.Epochs), res.Final().TrainLoss)
	}
	if l := res.Final().TrainLoss; !math.IsNaN(l) && !math.IsInf(l, 0) {
		t.Errorf("final loss %v is finite", l)
	}
}

// d2l's AlexNet at 224×224 takes SGD steps on CPU (batch 2) and lowers the loss
// on a repeated batch. Dropout is off so the loss is comparable step to step.
func TestAlexNet224StepOnCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("AlexNet@224 on CPU takes ~20 s")
	}
	set := loadRealData(t)
	cfg := config.MustDefault("alexnet")
	cfg.BatchSize, cfg.TrainLimit, cfg.Dropout, cfg.LR = 2, 2, 0, 0.01
	res, err := Bench(specOf(t, cfg), Options{Backend: goBackend(t), Data: set}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.LossLast < res.Loss0) {
		t.Errorf("loss %.4f → %.4f: did not fall", res.Loss0, res.LossLast)
	}
}

// What is missing before training is an error, not an outcome.
func TestMissingBackendIsAnErrorBeforeTraining(t *testing.T) {
	if _, err := Train(stdctx.Background(), specOf(t, tinyLeNet()), Options{Data: loadRealData(t)}); err == nil {
		t.Fatal("a run without a backend started")
	}
}

// specOf is cfg resolved as a quick cell (cellspec.New: validated, its
// layers built).
func specOf(t testing.TB, cfg config.Config) *cellspec.Spec {
	t.Helper()
	s, err := cellspec.New(cfg, "quick")
	if err != nil {
		t.Fatal(err)
	}
	return s
}
