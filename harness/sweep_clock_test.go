package harness

import (
	"testing"
	"time"

	"alexbench/harness/config"
)

// d2l's AlexNet at 224 for 10 epochs is ~4·10^15 FLOPs (the reason a CPU run
// takes a day or more); LeNet on 28×28 is thousands of times less.
func TestCellFLOPsOrdersRunsBySize(t *testing.T) {
	alex, err := CellFLOPs(config.MustDefault("alexnet"))
	if err != nil {
		t.Fatal(err)
	}
	lenet, err := CellFLOPs(config.MustDefault("lenet"))
	if err != nil {
		t.Fatal(err)
	}
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

func TestSweepClockExtrapolatesFromFinishedCells(t *testing.T) {
	small := config.MustDefault("lenet")
	small.Epochs = 1
	big := small
	big.Epochs = 3 // three times the FLOPs
	var s SweepClock
	s.Start([]config.Config{small, big})
	if _, ok := s.ETA(); ok {
		t.Fatal("an ETA before any cell finished")
	}
	s.Done(small, 10*time.Second)
	eta, ok := s.ETA()
	if !ok || eta < 29*time.Second || eta > 31*time.Second {
		t.Fatalf("ETA %v (%v), want 30 s: the 3× bigger cell at the first one's speed", eta, ok)
	}
	s.Done(big, 30*time.Second)
	if eta, _ := s.ETA(); eta != 0 {
		t.Errorf("ETA after every cell: %v", eta)
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
