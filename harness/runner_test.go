package harness

import (
	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/shardplan"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"alexbench/harness/trainer"
)

func newTestRunner(t *testing.T, f *fakeTrainer) *Runner {
	t.Helper()
	return &Runner{Results: t.TempDir(), Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Now: fixedClock(),
		Versions: results.Versions{Go: "go-test"}}
}

func tiny(t *testing.T) []*matrix.Matrix {
	return []*matrix.Matrix{mustLoad(t, "../testdata/matrices/good/tiny.toml")}
}

func TestRunWritesEveryCellFolder(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	cells := ms[0].Cells(matrix.ProfileQuick)
	if rep.Ran != len(cells) || rep.Outcomes[trainer.OutcomeDone] != len(cells) {
		t.Fatalf("report %+v, want %d cells done", rep, len(cells))
	}
	for _, c := range cells {
		dir := results.CellDir(r.Results, "tiny", c.Key)
		cfgBytes, err := os.ReadFile(filepath.Join(dir, results.ConfigFile))
		if err != nil || !bytes.Equal(cfgBytes, c.Config.TOML()) {
			t.Errorf("%s: config.toml differs from the cell's config (%v)", c.Key, err)
		}
		back, err := results.ReadConfig(dir)
		if err != nil || back != c.Config {
			t.Errorf("%s: config.toml reads back as %+v (%v)", c.Key, back, err)
		}
		metrics, err := results.ReadMetrics(dir)
		if err != nil || len(metrics) != c.Config.Epochs {
			t.Fatalf("%s: %d metrics lines (%v), want %d", c.Key, len(metrics), err, c.Config.Epochs)
		}
		s, err := results.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := fakeEpoch(c.Config, c.Config.Epochs)
		if s.Outcome != trainer.OutcomeDone || s.Key != c.Key || s.Matrix != "tiny" || s.Profile != matrix.ProfileQuick ||
			s.Final != want || metrics[len(metrics)-1] != want || s.StepMillis != 1.5 || s.Params != 61706 ||
			s.Backend != "fake" || s.Device != "fake device" || s.Versions.Go != "go-test" ||
			!s.Finished.After(s.Started) {
			t.Errorf("%s: summary %+v", c.Key, s)
		}
		if _, err := os.Stat(filepath.Join(dir, "filters.png")); err != nil {
			t.Errorf("%s: the trainer's artifact is missing: %v", c.Key, err)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*")); len(leftovers) > 0 {
			t.Errorf("%s: temp files left: %v", c.Key, leftovers)
		}
	}
	rec, err := results.ReadMatrixRecord(r.Results, "tiny")
	if err != nil || rec == nil || len(rec.Profiles[matrix.ProfileQuick]) != len(cells) || rec.Exercise != "7" {
		t.Fatalf("matrix.json = %+v, %v", rec, err)
	}
	if p := rec.Profiles[matrix.ProfileQuick][1].Params; len(p) != 4 || p[2].Key != "dropout" || p[2].Value != 0.5 {
		t.Errorf("matrix.json params of cell 2 = %+v", p)
	}

	// A second run skips every cell and changes nothing.
	before := snapshotTree(t, r.Results)
	rep, err = r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 0 || rep.Skipped != len(cells) || f.total() != len(cells) {
		t.Errorf("rerun: report %+v, trainer ran %d times", rep, f.total())
	}
	if after := snapshotTree(t, r.Results); !equalTrees(before, after) {
		t.Error("a rerun with nothing to do changed the results tree")
	}
}

func TestFailuresEndTheirCellAndTheSweepGoesOn(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	cells := ms[0].Cells(matrix.ProfileQuick)
	f.behave[cells[0].Key] = oomErr
	f.behave[cells[1].Key] = panicky
	f.behave[cells[2].Key] = diverging
	f.behave[cells[3].Key] = failing
	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		outcome, errText string
	}{
		{trainer.OutcomeOOM, "RESOURCE_EXHAUSTED"},
		{trainer.OutcomeFailed, "panic: shape mismatch in conv2"},
		{trainer.OutcomeDiverged, "loss is NaN"},
		{trainer.OutcomeFailed, "checksum mismatch"},
		{trainer.OutcomeDone, ""},
		{trainer.OutcomeDone, ""},
	}
	for i, c := range cells {
		s, err := results.ReadSummary(results.CellDir(r.Results, "tiny", c.Key))
		if err != nil {
			t.Fatalf("cell %d: %v", i, err)
		}
		if s.Outcome != want[i].outcome || !strings.Contains(s.Error, want[i].errText) {
			t.Errorf("cell %d: outcome %s error %q, want %s containing %q", i, s.Outcome, s.Error, want[i].outcome, want[i].errText)
		}
	}
	if rep.Outcomes[trainer.OutcomeDone] != 2 || rep.Outcomes[trainer.OutcomeFailed] != 2 {
		t.Errorf("report %+v", rep)
	}
	// The diverged cell's NaN loss is stored as null, not as broken JSON.
	dir := results.CellDir(r.Results, "tiny", cells[2].Key)
	raw, _ := os.ReadFile(filepath.Join(dir, results.MetricsFile))
	if !bytes.Contains(raw, []byte(`"train_loss":null`)) {
		t.Errorf("metrics.jsonl of the diverged cell:\n%s", raw)
	}
	if s, _ := results.ReadSummary(dir); s.DivergedEpoch != 2 {
		t.Errorf("diverged epoch %d, want 2", s.DivergedEpoch)
	}

	// Failed and OOM cells are skipped until --retry-failed; done and diverged stay.
	f.behave = nil
	if rep, _ := r.Run(context.Background(), ms); rep.Ran != 0 {
		t.Errorf("rerun without --retry-failed ran %d cells", rep.Ran)
	}
	oldPanic, _ := os.ReadFile(filepath.Join(results.CellDir(r.Results, "tiny", cells[1].Key), results.SummaryFile))
	r.RetryFailed = true
	rep, err = r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 3 || rep.Outcomes[trainer.OutcomeDone] != 3 {
		t.Errorf("--retry-failed: %+v, want the oom and the two failed cells rerun", rep)
	}
	for _, i := range []int{0, 1, 3} {
		if f.count(cells[i].Key) != 2 {
			t.Errorf("cell %d ran %d times, want 2", i, f.count(cells[i].Key))
		}
	}
	moved, _ := filepath.Glob(filepath.Join(r.Results, "tiny", results.ReplacedDir, cells[1].Key+"-*", results.SummaryFile))
	if len(moved) != 1 {
		t.Fatalf("the failed result was not kept aside: %v", moved)
	}
	if kept, _ := os.ReadFile(moved[0]); !bytes.Equal(kept, oldPanic) {
		t.Error("the result moved aside differs from the original")
	}
	if st, _ := results.Status(r.Results); len(st) != 1 || st[0].Counts[trainer.OutcomeDone] != 5 || st[0].Counts[trainer.OutcomeDiverged] != 1 {
		t.Errorf("status ignores .replaced? %+v", st)
	}
}

func TestForceRerunsEverythingAndKeepsOldResults(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	r.Force = true
	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	n := len(ms[0].Cells(matrix.ProfileQuick))
	if rep.Ran != n {
		t.Errorf("--force ran %d, want %d", rep.Ran, n)
	}
	moved, _ := filepath.Glob(filepath.Join(r.Results, "tiny", results.ReplacedDir, "*", results.SummaryFile))
	if len(moved) != n {
		t.Errorf("%d old results kept aside, want %d", len(moved), n)
	}
}

func TestCorruptAndUnfinishedCellsAreReportedAndRerun(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	cells := ms[0].Cells(matrix.ProfileQuick)
	corrupt := results.CellDir(r.Results, "tiny", cells[0].Key)
	os.WriteFile(filepath.Join(corrupt, results.SummaryFile), []byte(`{"outcome": "done", "key": `), 0o644)
	wrongOutcome := results.CellDir(r.Results, "tiny", cells[1].Key)
	os.WriteFile(filepath.Join(wrongOutcome, results.SummaryFile), []byte(`{"outcome": "finished", "key": "`+cells[1].Key+`"}`), 0o644)
	inflight := results.CellDir(r.Results, "tiny", cells[2].Key)
	os.Remove(filepath.Join(inflight, results.SummaryFile))
	os.WriteFile(filepath.Join(inflight, ".summary.json.tmp-123"), []byte("half"), 0o644)

	plan, err := r.Plan(ms)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"rerun: corrupt summary", "rerun: corrupt summary", "rerun: in flight", "done"} {
		if !strings.HasPrefix(plan[i].Reason, want) || plan[i].Run != (i < 3) {
			t.Errorf("plan %d: run=%v reason %q, want %q", i, plan[i].Run, plan[i].Reason, want)
		}
	}
	if plan[1].Err == nil || !strings.Contains(plan[1].Err.Error(), `outcome "finished"`) {
		t.Errorf("corrupt reason does not say what is wrong: %v", plan[1].Err)
	}
	var dry bytes.Buffer
	if err := WritePlan(&dry, plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dry.String(), "tiny (profile quick): 6 cells, 3 to run, 3 skipped") ||
		!regexp.MustCompile(cells[0].Key+` +run +activation=sigmoid pool=avg seed=1 +rerun: corrupt summary.json\n`).MatchString(dry.String()) ||
		!strings.Contains(dry.String(), "corrupt: tiny/"+cells[1].Key+": reading ") {
		t.Errorf("dry run:\n%s", dry.String())
	}
	sts, err := results.Status(r.Results)
	if err != nil || len(sts) != 1 || sts[0].Counts[results.StateCorrupt] != 2 || sts[0].Counts[results.StateInFlight] != 1 {
		t.Fatalf("status %+v %v", sts, err)
	}
	var out bytes.Buffer
	results.WriteStatus(&out, sts)
	if !strings.Contains(out.String(), "corrupt (will be rerun): tiny/"+cells[0].Key) {
		t.Errorf("status does not report the corrupt summary:\n%s", out.String())
	}

	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 3 {
		t.Errorf("ran %d, want 3", rep.Ran)
	}
	for _, dir := range []string{corrupt, wrongOutcome, inflight} {
		if s, err := results.ReadSummary(dir); err != nil || s.Outcome != trainer.OutcomeDone {
			t.Errorf("%s: %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(inflight, ".summary.json.tmp-123")); err == nil {
		t.Error("the unfinished run's leftovers survived the rerun")
	}
	if moved, _ := filepath.Glob(filepath.Join(r.Results, "tiny", results.ReplacedDir, "*")); len(moved) != 2 {
		t.Errorf("corrupt summaries kept aside: %v, want 2", moved)
	}
}

// Runners share a tree (the per-cell claims keep them apart); an exclusive
// holder (merge) keeps runners out; a killed exclusive holder's lock is no
// obstacle and its PID is reported as taken over.
func TestLockIsSharedByRunnersAndExclusiveForMerge(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	other, err := results.LockResults(r.Results, results.Shared)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), tiny(t)); err != nil || f.total() != 6 {
		t.Fatalf("a runner next to another: %v (trainer ran %d)", err, f.total())
	}
	if l, err := results.LockResults(r.Results, results.Exclusive); err == nil {
		l.Unlock()
		t.Error("an exclusive lock while a runner holds the tree")
	} else if !strings.Contains(err.Error(), "in use by a running alexbench") {
		t.Errorf("exclusive while shared: %v", err)
	}
	other.Unlock()

	held, err := results.LockResults(r.Results, results.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	r.Force = true
	_, err = r.Run(context.Background(), tiny(t))
	if err == nil || !strings.Contains(err.Error(), "locked exclusively by alexbench PID "+itoa(os.Getpid())) || f.total() != 6 {
		t.Fatalf("runner during a merge: %v (trainer ran %d)", err, f.total())
	}
	held.Unlock()
	if b, _ := os.ReadFile(filepath.Join(r.Results, results.LockFile)); len(b) != 0 {
		t.Errorf("an unlocked exclusive lock still names its holder: %q", b)
	}

	// A lock file left by an exclusive holder that died.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no `true` to make a dead PID:", err)
	}
	dead := cmd.Process.Pid
	os.WriteFile(filepath.Join(r.Results, results.LockFile), []byte(itoa(dead)+" host 2026-01-01T00:00:00Z\n"), 0o644)
	l, err := results.LockResults(r.Results, results.Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	if l.TookOver != dead {
		t.Errorf("TookOver = %d, want the dead PID %d", l.TookOver, dead)
	}
	b, _ := os.ReadFile(filepath.Join(r.Results, results.LockFile))
	if !strings.HasPrefix(string(b), itoa(os.Getpid())+" ") {
		t.Errorf("lock file holds %q, want our PID", b)
	}
	l.Unlock()
}

func itoa(n int) string { return strconv.Itoa(n) }

// Every shard of a sweep runs its share of the balanced plan: each cell in
// exactly one shard, the plan's.
func TestShardsSplitTheSweepDisjointly(t *testing.T) {
	ms := []*matrix.Matrix{mustLoad(t, "../testdata/matrices/good/tiny.toml"), mustLoad(t, "../testdata/matrices/good/github-include.toml")}
	f := newFakeTrainer()
	root := t.TempDir()
	const n = 3
	var items []shardplan.Item
	for _, m := range ms {
		for _, c := range m.Cells(matrix.ProfileQuick) {
			items = append(items, shardplan.Item{Key: c.Matrix + "/" + c.Key, Cost: c.Compute.MACs()})
		}
	}
	want, err := shardplan.Assign(items, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		before := map[string]int{}
		for _, it := range items {
			before[it.Key] = f.count(it.Key[strings.Index(it.Key, "/")+1:])
		}
		r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Shard: matrix.Shard{I: i, N: n}}
		plan, err := r.Plan(ms)
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range plan {
			if (pc.Shard == i) != pc.Run || pc.Shard != want.Shard(pc.ID()) {
				t.Errorf("shard %d: %s planned in shard %d, run=%v; the plan says shard %d", i, pc.ID(), pc.Shard, pc.Run, want.Shard(pc.ID()))
			}
		}
		if _, err := r.Run(context.Background(), ms); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			key := it.Key[strings.Index(it.Key, "/")+1:]
			if ran := f.count(key) - before[it.Key]; (ran == 1) != (want.Shard(it.Key) == i) {
				t.Errorf("shard %d ran %s %d times; the plan gives it to shard %d", i, it.Key, ran, want.Shard(it.Key))
			}
		}
	}
	total := 0
	for _, m := range ms {
		for _, c := range m.Cells(matrix.ProfileQuick) {
			total++
			if f.count(c.Key) != 1 {
				t.Errorf("%s ran %d times across %d shards, want once", c, f.count(c.Key), n)
			}
		}
	}
	if f.total() != total {
		t.Errorf("trainer ran %d times for %d cells", f.total(), total)
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want matrix.Shard
		bad  string
	}{
		{"1/2", matrix.Shard{I: 1, N: 2}, ""},
		{"2/2", matrix.Shard{I: 2, N: 2}, ""},
		{"", matrix.Shard{}, ""},
		{"3/2", matrix.Shard{}, "1 ≤ i ≤ n"},
		{"0/2", matrix.Shard{}, "1 ≤ i ≤ n"},
		{"1/0", matrix.Shard{}, "1 ≤ i ≤ n"},
		{"a/b", matrix.Shard{}, "want i/n"},
		{"2", matrix.Shard{}, "want i/n"},
	}
	for _, tt := range tests {
		got, err := matrix.ParseShard(tt.in)
		if tt.bad == "" && (err != nil || got != tt.want) {
			t.Errorf("ParseShard(%q) = %v, %v", tt.in, got, err)
		}
		if tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)) {
			t.Errorf("ParseShard(%q) error %v, want %q", tt.in, err, tt.bad)
		}
	}
}

func TestCancelLeavesTheCellUnfinished(t *testing.T) {
	f := newFakeTrainer()
	f.epochGap = time.Hour
	r := newTestRunner(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	ms := tiny(t)
	go func() {
		for f.total() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := r.Run(ctx, ms)
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v", err)
	}
	if f.total() != 1 {
		t.Fatalf("cells started after the cancel: %d", f.total()-1)
	}
	var first matrix.Cell
	for _, c := range ms[0].Cells(matrix.ProfileQuick) {
		if f.count(c.Key) == 1 {
			first = c
		}
	}
	dir := results.CellDir(r.Results, "tiny", first.Key)
	state, _, _ := results.CellState(dir)
	if state != results.StateInFlight {
		t.Errorf("interrupted cell is %s, want %s (so the next run redoes it)", state, results.StateInFlight)
	}
	in, err := results.ReadInterrupted(dir)
	if err != nil || in == nil || in.Reason != "context canceled" || in.PID != os.Getpid() {
		t.Errorf("interruption marker %+v, %v", in, err)
	}
	if held, rec, _ := claim.Held(results.ClaimDir(r.Results, first.Key), claim.Options{}); held {
		t.Errorf("the interrupted cell's claim is still held: %+v", rec)
	}
	plan, _ := r.Plan(ms)
	for _, pc := range plan {
		if pc.Key == first.Key && !strings.HasPrefix(pc.Reason, "rerun: interrupted by context canceled at ") {
			t.Errorf("plan of the interrupted cell: %q", pc.Reason)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		res     *trainer.Result
		err     string
		outcome string
	}{
		{&trainer.Result{Outcome: "done"}, "", "done"},
		{&trainer.Result{}, "", "done"},
		{&trainer.Result{Outcome: "diverged", Error: "NaN"}, "", "diverged"},
		{&trainer.Result{Outcome: "failed", Error: "CUDA_ERROR_OUT_OF_MEMORY: out of memory"}, "", "oom"},
		{&trainer.Result{Outcome: "failed", Error: "bad"}, "", "failed"},
		{&trainer.Result{Outcome: "exploded"}, "", "failed"},
		{nil, "XLA: RESOURCE_EXHAUSTED", "oom"},
		{nil, "runtime: cannot allocate memory", "oom"},
		{nil, "no data", "failed"},
		{nil, "", "failed"},
	}
	for _, tt := range tests {
		var err error
		if tt.err != "" {
			err = errString(tt.err)
		}
		if got, _ := classify(tt.res, err); got != tt.outcome {
			t.Errorf("classify(%+v, %q) = %s, want %s", tt.res, tt.err, got, tt.outcome)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
