package profile

import (
	"errors"
	"testing"
	"time"
)

func TestMedianOf(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7}, 7},
		{nil, 0},
	} {
		if got := medianOf(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// Without a budget: 1 compiling + Warmup + Runs calls. With a budget smaller
// than one run: the compiling run, no warm-up, minRuns timed runs.
func TestTimingRunCounts(t *testing.T) {
	for _, tc := range []struct {
		name       string
		timing     Timing
		calls, got int
	}{
		{"no budget", Timing{Warmup: 2, Runs: 5}, 1 + 2 + 5, 5},
		{"budget below one run", Timing{Warmup: 2, Runs: 20, Budget: time.Millisecond}, 1 + minRuns, minRuns},
		{"budget above all runs", Timing{Warmup: 1, Runs: 4, Budget: time.Hour}, 1 + 1 + 4, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			ms, n, err := tc.timing.median(func() error {
				calls++
				time.Sleep(2 * time.Millisecond)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.calls || n != tc.got {
				t.Errorf("%d calls, %d timed; want %d, %d", calls, n, tc.calls, tc.got)
			}
			if ms < 2 {
				t.Errorf("median %v ms, want ≥ 2", ms)
			}
		})
	}
}

func TestTimingStopsOnError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	_, _, err := Timing{Runs: 5}.median(func() error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls != 2 {
		t.Errorf("err %v after %d calls", err, calls)
	}
}
