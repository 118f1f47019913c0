//go:build legacy

package reports

import (
	"fmt"

	"alexbench/internal/stats"
)

// Phrasing shared by the exercise 1.3, 2, 3, 7 and 8 sections, following the
// statistics rules of issue 13 through internal/stats: an estimate is n,
// mean ± sd and its 95 % CI; a comparison is stated with its CI and test, as
// "~" when not significant, and not at all under stats.MinRuns runs a side.

// exEstimate, exComparison and exPoints are evidence.go's formatters, so
// these sections read exactly like the others.
func exEstimate(e stats.Estimate, f func(float64) string) string { return fmtEst(e, f) }

func exComparison(c stats.Comparison, f func(float64) string) string { return verdict(&c, f) }

func exPoints(x float64) string { return pointsDiff(x) }

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
