package harness

import (
	"time"

	"alexbench/harness/cellspec"
	"alexbench/harness/cost"
)

// SweepClock is a sweep's ETA from the cells measured so far: the seconds
// per FLOP of the finished cells, times the FLOPs left (each cell's
// cellspec compute). The runner calls Start with every cell it will run,
// Done after each one, and logs ETA.
type SweepClock struct {
	// Parallel is how many cells run at once (Runner.Jobs): their wall
	// times overlap, so the summed cell time is divided by it (0 or 1: one).
	Parallel  int
	leftFLOPs float64
	doneFLOPs float64
	doneTime  time.Duration
}

// Start records the cells still to run.
func (s *SweepClock) Start(cells ...*cellspec.Spec) {
	for _, c := range cells {
		s.leftFLOPs += c.Compute.FLOPs()
	}
}

// Done records one finished cell and how long it took.
func (s *SweepClock) Done(cell *cellspec.Spec, took time.Duration) {
	f := cell.Compute.FLOPs()
	s.leftFLOPs = max(0, s.leftFLOPs-f)
	s.doneFLOPs += f
	s.doneTime += took
}

// Skip records a cell this runner will not time after all (another runner
// finished it, it was shared, or its claim was lost): its FLOPs are no
// longer left, and nothing is learned about the speed.
func (s *SweepClock) Skip(cell *cellspec.Spec) {
	s.leftFLOPs = max(0, s.leftFLOPs-cell.Compute.FLOPs())
}

// Suffix is "; sweep ETA 12 min" for the runner's per-cell line, or "" until
// a cell has been measured and once nothing is left.
func (s *SweepClock) Suffix() string {
	eta, ok := s.ETA()
	if !ok || s.leftFLOPs == 0 {
		return ""
	}
	return "; sweep ETA " + cost.FormatDuration(eta)
}

// ETA is the time the remaining cells should take; ok is false until a cell
// has been measured.
func (s *SweepClock) ETA() (eta time.Duration, ok bool) {
	if s.doneFLOPs == 0 || s.doneTime <= 0 {
		return 0, false
	}
	return time.Duration(s.leftFLOPs / s.doneFLOPs * float64(s.doneTime) / float64(max(1, s.Parallel))), true
}
