package main

import (
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestRunDryRunListsE5Cells(t *testing.T) {
	var out bytes.Buffer
	results := t.TempDir()
	if err := runRun([]string{"../../experiments/ex7-lenet.toml", "--profile", "quick", "--dry-run", "--results", results}, &out); err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^  [0-9a-f]{16}  run `).FindAllString(out.String(), -1)
	if len(rows) < 16 {
		t.Errorf("dry run lists %d cells to run, want ≥ 16:\n%s", len(rows), out.String())
	}
	if entries, _ := os.ReadDir(results); len(entries) != 0 {
		t.Errorf("a dry run wrote %d entries into the results folder", len(entries))
	}
}

// subsetByDesign names the matrices whose full profile trains on a subset on
// purpose: exercise 8 makes AlexNet overfit a small training set.
var subsetByDesign = map[string]bool{"ex8-overfit": true}

func TestEveryExperimentLoadsInBothProfiles(t *testing.T) {
	files, _ := filepath.Glob("../../experiments/[es]*[0-9]*-*.toml")
	if len(files) < 6 {
		t.Fatalf("found %d experiment matrices, want the six of the issue", len(files))
	}
	ms, err := matrix.LoadAll(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Exercise == "" || !strings.HasPrefix(filepath.Base(m.File), m.Name) {
			t.Errorf("%s: name %q / exercise %q", m.File, m.Name, m.Exercise)
		}
		for _, p := range matrix.Profiles {
			if len(m.Cells(p)) == 0 {
				t.Errorf("%s has no %s cells", m.Name, p)
			}
		}
		// A quick cell sees a subset of at most 16,000 images and at most
		// 6,000 images × 20 epochs' worth of examples (exercise 8 overfits 256 images
		// for 80 epochs; exercise 7's 500 steps are 12,800 images × 5) at a small
		// size: docs/BENCHMARKS.md has the measured time of each.
		for _, c := range m.Cells(matrix.ProfileQuick) {
			if c.Config.TrainLimit == 0 || c.Config.TrainLimit > 16000 || c.Config.TrainLimit*c.Config.Epochs > 6000*20 || c.Config.Resize > 96 {
				t.Errorf("%s quick cell %s is not CPU-sized: %+v", m.Name, c.Label(), c.Config)
			}
		}
		for _, c := range m.Cells(matrix.ProfileFull) {
			subset := c.Config.TrainLimit != 0 || c.Config.TestLimit != 0
			if subset && !subsetByDesign[m.Name] || c.Config.Epochs < 10 {
				t.Errorf("%s full cell %s is not d2l-scale: %+v", m.Name, c.Label(), c.Config)
			}
			if c.Config.Model == "alexnet" && (c.Config.Resize != 224 || c.Config.Width != 1 || c.Config.FCWidth != 4096) && m.Name != "ex5_1-simplify" {
				t.Errorf("%s full cell %s is not d2l's AlexNet: %+v", m.Name, c.Label(), c.Config)
			}
		}
	}
}

func TestRunRefusesBadInputBeforeRunningAnything(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"../../testdata/matrices/bad/batch-zero.toml"}, `batch-zero.toml:8: key "fixed.batch_size"`},
		{[]string{"../../testdata/matrices/good/tiny.toml", "../../testdata/matrices/bad/unknown-model.toml"}, `unknown-model.toml:9: key "axes.model[2]": unknown model "vgg16"`},
		{[]string{"../../testdata/matrices/good/tiny.toml", "--shard", "3/2"}, "--shard 3/2"},
		{[]string{"../../testdata/matrices/good/tiny.toml", "--profile", "medium"}, `--profile: profile "medium"`},
		{[]string{"../../testdata/matrices/good/tiny.toml", "--backend", "cuda"}, `--backend: "cuda"`},
		{[]string{"../../testdata/matrices/missing.toml"}, "no such file"},
		{nil, "give at least one matrix file"},
	}
	for _, tt := range tests {
		results := t.TempDir()
		var out bytes.Buffer
		logw = &out
		err := runRun(append(tt.args, "--results", results), &out)
		logw = os.Stderr
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %v: error %v, want %q", tt.args, err, tt.want)
		}
		if entries, _ := os.ReadDir(results); len(entries) != 0 {
			t.Errorf("run %v wrote into the results folder", tt.args)
		}
	}
}

// fashionMNIST finds the real dataset the way CI and this machine have it.
func fashionMNIST(t *testing.T) string {
	for _, dir := range []string{os.Getenv("ALEXBENCH_DATA"), "/work/shared/data/fashion-mnist", "/usr/share/datasets/fashion-mnist", "../../data/fashion-mnist"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err == nil {
			return dir
		}
	}
	t.Skip("Fashion-MNIST not found (set ALEXBENCH_DATA)")
	return ""
}

func TestRunTrainsRealCellsThenStatusExportCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two real cells")
	}
	dataDir := fashionMNIST(t)
	results := filepath.Join(t.TempDir(), "results")
	var out, log bytes.Buffer
	logw = &log
	defer func() { logw = os.Stderr }()
	args := []string{"../../testdata/matrices/good/cli-real.toml", "--results", results, "--profile", "quick", "--data", dataDir}
	if err := runRun(args, &out); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.Contains(out.String(), "ran 2 cells (2 done)") {
		t.Fatalf("run said %q\nlog:\n%s", out.String(), log.String())
	}
	out.Reset()
	if err := runRun(args, &out); err != nil || !strings.Contains(out.String(), "ran 0 cells (none), skipped 2") {
		t.Fatalf("rerun: %v %q", err, out.String())
	}

	out.Reset()
	if err := runStatus([]string{"--results", results}, &out); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`cli-real\s+quick\s+2\s+2\s+0\s+0\s+0\s+0\s+0\s+0`).MatchString(out.String()) {
		t.Errorf("status:\n%s", out.String())
	}

	out.Reset()
	if err := runExport([]string{"--results", results, "--format", "csv"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], ",lenet,") || !strings.Contains(lines[1], ",done,") {
		t.Errorf("export csv:\n%s", out.String())
	}
	jsonl := filepath.Join(t.TempDir(), "cells.jsonl")
	if err := runExport([]string{"--results", results, "--format", "jsonl", "-o", jsonl}, &out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(jsonl); strings.Count(string(b), "\n") != 2 {
		t.Errorf("export jsonl:\n%s", b)
	}

	out.Reset()
	if err := runCompare([]string{results, results}, &out); err != nil {
		t.Fatalf("a tree against itself: %v\n%s", err, out.String())
	}
	// The same tree with every cell's throughput 20% lower regresses.
	slower := filepath.Join(t.TempDir(), "slower")
	if err := runMerge([]string{results, "--into", slower}, &out); err != nil {
		t.Fatal(err)
	}
	lowerThroughput(t, slower, 0.8)
	out.Reset()
	err := runCompare([]string{results, slower, "--max-regression", "5%"}, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "REGRESSION") {
		t.Errorf("compare against a 20%% slower tree: %v\n%s", err, out.String())
	}
}

// lowerThroughput scales every epoch's examples_per_sec in a results tree.
func lowerThroughput(t *testing.T, root string, factor float64) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "*", "*", results.MetricsFile))
	if len(files) == 0 {
		t.Fatal("no metrics to change")
	}
	re := regexp.MustCompile(`"examples_per_sec":([0-9.e+-]+)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = re.ReplaceAllFunc(b, func(m []byte) []byte {
			var v float64
			if _, err := fmtSscan(string(re.FindSubmatch(m)[1]), &v); err != nil {
				t.Fatal(err)
			}
			return []byte(`"examples_per_sec":` + ftoa(v*factor))
		})
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fmtSscan(s string, v *float64) (int, error) { return fmt.Sscan(s, v) }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
