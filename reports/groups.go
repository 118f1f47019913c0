package reports

import (
	"alexbench/internal/stats"
	"math"
	"sort"

	"alexbench/harness/trainer"
)

// group is a matrix's cells that differ only by seed: one point of a plot.
type group struct {
	Matrix string // the matrix's folder
	Label  string
	Cells  []*Cell // all of them, whatever their outcome
	Done   []*Cell // those that finished with outcome done
}

// groups splits a matrix's cells by label, in the matrix's cell order.
func groups(m *Matrix) []*group {
	var out []*group
	byLabel := map[string]*group{}
	for _, c := range m.Cells {
		g := byLabel[c.Label]
		if g == nil {
			g = &group{Matrix: m.Folder, Label: c.Label}
			byLabel[c.Label] = g
			out = append(out, g)
		}
		g.Cells = append(g.Cells, c)
		if c.Done() {
			g.Done = append(g.Done, c)
		}
	}
	return out
}

// first returns the group's first cell with a config (for its knob values).
func (g *group) first() *Cell {
	for _, c := range g.Done {
		if c.ConfigOK {
			return c
		}
	}
	for _, c := range g.Cells {
		if c.ConfigOK {
			return c
		}
	}
	return g.Cells[0]
}

// stat is mean ± sd over a group's done seeds.
type stat struct {
	Mean, SD float64
	N        int
}

func statOf(xs []float64) stat {
	s := stats.Summarize(xs) // NaNs (cells that measured nothing) left out
	return stat{s.Mean, s.SD, s.N}
}

func (s stat) acc() string     { return fmtMeanSD(s.Mean, s.SD, s.N, fmtAcc) }
func (s stat) seconds() string { return fmtMeanSD(s.Mean, s.SD, s.N, fmtSeconds) }
func (s stat) rate() string    { return fmtMeanSD(s.Mean, s.SD, s.N, fmtRate) }

// over computes f on every done cell of the group.
func (g *group) over(f func(*Cell) float64) stat {
	xs := make([]float64, 0, len(g.Done))
	for _, c := range g.Done {
		xs = append(xs, f(c))
	}
	return statOf(xs)
}

func finalTestAcc(c *Cell) float64  { return c.final().TestAcc }
func finalTrainAcc(c *Cell) float64 { return c.final().TrainAcc }
func finalLoss(c *Cell) float64     { return c.final().TrainLoss }

// final is the summary's final epoch, or metrics.jsonl's last line.
func (c *Cell) final() trainer.Epoch {
	if c.Summary != nil && c.Summary.Final.Epoch > 0 {
		return c.Summary.Final
	}
	if len(c.Epochs) > 0 {
		return c.Epochs[len(c.Epochs)-1]
	}
	return trainer.Epoch{TrainLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN()}
}

// trainSeconds is the training time: the sum of the epochs' training seconds
// (evaluation excluded), else of their wall seconds, else the cell's wall time.
func trainSeconds(c *Cell) float64 {
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

// throughput is training examples/s, stats.Throughput of the cell's epochs
// (the median after the first, which pays for compilation: the same number
// compare and the nightly baselines use), or the summary's when the cell has
// no metrics lines.
func throughput(c *Cell) float64 {
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

func peakMiB(c *Cell) float64 {
	if c.Memory == nil || !c.Memory.PeakMiB.Valid() || c.Memory.PeakMiB <= 0 {
		return math.NaN()
	}
	return float64(c.Memory.PeakMiB)
}

// steadyPeakMiB is the peak after the first train step, NaN when not recorded.
func steadyPeakMiB(c *Cell) float64 {
	if c.Memory == nil || !c.Memory.SteadyPeakMiB.Valid() || c.Memory.SteadyPeakMiB <= 0 {
		return math.NaN()
	}
	return float64(c.Memory.SteadyPeakMiB)
}

// modelMiB is the analytic memory model's total for the cell, NaN without one.
func modelMiB(c *Cell) float64 {
	if c.Summary == nil || c.Summary.MemoryModel == nil || c.Summary.MemoryModel.TotalMiB <= 0 {
		return math.NaN()
	}
	return c.Summary.MemoryModel.TotalMiB
}

func params(c *Cell) float64 {
	if c.Summary == nil || c.Summary.Params <= 0 {
		return math.NaN()
	}
	return float64(c.Summary.Params)
}

// curve is a per-epoch mean ± sd over a group's done seeds, up to the last
// epoch every one of them reached; Lo and Hi are the 95 % CI of the mean
// (NaN below two seeds).
type curve struct {
	Epochs   []int
	Mean, SD []float64
	Lo, Hi   []float64
	N        int
}

// ciCurve is curve with the confidence interval filled in.
func (g *group) ciCurve(f func(trainer.Epoch) float64) curve {
	cv := g.curve(f)
	n := len(cv.Mean)
	cv.Lo, cv.Hi = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		xs := make([]float64, len(g.Done))
		for j, c := range g.Done {
			xs[j] = f(c.Epochs[i])
		}
		e := stats.Describe(xs)
		cv.Lo[i], cv.Hi[i] = e.Lo, e.Hi
	}
	return cv
}

func (g *group) curve(f func(trainer.Epoch) float64) curve {
	n := math.MaxInt
	for _, c := range g.Done {
		n = min(n, len(c.Epochs))
	}
	if len(g.Done) == 0 || n == 0 {
		return curve{}
	}
	cv := curve{N: len(g.Done)}
	for i := 0; i < n; i++ {
		xs := make([]float64, len(g.Done))
		for j, c := range g.Done {
			xs[j] = f(c.Epochs[i])
		}
		m, sd := stats.MeanSD(xs)
		cv.Epochs = append(cv.Epochs, g.Done[0].Epochs[i].Epoch)
		cv.Mean = append(cv.Mean, m)
		cv.SD = append(cv.SD, sd)
	}
	return cv
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
