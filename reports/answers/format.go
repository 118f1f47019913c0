package answers

import (
	"fmt"
	"math"

	"alexbench/internal/numfmt"
	"alexbench/internal/stats"
)

func fmtAcc(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.3f", x)
}

// fmtMeanSD is "0.881 ± 0.004" (or just the mean for one value).
func fmtMeanSD(m, sd float64, n int, f func(float64) string) string {
	if n < 2 {
		return f(m)
	}
	return f(m) + " ± " + f(sd)
}

func fmtSigned(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%+.3f", x)
}

func fmtSeconds(s float64) string {
	switch {
	case math.IsNaN(s):
		return "–"
	case s < 1:
		return fmt.Sprintf("%.0f ms", s*1000)
	case s < 120:
		return fmt.Sprintf("%.1f s", s)
	case s < 7200:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

func fmtRate(x float64) string { // examples per second
	if math.IsNaN(x) || x == 0 {
		return "–"
	}
	if x >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func fmtMiB(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	if x >= 100 {
		return fmt.Sprintf("%.0f MiB", x)
	}
	return fmt.Sprintf("%.1f MiB", x)
}

// fmtParams is a parameter count from a float (NaN when not recorded).
func fmtParams(x float64) string {
	if math.IsNaN(x) || x < 0 {
		return "–"
	}
	return fmtCount(int64(x))
}

func fmtCount(n int64) string { return numfmt.Thousands(n) } // 46764746 → "46,764,746"

// fmtSI is 1.23 G, 45.6 M, ... with the unit appended.
func fmtSI(x float64, unit string) string {
	if math.IsNaN(x) {
		return "–"
	}
	prefixes := []struct {
		f float64
		p string
	}{{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}
	for _, p := range prefixes {
		if math.Abs(x) >= p.f {
			return fmt.Sprintf("%.3g %s%s", x/p.f, p.p, unit)
		}
	}
	return fmt.Sprintf("%.3g %s", x, unit)
}

func fmtRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	if x >= 10 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

func fmtPct(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// chanceAcc is the accuracy of guessing among Fashion-MNIST's 10 classes;
// nearChance is the level below which a run has not learned anything worth
// comparing (the answers say so instead of reading effects into noise).
const (
	chanceAcc  = 0.1
	nearChance = 0.15
)

func isNearChance(acc float64) bool { return !math.IsNaN(acc) && acc < nearChance }

// predictionInterval is the 95 % range one more run of a configuration
// falls in: mean ± t(n−1)·sd·√(1 + 1/n). A single run printed elsewhere (d2l's)
// is judged against it, not against the CI of the mean, which shrinks with
// n while one run's spread does not.
func predictionInterval(e stats.MeanCI) (lo, hi float64) {
	if e.N < 2 {
		return math.NaN(), math.NaN()
	}
	h := stats.StudentTQuantile(0.975, float64(e.N-1)) * e.SD * math.Sqrt(1+1/float64(e.N))
	return e.Mean - h, e.Mean + h
}
