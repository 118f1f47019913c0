package profile

import (
	"fmt"

	"alexbench/models"
)

// The figures d2l's exercises 1.3, 2 and 3 are answered from, computed from
// one profile File (the report turns them into sentences).

// Pass is which measured time of a layer a figure uses.
type Pass string

const (
	Training  Pass = "training"  // FwdBwdMs: forward + backward
	Inference Pass = "inference" // InferMs: forward with training off
)

func (p Pass) ms(l Layer) float64 {
	if p == Inference {
		return l.InferMs
	}
	return l.FwdBwdMs
}

// rooflineMs is the least time the roofline allows l's pass on f's device:
// its FLOPs at the peak or its bytes at the bandwidth, whichever is longer.
// The training pass does the forward and backward FLOPs and moves about three
// times the forward's bytes (the forward's, then dy in and dx, dW out of the
// same sizes); its bound is taken to be the forward's, as E4 classifies it.
func rooflineMs(f *File, l Layer, p Pass) float64 {
	c := f.Ceilings
	if c.PeakFLOPs <= 0 || c.PeakBytesPerS <= 0 {
		return 0
	}
	flops, bytes := float64(l.FwdFLOPs), float64(l.MinBytes)
	if p == Training {
		flops, bytes = float64(l.FwdFLOPs+l.BwdFLOPs), 3*bytes
	}
	return 1000 * max(flops/c.PeakFLOPs, bytes/c.PeakBytesPerS)
}

// LaunchBound tells whether l's pass is shorter, on the roofline, than the
// device's cost of running any graph (Ceilings.LaunchMs): then neither more
// FLOP/s nor more bandwidth shortens it; only fusing it into its neighbours
// or a cheaper launch would.
func LaunchBound(f *File, l Layer, p Pass) bool {
	return f.Ceilings.LaunchMs > 0 && p.ms(l) > 0 && rooflineMs(f, l, p) < f.Ceilings.LaunchMs
}

// Chip is what a chip twice as fast in one resource would save of one
// measured pass, under the model: a layer's time halves with 2× compute if
// it is compute-bound, with 2× bandwidth if memory-bound (Layer.Bound), and
// stays as it is if it is launch-bound (LaunchBound) or unclassified.
type Chip struct {
	Pass  Pass
	Batch int
	// Measured times, summed over the layers, split by what bounds them.
	TotalMs, ComputeMs, MemoryMs, LaunchMs, OtherMs float64
	// Layers counted in each part.
	Compute, Memory, Launch []string
}

// Compute2xSaves and Bandwidth2xSaves are the fractions of TotalMs saved.
func (c Chip) Compute2xSaves() float64   { return frac(c.ComputeMs/2, c.TotalMs) }
func (c Chip) Bandwidth2xSaves() float64 { return frac(c.MemoryMs/2, c.TotalMs) }

// LaunchShare is the fraction of TotalMs spent in launch-bound layers.
func (c Chip) LaunchShare() float64 { return frac(c.LaunchMs, c.TotalMs) }

func frac(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// ChipFor splits f's measured pass by bound. ok is false when the pass was
// not measured or the ceilings are missing (no layer can be classified).
func ChipFor(f *File, p Pass) (c Chip, ok bool) {
	c = Chip{Pass: p, Batch: f.Batch}
	if f.Ceilings.Ridge() <= 0 {
		return c, false
	}
	for _, l := range f.Layers {
		t := p.ms(l)
		if t <= 0 {
			continue
		}
		c.TotalMs += t
		switch {
		case LaunchBound(f, l, p):
			c.LaunchMs += t
			c.Launch = append(c.Launch, l.Name)
		case l.Bound == "compute":
			c.ComputeMs += t
			c.Compute = append(c.Compute, l.Name)
		case l.Bound == "memory":
			c.MemoryMs += t
			c.Memory = append(c.Memory, l.Name)
		default:
			c.OtherMs += t
		}
	}
	return c, c.TotalMs > 0
}

// StepPeakFraction is the FLOP/s of f's whole train step, summed layer by
// layer ((forward + backward FLOPs) / Σ FwdBwdMs), over the measured peak.
// 0 when not measured.
func StepPeakFraction(f *File) float64 {
	if f.Totals.FwdBwdMs <= 0 || f.Ceilings.PeakFLOPs <= 0 {
		return 0
	}
	rate := float64(f.Totals.FwdFLOPs+f.Totals.BwdFLOPs) / (f.Totals.FwdBwdMs / 1000)
	return rate / f.Ceilings.PeakFLOPs
}

// Cost is one model configuration's FLOPs per example, as the profile counts them.
type Cost struct {
	FwdFLOPs, TrainFLOPs int64 // forward; forward + backward
	Params               int64
}

// CostOf counts model name built with opts (a cell's own knobs, so a scaled
// AlexNet is counted as what it is).
func CostOf(name string, opts models.Options) (Cost, error) {
	m, err := models.Build(name, opts)
	if err != nil {
		return Cost{}, err
	}
	_, tot, err := Compute(m, 1)
	if err != nil {
		return Cost{}, fmt.Errorf("counting %s: %w", name, err)
	}
	return Cost{FwdFLOPs: tot.FwdFLOPs, TrainFLOPs: tot.FwdFLOPs + tot.BwdFLOPs, Params: tot.Params}, nil
}
