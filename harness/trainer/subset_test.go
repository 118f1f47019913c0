package trainer

import (
	stdctx "context"
	"testing"

	"alexbench/data"
	"alexbench/harness/backend"
)

// A run on a limited test split records the subset rule and the subset's
// majority-class rate, its chance: exactly 0.10 for a stratified 1000 of the
// balanced test file (its first 1000 images would give 0.115).
func TestRunRecordsSubsetAndMajorityRate(t *testing.T) {
	set := loadRealData(t)
	cfg := tinyLeNet()
	cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 1, 256, 1000
	res, err := Train(stdctx.Background(), specOf(t, cfg), Options{Backend: goBackend(t), Info: backend.Info{Name: "go"}, Data: set})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeDone {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
	}
	if res.TestMajorityRate != 0.1 || res.Subset != data.SubsetRule {
		t.Errorf("test_majority_rate %v, subset %q; want 0.1, %q", res.TestMajorityRate, res.Subset, data.SubsetRule)
	}
}
