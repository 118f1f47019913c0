package answers

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

// finished are the group's cells that finished done or diverged: the
// runs an accuracy reads (value), at chance or diverged included.
func (g *group) finished() []*Cell { return finishedCells(g.Cells) }

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

func (s stat) rate() string { return fmtMeanSD(s.Mean, s.SD, s.N, fmtRate) }

// over computes f on every done cell of the group.
func (g *group) over(f func(*Cell) float64) stat {
	xs := make([]float64, 0, len(g.Done))
	for _, c := range g.Done {
		xs = append(xs, f(c))
	}
	return statOf(xs)
}

// The metrics most answers compare: final test accuracy (every finished
// run, at chance or diverged) and training time (a ratio; every run that
// finished done).
var (
	testAccMetric   = Metric{Name: "test_acc", Of: finalTestAcc}
	trainTimeMetric = Metric{Name: "time", Of: steadyTrainSeconds, Cost: true, Timing: true, Ratio: true, FLOPs: trainFLOPsTotal}
)

// steadyTrainSeconds is a cell's training time at its median steady-state
// step (the median step × the steps it trained), robust to a burst of
// other work; the measured training time where the cell recorded no
// median (older trees).
func steadyTrainSeconds(c *Cell) float64 {
	s := c.Summary
	if s == nil || s.StepMillisMedian <= 0 || !c.ConfigOK || c.Config.BatchSize <= 0 {
		return trainSeconds(c)
	}
	steps := len(c.Epochs) * stepsPerEpoch(c.Config)
	if steps <= 0 {
		return trainSeconds(c)
	}
	return s.StepMillisMedian / 1000 * float64(steps)
}

// steadyThroughput is training examples/s at the median steady-state step;
// the epochs' median rate where the cell recorded no median.
func steadyThroughput(c *Cell) float64 {
	if s := c.Summary; s != nil && s.StepMillisMedian > 0 && c.ConfigOK && c.Config.BatchSize > 0 {
		return float64(c.Config.BatchSize) / (s.StepMillisMedian / 1000)
	}
	return throughput(c)
}

func finalTestAcc(c *Cell) float64  { return c.Final().TestAcc }
func finalTrainAcc(c *Cell) float64 { return c.Final().TrainAcc }
func finalLoss(c *Cell) float64     { return c.Final().TrainLoss }
func trainSeconds(c *Cell) float64  { return c.TrainSeconds() }
func throughput(c *Cell) float64    { return c.Throughput() }
func peakMiB(c *Cell) float64       { return c.PeakMiB() }
func steadyPeakMiB(c *Cell) float64 { return c.SteadyPeakMiB() }
func modelMiB(c *Cell) float64      { return c.ModelMiB() }
func params(c *Cell) float64        { return c.ParamCount() }

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
