package answers

import (
	"alexbench/harness/results"
	"alexbench/nvml"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alexbench/harness"
	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/models"
	"alexbench/reports/load"
)

// Cells written as the runner writes them, for the answers' tests: real
// configs (config.Default + the matrix knobs, written with Config.TOML like
// the runner), summaries marshalled from results.Summary and learning curves
// that saturate like SGD's. A copy of the reports package's fixture writer
// (its cells only), so these tests read what load reads.

var fixtureStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type fixtureCell struct {
	matrix  string
	cfg     config.Config
	outcome string // done | failed | oom | diverged | pending | corrupt
	errText string
	skill   float64 // asymptotic test accuracy
	secs    float64 // seconds per epoch
	nvml    bool
	images  bool
	memMiB  float64
	profile string // quick unless set
	// nvmlRows is the timeline length when nvml is set (default 40).
	nvmlRows int
}

func quickConfig(t testing.TB, model string, set map[string]any) config.Config {
	t.Helper()
	c, err := config.Default(model)
	if err != nil {
		t.Fatal(err)
	}
	c.TrainLimit, c.TestLimit, c.Epochs, c.Backend = 2000, 500, 4, "go"
	if model == "alexnet" {
		c.Resize = 67 // the smallest side AlexNet's pooling chain keeps ≥ 1×1 is 65
	}
	for _, k := range sortedKeys(set) {
		if err := c.Set(k, set[k]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// curve is a saturating learning curve with seed noise.
func fixtureEpochs(fc fixtureCell) []trainer.Epoch {
	n := fc.cfg.Epochs
	if fc.outcome == "pending" {
		n = 1
	}
	if fc.outcome == "oom" || fc.outcome == "failed" {
		n = 0
	}
	var eps []trainer.Epoch
	seed := float64(fc.cfg.Seed)
	for e := 1; e <= n; e++ {
		p := 1 - math.Exp(-float64(e)/1.5)
		test := fc.skill*p + 0.004*math.Sin(seed*3.1+float64(e))
		train := test + 0.01*float64(e)/float64(n) + 0.002*math.Cos(seed)
		loss := 2.3*(1-p) + (1-train)*0.9
		if fc.outcome == "diverged" && e == n {
			loss = math.NaN()
		}
		trainS := fc.secs * (0.9 + 0.02*seed)
		if e == 1 {
			trainS *= 1.3 // compile
		}
		eps = append(eps, trainer.Epoch{Epoch: e, TrainLoss: loss, TrainAcc: train, TestAcc: test,
			ExamplesPerSec: float64(max(fc.cfg.TrainLimit, 1)) / trainS, EpochSeconds: trainS * 1.1,
			TrainSeconds: trainS, EvalSeconds: trainS * 0.1})
	}
	return eps
}

func writeJSONFile(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFixtureFile(t, path, b)
}

func writeFixtureFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFixtureCell(t testing.TB, root string, i int, fc fixtureCell) {
	t.Helper()
	if fc.profile == "" {
		fc.profile = "quick"
	}
	key := fc.cfg.Key(fc.profile)
	dir := filepath.Join(root, fc.matrix, key)
	writeFixtureFile(t, filepath.Join(dir, "config.toml"), fc.cfg.TOML())
	eps := fixtureEpochs(fc)
	var lines bytes.Buffer
	for _, e := range eps {
		lines.Write(append(marshalNullNaN(t, e), '\n'))
	}
	writeFixtureFile(t, filepath.Join(dir, "metrics.jsonl"), lines.Bytes())
	if fc.nvml || fc.nvmlRows > 0 {
		writeFixtureFile(t, filepath.Join(dir, "nvml.csv"), fixtureNVML(fc))
	}
	if fc.images {
		writeFixtureFile(t, filepath.Join(dir, "filters.png"), fixturePNG(t, 96, 11, 12))
		writeFixtureFile(t, filepath.Join(dir, "activations.png"), fixturePNG(t, 10, 54, 5))
	}
	switch fc.outcome {
	case "pending":
		return // killed mid-run: no summary.json
	case "corrupt":
		writeFixtureFile(t, filepath.Join(dir, "summary.json"), []byte(`{"matrix": "e5-lenet", "outcome": "do`))
		return
	}
	started := fixtureStart.Add(time.Duration(i) * time.Minute)
	wall := 0.0
	for _, e := range eps {
		wall += e.EpochSeconds
	}
	s := results.Summary{
		Matrix: fc.matrix, Key: key, Profile: fc.profile, Outcome: fc.outcome, Error: fc.errText,
		FirstStepSeconds: 1.2, StepMillis: 40, WallSeconds: wall + 2,
		Backend: "go (SimpleGo)", Device: "CPU (2 cores)",
		Versions: results.Versions{Go: "go1.26.8", GoMLX: "v0.26.0", Alexbench: "0123abcd"},
		Started:  started, Finished: started.Add(time.Duration(wall+2) * time.Second),
	}
	if m, err := models.Build(fc.cfg.Model, fc.cfg.Options); err == nil {
		s.Params = m.Params()
	} else if _, unknown := models.Lookup(fc.cfg.Model); unknown == nil {
		t.Fatalf("fixture cell %s: %v", fc.cfg.Model, err) // a fixture the models would refuse
	}
	if len(eps) > 0 {
		s.Final = eps[len(eps)-1]
	}
	if fc.outcome == "diverged" {
		s.DivergedEpoch = len(eps)
	}
	mem := &nvml.Summary{Reason: "NVML unavailable: libnvidia-ml.so.1 not found", Method: "rss", PeakMiB: nvml.Num(fc.memMiB),
		SteadyPeakMiB: nvml.NaN(), SteadyFromS: nvml.NaN()}
	if fc.nvml {
		mem = &nvml.Summary{Available: true, Method: "nvml-process", PeakMiB: nvml.Num(fc.memMiB), Samples: 40,
			SteadyPeakMiB: nvml.Num(0.75 * fc.memMiB), SteadyFromS: 1.5}
		s.Allocator, s.XLAFlags = "platform (cudaMalloc/cudaFree per buffer, no pool)", "--xla_gpu_autotune_level=1"
	}
	if fc.memMiB > 0 {
		s.Memory = mem
		s.MemoryModel = harness.MemoryModelOf(fc.cfg)
	}
	writeFixtureFile(t, filepath.Join(dir, "summary.json"), marshalNullNaN(t, s))
}

// marshalNullNaN writes NaN as null, as the harness does (JSON has no NaN).
func marshalNullNaN(t testing.TB, v any) []byte {
	t.Helper()
	const mark = 1.2345678912345678e+300
	var b []byte
	var err error
	switch x := v.(type) {
	case trainer.Epoch:
		if math.IsNaN(x.TrainLoss) {
			x.TrainLoss = mark
		}
		b, err = json.Marshal(x)
	case results.Summary:
		if math.IsNaN(x.Final.TrainLoss) {
			x.Final.TrainLoss = mark
		}
		b, err = json.MarshalIndent(x, "", "  ")
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("1.2345678912345678e+300"), []byte("null"))
}

// fixtureNVML mirrors nvml/csv.go's header (empty cells: fields the device
// did not report).
func fixtureNVML(fc fixtureCell) []byte {
	var b bytes.Buffer
	b.WriteString("t_s,device,mem_used_mib,mem_reserved_mib,proc_mib,util_gpu,util_mem,power_w,sm_clock_mhz,temp_c,mem_used_v2_mib,mem_total_mib\n")
	rows := fc.nvmlRows
	if rows == 0 {
		rows = 40
	}
	for i := 0; i < rows; i++ {
		ts := float64(i) * 0.1
		ramp := math.Min(1, ts/0.8)
		util := fmt.Sprint(90 + i%7)
		if i == 17 {
			util = ""
		}
		fmt.Fprintf(&b, "%.3f,0,%.0f,,%.0f,%s,41,%.1f,1980,55,%.0f,81559\n", ts, 600+fc.memMiB*ramp, fc.memMiB*ramp, util, 90+250*ramp, 540+fc.memMiB*ramp)
	}
	return b.Bytes()
}

// fixturePNG draws n tiles of size×size in a grid, scaled by zoom.
func fixturePNG(t testing.TB, n, size, zoom int) []byte {
	t.Helper()
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	img := image.NewGray(image.Rect(0, 0, cols*(size+1)*zoom/4+1, rows*(size+1)*zoom/4+1))
	for i := 0; i < n; i++ {
		ox, oy := (i%cols)*(size+1)*zoom/4, (i/cols)*(size+1)*zoom/4
		for y := 0; y < size*zoom/4; y++ {
			for x := 0; x < size*zoom/4; x++ {
				v := 128 + 120*math.Sin(float64(x*(i%5+1))/7+float64(y*(i%3+1))/5)
				img.SetGray(ox+x, oy+y, color.Gray{Y: uint8(v)})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// realQuickAnswer is the answer of section num built from the committed real
// quick results tree (every exercise's matrix, three seeds a configuration).
func realQuickAnswer(t *testing.T, num string) *Answer {
	t.Helper()
	for _, a := range Build(realQuickResults(t)) {
		if a.Num == num {
			return a
		}
	}
	t.Fatalf("no section %s", num)
	return nil
}

// fixtureAnswer is the answer of section num built from a fixture tree.
func fixtureAnswer(t *testing.T, root, num string) *Answer {
	t.Helper()
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Build(res) {
		if a.Num == num {
			return a
		}
	}
	t.Fatalf("no section %s", num)
	return nil
}

// wantText fails unless every want is in one of the answer's paragraphs.
func wantText(t *testing.T, a *Answer, want ...string) {
	t.Helper()
	text := strings.Join(a.Text, "\n")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

// comparison is the answer's comparison of family fam named what on metric.
func comparison(t *testing.T, a *Answer, fam, what, metric string) *Comparison {
	t.Helper()
	for _, c := range a.Comparisons {
		if c.Family == fam && c.What == what && c.Metric == metric {
			return c
		}
	}
	var have []string
	for _, c := range a.Comparisons {
		have = append(have, c.Family+" | "+c.What+" | "+c.Metric)
	}
	t.Fatalf("no comparison %q in family %q on %s; have:\n%s", what, fam, metric, strings.Join(have, "\n"))
	return nil
}

// tableOf is the answer's table whose caption starts with caption.
func tableOf(t *testing.T, a *Answer, caption string) *Table {
	t.Helper()
	for _, b := range a.Blocks {
		if b.Table != nil && strings.HasPrefix(b.Table.Caption, caption) {
			return b.Table
		}
	}
	t.Fatalf("no table %q", caption)
	return nil
}

// figureOf is the answer's figure named name.
func figureOf(t *testing.T, a *Answer, name string) Figure {
	t.Helper()
	for _, b := range a.Blocks {
		for _, f := range b.Figures {
			if f.Name == name {
				return f
			}
		}
	}
	t.Fatalf("no figure %q", name)
	return Figure{}
}

// near tells whether x is within 1e-3 of want (values printed to 3 places).
func near(x, want float64) bool { return math.Abs(x-want) < 1e-3 }

// realQuickResults is the committed real quick results tree, loaded.
func realQuickResults(t *testing.T) *Results {
	t.Helper()
	res, err := load.Load(filepath.Join("..", "testdata", "real-quick"))
	if err != nil {
		t.Fatal(err)
	}
	return res
}
