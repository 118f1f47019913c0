package harness

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"alexbench/harness/cellspec"
	"alexbench/harness/cost"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// Each finished cell's log line carries the sweep's ETA: the seconds per
// FLOP of the cells timed so far (the fake clock makes each take 1 s) times
// the FLOPs left, and the last one none. A cell the estimator answers for
// logs its estimate and records it as estimate_s in its summary.
func TestRunLogsTheSweepETAAndRecordsEachEstimate(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	var log bytes.Buffer
	r.Log = &log
	const speed = 1e9 // FLOP/s
	r.Trainer = estimatingTrainer{TrainFunc(f.train), func(cell *cellspec.Spec) (cost.Estimate, bool) {
		return cost.Estimate{FLOPs: cell.Compute.FLOPs(), FLOPsPerSec: speed}, cell.Config.Activation == "relu"
	}}
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	// The runner's order (longest first) and each cell's FLOPs give the ETAs.
	plan, err := r.Plan(ms)
	if err != nil {
		t.Fatal(err)
	}
	sortLongestFirst(plan)
	var left, done float64
	for _, pc := range plan {
		left += pc.Compute.FLOPs()
	}
	lines := regexp.MustCompile(`(?m)^\[(\d+)/\d+\] tiny \S+ → done:.*$`).FindAllString(log.String(), -1)
	if len(lines) != len(plan) {
		t.Fatalf("%d done lines for %d cells:\n%s", len(lines), len(plan), log.String())
	}
	for i, pc := range plan {
		fl := pc.Compute.FLOPs()
		left, done = left-fl, done+fl
		want := ""
		if i < len(plan)-1 {
			took := time.Duration(i+1) * time.Second // the cells timed so far
			want = "; sweep ETA " + cost.FormatDuration(time.Duration(left/done*float64(took)))
		}
		if !strings.HasSuffix(lines[i], ")"+want) {
			t.Errorf("line %d: %q, want it to end %q", i+1, lines[i], ")"+want)
		}
		sum, err := results.ReadSummary(results.CellDir(r.Results, "tiny", pc.Key))
		if err != nil {
			t.Fatal(err)
		}
		est := cost.Estimate{FLOPs: fl, FLOPsPerSec: speed}
		if pc.Config.Activation == "relu" {
			if sum.EstimateSeconds != est.Duration().Seconds() || !strings.Contains(log.String(), fmt.Sprintf("tiny %s: estimate %s\n", pc.Key, est)) {
				t.Errorf("%s: estimate_s %v, want %v and a log line", pc.Key, sum.EstimateSeconds, est.Duration().Seconds())
			}
		} else if sum.EstimateSeconds != 0 {
			t.Errorf("%s: estimate_s %v for a cell not estimated", pc.Key, sum.EstimateSeconds)
		}
	}
	if n := len(ms[0].Cells(matrix.ProfileQuick)); n < 3 {
		t.Fatalf("tiny has %d cells; the test wants at least 3", n)
	}
}

// estimatingTrainer is a Trainer that is also an Estimator.
type estimatingTrainer struct {
	Trainer
	estimate func(*cellspec.Spec) (cost.Estimate, bool)
}

func (e estimatingTrainer) Estimate(cell *cellspec.Spec) (cost.Estimate, bool) {
	return e.estimate(cell)
}
