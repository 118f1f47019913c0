package harness

import (
	"testing"
	"time"

	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/harness/matrix"
)

func TestSweepClockExtrapolatesFromFinishedCells(t *testing.T) {
	small := config.MustDefault("lenet")
	small.Epochs = 1
	big := small
	big.Epochs = 3 // three times the FLOPs
	sm, bg := specOf(t, small), specOf(t, big)
	var s SweepClock
	s.Start(sm, bg)
	if _, ok := s.ETA(); ok {
		t.Fatal("an ETA before any cell finished")
	}
	s.Done(sm, 10*time.Second)
	eta, ok := s.ETA()
	if !ok || eta < 29*time.Second || eta > 31*time.Second {
		t.Fatalf("ETA %v (%v), want 30 s: the 3× bigger cell at the first one's speed", eta, ok)
	}
	s.Done(bg, 30*time.Second)
	if eta, _ := s.ETA(); eta != 0 {
		t.Errorf("ETA after every cell: %v", eta)
	}
}

// specOf is cfg resolved as a quick cell.
func specOf(t testing.TB, cfg config.Config) *cellspec.Spec {
	t.Helper()
	s, err := cellspec.New(cfg, matrix.ProfileQuick)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
