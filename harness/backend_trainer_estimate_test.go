package harness

import (
	"testing"

	"alexbench/harness/config"
	"alexbench/harness/cost"
)

// On SimpleGo the real estimator answers for d2l's AlexNet at 224 (days of
// FLOPs) with a measured speed, and not for a small LeNet cell.
func TestTrainerEstimatesBigCPUCellsOnly(t *testing.T) {
	tr := &BackendTrainer{}
	alex := config.MustDefault("alexnet")
	alex.Backend = "go"
	est, ok := tr.Estimate(specOf(t, alex))
	if !ok || !(est.FLOPsPerSec > 0) || est.FLOPs < cost.EstimateFloor || est.Duration().Hours() < 1 {
		t.Fatalf("AlexNet at 224 on SimpleGo: %v, %v; want an estimate over an hour", est, ok)
	}
	lenet := config.MustDefault("lenet")
	lenet.Backend, lenet.TrainLimit = "go", 512
	if est, ok := tr.Estimate(specOf(t, lenet)); ok {
		t.Errorf("a 512-image LeNet cell was estimated: %v", est)
	}
}
