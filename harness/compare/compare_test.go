package compare

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"alexbench/harness/trainer"
)

// baselineOf is a baseline of two seeds of one configuration at eps
// examples/sec.
func baselineOf(eps float64) *Baseline {
	b := &Baseline{Format: BaselineFormat, Card: "NVIDIA H100", Source: "test"}
	for i, key := range []string{"0123456789abcdef", "fedcba9876543210"} {
		b.Cells = append(b.Cells, BaselineCell{SnapshotCell: SnapshotCell{
			Matrix: "bench", Key: key, Label: "lenet", Group: "g", Outcome: trainer.OutcomeDone,
			ExamplesPerSec: eps * (1 + 0.001*float64(i)), StepMillis: 1000 / eps, TestAcc: 0.9 + 0.001*float64(i)},
			FirstStepSeconds: 1})
	}
	return b
}

func TestParsePercent(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5%", 0.05, true},
		{"0.05", 0.05, true},
		{" 0% ", 0, true},
		{"100%", 0, false},
		{"-1%", 0, false},
		{"NaN%", 0, false},
		{"NaN", 0, false},
		{"nan", 0, false},
		{"Inf%", 0, false},
		{"-Inf", 0, false},
		{"1e400", 0, false},
		{"five", 0, false},
		{"", 0, false},
	}
	for _, tc := range cases {
		got, err := ParsePercent(tc.in)
		if (err == nil) != tc.ok || (tc.ok && math.Abs(got-tc.want) > 1e-12) {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// A NaN (or infinite, or negative) tolerance makes every "worse than" test
// false: the gate must refuse it, naming the flag, rather than pass a
// baseline 100× faster.
func TestCompareBaselinesRefusesNonFiniteTolerances(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		flag string
		set  func(*BaselineCompareOptions, float64)
	}{
		{"--max-regression", func(o *BaselineCompareOptions, v float64) { o.MaxRegression = v }},
		{"--speed-sigmas", func(o *BaselineCompareOptions, v float64) { o.SpeedSigmas = v }},
		{"--acc-sigmas", func(o *BaselineCompareOptions, v float64) { o.AccSigmas = v }},
		{"--acc-floor", func(o *BaselineCompareOptions, v float64) { o.AccFloor = v }},
		{"--max-memory-growth", func(o *BaselineCompareOptions, v float64) { o.MaxMemoryGrowth = v }},
		{"--memory-floor-mib", func(o *BaselineCompareOptions, v float64) { o.MemoryFloorMiB = v }},
		{"--max-first-step-regression", func(o *BaselineCompareOptions, v float64) { o.MaxFirstStepRegression = v }},
	}
	base, cur := baselineOf(100000), baselineOf(1000)
	if rep, err := CompareBaselines(base, cur, DefaultBaselineCompareOptions()); err != nil || rep.Regressions == 0 {
		t.Fatalf("defaults: %v, %+v; want a regression", err, rep)
	}
	for _, tc := range cases {
		for _, v := range []float64{nan, inf, -inf, -0.5} {
			opt := DefaultBaselineCompareOptions()
			tc.set(&opt, v)
			rep, err := CompareBaselines(base, cur, opt)
			if err == nil {
				t.Errorf("%s %v: no error, %d regressions", tc.flag, v, rep.Regressions)
				continue
			}
			if !strings.HasPrefix(err.Error(), tc.flag+": ") {
				t.Errorf("%s %v: error %q does not name the flag", tc.flag, v, err)
			}
		}
	}
}

func TestReadBaseline(t *testing.T) {
	good, err := baselineOf(1000).Encode()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string // "" for no error, else a part of it
	}{
		{"one baseline", good, ""},
		{"trailing blank lines", append(append([]byte{}, good...), "\n\n  \n"...), ""},
		{"two baselines concatenated", append(append([]byte{}, good...), good...), "baseline.json:" + strconv.Itoa(bytes.Count(good, []byte("\n"))) + ": data after the baseline's closing brace"},
		{"trailing garbage", append(append([]byte{}, good...), "}"...), "data after the baseline's closing brace"},
		{"unknown field", bytes.Replace(good, []byte(`"card"`), []byte(`"kard"`), 1), "unknown field"},
		{"wrong format", bytes.Replace(good, []byte(BaselineFormat), []byte("other/1"), 1), "format"},
		{"negative speed", bytes.Replace(good, []byte(`"examples_per_sec": 1000,`), []byte(`"examples_per_sec": -1,`), 1), "must be ≥ 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "baseline.json")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := ReadBaseline(path)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("ReadBaseline: %v", err)
			case tc.want == "" && len(b.Cells) != 2:
				t.Fatalf("read %d cells, want 2", len(b.Cells))
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("ReadBaseline: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// A baseline path that is a FIFO is refused at once, not read forever.
func TestReadBaselineRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := ReadBaseline(path); err == nil || errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadBaseline of a FIFO: %v", err)
	}
}
