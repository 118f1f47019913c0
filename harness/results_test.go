package harness

import (
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"alexbench/harness/trainer"
)

// runInto sweeps ms with f into root (quick profile).
func runInto(t *testing.T, root string, f *fakeTrainer, ms ...*matrix.Matrix) {
	t.Helper()
	r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Now: fixedClock()}
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
}

func TestExportHasARowPerFinishedCellWithFlatColumns(t *testing.T) {
	root := t.TempDir()
	m := mustLoad(t, "../testdata/matrices/good/tiny.toml")
	f := newFakeTrainer()
	cells := m.Cells(matrix.ProfileQuick)
	f.behave[cells[0].Key] = oomErr
	r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Now: fixedClock(), Sampler: &eventSampler{}}
	if _, err := r.Run(context.Background(), []*matrix.Matrix{m}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(results.CellDir(root, "tiny", cells[1].Key), results.SummaryFile)) // now in flight

	rows, skipped, err := results.ExportRows(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cells)-1 || len(skipped) != 1 || !strings.Contains(skipped[0], cells[1].Key+": in-flight") {
		t.Fatalf("%d rows, skipped %q", len(rows), skipped)
	}
	var buf bytes.Buffer
	if err := results.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, want := range []string{"matrix", "key", "profile", "model", "activation", "pool", "dropout", "batch_size",
		"lr", "seed", "outcome", "test_acc", "train_loss", "step_ms", "first_step_seconds", "wall_seconds", "params",
		"backend", "device", "examples_per_sec", "memory_method", "peak_mib", "steady_peak_mib", "model_mib"} {
		if _, ok := col[want]; !ok {
			t.Errorf("no column %q in %v", want, header)
		}
	}
	byKey := map[string][]string{}
	for _, r := range recs[1:] {
		if len(r) != len(header) {
			t.Fatalf("row has %d fields, header %d", len(r), len(header))
		}
		byKey[r[col["key"]]] = r
	}
	oom := byKey[cells[0].Key]
	if oom == nil || oom[col["outcome"]] != "oom" || !strings.Contains(oom[col["error"]], "RESOURCE_EXHAUSTED") {
		t.Errorf("oom row %v", oom)
	}
	done := byKey[cells[2].Key]
	want := fakeEpoch(cells[2].Config, 2)
	if done == nil || done[col["activation"]] != "relu" || done[col["pool"]] != "max" || done[col["dropout"]] != "0.5" ||
		done[col["test_acc"]] != formatFloat(want.TestAcc) || done[col["epochs_done"]] != "2" || done[col["params"]] != "61706" ||
		done[col["matrix"]] != "tiny" || done[col["profile"]] != "quick" || done[col["step_ms"]] != "1.5" {
		t.Errorf("done row %v", done)
	}
	if model := cells[2].Memory; done[col["peak_mib"]] != "42" || done[col["memory_method"]] != "fake" ||
		done[col["steady_peak_mib"]] != "30" || done[col["model_mib"]] != formatFloat(model.TotalMiB) {
		t.Errorf("done row's memory columns %v, %v, %v, %v", done[col["memory_method"]], done[col["peak_mib"]],
			done[col["steady_peak_mib"]], done[col["model_mib"]])
	}

	buf.Reset()
	if err := results.WriteJSONL(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d JSONL lines for %d rows", len(lines), len(rows))
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &obj); err != nil || len(obj) != len(results.ExportColumns()) {
		t.Fatalf("JSONL line %q: %v", lines[0], err)
	}
	if !strings.HasPrefix(lines[0], `{"matrix":"tiny","key":`) {
		t.Errorf("JSONL keys are not in column order: %s", lines[0][:40])
	}
}

func TestMergeCopiesFinishedCellsAndRefusesConflicts(t *testing.T) {
	m := mustLoad(t, "../testdata/matrices/good/tiny.toml")
	cells := m.Cells(matrix.ProfileQuick)
	base := t.TempDir()
	a, b, dst := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "dst")
	f := newFakeTrainer()
	for i, root := range []string{a, b} {
		r := &Runner{Results: root, Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Shard: matrix.Shard{I: i + 1, N: 2}, Now: fixedClock()}
		if _, err := r.Run(context.Background(), []*matrix.Matrix{m}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := results.Merge(dst, []string{a, b}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Copied) != len(cells) || len(rep.Conflicts) != 0 {
		t.Fatalf("merge report %+v", rep)
	}
	sts, err := results.Status(dst)
	if err != nil || len(sts) != 1 || sts[0].Cells != len(cells) || sts[0].Counts[trainer.OutcomeDone] != len(cells) {
		t.Fatalf("merged status %+v %v", sts, err)
	}
	for _, c := range cells {
		src := a
		if _, err := os.Stat(results.CellDir(a, "tiny", c.Key)); err != nil {
			src = b
		}
		if !equalTrees(snapshotTree(t, results.CellDir(src, "tiny", c.Key)), snapshotTree(t, results.CellDir(dst, "tiny", c.Key))) {
			t.Errorf("%s: merged copy differs from its source", c.Key)
		}
	}

	// Merging again changes nothing; a tree with a differing finished cell is refused whole.
	before := snapshotTree(t, dst)
	if rep, err := results.Merge(dst, []string{a, b}, time.Now()); err != nil || len(rep.Same) != len(cells) {
		t.Fatalf("re-merge: %+v %v", rep, err)
	}
	c := filepath.Join(base, "c")
	rc := &Runner{Results: c, Profile: matrix.ProfileQuick, Trainer: TrainFunc(newFakeTrainer().train)} // same configs, other times
	if _, err := rc.Run(context.Background(), []*matrix.Matrix{m}); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(results.CellDir(c, "tiny", cells[0].Key)) // c lacks one: copied alone, it would be fine
	rep, err = results.Merge(dst, []string{c}, time.Now())
	if err == nil || len(rep.Conflicts) != len(cells)-1 || !strings.Contains(err.Error(), "nothing copied") ||
		!strings.Contains(err.Error(), "tiny/"+cells[1].Key+": ") {
		t.Fatalf("conflicting merge: %v, %+v", err, rep)
	}
	if after := snapshotTree(t, dst); !equalTrees(before, after) {
		t.Error("a refused merge changed the destination")
	}

	// A failed cell in the destination is replaced by a finished one, and kept aside.
	failedRoot := filepath.Join(base, "failed")
	ff := newFakeTrainer()
	ff.behave[cells[0].Key] = failing
	runInto(t, failedRoot, ff, m)
	fresh2 := filepath.Join(base, "fresh2")
	r := &Runner{Results: fresh2, Profile: matrix.ProfileQuick, Trainer: TrainFunc(newFakeTrainer().train)}
	if _, err := r.Run(context.Background(), []*matrix.Matrix{m.Subset(matrix.ProfileQuick, cells[:1])}); err != nil {
		t.Fatal(err)
	}
	rep, err = results.Merge(failedRoot, []string{fresh2}, time.Now())
	if err != nil || len(rep.Replaced) != 1 {
		t.Fatalf("replace failed cell: %+v %v", rep, err)
	}
	if s, _ := results.ReadSummary(results.CellDir(failedRoot, "tiny", cells[0].Key)); s == nil || s.Outcome != "done" {
		t.Error("the failed cell was not replaced")
	}
	if moved, _ := filepath.Glob(filepath.Join(failedRoot, "tiny", results.ReplacedDir, "*")); len(moved) != 1 {
		t.Errorf("the failed result was not kept aside: %v", moved)
	}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// A diverged cell's loss is NaN: export must say "no number" (an empty CSV
// field, null in JSON), never 0, which reads as a perfect fit.
func TestExportOfADivergedCellHasNoLoss(t *testing.T) {
	root := t.TempDir()
	m := mustLoad(t, "../testdata/matrices/good/tiny.toml")
	cells := m.Cells(matrix.ProfileQuick)
	f := newFakeTrainer()
	f.behave[cells[0].Key] = diverging
	runInto(t, root, f, m.Subset(matrix.ProfileQuick, cells[:1]))

	raw, err := os.ReadFile(filepath.Join(results.CellDir(root, "tiny", cells[0].Key), results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"train_loss": null`)) {
		t.Errorf("summary.json does not store the diverged loss as null:\n%s", raw)
	}
	rows, _, err := results.ExportRows(root)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	var csvOut, jsonOut bytes.Buffer
	if err := results.WriteCSV(&csvOut, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %v, %v", recs, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if got := recs[1][col["train_loss"]]; got != "" {
		t.Errorf("csv train_loss %q, want empty", got)
	}
	if got := recs[1][col["outcome"]]; got != "diverged" {
		t.Errorf("csv outcome %q", got)
	}
	if got := recs[1][col["train_acc"]]; got != "0.1" {
		t.Errorf("csv train_acc %q, want the last epoch's 0.1", got)
	}
	if err := results.WriteJSONL(&jsonOut, rows); err != nil {
		t.Fatal(err)
	}
	var row map[string]any
	if err := json.Unmarshal(jsonOut.Bytes(), &row); err != nil {
		t.Fatal(err)
	}
	if v, ok := row["train_loss"]; !ok || v != nil {
		t.Errorf("jsonl train_loss %v (present %v), want null", v, ok)
	}
}

// `alexbench merge /missing --into D` names the missing source, not a
// confusion with the destination (two missing folders compare equal).
func TestMergeOfAMissingSourceSaysItIsMissing(t *testing.T) {
	base := t.TempDir()
	missing := filepath.Join(base, "missing")
	_, err := results.Merge(filepath.Join(base, "dst"), []string{missing}, time.Now())
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") ||
		strings.Contains(err.Error(), "destination") {
		t.Errorf("merge of a missing source: %v", err)
	}
}
