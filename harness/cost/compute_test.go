package cost

import (
	"testing"
	"time"
)

// d2l's AlexNet at 224 for 10 epochs is ~4·10^15 FLOPs (the reason a CPU run
// takes a day or more); LeNet on 28×28 is thousands of times less.
func TestComputeOrdersRunsBySize(t *testing.T) {
	alex := ComputeOf(mustBuild(t, "alexnet"), 0, 0, 10).FLOPs()
	lenet := ComputeOf(mustBuild(t, "lenet"), 0, 0, 10).FLOPs()
	if alex < 1e15 || alex > 1e17 {
		t.Errorf("AlexNet 224, 10 epochs: %.3g FLOPs, want 1e15..1e17", alex)
	}
	if alex < 1000*lenet {
		t.Errorf("AlexNet %.3g FLOPs vs LeNet %.3g: want ≥ 1000×", alex, lenet)
	}
	e := Estimate{FLOPs: alex, FLOPsPerSec: 50e9}
	if d := e.Duration(); d < 10*time.Hour {
		t.Errorf("at 50 GFLOP/s AlexNet takes %v, want over 10 h", d)
	}
}

// A limit of 0 is the whole split; the cost is linear in epochs and examples.
func TestComputeLimitsAndEpochs(t *testing.T) {
	m := mustBuild(t, "lenet")
	for _, tc := range []struct {
		train, test, epochs int
		wantTrain, wantTest int
	}{
		{0, 0, 1, 60000, 10000},
		{512, 256, 2, 512, 256},
	} {
		c := ComputeOf(m, tc.train, tc.test, tc.epochs)
		if c.TrainExamples != tc.wantTrain || c.TestExamples != tc.wantTest || c.Epochs != tc.epochs {
			t.Errorf("ComputeOf(%d, %d, %d) = %+v", tc.train, tc.test, tc.epochs, c)
		}
		want := float64(m.MACs()) * float64(tc.epochs) * float64(3*tc.wantTrain+tc.wantTest)
		if c.MACs() != want || c.FLOPs() != 2*want {
			t.Errorf("ComputeOf(%d, %d, %d): %g MACs, %g FLOPs; want %g and twice that", tc.train, tc.test, tc.epochs, c.MACs(), c.FLOPs(), want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		42 * time.Second: "42 s", 17 * time.Minute: "17 min", 210 * time.Minute: "3.5 h", 60 * time.Hour: "2.5 days",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
