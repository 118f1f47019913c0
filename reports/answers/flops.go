package answers

import (
	"fmt"
	"math"
	"sync"

	"alexbench/harness/config"
	"alexbench/harness/profile"
)

// A measured time holds only on the machine that measured it. Beside every
// timing comparison stands the ratio of the analytic FLOPs of the work it
// timed, so a time-cost question still gets an answer that holds on any
// machine: a 0.3× time at 0.3× the FLOPs is the FLOPs, a 0.3× time at 1×
// the FLOPs is the implementation.

// trainFLOPsPerImage is the analytic FLOPs (2 per multiply-add) of one
// training image through c's model, forward and backward; NaN when the
// model cannot be counted.
func trainFLOPsPerImage(c *Cell) float64 {
	if !c.ConfigOK {
		return math.NaN()
	}
	key := fmt.Sprintf("%s %+v", c.Config.Model, c.Config.Options)
	flopsCache.Lock()
	defer flopsCache.Unlock()
	if v, ok := flopsCache.m[key]; ok {
		return v
	}
	v := math.NaN()
	if cost, err := profile.CostOf(c.Config.Model, c.Config.Options); err == nil && cost.TrainFLOPs > 0 {
		v = float64(cost.TrainFLOPs)
	}
	flopsCache.m[key] = v
	return v
}

// flopsCache keeps each model's count: counting builds the model.
var flopsCache = struct {
	sync.Mutex
	m map[string]float64
}{m: map[string]float64{}}

// trainImages is how many training images a config's limit keeps (all
// 60000 without one).
func trainImages(c config.Config) int {
	if c.TrainLimit > 0 {
		return c.TrainLimit
	}
	return 60000
}

// stepsPerEpoch is how many steps one epoch takes: whole batches, as the
// trainer drops the last partial one (0 without a batch size).
func stepsPerEpoch(c config.Config) int {
	if c.BatchSize <= 0 {
		return 0
	}
	return trainImages(c) / c.BatchSize
}

// imagesPerEpoch is how many training images one of c's epochs steps
// through.
func imagesPerEpoch(c *Cell) float64 {
	if c.Config.BatchSize <= 0 {
		return float64(trainImages(c.Config))
	}
	return float64(stepsPerEpoch(c.Config) * c.Config.BatchSize)
}

// trainFLOPsTotal is the analytic FLOPs of all of c's training steps.
func trainFLOPsTotal(c *Cell) float64 {
	return trainFLOPsPerImage(c) * imagesPerEpoch(c) * float64(len(c.Epochs))
}

// trainFLOPsPerEpoch is the analytic FLOPs of one of c's epochs.
func trainFLOPsPerEpoch(c *Cell) float64 { return trainFLOPsPerImage(c) * imagesPerEpoch(c) }

// flopsRatio is the ratio of b's mean analytic FLOPs to a's under f (NaN
// when either side has none).
func flopsRatio(f func(*Cell) float64, a, b []*Cell) float64 {
	mean := func(cs []*Cell) float64 {
		s, n := 0.0, 0
		for _, c := range doneCells(cs) {
			if v := f(c); v > 0 && !math.IsInf(v, 0) {
				s, n = s+v, n+1
			}
		}
		if n == 0 {
			return math.NaN()
		}
		return s / float64(n)
	}
	return mean(b) / mean(a)
}

// flopsBeside is the sentence part a timing comparison carries: "analytic
// FLOPs 0.30×" ("" without a count).
func flopsBeside(c *Comparison) string {
	if c == nil || math.IsNaN(c.FLOPsRatio) || c.FLOPsRatio <= 0 {
		return ""
	}
	what := "analytic training FLOPs"
	if c.FLOPsPer != "" {
		what += " per " + c.FLOPsPer
	}
	return fmt.Sprintf("%s %s", what, fmtRatio(c.FLOPsRatio))
}
