package bounds

import (
	"math"
	"strings"
	"testing"
)

func TestFloat(t *testing.T) {
	cases := []struct {
		v      float64
		lo, hi float64
		want   string // "" for no error
	}{
		{0.5, 0, 1, ""},
		{0, 0, 1, ""},
		{1, 0, 1, ""},
		{math.NaN(), 0, 1, "--x: NaN is not a finite number (want 0 to 1)"},
		{math.Inf(1), 0, math.Inf(1), "--x: +Inf is not a finite number (want ≥ 0)"},
		{math.Inf(-1), 0, 1, "is not a finite number"},
		{-0.1, 0, 1, "--x: -0.1 is out of range (want 0 to 1)"},
		{1e12, 0, 1e6, "out of range (want 0 to 1e+06)"},
	}
	for _, tc := range cases {
		err := Float("--x", tc.v, tc.lo, tc.hi)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Float(%v, %v, %v): %v", tc.v, tc.lo, tc.hi, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Float(%v, %v, %v): %v, want %q", tc.v, tc.lo, tc.hi, err, tc.want)
		}
	}
}

func TestInt(t *testing.T) {
	cases := []struct {
		v, lo, hi int64
		ok        bool
	}{
		{1, 1, 10, true},
		{10, 1, 10, true},
		{0, 1, 10, false},
		{math.MaxInt64, 1, 1 << 20, false},
		{math.MinInt64, 1, 10, false},
	}
	for _, tc := range cases {
		if err := Int("--n", tc.v, tc.lo, tc.hi); (err == nil) != tc.ok {
			t.Errorf("Int(%d, %d, %d): %v", tc.v, tc.lo, tc.hi, err)
		} else if err != nil && !strings.HasPrefix(err.Error(), "--n: ") {
			t.Errorf("error %q does not name the flag first", err)
		}
	}
}
