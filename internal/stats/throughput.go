package stats

import "math"

// Throughput is a cell's steady training speed from its per-epoch rates
// (examples/s, in epoch order): the median over the epochs after the first,
// or the first's when it is the only one. Epoch 1 pays for graph compilation
// (and XLA's autotuning), so it is no measure of the step; the median rather
// than the mean because one epoch slowed by a neighbour on a shared machine
// should not move the answer. Rates that were not measured (≤ 0, NaN, ±Inf)
// are left out; NaN when none is left.
func Throughput(rates []float64) float64 {
	if len(rates) > 1 {
		rates = rates[1:]
	}
	var ok []float64
	for _, r := range rates {
		if r > 0 && !math.IsInf(r, 0) {
			ok = append(ok, r)
		}
	}
	return Median(ok)
}

// Summary is the mean and sample standard deviation of the values that are
// not NaN, and how many there were.
type Summary struct {
	Mean, SD float64
	N        int
}

// Summarize is the Summary of xs, NaNs left out (a cell that measured nothing).
func Summarize(xs []float64) Summary {
	var ok []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			ok = append(ok, x)
		}
	}
	m, sd := MeanSD(ok)
	return Summary{m, sd, len(ok)}
}

// Mean is the mean of xs; NaN for none.
func Mean(xs []float64) float64 {
	m, _ := MeanSD(xs)
	return m
}

// Max is the largest of xs; NaN for none.
func Max(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := xs[0]
	for _, x := range xs[1:] {
		m = math.Max(m, x)
	}
	return m
}
