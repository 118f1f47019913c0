package diagnose

import (
	"math"
	"strings"
	"testing"

	"alexbench/harness/config"
)

func TestIsNearChance(t *testing.T) {
	for acc, want := range map[float64]bool{0.05: true, 0.10: true, 0.15: true, 0.151: false, 0.049: false, 0.8: false} {
		if got := IsNearChance(acc); got != want {
			t.Errorf("IsNearChance(%v) = %v", acc, got)
		}
	}
	if IsNearChance(math.NaN()) {
		t.Error("NaN is not a measured accuracy")
	}
}

func TestCheckNamesTheCause(t *testing.T) {
	lenet := config.MustDefault("lenet")
	lenet.TrainLimit, lenet.BatchSize, lenet.Epochs = 2560, 64, 3
	if Steps(lenet) != 120 {
		t.Fatalf("steps %d, want 120", Steps(lenet))
	}
	scaled := config.MustDefault("alexnet")
	scaled.BatchSize, scaled.LRScaling, scaled.LRRefBatch = 1024, "linear", 64 // lr 0.01 × 16
	for _, tc := range []struct {
		name string
		run  Run
		want string // "" for no finding
	}{
		{"learned", Run{Config: lenet, Outcome: "done", TestAcc: 0.7, TrainAcc: 0.7}, ""},
		{"failed is not ours to diagnose", Run{Config: lenet, Outcome: "failed", TestAcc: math.NaN()}, ""},
		{"sigmoid plateau", Run{Config: lenet, Outcome: "done", TestAcc: 0.1, TrainAcc: 0.1}, "sigmoid activations sit on a plateau"},
		{"diverged under linear scaling", Run{Config: scaled, Outcome: "diverged", DivergedEpoch: 2}, "lr 0.16 (lr 0.01 scaled linearly to batch 1024) is 16× above the 0.01 alexnet relu trains at by default; lower it"},
	} {
		f, ok := Check(tc.run)
		if ok != (tc.want != "") || !strings.Contains(f.String(), tc.want) {
			t.Errorf("%s: %v %q, want %q", tc.name, ok, f, tc.want)
		}
	}
}
