package trainer

import (
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
)

// BenchResult is a train-step benchmark: compile time and steady-state step
// time on one repeated batch (what torch benchmarks usually report).
type BenchResult struct {
	Model     string `json:"model"`
	Batch     int    `json:"batch"`
	Resize    int    `json:"resize"`
	Precision string `json:"precision"`
	// Backend is what ran it: name, device, allocator, XLA flags, CPU kernels.
	Backend          backend.Info `json:"backend"`
	FirstStepSeconds float64      `json:"first_step_s"`
	Steps            int          `json:"steps"`
	StepMillis       float64      `json:"step_ms"`
	ImagesPerSec     float64      `json:"img_per_s"`
	Loss0            float64      `json:"loss_first"`
	LossLast         float64      `json:"loss_last"`
}

// Bench compiles cell's train step, runs it once (timed: compile + first
// step), warms up, then times steps with one sync at the end.
func Bench(cell *cellspec.Spec, opts Options, steps int) (*BenchResult, error) {
	r, err := newRun(cell, opts)
	if err != nil {
		return nil, err
	}
	defer r.finalize()
	r.upload()
	r.step = context.MustNewExec(r.opts.Backend, r.mctx, trainStepFn(r.model, r.pipe, scheduleOf(r.cfg, r.cfg.Epochs*(r.train.N/r.batch))))
	idx := make([]int32, r.batch)
	for i := range idx {
		idx[i] = int32(i)
	}
	it := tensors.FromFlatDataAndDimensions(idx, r.batch)
	defer it.FinalizeAll()
	run := func() (float64, error) {
		out, err := r.step.Exec(r.trainX, r.trainY, it)
		if err != nil {
			return 0, err
		}
		defer out[0].FinalizeAll()
		return float64(tensors.ToScalar[float32](out[0])), nil
	}
	cfg := cell.Config
	res := &BenchResult{Model: cfg.Model, Batch: cfg.BatchSize, Resize: cfg.Resize, Precision: cfg.Precision,
		Backend: opts.Info, Steps: steps}
	t0 := time.Now()
	if res.Loss0, err = run(); err != nil {
		return nil, err
	}
	res.FirstStepSeconds = time.Since(t0).Seconds()
	for i := 0; i < min(3, steps); i++ { // warm-up
		if _, err := run(); err != nil {
			return nil, err
		}
	}
	t1 := time.Now()
	for i := 0; i < steps; i++ {
		out, err := r.step.Exec(r.trainX, r.trainY, it)
		if err != nil {
			return nil, err
		}
		if i == steps-1 {
			res.LossLast = float64(tensors.ToScalar[float32](out[0])) // syncs
		}
		out[0].FinalizeAll()
	}
	sec := time.Since(t1).Seconds()
	res.StepMillis = 1000 * sec / float64(steps)
	res.ImagesPerSec = float64(steps*r.batch) / sec
	return res, nil
}
