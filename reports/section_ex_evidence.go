package reports

import (
	"fmt"
	"math"
	"strconv"

	"alexbench/internal/stats"
)

// Phrasing shared by the exercise 1.3, 2, 3, 7 and 8 sections, following the
// statistics rules of issue 13 through internal/stats: an estimate is n,
// mean ± sd and its 95 % CI; a comparison is stated with its CI and test, as
// "~" when not significant, and not at all under stats.MinRuns runs a side.

// exEstimate is "0.712 ± 0.020 (95 % CI 0.662 to 0.762, n = 3)".
func exEstimate(e stats.Estimate, f func(float64) string) string {
	switch {
	case e.N == 0:
		return "no finished runs"
	case e.N == 1:
		return fmt.Sprintf("%s (n = 1)", f(e.Mean))
	}
	return fmt.Sprintf("%s ± %s (95 %% CI %s to %s, n = %d)", f(e.Mean), f(e.SD), f(e.Lo), f(e.Hi), e.N)
}

// exComparison is a comparison B − A in points of accuracy (or f's unit):
// "+3.1 points (95 % CI +1.2 to +5.0; paired t p = 0.012, n = 3+3 paired)",
// "~ (p = 0.41, n = 3+3)", or the not-enough-runs sentence.
func exComparison(c stats.Comparison, f func(float64) string) string {
	if !c.Enough {
		return c.NotEnough()
	}
	if !c.Significant() {
		return fmt.Sprintf("~ (p %s, n = %s)", exP(c.PAdj), c.Sizes())
	}
	return fmt.Sprintf("%s (95 %% CI %s to %s; %s p %s, n = %s)", f(c.Diff), f(c.Lo), f(c.Hi), c.Test, exP(c.PAdj), c.Sizes())
}

func exPoints(x float64) string { return fmt.Sprintf("%+.1f points", 100*x) }

// exP is "= 0.412" or "< 0.001" (Holm-adjusted p, after the letter p).
func exP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 0.001:
		return "< 0.001"
	}
	return "= " + strconv.FormatFloat(p, 'f', 3, 64)
}

// exSample is one configuration's cells as a stats sample keyed by seed, so
// two configurations run on the same seeds are compared pairwise.
func exSample(cells []*Cell, value func(*Cell) float64) stats.Sample {
	var s stats.Sample
	for _, c := range cells {
		s.Values = append(s.Values, value(c))
		s.Keys = append(s.Keys, fmt.Sprint(c.seed()))
	}
	return s
}

// exDescribe is the Estimate of value over cells.
func exDescribe(cells []*Cell, value func(*Cell) float64) stats.Estimate {
	s := exSample(cells, value)
	return stats.Describe(s.Values)
}
