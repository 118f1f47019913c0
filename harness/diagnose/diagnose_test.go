package diagnose

import (
	"math"
	"strings"
	"testing"

	"alexbench/harness/config"
)

func TestIsNearChance(t *testing.T) {
	for acc, want := range map[float64]bool{0.05: true, 0.10: true, 0.15: true, 0.151: false, 0.049: false, 0.8: false} {
		if got := IsNearChance(acc, Chance); got != want {
			t.Errorf("IsNearChance(%v) = %v", acc, got)
		}
	}
	if IsNearChance(math.NaN(), Chance) {
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

// A run whose loss never left the loss of guessing never learned, even when
// a noisy test accuracy crossed the near-chance band (exercise 8's lr ×10
// run ended at loss 2.33 with test acc 0.186).
func TestNeverLearnedReadsTheLoss(t *testing.T) {
	cfg, err := config.Default("alexnet")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		acc, loss float64
		want      bool
	}{
		{0.186, 2.33, true},
		{0.186, 2.30, false},
		{0.12, 0.5, true},
		{0.80, 0.4, false},
		{0.80, math.NaN(), false},
	} {
		if got := NeverLearned(c.acc, c.loss, Chance); got != c.want {
			t.Errorf("NeverLearned(%g, %g) = %v, want %v", c.acc, c.loss, got, c.want)
		}
		_, ok := Check(Run{Config: cfg, Outcome: "done", TestAcc: c.acc, TrainAcc: c.acc, TrainLoss: c.loss})
		if ok != c.want {
			t.Errorf("Check(acc %g, loss %g) found %v, want %v", c.acc, c.loss, ok, c.want)
		}
	}
	f, _ := Check(Run{Config: cfg, Outcome: "done", TestAcc: 0.186, TrainAcc: 0.2, TrainLoss: 2.33})
	if !strings.Contains(f.What, "ln 10") {
		t.Errorf("finding %q does not say why", f.What)
	}
}

// Chance is the test images' majority-class rate when the run recorded it
// (test_majority_rate), and the finding names it; a summary without it (an
// older tree) falls back to 0.10.
func TestChanceIsTheTestMajorityRate(t *testing.T) {
	cfg := config.MustDefault("alexnet")
	for _, tc := range []struct {
		name     string
		majority float64
		acc      float64
		near     bool
		what     string // the finding's What when near
	}{
		{"0.14 is near a majority rate of 0.13", 0.13, 0.14, true, "test acc 0.140 is within 0.05 of chance (0.13, the test images' majority-class rate)"},
		{"0.19 is near 0.14", 0.14, 0.19, true, "test acc 0.190 is within 0.05 of chance (0.14, the test images' majority-class rate)"},
		{"0.16 is not near 0.10", 0.10, 0.16, false, ""},
		{"0.10 recorded", 0.10, 0.12, true, "test acc 0.120 is within 0.05 of chance (0.10, the test images' majority-class rate)"},
		{"0.19 is not near 0.13", 0.13, 0.19, false, ""},
		{"no rate: 0.10", 0, 0.14, true, "test acc 0.140 is within 0.05 of chance (0.10)"},
		{"no rate: 0.16 is not near", 0, 0.16, false, ""},
		{"NaN rate: 0.10", math.NaN(), 0.14, true, "test acc 0.140 is within 0.05 of chance (0.10)"},
	} {
		r := Run{Config: cfg, Outcome: "done", TestAcc: tc.acc, TrainAcc: 0.9, TrainLoss: 0.3, TestMajorityRate: tc.majority}
		f, ok := Check(r)
		if ok != tc.near || NeverLearned(tc.acc, 0.3, r.Chance()) != tc.near {
			t.Errorf("%s: Check found %v (%q), want %v", tc.name, ok, f.What, tc.near)
			continue
		}
		if ok && (f.Kind != KindNearChance || f.What != tc.what) {
			t.Errorf("%s: %s %q, want %q", tc.name, f.Kind, f.What, tc.what)
		}
	}
}

// In a report the rate is compared with the one the run's own experiment
// trains at, never with a registry default the experiment did not use:
// exercise 6 trains AlexNet at lr 0.1 (the registry's is 0.01), so its
// fixed-rate runs at batch 1024 are blamed on their 8 steps, its linearly
// scaled ones on their rate against the experiment's 0.1; exercise 8's
// lr ×10 breaker is 10× its control's.
func TestCheckComparesWithTheExperimentsRate(t *testing.T) {
	fixed := config.MustDefault("alexnet")
	fixed.LR, fixed.BatchSize, fixed.Epochs, fixed.TrainLimit = 0.1, 1024, 2, 4096
	scaled := fixed
	scaled.LRScaling, scaled.LRRefBatch = "linear", 64 // lr 1.6
	ex6 := &Baseline{LR: 0.1, What: "most alexnet relu runs of this section train at"}
	breaker := config.MustDefault("alexnet")
	breaker.LR, breaker.BatchSize, breaker.Epochs, breaker.TrainLimit = 0.5, 32, 10, 256
	ex8 := &Baseline{LR: 0.05, What: "most alexnet relu runs of this section train at"}
	for _, tc := range []struct {
		name      string
		run       Run
		want, not string
	}{
		{"the experiment's own rate", Run{Config: fixed, Outcome: "done", TestAcc: 0.1, TrainAcc: 0.1, Baseline: ex6},
			"too few steps (8: 2 epochs of 4096 images at batch 1024) to learn", "10×"},
		{"scaled from the experiment's rate", Run{Config: scaled, Outcome: "done", TestAcc: 0.1, TrainAcc: 0.1, Baseline: ex6},
			"lr 1.6 (lr 0.1 scaled linearly to batch 1024) is 16× above the 0.1 most alexnet relu runs of this section train at (trained 8 steps)", "default"},
		{"a breaker's rate against its control's", Run{Config: breaker, Outcome: "diverged", DivergedEpoch: 6, Baseline: ex8},
			"lr 0.5 is 10× above the 0.05 most alexnet relu runs of this section train at; lower it", "default"},
		{"no one rate to compare with", Run{Config: fixed, Outcome: "done", TestAcc: 0.1, TrainAcc: 0.1, Baseline: &Baseline{}},
			"too few steps (8", "×"},
		{"train's own run: the registry default", Run{Config: fixed, Outcome: "done", TestAcc: 0.1, TrainAcc: 0.1},
			"lr 0.1 is 10× above the 0.01 alexnet relu trains at by default (trained 8 steps)", "section"},
	} {
		f, ok := Check(tc.run)
		if !ok || !strings.Contains(f.String(), tc.want) || strings.Contains(f.Cause, tc.not) {
			t.Errorf("%s: %v %q, want %q without %q", tc.name, ok, f, tc.want, tc.not)
		}
	}
}
