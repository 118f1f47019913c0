package stats

import (
	"math"
	"testing"
)

func TestEquivalence(t *testing.T) {
	// Paired differences of 0.1 ± 0.1 over 6 pairs: the 90 % CI is well inside
	// ±1, far outside ±0.05.
	a := []float64{1, 2, 3, 4, 5, 6}
	b := []float64{1.1, 2.0, 3.2, 4.1, 5.0, 6.2}
	c := PairedTest(a, b)
	for _, tc := range []struct {
		margin float64
		equiv  bool
	}{{1, true}, {0.5, true}, {0.05, false}} {
		p := Equivalence(c, tc.margin)
		if (p < Alpha) != tc.equiv {
			t.Errorf("margin %g: TOST p = %g, want equivalent %v", tc.margin, p, tc.equiv)
		}
		// p < Alpha exactly when the 90 % CI lies inside ±margin.
		se := c.standardError()
		h := StudentTQuantile(0.95, c.DF) * se
		inside := c.Diff-h > -tc.margin && c.Diff+h < tc.margin
		if inside != (p < Alpha) {
			t.Errorf("margin %g: 90%% CI %g±%g inside %v, TOST p %g", tc.margin, c.Diff, h, inside, p)
		}
	}
	if p := Equivalence(PairedTest(a[:2], b[:2]), 1); !math.IsNaN(p) {
		t.Errorf("untested comparison: TOST p %g, want NaN", p)
	}
	same := PairedTest([]float64{1, 2, 3}, []float64{1, 2, 3})
	if p := Equivalence(same, 0.1); p != 0 {
		t.Errorf("identical runs: TOST p %g, want 0", p)
	}
	shifted := PairedTest([]float64{1, 2, 3}, []float64{2, 3, 4})
	if p := Equivalence(shifted, 0.5); p != 1 {
		t.Errorf("an exact shift of 1 against a margin of 0.5: TOST p %g, want 1", p)
	}
}

func TestDetectableEffect(t *testing.T) {
	// Welch with 5 runs a side of sd 1: SE = sqrt(2/5), df = 8, so the
	// detectable effect at 80 % power is (2.306 + 0.889) · 0.632 = 2.02.
	a := []float64{-1.2649, -0.6325, 0, 0.6325, 1.2649}
	b := []float64{-1.2649, -0.6325, 0, 0.6325, 1.2649}
	c := WelchCompare(a, b)
	if d := DetectableEffect(c, 0.05, 0.8); math.Abs(d-2.02) > 0.01 {
		t.Errorf("detectable effect %g, want 2.02", d)
	}
	// Twice the runs, a smaller detectable effect.
	c2 := WelchCompare(append(a, a...), append(b, b...))
	if DetectableEffect(c2, 0.05, 0.8) >= DetectableEffect(c, 0.05, 0.8) {
		t.Error("more runs did not lower the detectable effect")
	}
	if d := DetectableEffect(WelchCompare(a[:2], b), 0.05, 0.8); !math.IsNaN(d) {
		t.Errorf("untested: %g", d)
	}
}

func TestProportion(t *testing.T) {
	// Wilson's interval for 6 of 21 and the edges 0 of 5 and 5 of 5.
	for _, c := range []struct {
		k, n      int
		p, lo, hi float64
	}{
		{6, 21, 0.2857, 0.1381, 0.4996},
		{0, 5, 0, 0, 0.4345},
		{5, 5, 1, 0.5655, 1},
	} {
		p, lo, hi := Proportion(c.k, c.n)
		if math.Abs(p-c.p) > 1e-4 || math.Abs(lo-c.lo) > 1e-4 || math.Abs(hi-c.hi) > 1e-4 {
			t.Errorf("Proportion(%d, %d) = %.4f (%.4f–%.4f), want %.4f (%.4f–%.4f)", c.k, c.n, p, lo, hi, c.p, c.lo, c.hi)
		}
	}
	if p, _, _ := Proportion(0, 0); !math.IsNaN(p) {
		t.Error("no runs: want NaN")
	}
}
