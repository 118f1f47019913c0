package stats

import "math"

// A test that finds no difference is not evidence of no difference: with
// three seeds a side, a t-test misses effects of several points. Two tools
// turn a comparison into a decision either way:
//
//   - Equivalence (TOST, Schuirmann's two one-sided tests) asks whether the
//     difference is inside ±margin: its p is the larger of the two one-sided
//     p-values, and p < Alpha exactly when the 90 % CI lies inside ±margin.
//   - DetectableEffect is the smallest difference the comparison had an 80 %
//     chance of finding at Alpha: what an undecided comparison can rule out.

// standardError is the comparison's standard error, recovered from its 95 %
// CI (NaN when it was not tested; 0 when the runs had no spread at all).
func (c Comparison) standardError() float64 {
	if !c.Enough || math.IsNaN(c.Lo) || math.IsNaN(c.DF) {
		return math.NaN()
	}
	return (c.Hi - c.Lo) / (2 * StudentTQuantile(0.975, c.DF))
}

// Equivalence is the TOST p-value that |B − A| < margin (margin > 0, in the
// comparison's units): small when the difference is shown to be inside the
// margin. NaN when the comparison was not tested.
func Equivalence(c Comparison, margin float64) float64 {
	se := c.standardError()
	switch {
	case math.IsNaN(se) || !(margin > 0):
		return math.NaN()
	case se == 0:
		if math.Abs(c.Diff) < margin {
			return 0
		}
		return 1
	}
	lower := 1 - StudentTCDF((c.Diff+margin)/se, c.DF) // H0: diff ≤ −margin
	upper := StudentTCDF((c.Diff-margin)/se, c.DF)     // H0: diff ≥ +margin
	return math.Max(lower, upper)
}

// DetectableEffect is the smallest |B − A| the comparison would have found
// significant (two-sided, at alpha) with probability power, given its
// standard error and degrees of freedom: (t₁₋α/₂ + t_power) · SE. NaN when
// the comparison was not tested.
func DetectableEffect(c Comparison, alpha, power float64) float64 {
	se := c.standardError()
	if math.IsNaN(se) {
		return math.NaN()
	}
	return (StudentTQuantile(1-alpha/2, c.DF) + StudentTQuantile(power, c.DF)) * se
}

// Proportion is k of n with its 95 % Wilson score interval (Lo, Hi), the
// interval that stays inside [0, 1] and keeps its coverage at small n (a
// rate of runs that diverged or never learned, over a handful of seeds).
func Proportion(k, n int) (p, lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	const z = 1.959963984540054
	p = float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return p, math.Max(0, mid-half), math.Min(1, mid+half)
}
