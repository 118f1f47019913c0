package main

import (
	"alexbench/harness/compare"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const benchMatrix = "../../experiments/bench.toml"

// TestBenchMatrixIsTheNightlySet pins what the nightly regression check measures:
// AlexNet b128@224 on the whole dataset, the E3 sweep at 32/128/512, LeNet,
// each with seeds for a spread; a CPU-sized quick profile of the same shape.
func TestBenchMatrixIsTheNightlySet(t *testing.T) {
	m, err := matrix.Load(benchMatrix)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "bench" || m.Exercise != "" {
		t.Errorf("name %q exercise %q", m.Name, m.Exercise)
	}
	type shape struct {
		model   string
		batch   int
		lr      float64 // effective
		seeds   int
		maxSide int
	}
	count := func(profile string) map[string]*shape {
		out := map[string]*shape{}
		for _, c := range m.Cells(profile) {
			cfg := c.Config
			k := fmt.Sprintf("%s b%d", cfg.Model, cfg.BatchSize)
			if out[k] == nil {
				out[k] = &shape{model: cfg.Model, batch: cfg.BatchSize, lr: cfg.EffectiveLR()}
			}
			out[k].seeds++
			out[k].maxSide = max(out[k].maxSide, cfg.Resize)
			if profile == matrix.ProfileFull && (cfg.TrainLimit != 0 || cfg.TestLimit != 0) {
				t.Errorf("full cell %s does not use the whole dataset", c.Label())
			}
			if profile == matrix.ProfileQuick && (cfg.TrainLimit == 0 || cfg.TrainLimit > 2048 || cfg.Resize > 96 || cfg.Epochs > 2) {
				t.Errorf("quick cell %s is not CPU-sized: %+v", c.Label(), cfg)
			}
		}
		return out
	}
	full := count(matrix.ProfileFull)
	for _, want := range []shape{
		{"alexnet", 128, 0.01, 3, 224},
		{"alexnet", 32, 0.0025, 3, 224},
		{"alexnet", 512, 0.04, 3, 224},
		{"lenet", 256, 0.9, 3, 28},
	} {
		got := full[fmt.Sprintf("%s b%d", want.model, want.batch)]
		if got == nil || *got != want {
			t.Errorf("full profile %s b%d: %+v, want %+v", want.model, want.batch, got, want)
		}
	}
	if len(full) != 4 {
		t.Errorf("full profile has %d configurations, want 4: %v", len(full), full)
	}
	if quick := count(matrix.ProfileQuick); len(quick) != 4 {
		t.Errorf("quick profile has %d configurations, want the full profile's 4 shapes", len(quick))
	}
}

// TestBaselinesMatchBenchMatrix: every committed baseline reads, and its cells
// are exactly bench.toml's full-profile cells. A changed matrix or default
// changes the cell keys; the nightly would then compare nothing, so this says
// so in `make test` already.
func TestBaselinesMatchBenchMatrix(t *testing.T) {
	files, _ := filepath.Glob("../../benchmarks/baseline-*.json")
	if len(files) == 0 {
		t.Fatal("no benchmarks/baseline-*.json committed")
	}
	m, err := matrix.Load(benchMatrix)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, c := range m.Cells(matrix.ProfileFull) {
		want[c.Key] = true
	}
	for _, f := range files {
		b, err := compare.ReadBaseline(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) != compare.BaselineFileName(b.Card) || b.Driver == "" || b.Versions.GoMLX == "" || b.Date.IsZero() {
			t.Errorf("%s: card %q, driver %q, versions %+v, date %v", f, b.Card, b.Driver, b.Versions, b.Date)
		}
		have := map[string]bool{}
		for _, c := range b.Cells {
			have[c.Key] = true
			if c.Matrix != m.Name || !want[c.Key] || c.Outcome != "done" {
				t.Errorf("%s: cell %s/%s (%s, %s) is not a finished full-profile cell of %s", f, c.Matrix, c.Key, c.Label, c.Outcome, benchMatrix)
			}
		}
		for k := range want {
			if !have[k] {
				t.Errorf("%s lacks bench.toml's full cell %s: rewrite it from a new run (docs/NIGHTLY.md, \"Updating the baseline\")", f, k)
			}
		}
	}
}

// TestCompareOnRealBenchTrees is the nightly regression check: a results tree trained on
// CPU from bench.toml's quick cells compares clean against itself and against
// its baseline file, and exits 1 with a readable table when a copy's
// throughput is 20 % lower or an accuracy falls beyond the seed spread.
func TestCompareOnRealBenchTrees(t *testing.T) {
	if testing.Short() {
		t.Skip("trains real cells")
	}
	dataDir := fashionMNIST(t)
	tmp := t.TempDir()
	results := filepath.Join(tmp, "base")
	var out, log bytes.Buffer
	logw = &log
	defer func() { logw = os.Stderr }()
	args := []string{tinyBench(t, tmp), "--results", results, "--profile", "quick", "--data", dataDir, "--backend", "go"}
	if err := runRun(args, &out); err != nil || !strings.Contains(out.String(), "(4 done)") {
		t.Fatalf("run: %v %q\n%s", err, out.String(), log.String())
	}

	runCompare := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runCompare(args, &out)
		return out.String(), err
	}
	if table, err := runCompare(results, results); err != nil || !strings.Contains(table, "no regressions (") {
		t.Fatalf("the tree against itself: %v\n%s", err, table)
	}

	// A baseline of it, in a folder, picked by card.
	baselines := filepath.Join(tmp, "benchmarks")
	os.Mkdir(baselines, 0o755)
	if msg, err := runCompare("--write-baseline", baselines, results); err != nil || !strings.Contains(msg, "4 cells") {
		t.Fatalf("--write-baseline: %v %s", err, msg)
	}
	files, _ := filepath.Glob(filepath.Join(baselines, "baseline-cpu-*-cores.json"))
	if len(files) != 1 {
		t.Fatalf("baseline files %v", files)
	}
	if _, err := runCompare("--write-baseline", baselines, results); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("rewrote a baseline without --force: %v", err)
	}
	if table, err := runCompare("--baseline", baselines, results); err != nil || !strings.Contains(table, "no regressions") {
		t.Fatalf("the tree against its baseline: %v\n%s", err, table)
	}

	// 20 % less throughput. By default a configuration's tolerance is the
	// larger of 5 % and 3 σ of its seeds' speeds (this machine's noise), so the
	// rows that must regress are those whose tolerance is below 20 %; with
	// --speed-sigmas 0 every configuration's must.
	b, err := compare.ReadBaseline(files[0])
	if err != nil {
		t.Fatal(err)
	}
	mustRegress := 0
	for _, g := range b.Groups {
		if math.Max(0.05, 3*g.ExamplesPerSecSD/g.ExamplesPerSecMean) < 0.199 {
			mustRegress++
		}
	}
	slower := copyTree(t, results, filepath.Join(tmp, "slower"))
	lowerThroughput(t, slower, 0.8)
	epsRow := regexp.MustCompile(`(?m)^bench\s+.+ \(2/2 seeds\)\s+examples_per_sec\s+[0-9.]+\s+[0-9.]+\s+-20\.0%\s+REGRESSION \(worse by more than [0-9.]+%\)`)
	table, err := runCompare("--baseline", files[0], slower)
	if mustRegress > 0 {
		wantExit1(t, "20% slower", table, err)
	}
	if rows := epsRow.FindAllString(table, -1); len(rows) < mustRegress {
		t.Errorf("want ≥ %d examples_per_sec REGRESSION rows (groups %+v), got %d:\n%s", mustRegress, b.Groups, len(rows), table)
	}
	table, err = runCompare("--baseline", files[0], slower, "--speed-sigmas", "0")
	wantExit1(t, "20% slower, fixed tolerance", table, err)
	if rows := epsRow.FindAllString(table, -1); len(rows) != 2 || !strings.HasPrefix(table, "BASE "+files[0]+": CPU (") ||
		!strings.Contains(table, "MATRIX  CELL") {
		t.Errorf("want a header and 2 examples_per_sec REGRESSION rows (one per configuration), got %d:\n%s", len(rows), table)
	}

	// Accuracy: one seed group falls just beyond its tolerance (3 σ of the
	// seeds, at least the 0.005 floor); a fall just within it passes.
	g := b.Groups[0]
	for _, x := range b.Groups {
		if x.TestAccMean-math.Max(3*x.TestAccSD, 0.005) > g.TestAccMean-math.Max(3*g.TestAccSD, 0.005) {
			g = x
		}
	}
	tol := math.Max(3*g.TestAccSD, 0.005)
	if g.TestAccMean-tol-0.002 < 0 {
		t.Fatalf("no group has room below its tolerance: %+v", b.Groups)
	}
	within := copyTree(t, results, filepath.Join(tmp, "acc-within"))
	setGroupAccuracy(t, within, b, g.Group, g.TestAccMean-tol+0.002)
	if table, err := runCompare(results, within); err != nil {
		t.Errorf("accuracy within the seed spread: %v\n%s", err, table)
	}
	worse := copyTree(t, results, filepath.Join(tmp, "acc-worse"))
	setGroupAccuracy(t, worse, b, g.Group, g.TestAccMean-tol-0.002)
	md := filepath.Join(tmp, "summary.md")
	table, err = runCompare(results, worse, "--markdown", md)
	wantExit1(t, "accuracy beyond the spread", table, err)
	accRow := regexp.MustCompile(`(?m)^bench\s+.*\(2/2 seeds\)\s+test_acc\s+[0-9.]+±[0-9.]+ \(n=2\)\s+[0-9.]+±[0-9.]+ \(n=2\)\s+-[0-9.]+\s+REGRESSION \(below base mean − [0-9.]+\)`)
	if !accRow.MatchString(table) || strings.Count(table, "REGRESSION") != 1 {
		t.Errorf("want exactly one test_acc REGRESSION row:\n%s", table)
	}
	if got, _ := os.ReadFile(md); !strings.HasPrefix(string(got), "### ❌ 1 regression(s)") || !strings.Contains(string(got), "| **REGRESSION** (below base mean") {
		t.Errorf("--markdown wrote:\n%s", got)
	}

	// Another card's baseline is refused unless allowed.
	other := filepath.Join(tmp, "baseline-h100.json")
	raw, _ := os.ReadFile(files[0])
	os.WriteFile(other, regexp.MustCompile(`"card": "[^"]*"`).ReplaceAll(raw, []byte(`"card": "NVIDIA H100 80GB HBM3"`)), 0o644)
	if _, err := runCompare("--baseline", other, results); err == nil || !strings.Contains(err.Error(), `on "NVIDIA H100 80GB HBM3"`) ||
		!strings.Contains(err.Error(), "--allow-card-mismatch") {
		t.Errorf("another card's baseline: %v", err)
	}
	if table, err := runCompare("--baseline", other, results, "--allow-card-mismatch"); err != nil {
		t.Errorf("--allow-card-mismatch: %v\n%s", err, table)
	}
}

func TestCompareFlagsRefuseBadUse(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "give two results trees (BASE NEW), or --baseline FILE|DIR and one (NEW)"},
		{[]string{dir}, "give two results trees"},
		{[]string{"--baseline", dir, dir, dir}, "give two results trees"},
		{[]string{"--write-baseline", dir}, "--write-baseline takes one results tree"},
		{[]string{"--write-baseline", dir, dir, "--baseline", dir}, "--write-baseline takes one results tree"},
		{[]string{"--write-baseline", dir, filepath.Join(dir, "absent")}, "no such file"},
		{[]string{"--write-baseline", dir, dir}, "no finished cells in " + dir},
		{[]string{dir, dir, "--force"}, "--force goes with --write-baseline"},
		{[]string{dir, dir, "--max-first-step-regression", "lots"}, `--max-first-step-regression: "lots"`},
		{[]string{"--baseline", filepath.Join(dir, "absent"), dir}, "--baseline: stat"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := runCompare(tt.args, &out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compare %v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

// tinyBench writes bench.toml's quick configurations (all but the sweep's
// extra batch sizes, whose 512-image steps take SimpleGo tens of seconds) as
// a matrix of the same name with test-sized data limits and two seeds.
func tinyBench(t *testing.T, dir string) string {
	t.Helper()
	m, err := matrix.Load(benchMatrix)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("name = \"bench\"\ndescription = \"bench.toml's quick cells at test size\"\nseeds = 2\n\n" +
		"[profile.quick]\ntrain_limit = 256\ntest_limit = 128\n")
	for _, c := range m.Cells(matrix.ProfileQuick) {
		if c.Config.Seed != 1 || c.Config.LRScaling == "linear" {
			continue
		}
		b.WriteString("\n[[include]]\n")
		for _, p := range c.Params {
			if p.Key != "seed" {
				fmt.Fprintf(&b, "%s = %s\n", p.Key, tomlValue(t, p.Value))
			}
		}
	}
	path := filepath.Join(dir, "bench-tiny.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func tomlValue(t *testing.T, v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	}
	t.Fatalf("param value %v of type %T", v, v)
	return ""
}

func copyTree(t *testing.T, from, to string) string {
	t.Helper()
	var out bytes.Buffer
	if err := runMerge([]string{from, "--into", to}, &out); err != nil {
		t.Fatal(err)
	}
	return to
}

// setGroupAccuracy sets the final test accuracy of every cell of one seed
// group in a results tree's summaries.
func setGroupAccuracy(t *testing.T, root string, b *compare.Baseline, group string, acc float64) {
	t.Helper()
	n := 0
	for _, c := range b.Cells {
		if c.Group != group {
			continue
		}
		path := filepath.Join(results.CellDir(root, c.Matrix, c.Key), results.SummaryFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		s["final"].(map[string]any)["test_acc"] = acc
		raw, _ = json.Marshal(s)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 2 {
		t.Fatalf("group %s has %d cells", group, n)
	}
}

func wantExit1(t *testing.T, what, table string, err error) {
	t.Helper()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(table, "regression(s)") {
		t.Errorf("%s: error %v, want exit 1 and a verdict line; table:\n%s", what, err, table)
	}
}
