package stats

import (
	"math"
	"testing"
)

// R's sleep data (datasets::sleep): extra hours of sleep of 10 patients
// under two drugs; the two groups are the same patients (ID 1..10).
var (
	sleep1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	ids    = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %.7g, want %.7g (±%g)", what, got, want, tol)
	}
}

// Reference quantiles: R 4.x, qt(p, df); the same as any printed t table.
func TestStudentTQuantile(t *testing.T) {
	for _, c := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.7062047},   // qt(0.975, 1)
		{0.975, 2, 4.30265273},   // qt(0.975, 2)
		{0.975, 4, 2.77644511},   // qt(0.975, 4)
		{0.975, 9, 2.26215716},   // qt(0.975, 9)
		{0.975, 30, 2.04227246},  // qt(0.975, 30)
		{0.995, 10, 3.16927267},  // qt(0.995, 10)
		{0.025, 9, -2.26215716},  // symmetry
		{0.975, 1e6, 1.95996577}, // → the normal's 1.959964
	} {
		near(t, "qt", StudentTQuantile(c.p, c.df), c.want, 2e-6)
	}
	// The inverse of the CDF at non-integer df (Welch's).
	for _, df := range []float64{1.3, 3.7, 17.776} {
		for _, p := range []float64{0.6, 0.9, 0.975, 0.999} {
			near(t, "CDF(quantile)", StudentTCDF(StudentTQuantile(p, df), df), p, 1e-12)
		}
	}
	if !math.IsNaN(StudentTQuantile(0.5, 0)) || StudentTQuantile(0.5, 3) != 0 {
		t.Error("edge cases")
	}
}

func TestDescribe(t *testing.T) {
	// R: t.test(sleep$extra[1:10]) → mean 0.75, 95 percent CI -0.5297804 2.0297804
	e := Describe(sleep1)
	if e.N != 10 {
		t.Fatalf("n = %d", e.N)
	}
	near(t, "mean", e.Mean, 0.75, 1e-12)
	near(t, "lo", e.Lo, -0.5297804, 1e-6)
	near(t, "hi", e.Hi, 2.0297804, 1e-6)
	one := Describe([]float64{0.5, math.NaN()})
	if one.N != 1 || one.Mean != 0.5 || !math.IsNaN(one.Lo) || !math.IsNaN(one.Hi) {
		t.Errorf("one run: %+v, want n 1 and no interval", one)
	}
}

func TestPairedAgainstR(t *testing.T) {
	// R: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
	//   t = 4.0621, df = 9, p-value = 0.002833
	//   95 percent confidence interval: 0.7001142 2.4598858; mean difference 1.58
	c := Compare(Sample{sleep1, ids}, Sample{sleep2, ids})
	if c.Test != TestPaired || !c.Enough || c.NA != 10 || c.NB != 10 {
		t.Fatalf("%+v: want a paired test of 10 pairs", c)
	}
	near(t, "diff", c.Diff, 1.58, 1e-12)
	near(t, "t", c.T, 4.0621, 5e-5)
	near(t, "df", c.DF, 9, 0)
	near(t, "p", c.P, 0.002833, 5e-7)
	near(t, "lo", c.Lo, 0.7001142, 1e-6)
	near(t, "hi", c.Hi, 2.4598858, 1e-6)
	if !c.Significant() || c.Sizes() != "10+10 paired" {
		t.Errorf("significant %v, sizes %q", c.Significant(), c.Sizes())
	}
	// The keys pair the runs, not their order.
	rev := append([]string(nil), ids...)
	vals := append([]float64(nil), sleep2...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
		vals[i], vals[j] = vals[j], vals[i]
	}
	if d := Compare(Sample{sleep1, ids}, Sample{vals, rev}); math.Abs(d.T-c.T) > 1e-12 {
		t.Errorf("shuffled keys: t %v, want %v", d.T, c.T)
	}
}

func TestWelchAgainstR(t *testing.T) {
	// R: t.test(sleep$extra[11:20], sleep$extra[1:10])  (Welch, the default)
	//   t = 1.8608, df = 17.776, p-value = 0.07939
	//   95 percent confidence interval: -0.2054832 3.3654832
	c := Compare(Sample{Values: sleep1}, Sample{Values: sleep2})
	if c.Test != TestWelch || !c.Enough {
		t.Fatalf("%+v: want Welch", c)
	}
	near(t, "t", c.T, 1.8608, 5e-5)
	near(t, "df", c.DF, 17.776, 5e-4)
	near(t, "p", c.P, 0.07939, 5e-6)
	near(t, "lo", c.Lo, -0.2054832, 1e-6)
	near(t, "hi", c.Hi, 3.3654832, 1e-6)
	if c.Significant() || c.Sizes() != "10+10" {
		t.Errorf("significant %v, sizes %q", c.Significant(), c.Sizes())
	}
	// Different seeds on the two sides: not paired.
	other := append([]string(nil), ids...)
	other[0] = "11"
	if c := Compare(Sample{sleep1, ids}, Sample{sleep2, other}); c.Test != TestWelch {
		t.Errorf("unshared keys tested %s", c.Test)
	}
}

func TestTooFewRuns(t *testing.T) {
	for _, c := range []Comparison{
		Compare(Sample{Values: []float64{0.8}}, Sample{Values: []float64{0.7, 0.71, 0.72}}),
		Compare(Sample{[]float64{0.8, 0.81}, []string{"1", "2"}}, Sample{[]float64{0.7, 0.71}, []string{"1", "2"}}),
		Compare(Sample{Values: []float64{0.8, 0.81, math.NaN()}}, Sample{Values: []float64{0.7, 0.71, 0.72}}),
	} {
		if c.Enough || c.Significant() || c.Test != "" || !math.IsNaN(c.P) {
			t.Errorf("%+v: compared with fewer than %d runs a side", c, MinRuns)
		}
	}
	c := Compare(Sample{Values: []float64{0.8}}, Sample{Values: []float64{0.7, 0.71, 0.72}})
	if got := c.NotEnough(); got != "not enough runs (n = 1): seeds ≥ 3 to compare" {
		t.Errorf("NotEnough() = %q", got)
	}
}

// Seed noise around the same mean is not a finding; a shift several times
// the noise is, and its interval excludes zero.
func TestNoiseAndRealEffect(t *testing.T) {
	seeds := []string{"1", "2", "3", "4"}
	a := []float64{0.712, 0.735, 0.704, 0.727}
	noise := []float64{0.721, 0.709, 0.733, 0.716} // same distribution, shuffled noise
	effect := []float64{0.771, 0.790, 0.760, 0.784}
	n := Compare(Sample{a, seeds}, Sample{noise, seeds})
	if n.Significant() || !(n.Lo < 0 && n.Hi > 0) || n.P < 0.3 {
		t.Errorf("noise: %+v, want not significant with a CI around 0", n)
	}
	e := Compare(Sample{a, seeds}, Sample{effect, seeds})
	if !e.Significant() || !(e.Lo > 0) || math.Abs(e.Diff-0.05675) > 1e-9 {
		t.Errorf("effect: %+v, want +0.057 with a CI above 0", e)
	}
	// Exactly equal runs (two cells stuck at the same chance accuracy).
	same := Compare(Sample{[]float64{0.1, 0.1, 0.1}, seeds[:3]}, Sample{[]float64{0.1, 0.1, 0.1}, seeds[:3]})
	if same.P != 1 || same.Significant() {
		t.Errorf("identical runs: %+v", same)
	}
}

func TestHolm(t *testing.T) {
	// R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") → 0.03 0.06 0.06 0.02
	got := HolmAdjust([]float64{0.01, 0.04, 0.03, 0.005})
	for i, w := range []float64{0.03, 0.06, 0.06, 0.02} {
		near(t, "holm", got[i], w, 1e-15)
	}
	// R: p.adjust(c(0.5, 0.2, 0.9), "holm") → 1.0 0.6 1.0  (capped at 1, monotone)
	got = HolmAdjust([]float64{0.5, 0.2, 0.9})
	for i, w := range []float64{1, 0.6, 1} {
		near(t, "holm", got[i], w, 1e-15)
	}
	a := Comparison{Enough: true, P: 0.02, PAdj: 0.02}
	b := Comparison{Enough: true, P: 0.03, PAdj: 0.03}
	skipped := Comparison{Enough: false, P: math.NaN(), PAdj: math.NaN()}
	Holm(&a, &b, &skipped)
	if a.PAdj != 0.04 || b.PAdj != 0.04 || !math.IsNaN(skipped.PAdj) {
		t.Errorf("Holm: %v %v %v", a.PAdj, b.PAdj, skipped.PAdj)
	}
	if !a.Significant() || skipped.Significant() {
		t.Errorf("after correction 0.04 < 0.05 is significant (%v); an untested one never is (%v)", a.Significant(), skipped.Significant())
	}
}

func TestOneSampleAgainstR(t *testing.T) {
	// R: t.test(sleep$extra[1:10], mu = 0) → t = 1.3257, df = 9, p-value = 0.2176
	c := OneSample(sleep1, 0)
	near(t, "t", c.T, 1.3257, 5e-5)
	near(t, "p", c.P, 0.2176, 5e-5)
	near(t, "lo", c.Lo, -0.5297804, 1e-6)
	if c.Significant() {
		t.Error("p 0.22 is not a finding")
	}
}
