package harness

import (
	"alexbench/harness/config"
)

// Estimate is the runner's per-cell estimate (Runner.Estimate): for a cell
// on a CPU big enough to matter (EstimateFloor), its FLOPs at the backend's
// measured speed. The speed is measured once per backend (about a second)
// and only when a cell needs it; ok is false on a GPU, for small cells, and
// when the backend or the measurement fails (the cell itself reports those).
func (t *Trainer) Estimate(cfg config.Config) (est Estimate, ok bool) {
	flops, err := CellFLOPs(cfg)
	if err != nil || flops < EstimateFloor {
		return Estimate{}, false
	}
	ob, err := t.backend(cfg.Backend)
	if err != nil || ob.info.IsGPU {
		return Estimate{}, false
	}
	t.mu.Lock()
	speed, measured := t.speeds[cfg.Backend]
	t.mu.Unlock()
	if !measured {
		if speed, err = MeasureFLOPs(ob.be); err != nil {
			speed = 0 // remembered: a backend that cannot be measured is not retried per cell
		}
		t.mu.Lock()
		if t.speeds == nil {
			t.speeds = map[string]float64{}
		}
		t.speeds[cfg.Backend] = speed
		t.mu.Unlock()
	}
	if !(speed > 0) {
		return Estimate{}, false
	}
	return Estimate{FLOPs: flops, FLOPsPerSec: speed}, true
}
