package main

import (
	"fmt"
	"io"
	"time"

	"alexbench/harness"
	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/harness/cost"
)

// longRun is where train stops to ask: beyond it a run on a CPU is a mistake
// more often than a plan (d2l's AlexNet at 224 takes days there).
const longRun = time.Hour

// confirmLongRun prints, for a run on a CPU, its estimated time from the
// model's FLOPs and the backend's measured speed, and refuses one over
// longRun unless yes is set. A GPU run is not estimated.
func confirmLongRun(cell *cellspec.Spec, yes bool, log io.Writer) error {
	cfg := cell.Config
	if onGPU(cfg.Backend) {
		return nil
	}
	flops := cell.Compute.FLOPs()
	if flops < cost.EstimateFloor { // too small to matter, as for run
		return nil
	}
	be, _, err := backend.Open(cfg.Backend)
	if err != nil {
		return nil // the run reports it, with discovery's reasons
	}
	speed, err := harness.MeasureFLOPs(be)
	if err != nil {
		fmt.Fprintf(log, "estimate: %v\n", err)
		return nil
	}
	est := cost.Estimate{FLOPs: flops, FLOPsPerSec: speed}
	fmt.Fprintf(log, "estimate: %s %s on this CPU: %s\n", cfg.Model, runShape(cfg), est)
	if est.Duration() > longRun && !yes {
		return fmt.Errorf("this run would take at least %s on a CPU; pass --yes to run it anyway, "+
			"or make it smaller (--resize, --train-limit, --epochs) or run it on a GPU (--backend xla:cuda)",
			cost.FormatDuration(est.Duration()))
	}
	return nil
}

func runShape(cfg config.Config) string {
	limit := "all"
	if cfg.TrainLimit > 0 {
		limit = fmt.Sprint(cfg.TrainLimit)
	}
	return fmt.Sprintf("at %d×%d, %d epochs of %s training examples", cfg.Resize, cfg.Resize, cfg.Epochs, limit)
}

// onGPU tells whether spec resolves to a GPU backend (auto does when a GPU
// and a CUDA plugin are found).
func onGPU(spec string) bool {
	switch spec {
	case "xla:cuda":
		return true
	case "auto":
		return harness.GPUAvailable()
	}
	return false
}
