package nvml

import (
	"encoding/json"
	"math"
	"testing"
)

func TestHistogramPercentile(t *testing.T) {
	tests := []struct {
		name     string
		values   []float64
		pct      int64
		want     float64
		wantMean float64
	}{
		{"empty", nil, 95, math.NaN(), math.NaN()},
		{"one value", []float64{42}, 95, 42, 42},
		{"nearest rank of 20: the 19th", seq(1, 20), 95, 19, 10.5},
		{"nearest rank of 21: the 20th", seq(0, 20), 95, 19, 10},
		{"median of 4 is the 2nd", []float64{10, 40, 20, 30}, 50, 20, 25},
		{"NaN skipped, out of range clamped", []float64{math.NaN(), -5, 150}, 95, 100, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram101
			for _, v := range tc.values {
				h.add(v)
			}
			checkNum(t, "percentile", Num(h.percentile(tc.pct)), tc.want)
			checkNum(t, "mean", Num(h.mean()), tc.wantMean)
		})
	}
}

func seq(from, to int) []float64 {
	var out []float64
	for v := from; v <= to; v++ {
		out = append(out, float64(v))
	}
	return out
}

func TestTrapezoid(t *testing.T) {
	tests := []struct {
		name string
		t, v []float64
		want float64
	}{
		{"no sample", nil, nil, math.NaN()},
		{"one sample integrates to 0", []float64{1}, []float64{100}, 0},
		{"constant", []float64{0, 1, 3}, []float64{50, 50, 50}, 150},
		{"ramp", []float64{0, 2}, []float64{0, 10}, 10},
		{"gap bridged", []float64{0, 1, 2}, []float64{10, math.NaN(), 30}, 40},
		{"leading gap", []float64{0, 1, 2}, []float64{math.NaN(), 10, 30}, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var z trapezoid
			for i := range tc.t {
				z.add(tc.t[i], tc.v[i])
			}
			checkNum(t, "integral", Num(z.value()), tc.want)
		})
	}
}

func TestTimelineDecimation(t *testing.T) {
	tests := []struct {
		name       string
		max, added int
		wantT      []float64
	}{
		{"under the bound: everything", 8, 5, []float64{0, 1, 2, 3, 4}},
		{"at the bound: still everything", 4, 4, []float64{0, 1, 2, 3}},
		{"one over: halved, stride 2", 4, 5, []float64{0, 2, 4}},
		{"twice over: stride 4, newest kept", 4, 13, []float64{0, 4, 8, 12}},
		{"newest not on the stride", 4, 11, []float64{0, 4, 8, 10}},
		{"odd bound rounds up", 3, 4, []float64{0, 1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := newTimeline(tc.max)
			for i := range tc.added {
				tl.add(point{t: float64(i)})
			}
			var got []float64
			for _, p := range tl.series() {
				got = append(got, p.t)
			}
			if len(got) != len(tc.wantT) {
				t.Fatalf("kept %v, want %v", got, tc.wantT)
			}
			for i := range got {
				if got[i] != tc.wantT[i] {
					t.Fatalf("kept %v, want %v", got, tc.wantT)
				}
			}
		})
	}
	// Bounded: a day at 100 ms keeps at most max+1 points.
	tl := newTimeline(64)
	for i := range 864000 {
		tl.add(point{t: float64(i)})
	}
	if n := len(tl.series()); n > 65 || n < 33 {
		t.Errorf("after a day: %d points, want between 32 and 65", n)
	}
}

func TestNumJSON(t *testing.T) {
	tests := []struct {
		in   Num
		want string
	}{
		{Num(1.5), "1.5"}, {Num(0), "0"}, {NaN(), "null"}, {Num(math.Inf(1)), "null"}, {Num(1e21), "1e+21"},
	}
	for _, tc := range tests {
		b, err := json.Marshal(tc.in)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", float64(tc.in), b, err, tc.want)
		}
		var back Num
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("Unmarshal(%s): %v", b, err)
		}
		if back.Valid() != tc.in.Valid() || (back.Valid() && back != tc.in) {
			t.Errorf("round trip %v → %s → %v", float64(tc.in), b, float64(back))
		}
	}
	var n Num
	if err := json.Unmarshal([]byte(`"x"`), &n); err == nil {
		t.Error(`Unmarshal("x") succeeded`)
	}
}
