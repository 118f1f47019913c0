package harness

import (
	"alexbench/harness/compare"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/nvml"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"alexbench/harness/trainer"
)

// fakeBaseline is a results tree of the fake trainer, read as a baseline.
func fakeBaseline(t *testing.T) (*compare.Baseline, string) {
	t.Helper()
	root := t.TempDir()
	runInto(t, root, newFakeTrainer(), mustLoad(t, "../testdata/matrices/good/tiny.toml"))
	b, err := compare.BaselineFromResults(root)
	if err != nil {
		t.Fatal(err)
	}
	return b, root
}

func TestBaselineFromResultsRecordsCardVersionsAndSeedSpread(t *testing.T) {
	b, root := fakeBaseline(t)
	if b.Format != compare.BaselineFormat || b.Card != "fake device" || b.Backend != "fake" || b.Source != root {
		t.Errorf("header: format %q card %q backend %q source %q", b.Format, b.Card, b.Backend, b.Source)
	}
	if want := results.CurrentVersions(); b.Versions.Go != want.Go || b.Versions.GoMLX != want.GoMLX {
		t.Errorf("versions %+v, want those of this binary %+v", b.Versions, want)
	}
	if !reflect.DeepEqual(b.Profiles, []string{matrix.ProfileQuick}) || b.MeasuredFrom.IsZero() || !b.MeasuredTo.After(b.MeasuredFrom) {
		t.Errorf("profiles %v, measured %v … %v", b.Profiles, b.MeasuredFrom, b.MeasuredTo)
	}
	if len(b.Cells) != 6 {
		t.Fatalf("%d cells, want tiny's 6", len(b.Cells))
	}
	for _, c := range b.Cells {
		if c.FirstStepSeconds != 0.25 || c.StepMillis != 1.5 || c.ExamplesPerSec != 1064 || c.Group == "" {
			t.Errorf("cell %+v", c)
		}
	}
	if len(b.Groups) != 3 {
		t.Fatalf("%d groups, want 3 configs × 2 seeds: %+v", len(b.Groups), b.Groups)
	}
	for _, g := range b.Groups {
		// fakeEpoch: test acc 1 − 1/(2 + seed/10 + dropout + 1.5) for seeds 1 and 2.
		if g.Seeds != 2 || g.TestAccSD <= 0 || g.TestAccMean < 0.7 || g.TestAccMean > 0.8 || strings.Contains(g.Label, "seed=") {
			t.Errorf("group %+v", g)
		}
	}
}

func TestBaselineFromResultsTakesTheDriverFromTheNVMLSummary(t *testing.T) {
	// The driver NVML reported reaches the baseline through summary.json's
	// typed memory record.
	root := t.TempDir()
	runInto(t, root, newFakeTrainer(), mustLoad(t, "../testdata/matrices/good/tiny.toml"))
	stored, err := results.ScanResults(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range stored {
		sc.Summary.Memory = &nvml.Summary{Method: nvml.MethodProcess, Driver: "580.82.07", PeakMiB: 1234}
		if err := results.WriteSummary(sc.Dir, sc.Summary); err != nil {
			t.Fatal(err)
		}
	}
	b, err := compare.BaselineFromResults(root)
	if err != nil {
		t.Fatal(err)
	}
	if b.Driver != "580.82.07" || b.Cells[0].PeakMiB != 1234 || b.Cells[0].MemoryMethod != nvml.MethodProcess {
		t.Errorf("driver %q, peak %v (%s), want NVML's", b.Driver, b.Cells[0].PeakMiB, b.Cells[0].MemoryMethod)
	}
}

func TestWriteBaselineRoundTripsAndReplacesOnlyWhenTold(t *testing.T) {
	b, _ := fakeBaseline(t)
	dir := t.TempDir()
	path, err := compare.WriteBaseline(dir, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "baseline-fake-device.json" {
		t.Errorf("wrote %s, want baseline-<card>.json", path)
	}
	back, err := compare.ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Date.IsZero() {
		t.Error("the baseline has no date")
	}
	b.Date = back.Date
	if !reflect.DeepEqual(b.Cells, back.Cells) || b.Card != back.Card || b.Versions != back.Versions || !reflect.DeepEqual(b.Groups, back.Groups) {
		t.Errorf("round trip changed the baseline:\n%+v\n%+v", b, back)
	}
	before, _ := os.ReadFile(path)
	if _, err := compare.WriteBaseline(path, b, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwrote a baseline without being told: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused write changed the file")
	}
	b.Card = "other card"
	if _, err := compare.WriteBaseline(path, b, true); err != nil {
		t.Fatal(err)
	}
	if back, _ := compare.ReadBaseline(path); back == nil || back.Card != "other card" {
		t.Errorf("replace did not replace: %+v", back)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestReadBaselineRefusesBadFiles(t *testing.T) {
	good := `{"format": "alexbench-baseline/1", "card": "c", "cells": [
  {"matrix": "bench", "key": "0123456789abcdef", "outcome": "done", "examples_per_sec": 10, "test_acc": 0.5}
]}`
	tests := []struct {
		name, text, want string
	}{
		{"not JSON", "{", "unexpected EOF"},
		{"syntax error names the line", "{\n\"format\": \"alexbench-baseline/1\",\n\"cells\": [}", "line 3"},
		{"unknown key", strings.Replace(good, `"card"`, `"cards"`, 1), `unknown field "cards"`},
		{"wrong type names the line", strings.Replace(good, `"examples_per_sec": 10`, `"examples_per_sec": "10"`, 1), "line 2"},
		{"other format", strings.Replace(good, "baseline/1", "baseline/9", 1), `format "alexbench-baseline/9"`},
		{"no cells", `{"format": "alexbench-baseline/1", "card": "c", "cells": []}`, "no cells"},
		{"bad key", strings.Replace(good, "0123456789abcdef", "xyz", 1), `cells[0]: matrix "bench" / key "xyz"`},
		{"bad outcome", strings.Replace(good, `"done"`, `"finished"`, 1), `outcome "finished"`},
		{"negative throughput", strings.Replace(good, `: 10`, `: -10`, 1), "must be ≥ 0"},
		{"accuracy above 1", strings.Replace(good, `0.5`, `50`, 1), "test_acc in [0, 1]"},
		{"duplicate cell", strings.Replace(good, "}\n]", "},"+good[strings.Index(good, "\n  {"):strings.Index(good, "\n]")]+"\n]", 1), "appears twice"},
	}
	dir := t.TempDir()
	goodPath := filepath.Join(dir, "good.json")
	os.WriteFile(goodPath, []byte(good), 0o644)
	b, err := compare.ReadBaseline(goodPath)
	if err != nil {
		t.Fatalf("the good file: %v", err)
	}
	if b.Cells[0].Group != b.Cells[0].Key || b.Source != goodPath {
		t.Errorf("a hand-written cell is its own group, the file its source: %+v", b)
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := compare.ReadBaseline(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", tt.name, err, path, tt.want)
		}
	}
}

func TestCardSlug(t *testing.T) {
	for card, want := range map[string]string{
		"NVIDIA H100 80GB HBM3":         "nvidia-h100-80gb-hbm3",
		"NVIDIA H200":                   "nvidia-h200",
		"CPU (2 cores)":                 "cpu-2-cores",
		"NVIDIA A100-SXM4-40GB + Other": "nvidia-a100-sxm4-40gb-other",
		"":                              "unknown",
	} {
		if got := compare.CardSlug(card); got != want {
			t.Errorf("CardSlug(%q) = %q, want %q", card, got, want)
		}
	}
}

func TestCompareSourceRefusesTreesWithNothingFinished(t *testing.T) {
	root := t.TempDir()
	f := newFakeTrainer()
	m := mustLoad(t, "../testdata/matrices/good/tiny.toml")
	for _, c := range m.Cells(matrix.ProfileQuick) {
		f.behave[c.Key] = failing
	}
	runInto(t, root, f, m)
	if _, err := compare.CompareSource(root); err == nil || !strings.Contains(err.Error(), "no finished cells") {
		t.Errorf("a tree of failed cells: %v", err)
	}
	if _, err := compare.CompareSource(filepath.Join(root, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing tree: %v", err)
	}
	b, err := compare.BaselineFromResults(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Cells {
		if c.Outcome != trainer.OutcomeFailed {
			t.Errorf("cell %+v", c)
		}
	}
	if enc, _ := json.Marshal(b); !strings.Contains(string(enc), `"groups":[]`) {
		t.Errorf("a baseline of failed cells has groups: %s", enc)
	}
}

func TestFindBaselineNamesWhatThereIs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "baseline-nvidia-h200.json"), []byte("{}"), 0o644)
	if p, err := compare.FindBaseline(dir, "NVIDIA H200"); err != nil || filepath.Base(p) != "baseline-nvidia-h200.json" {
		t.Errorf("FindBaseline = %s, %v", p, err)
	}
	_, err := compare.FindBaseline(dir, "NVIDIA H100 80GB HBM3")
	if err == nil || !strings.Contains(err.Error(), "want baseline-nvidia-h100-80gb-hbm3.json; have: baseline-nvidia-h200.json") ||
		!strings.Contains(err.Error(), "--write-baseline") {
		t.Errorf("missing card's baseline: %v", err)
	}
}
