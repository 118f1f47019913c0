package harness

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// Temp files a killed writer left are removed by the next run once stale,
// and at once when they are a second name of a published file; a fresh one
// (a live writer's) stays.
func TestStaleTempFilesAreRemovedOnTheNextRun(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	cells := ms[0].Cells(matrix.ProfileQuick)
	cell := results.CellDir(r.Results, "tiny", cells[0].Key)
	old := time.Now().Add(-2 * results.StaleTempAge)
	plant := func(path string, stale bool) string {
		t.Helper()
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("half a file"), 0o644); err != nil {
			t.Fatal(err)
		}
		if stale {
			os.Chtimes(path, old, old)
		}
		return path
	}
	gone := []string{
		plant(filepath.Join(r.Results, ".report.html.tmp-12345"), true),
		plant(filepath.Join(r.Results, "tiny", ".matrix.json.tmp-2"), true),
		plant(filepath.Join(cell, ".metrics.jsonl.tmp-3"), true),
		plant(filepath.Join(cell, ".tmp-4"), true),
		plant(filepath.Join(r.Results, "tiny", results.ReplacedDir, cells[1].Key+"-20260101T000000Z", ".summary.json.tmp-5"), true),
	}
	// What PublishSummary leaves when killed between its link and its remove.
	linked := filepath.Join(results.CellDir(r.Results, "tiny", cells[1].Key), ".tmp-77")
	if err := os.Link(filepath.Join(results.CellDir(r.Results, "tiny", cells[1].Key), results.SummaryFile), linked); err != nil {
		t.Fatal(err)
	}
	gone = append(gone, linked)
	kept := []string{
		plant(filepath.Join(cell, ".config.toml.tmp-6"), false),             // fresh: a live writer's
		plant(filepath.Join(cell, ".notes.tmp"), true),                      // not a temp name
		plant(filepath.Join(r.Results, "tiny", "notes.tmp-8"), true),        // not a temp name
		plant(filepath.Join(r.Results, "elsewhere", "x", ".a.tmp-9"), true), // not a cell folder
	}
	summary, _ := os.ReadFile(filepath.Join(cell, results.SummaryFile))
	var log bytes.Buffer
	r.Log = &log
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("stale temp file %s survived the run", p)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if !strings.Contains(log.String(), "removed 6 temp files left by killed writers") {
		t.Errorf("log:\n%s", log.String())
	}
	if now, _ := os.ReadFile(filepath.Join(cell, results.SummaryFile)); !bytes.Equal(now, summary) {
		t.Error("the finished summary changed")
	}
	if s, err := results.ReadSummary(results.CellDir(r.Results, "tiny", cells[1].Key)); err != nil || s.Outcome != trainer.OutcomeDone {
		t.Errorf("the summary whose second name was removed: %v", err)
	}
}

// A summary is published exclusively: a second one is refused, the first kept.
func TestPublishSummaryNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := results.PublishSummary(dir, &results.Summary{Outcome: trainer.OutcomeDone, Key: "first"}); err != nil {
		t.Fatal(err)
	}
	err := results.PublishSummary(dir, &results.Summary{Outcome: trainer.OutcomeFailed, Key: "second"})
	if !errors.Is(err, results.ErrPublished) {
		t.Fatalf("second publish: %v, want ErrPublished", err)
	}
	if s, err := results.ReadSummary(dir); err != nil || s.Key != "first" {
		t.Fatalf("summary now %+v, %v", s, err)
	}
	if extra, _ := filepath.Glob(filepath.Join(dir, ".*")); len(extra) > 0 {
		t.Errorf("temp files left: %v", extra)
	}
}

// The claims folder is no matrix: status, export and merge do not see it.
func TestClaimsAreInvisibleToStatusExportAndMerge(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	n := len(ms[0].Cells(matrix.ProfileQuick))
	claims, _ := filepath.Glob(filepath.Join(r.Results, results.ClaimsDir, "*", "1"))
	if len(claims) != n {
		t.Fatalf("%d claim folders, want one per cell (%d)", len(claims), n)
	}
	sts, err := results.Status(r.Results)
	if err != nil || len(sts) != 1 || sts[0].Matrix != "tiny" || sts[0].Cells != n {
		t.Fatalf("status %+v %v", sts, err)
	}
	var out bytes.Buffer
	results.WriteStatus(&out, sts)
	if strings.Contains(out.String(), "claims") {
		t.Errorf("status mentions the claims:\n%s", out.String())
	}
	out.Reset()
	rows, skipped, err := results.ExportRows(r.Results)
	if err != nil || len(rows) != n || len(skipped) != 0 {
		t.Fatalf("export: %d rows, skipped %v, %v", len(rows), skipped, err)
	}
	if err := results.WriteCSV(&out, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != n+1 || strings.Contains(out.String(), "claims") {
		t.Errorf("export (%d lines):\n%s", lines, out.String())
	}
	dst := filepath.Join(t.TempDir(), "merged")
	rep, err := results.Merge(dst, []string{r.Results}, time.Now())
	if err != nil || len(rep.Copied) != n || len(rep.Unfinish) != 0 {
		t.Fatalf("merge %+v %v", rep, err)
	}
	if _, err := os.Stat(filepath.Join(dst, results.ClaimsDir)); err == nil {
		t.Error("merge copied the claims folder")
	}
}

// --force and --retry-failed redo results older than the run, not those
// other runners finished meanwhile: runners sharing a tree with --force redo
// each cell once, not once each.
func TestForceRedoesOnlyResultsOlderThanTheRun(t *testing.T) {
	f := newFakeTrainer()
	root := t.TempDir()
	ms := tiny(t)
	n := len(ms[0].Cells(matrix.ProfileQuick))
	first := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train)}
	if _, err := first.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	// A --force runner that started before those results were finished.
	early := time.Now().Add(-time.Hour)
	late := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Force: true,
		Now: func() time.Time { return early }}
	rep, err := late.Run(context.Background(), ms)
	if err != nil || rep.Ran != 0 || rep.Skipped != n || f.total() != n {
		t.Fatalf("--force runner started before the results: %+v %v (trainer ran %d)", rep, err, f.total())
	}
	forced := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Force: true}
	if rep, err := forced.Run(context.Background(), ms); err != nil || rep.Ran != n {
		t.Fatalf("--force: %+v %v", rep, err)
	}
}

// A cell another live runner holds is waited for and, once that runner
// publishes it, not run again; with NoWait the runner leaves it.
func TestHeldCellsAreWaitedForNotRunTwice(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	r.Poll = 5 * time.Millisecond
	ms := tiny(t)
	cells := ms[0].Cells(matrix.ProfileQuick)
	held := cells[2]
	c, err := claim.Acquire(results.ClaimDir(r.Results, held.Key), claim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.NoWait = true
	rep, err := r.Run(context.Background(), ms)
	if err != nil || rep.Ran != len(cells)-1 || f.count(held.Key) != 0 {
		t.Fatalf("--no-wait: %+v %v", rep, err)
	}
	r.NoWait = false
	log := &syncBuffer{}
	r.Log = log
	go func() {
		// The holder finishes the cell while the runner waits.
		for !strings.Contains(log.String(), "waiting for 1 cells") {
			time.Sleep(time.Millisecond)
		}
		dir := results.CellDir(r.Results, "tiny", held.Key)
		os.MkdirAll(dir, 0o755)
		results.PublishSummary(dir, &results.Summary{Outcome: trainer.OutcomeDone, Key: held.Key, Finished: time.Now()})
		c.Release()
	}()
	rep, err = r.Run(context.Background(), ms)
	if err != nil || rep.Ran != 0 || rep.Others != 1 || f.count(held.Key) != 0 {
		t.Fatalf("waiting runner: %+v %v (ran the held cell %d times)\n%s", rep, err, f.count(held.Key), log.String())
	}
}

// A cell two matrices list (the same key) is trained once, by one runner or
// by two at once; the other matrix's folder gets the same result under its
// own name, and status and export see both matrices whole.
func TestACellSeveralMatricesListIsTrainedOnce(t *testing.T) {
	src, err := os.ReadFile("../testdata/matrices/good/tiny.toml")
	if err != nil {
		t.Fatal(err)
	}
	twin, err := matrix.Parse("tiny2.toml", bytes.Replace(src, []byte(`name = "tiny"`), []byte(`name = "tiny2"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	ms := append(tiny(t), twin)
	n := len(twin.Cells(matrix.ProfileQuick))
	for _, runners := range []int{1, 2} {
		f := newFakeTrainer()
		f.epochGap = 5 * time.Millisecond
		root := t.TempDir()
		reps := make([]*RunReport, runners)
		errs := make([]error, runners)
		done := make(chan int)
		for i := range runners {
			go func() {
				r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Poll: 5 * time.Millisecond}
				reps[i], errs[i] = r.Run(context.Background(), ms)
				done <- i
			}()
		}
		ran, shared := 0, 0
		for range runners {
			i := <-done
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			ran, shared = ran+reps[i].Ran, shared+reps[i].Shared
		}
		if f.total() != n || ran != n || shared != n {
			t.Fatalf("%d runners: trainer ran %d times, reports ran %d and shared %d; want %d each", runners, f.total(), ran, shared, n)
		}
		for _, c := range twin.Cells(matrix.ProfileQuick) {
			a, b := results.CellDir(root, "tiny", c.Key), results.CellDir(root, "tiny2", c.Key)
			sa, err1 := results.ReadSummary(a)
			sb, err2 := results.ReadSummary(b)
			if err1 != nil || err2 != nil || sa.Matrix != "tiny" || sb.Matrix != "tiny2" || sa.Final != sb.Final || sa.Started != sb.Started {
				t.Errorf("%s: summaries %+v (%v) and %+v (%v)", c.Key, sa, err1, sb, err2)
			}
			ma, _ := os.ReadFile(filepath.Join(a, results.MetricsFile))
			mb, _ := os.ReadFile(filepath.Join(b, results.MetricsFile))
			if len(ma) == 0 || !bytes.Equal(ma, mb) {
				t.Errorf("%s: metrics differ", c.Key)
			}
		}
		sts, err := results.Status(root)
		if err != nil || len(sts) != 2 || sts[0].Counts[trainer.OutcomeDone] != n || sts[1].Counts[trainer.OutcomeDone] != n {
			t.Errorf("status %+v %v", sts, err)
		}
		if rows, _, err := results.ExportRows(root); err != nil || len(rows) != 2*n {
			t.Errorf("export: %d rows, %v", len(rows), err)
		}
	}
}
