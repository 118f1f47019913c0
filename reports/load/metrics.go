package load

import (
	"math"

	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// Final is the summary's final epoch, or metrics.jsonl's last line, or NaNs
// when the cell recorded neither.
func (c *Cell) Final() trainer.Epoch {
	if c.Summary != nil && c.Summary.Final.Epoch > 0 {
		return c.Summary.Final
	}
	if len(c.Epochs) > 0 {
		return c.Epochs[len(c.Epochs)-1]
	}
	return trainer.Epoch{TrainLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN()}
}

// TrainSeconds is the training time: the sum of the epochs' training seconds
// (evaluation excluded), else of their wall seconds, else the cell's wall
// time; NaN when none was recorded.
func (c *Cell) TrainSeconds() float64 {
	var train, epoch float64
	for _, e := range c.Epochs {
		train += e.TrainSeconds
		epoch += e.EpochSeconds
	}
	switch {
	case train > 0:
		return train
	case epoch > 0:
		return epoch
	case c.Summary != nil && c.Summary.WallSeconds > 0:
		return c.Summary.WallSeconds
	}
	return math.NaN()
}

// Throughput is training examples/s, stats.Throughput of the cell's epochs
// (the median after the first, which pays for compilation: the same number
// compare and the nightly baselines use), or the summary's when the cell has
// no metrics lines.
func (c *Cell) Throughput() float64 {
	if len(c.Epochs) == 0 {
		if c.Summary != nil && c.Summary.Final.ExamplesPerSec > 0 {
			return c.Summary.Final.ExamplesPerSec
		}
		return math.NaN()
	}
	rates := make([]float64, len(c.Epochs))
	for i, e := range c.Epochs {
		rates[i] = e.ExamplesPerSec
	}
	return stats.Throughput(rates)
}

// PeakMiB is NVML's peak device memory, NaN when not recorded.
func (c *Cell) PeakMiB() float64 {
	if c.Memory == nil || !c.Memory.PeakMiB.Valid() || c.Memory.PeakMiB <= 0 {
		return math.NaN()
	}
	return float64(c.Memory.PeakMiB)
}

// SteadyPeakMiB is the peak after the first train step, NaN when not recorded.
func (c *Cell) SteadyPeakMiB() float64 {
	if c.Memory == nil || !c.Memory.SteadyPeakMiB.Valid() || c.Memory.SteadyPeakMiB <= 0 {
		return math.NaN()
	}
	return float64(c.Memory.SteadyPeakMiB)
}

// ModelMiB is the analytic memory model's total for the cell, NaN without one.
func (c *Cell) ModelMiB() float64 {
	if c.Summary == nil || c.Summary.MemoryModel == nil || c.Summary.MemoryModel.TotalMiB <= 0 {
		return math.NaN()
	}
	return c.Summary.MemoryModel.TotalMiB
}

// ParamCount is the model's parameter count as the cell recorded it, NaN without one.
func (c *Cell) ParamCount() float64 {
	if c.Summary == nil || c.Summary.Params <= 0 {
		return math.NaN()
	}
	return float64(c.Summary.Params)
}
