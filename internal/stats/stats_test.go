package stats

import (
	"math"
	"testing"
)

func TestRegIncBetaKnownValues(t *testing.T) {
	cases := []struct {
		name    string
		a, b, x float64
		want    float64
	}{
		{"uniform is x", 1, 1, 0.3, 0.3},
		{"b=1 is x^a", 2.5, 1, 0.4, math.Pow(0.4, 2.5)},
		{"a=1 is 1-(1-x)^b", 1, 3, 0.2, 1 - math.Pow(0.8, 3)},
		{"symmetric at one half", 7.3, 7.3, 0.5, 0.5},
		{"a=b=1/2 is arcsine", 0.5, 0.5, 0.25, 2 / math.Pi * math.Asin(math.Sqrt(0.25))},
		{"below range", 2, 3, 0, 0},
		{"above range", 2, 3, 1, 1},
		{"large parameters, symmetric", 500, 500, 0.5, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := RegIncBeta(c.a, c.b, c.x); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("I_%g(%g, %g) = %.15g, want %.15g", c.x, c.a, c.b, got, c.want)
			}
		})
	}
}

// tDensity integrates independently of the incomplete beta function.
func tDensity(x, df float64) float64 {
	lg1, _ := math.Lgamma((df + 1) / 2)
	lg2, _ := math.Lgamma(df / 2)
	return math.Exp(lg1-lg2-0.5*math.Log(df*math.Pi)) * math.Pow(1+x*x/df, -(df+1)/2)
}

func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

func TestStudentTCDF(t *testing.T) {
	cases := []struct {
		name  string
		t, df float64
		want  float64
	}{
		{"Cauchy at 1", 1, 1, 0.75},
		{"Cauchy at -1", -1, 1, 0.25},
		{"df=2 closed form", 1.5, 2, 0.5 + 1.5/(2*math.Sqrt(2+1.5*1.5))},
		{"zero is the median", 0, 17.3, 0.5},
		// Two-sided 5% critical values from any t table.
		{"df=5 97.5%", 2.570582, 5, 0.975},
		{"df=10 97.5%", 2.228139, 10, 0.975},
		{"df=30 97.5%", 2.042272, 30, 0.975},
		{"df=10 99.5%", 3.169273, 10, 0.995},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := StudentTCDF(c.t, c.df); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("CDF(%g; df=%g) = %.9f, want %.9f", c.t, c.df, got, c.want)
			}
		})
	}
	// Non-integer degrees of freedom (as Welch gives) against numerical integration.
	for _, df := range []float64{1.7, 4.25, 9.9, 24.9, 80.5} {
		for _, x := range []float64{-3.1, -0.4, 0.9, 2.2} {
			lo, hi := 0.0, x
			want := 0.5 + simpson(func(u float64) float64 { return tDensity(u, df) }, lo, hi, 20000)
			if got := StudentTCDF(x, df); math.Abs(got-want) > 1e-9 {
				t.Errorf("CDF(%g; df=%g) = %.12f, numerical integral %.12f", x, df, got, want)
			}
		}
	}
}

func TestWelchTest(t *testing.T) {
	cases := []struct {
		name        string
		a, b        []float64
		t, df, p    float64
		tol         float64
		wantUndefnd bool
	}{
		{
			// R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939
			name: "R sleep data",
			a:    []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0},
			b:    []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4},
			t:    -1.8608, df: 17.776, p: 0.07939, tol: 5e-4,
		},
		{
			name: "swapped groups flip t only",
			a:    []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4},
			b:    []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0},
			t:    1.8608, df: 17.776, p: 0.07939, tol: 5e-4,
		},
		{name: "one value per level is undefined", a: []float64{0.8}, b: []float64{0.7, 0.71}, wantUndefnd: true},
		{name: "no variance is undefined", a: []float64{0.8, 0.8}, b: []float64{0.7, 0.7}, wantUndefnd: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := WelchTest(c.a, c.b)
			if c.wantUndefnd {
				if w.OK {
					t.Fatalf("got %+v, want undefined", w)
				}
				return
			}
			if !w.OK || math.Abs(w.T-c.t) > c.tol || math.Abs(w.DF-c.df) > 1e-3 || math.Abs(w.P-c.p) > c.tol {
				t.Errorf("got t=%.5f df=%.4f p=%.5f, want t=%.4f df=%.3f p=%.5f", w.T, w.DF, w.P, c.t, c.df, c.p)
			}
		})
	}
}

func TestMeanSD(t *testing.T) {
	m, sd := MeanSD([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if m != 5 || math.Abs(sd-2.138089935) > 1e-9 {
		t.Errorf("meanSD = %g, %g; want 5, 2.138089935", m, sd)
	}
	if m, sd := MeanSD([]float64{3}); m != 3 || sd != 0 {
		t.Errorf("one value: %g, %g", m, sd)
	}
	if m, _ := MeanSD(nil); !math.IsNaN(m) {
		t.Errorf("no values: mean %g, want NaN", m)
	}
}
