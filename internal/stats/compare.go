package stats

import (
	"fmt"
	"math"
	"sort"
)

// MinRuns is the fewest runs a side needs before two configurations are
// compared at all: with two seeds a side the t-test has one or two degrees of
// freedom and a 95 % interval ±12.7 or ±4.3 standard errors wide, which says
// nothing a reader should act on.
const MinRuns = 3

// Alpha is the significance level of every test (after Holm's correction).
const Alpha = 0.05

// MeanCI is one configuration's runs: n, mean, sample sd and the 95 %
// confidence interval of the mean (Student's t with n−1 degrees of freedom).
// Lo and Hi are NaN below two runs; Mean and SD are as MeanSD.
type MeanCI struct {
	N        int
	Mean, SD float64
	Lo, Hi   float64
}

// Describe is the MeanCI of xs, NaNs left out (a run that measured nothing).
func Describe(xs []float64) MeanCI {
	ok := dropNaN(xs)
	m, sd := MeanSD(ok)
	e := MeanCI{N: len(ok), Mean: m, SD: sd, Lo: math.NaN(), Hi: math.NaN()}
	if e.N >= 2 {
		h := StudentTQuantile(0.975, float64(e.N-1)) * sd / math.Sqrt(float64(e.N))
		e.Lo, e.Hi = m-h, m+h
	}
	return e
}

func dropNaN(xs []float64) []float64 {
	ok := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			ok = append(ok, x)
		}
	}
	return ok
}

// StudentTQuantile is the p-quantile of Student's t with df degrees of
// freedom (the inverse of StudentTCDF), by bisection on the CDF: 200 halvings
// of a bracket that holds every quantile up to 1 − 1e-12 leave it exact to
// float64 precision, and it is called a few hundred times per report.
func StudentTQuantile(p, df float64) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(df) || df <= 0 || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p == 0.5:
		return 0
	}
	if p < 0.5 {
		return -StudentTQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for StudentTCDF(hi, df) < p {
		lo, hi = hi, hi*2
		if hi > 1e300 {
			return math.Inf(1)
		}
	}
	for i := 0; i < 200 && hi-lo > 1e-15*math.Max(1, hi); i++ {
		mid := (lo + hi) / 2
		if StudentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// Sample is one side of a comparison: its runs' values and, optionally, what
// pairs each run with a run of the other side (its seed; in a factorial, the
// seed and the other factors' levels). Keys, when given, are as long as
// Values and distinct.
type Sample struct {
	Values []float64
	Keys   []string
}

// Test names, as Comparison.Test says them.
const (
	TestPaired = "paired t"
	TestWelch  = "Welch t"
)

// Comparison is B − A: the difference of the means with its 95 % confidence
// interval and a two-sided t-test. It is paired when both sides have the same
// keys (the same seeds: each pair shares its initialization and data order, so
// the seed's noise cancels in the difference), else Welch's unequal-variances
// t-test. Mann–Whitney, as benchstat uses, is not an option at our sizes: with
// three runs a side its smallest two-sided p is 0.10, so it could never find
// anything; t-tests assume roughly normal seed noise, which final accuracies
// and throughputs of repeated runs are close to.
type Comparison struct {
	NA, NB int    // runs per side (for a paired test, both are the number of pairs)
	Test   string // TestPaired or TestWelch; "" when not Enough
	// Enough is false when a side has fewer than MinRuns runs: then nothing
	// below is set and no direction may be stated (Why says so).
	Enough bool
	// OK is false when the test is undefined although there were enough runs
	// (no spread on either side and no difference): then P is 1.
	Diff, Lo, Hi float64 // mean(B) − mean(A) and its 95 % CI
	T, DF, P     float64 // P is two-sided, before any correction
	// PAdj is P after Holm's correction over the family it was tested in
	// (Holm sets it; P until then).
	PAdj float64
}

// Significant tells whether the difference is a finding: enough runs and the
// corrected p below Alpha.
func (c Comparison) Significant() bool { return c.Enough && c.PAdj < Alpha }

// NotEnough is the sentence for too few runs, naming the smaller side.
func (c Comparison) NotEnough() string {
	return fmt.Sprintf("not enough runs (n = %d): seeds ≥ %d to compare", min(c.NA, c.NB), MinRuns)
}

// Sizes is "3+3" (or "12+12 paired").
func (c Comparison) Sizes() string {
	s := fmt.Sprintf("%d+%d", c.NA, c.NB)
	if c.Test == TestPaired {
		s += " paired"
	}
	return s
}

// Compare tests B against A (the difference is B − A).
func Compare(a, b Sample) Comparison {
	if pa, pb, ok := paired(a, b); ok {
		return PairedTest(pa, pb)
	}
	return WelchCompare(dropNaN(a.Values), dropNaN(b.Values))
}

// paired returns the two sides in key order when both have the same key set
// (NaN values dropped with their keys first).
func paired(a, b Sample) (pa, pb []float64, ok bool) {
	if len(a.Keys) != len(a.Values) || len(b.Keys) != len(b.Values) || len(a.Keys) == 0 {
		return nil, nil, false
	}
	index := func(s Sample) map[string]float64 {
		m := map[string]float64{}
		for i, k := range s.Keys {
			if !math.IsNaN(s.Values[i]) {
				m[k] = s.Values[i]
			}
		}
		return m
	}
	ia, ib := index(a), index(b)
	if len(ia) != len(ib) || len(ia) == 0 {
		return nil, nil, false
	}
	keys := make([]string, 0, len(ia))
	for k := range ia {
		if _, ok := ib[k]; !ok {
			return nil, nil, false
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pa, pb = append(pa, ia[k]), append(pb, ib[k])
	}
	return pa, pb, true
}

// PairedTest is the paired t-test of b − a (a[i] and b[i] are one pair).
func PairedTest(a, b []float64) Comparison {
	n := min(len(a), len(b))
	c := Comparison{NA: n, NB: n, Lo: math.NaN(), Hi: math.NaN(), T: math.NaN(), DF: math.NaN(), P: math.NaN(), PAdj: math.NaN()}
	if n < MinRuns {
		return c
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = b[i] - a[i]
	}
	m, sd := MeanSD(d)
	c.Enough, c.Test, c.Diff, c.DF = true, TestPaired, m, float64(n-1)
	se := sd / math.Sqrt(float64(n))
	c.finish(se)
	return c
}

// WelchCompare is Welch's t-test of mean(b) − mean(a), with the
// Welch–Satterthwaite degrees of freedom for the interval too.
func WelchCompare(a, b []float64) Comparison {
	c := Comparison{NA: len(a), NB: len(b), Lo: math.NaN(), Hi: math.NaN(), T: math.NaN(), DF: math.NaN(), P: math.NaN(), PAdj: math.NaN()}
	if c.NA < MinRuns || c.NB < MinRuns {
		return c
	}
	ma, sa := MeanSD(a)
	mb, sb := MeanSD(b)
	va, vb := sa*sa/float64(c.NA), sb*sb/float64(c.NB)
	se2 := va + vb
	c.Enough, c.Test, c.Diff = true, TestWelch, mb-ma
	if se2 > 0 {
		c.DF = se2 * se2 / (va*va/float64(c.NA-1) + vb*vb/float64(c.NB-1))
	} else {
		c.DF = float64(c.NA + c.NB - 2)
	}
	c.finish(math.Sqrt(se2))
	return c
}

// finish sets T, P and the interval from the standard error. With no spread
// at all the difference is exact: no difference is p = 1, any other p = 0.
func (c *Comparison) finish(se float64) {
	switch {
	case se > 0:
		c.T = c.Diff / se
		c.P = StudentTTwoSided(c.T, c.DF)
		h := StudentTQuantile(0.975, c.DF) * se
		c.Lo, c.Hi = c.Diff-h, c.Diff+h
	case c.Diff == 0:
		c.T, c.P, c.Lo, c.Hi = 0, 1, 0, 0
	default:
		c.T, c.P, c.Lo, c.Hi = math.Copysign(math.Inf(1), c.Diff), 0, c.Diff, c.Diff
	}
	c.PAdj = c.P
}

// Holm applies Holm's step-down correction to the comparisons that were
// tested (Enough), as one family, setting each PAdj: the i-th smallest p of m
// is multiplied by m − i + 1, kept monotone and capped at 1. It controls the
// chance of any false finding in the family at Alpha without assuming the
// tests independent.
func Holm(cs ...*Comparison) {
	var tested []*Comparison
	for _, c := range cs {
		if c != nil && c.Enough && !math.IsNaN(c.P) {
			tested = append(tested, c)
		}
	}
	ps := make([]float64, len(tested))
	for i, c := range tested {
		ps[i] = c.P
	}
	adj := HolmAdjust(ps)
	for i, c := range tested {
		c.PAdj = adj[i]
	}
}

// HolmAdjust returns Holm-adjusted p-values in the order given (R's
// p.adjust(p, "holm")).
func HolmAdjust(ps []float64) []float64 {
	m := len(ps)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return ps[idx[i]] < ps[idx[j]] })
	out := make([]float64, m)
	running := 0.0
	for rank, i := range idx {
		v := math.Min(1, float64(m-rank)*ps[i])
		running = math.Max(running, v)
		out[i] = running
	}
	return out
}

// OneSample tests the mean of xs against a reference value mu (a published
// figure): Diff is mean − mu with its 95 % CI, NA = NB = n.
func OneSample(xs []float64, mu float64) Comparison {
	xs = dropNaN(xs)
	ref := make([]float64, len(xs))
	for i := range ref {
		ref[i] = mu
	}
	return PairedTest(ref, xs)
}
