package harness

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"

	"alexbench/harness/config"
	"alexbench/harness/profile"
	"alexbench/harness/shardplan"
)

// CellFLOPs is what a cell computes, in FLOPs: two per multiply-add of the
// shardplan cost (a train example ≈ three forward passes, a test example one,
// every epoch).
func CellFLOPs(cfg config.Config) (float64, error) {
	e, err := shardplan.CellEstimate(cfg)
	if err != nil {
		return 0, err
	}
	return 2 * e.Cost(), nil
}

// MeasureFLOPs is the backend's measured speed: the median FLOP/s of a
// 1024² float32 matmul (about a second on a CPU). A cell's steps run below
// it, so estimates from it are lower bounds.
func MeasureFLOPs(be backends.Backend) (float64, error) {
	c, err := profile.MeasureCeilings(be, profile.DefaultCeilingSizes(false), profile.Timing{Warmup: 1, Runs: 3})
	if err != nil {
		return 0, fmt.Errorf("measuring the backend's speed: %w", err)
	}
	if !(c.PeakFLOPs > 0) {
		return 0, fmt.Errorf("measuring the backend's speed: got %v FLOP/s", c.PeakFLOPs)
	}
	return c.PeakFLOPs, nil
}

// Estimate is how long some work should take at a measured speed.
type Estimate struct {
	FLOPs       float64
	FLOPsPerSec float64
}

// Duration is FLOPs at FLOPsPerSec (0 when the speed is unknown).
func (e Estimate) Duration() time.Duration {
	if !(e.FLOPsPerSec > 0) {
		return 0
	}
	// Saturate: a run longer than time.Duration holds (292 years) must not
	// wrap to a negative estimate that no "longer than an hour" test catches.
	if d := e.FLOPs / e.FLOPsPerSec * float64(time.Second); !(d < math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	} else {
		return time.Duration(d)
	}
}

func (e Estimate) String() string {
	return fmt.Sprintf("at least %s (%.3g TFLOP at the backend's measured %.3g GFLOP/s matmul speed)",
		FormatDuration(e.Duration()), e.FLOPs/1e12, e.FLOPsPerSec/1e9)
}

// SweepClock is a sweep's ETA from the cells measured so far: the seconds
// per FLOP of the finished cells, times the FLOPs left. The runner calls
// Start with every cell it will run, Done after each one, and logs ETA.
type SweepClock struct {
	// Parallel is how many cells run at once (Runner.Jobs): their wall
	// times overlap, so the summed cell time is divided by it (0 or 1: one).
	Parallel  int
	leftFLOPs float64
	doneFLOPs float64
	doneTime  time.Duration
}

// Start records the cells still to run.
func (s *SweepClock) Start(cells []config.Config) {
	for _, c := range cells {
		if f, err := CellFLOPs(c); err == nil {
			s.leftFLOPs += f
		}
	}
}

// Done records one finished cell and how long it took.
func (s *SweepClock) Done(cfg config.Config, took time.Duration) {
	f, err := CellFLOPs(cfg)
	if err != nil {
		return
	}
	s.leftFLOPs = max(0, s.leftFLOPs-f)
	s.doneFLOPs += f
	s.doneTime += took
}

// Skip records a cell this runner will not time after all (another runner
// finished it, it was shared, or its claim was lost): its FLOPs are no
// longer left, and nothing is learned about the speed.
func (s *SweepClock) Skip(cfg config.Config) {
	if f, err := CellFLOPs(cfg); err == nil {
		s.leftFLOPs = max(0, s.leftFLOPs-f)
	}
}

// Suffix is "; sweep ETA 12 min" for the runner's per-cell line, or "" until
// a cell has been measured and once nothing is left.
func (s *SweepClock) Suffix() string {
	eta, ok := s.ETA()
	if !ok || s.leftFLOPs == 0 {
		return ""
	}
	return "; sweep ETA " + FormatDuration(eta)
}

// ETA is the time the remaining cells should take; ok is false until a cell
// has been measured.
func (s *SweepClock) ETA() (eta time.Duration, ok bool) {
	if s.doneFLOPs == 0 || s.doneTime <= 0 {
		return 0, false
	}
	return time.Duration(s.leftFLOPs / s.doneFLOPs * float64(s.doneTime) / float64(max(1, s.Parallel))), true
}

// EstimateFloor is the FLOPs below which a cell is not estimated: even a
// slow 2-core CPU (~20 GFLOP/s) finishes it within minutes.
const EstimateFloor = 1e13

// FormatDuration is a duration as people say it: "42 s", "17 min", "3.5 h", "2.1 days".
func FormatDuration(d time.Duration) string {
	switch s := d.Seconds(); {
	case s < 90:
		return fmt.Sprintf("%.0f s", s)
	case s < 90*60:
		return fmt.Sprintf("%.0f min", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%.1f h", s/3600)
	default:
		return fmt.Sprintf("%.1f days", s/86400)
	}
}
