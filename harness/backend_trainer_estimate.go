package harness

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"

	"alexbench/harness/cellspec"
	"alexbench/harness/cost"
	"alexbench/harness/profile"
)

// Estimate makes BackendTrainer an Estimator: for a cell on a CPU big
// enough to matter (cost.EstimateFloor), its FLOPs at the backend's
// measured speed. The speed is measured once per backend (about a second)
// and only when a cell needs it; ok is false on a GPU, for small cells, and
// when the backend or the measurement fails (the cell itself reports those).
func (t *BackendTrainer) Estimate(cell *cellspec.Spec) (est cost.Estimate, ok bool) {
	flops := cell.Compute.FLOPs()
	if flops < cost.EstimateFloor {
		return cost.Estimate{}, false
	}
	spec := cell.Config.Backend
	ob, err := t.backend(spec)
	if err != nil || ob.info.IsGPU {
		return cost.Estimate{}, false
	}
	t.mu.Lock()
	speed, measured := t.speeds[spec]
	t.mu.Unlock()
	if !measured {
		if speed, err = MeasureFLOPs(ob.be); err != nil {
			speed = 0 // remembered: a backend that cannot be measured is not retried per cell
		}
		t.mu.Lock()
		if t.speeds == nil {
			t.speeds = map[string]float64{}
		}
		t.speeds[spec] = speed
		t.mu.Unlock()
	}
	if !(speed > 0) {
		return cost.Estimate{}, false
	}
	return cost.Estimate{FLOPs: flops, FLOPsPerSec: speed}, true
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
