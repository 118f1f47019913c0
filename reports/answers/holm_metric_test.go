package answers

import (
	"testing"

	"alexbench/internal/stats"
)

// Holm corrects each metric on its own: an accuracy's corrected p (and so
// its verdict) cannot move with the timings beside it, which a busy machine
// changes while the accuracies of the same seeds stay bit-identical.
func TestHolmIsPerMetric(t *testing.T) {
	acc := func() stats.Comparison {
		return stats.WelchCompare([]float64{0.80, 0.81, 0.79}, []float64{0.83, 0.84, 0.835})
	}
	alone := (&Answer{}).family("x")
	a1 := alone.add("b vs a", Metric{Name: "test_acc"}, acc())
	alone.holm()

	mixed := (&Answer{}).family("x")
	a2 := mixed.add("b vs a", Metric{Name: "test_acc"}, acc())
	for range 4 {
		mixed.add("time", Metric{Name: "time", Ratio: true}, stats.WelchCompare([]float64{1, 1.5, 0.8}, []float64{1.2, 1.9, 1.1}))
	}
	mixed.holm()
	if a1.PAdj != a2.PAdj || a1.Verdict != a2.Verdict {
		t.Errorf("accuracy alone: p %.4f %s; beside four timings: p %.4f %s", a1.PAdj, a1.Verdict, a2.PAdj, a2.Verdict)
	}
}
