package reports

import (
	"alexbench/harness/profile"
	"alexbench/harness/results"
	"alexbench/nvml"
	"alexbench/reports/load"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"alexbench/harness"
	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/models"
)

// The fixture is a results tree shaped like a quick-profile run of every
// matrix: real configs (config.Default + the matrix knobs, written with
// Config.TOML like the runner), summaries marshalled from results.Summary,
// learning curves that saturate like SGD's, plus the awkward cases: failed,
// OOM, diverged, in-flight and unreadable cells, a hostile matrix name, an
// nvml.csv, conv1 pictures and per-layer profiles built from the models'
// real layer summaries.

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
	for _, k := range slices.Sorted(maps.Keys(set)) {
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

// fixtureProfile builds a per-layer profile from the model's real layer
// summary, with timings from a simple device model (so the roofline has
// memory- and compute-bound layers).
func fixtureProfile(t testing.TB, batch int) profile.File {
	t.Helper()
	m, err := models.Build("alexnet", models.Options{Activation: "relu", Pool: "max", Dropout: 0.5, Width: 1, FCWidth: 4096, ConvLayers: 5, Resize: 224})
	if err != nil {
		t.Fatal(err)
	}
	const peakFLOPs, peakBW = 2e11, 2e10
	p := profile.File{Model: "alexnet", Batch: batch, Resize: 224, DType: "float32", Backend: "go (SimpleGo)", Device: "CPU (2 cores)",
		GoMLX: "v0.26.0", Alexbench: "0123abcd", Created: fixtureStart.Add(3 * time.Hour).Format(time.RFC3339), Runs: 20,
		Ceilings: profile.Ceilings{PeakFLOPs: peakFLOPs, PeakBytesPerS: peakBW, MatmulN: 2048, CopyBytes: 1 << 28}}
	for _, r := range m.Summary() {
		in, out := r.InShape.Size()*int64(batch)*4, r.OutShape.Size()*int64(batch)*4
		l := profile.Layer{Name: r.Name, Kind: r.Kind, OutShape: append([]int{batch}, r.OutShape...), Params: r.Params, ParamBytes: 4 * r.Params,
			ActBytes: out, FwdFLOPs: 2 * r.MACs * int64(batch), BwdFLOPs: 4 * r.MACs * int64(batch), MinBytes: in + out + 4*r.Params}
		if l.FwdFLOPs == 0 {
			l.FwdFLOPs = r.OutShape.Size() * int64(batch) // elementwise: one op per output
			l.BwdFLOPs = l.FwdFLOPs
		}
		l.Intensity = float64(l.FwdFLOPs) / float64(l.MinBytes)
		l.FwdMs = 1000 * math.Max(float64(l.FwdFLOPs)/(0.6*peakFLOPs), float64(l.MinBytes)/(0.8*peakBW))
		l.FwdBwdMs = 2.9 * l.FwdMs
		l.AchievedFLOPs = float64(l.FwdFLOPs) / (l.FwdMs / 1000)
		l.AchievedBytesPerSec = float64(l.MinBytes) / (l.FwdMs / 1000)
		p.Layers = append(p.Layers, l)
	}
	return p
}

// writeFixtureTree writes the whole fixture and returns its root.
func writeFixtureTree(t testing.TB) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	var cells []fixtureCell
	add := func(fc fixtureCell) { cells = append(cells, fc) }

	for seed := int64(1); seed <= 3; seed++ {
		add(fixtureCell{matrix: "e0-alexnet", cfg: quickConfig(t, "alexnet", map[string]any{"seed": seed}), outcome: "done",
			skill: 0.80, secs: 30, images: seed == 1, memMiB: 900})
	}
	for _, model := range []string{"alexnet", "lenet"} {
		skill, secs := 0.82, 30.0
		if model == "lenet" {
			skill, secs = 0.74, 2
		}
		add(fixtureCell{matrix: "e1-epochs", cfg: quickConfig(t, model, map[string]any{"epochs": 8}), outcome: "done", skill: skill, secs: secs, memMiB: 800})
	}
	add(fixtureCell{matrix: "e1-epochs", cfg: quickConfig(t, "alexnet", map[string]any{"epochs": 8, "seed": 2}), outcome: "pending", skill: 0.8, secs: 30})
	for _, w := range []float64{0.25, 0.5, 1} {
		for _, fcw := range []int64{256, 4096} {
			fc := fixtureCell{matrix: "e2-simplify", cfg: quickConfig(t, "alexnet", map[string]any{"width": w, "fc_width": fcw}), outcome: "done",
				skill: 0.74 + 0.05*w + 0.00001*float64(fcw), secs: 4 + 26*w*w + 0.002*float64(fcw), memMiB: 300 + 600*w}
			if w == 0.5 && fcw == 256 {
				fc.outcome, fc.errText = "failed", "panic in cell: runtime error: index out of range [3] with length 3 <img src=x onerror=alert(1)>"
			}
			add(fc)
		}
	}
	for _, model := range []string{"lenet", "cnn28", "resnet28"} {
		add(fixtureCell{matrix: "e2-28x28", cfg: quickConfig(t, model, nil), outcome: "done", skill: map[string]float64{"lenet": 0.72, "cnn28": 0.84, "resnet28": 0.86}[model],
			secs: map[string]float64{"lenet": 2, "cnn28": 6, "resnet28": 20}[model], memMiB: 200})
	}
	add(fixtureCell{matrix: "e2-28x28", cfg: quickConfig(t, "alexnet", nil), outcome: "done", skill: 0.80, secs: 30, memMiB: 900})
	for _, scaling := range []string{"none", "linear"} {
		for _, b := range []int64{16, 64, 256, 1024} {
			fc := fixtureCell{matrix: "e3-batch-size", cfg: quickConfig(t, "alexnet", map[string]any{"batch_size": b, "lr_scaling": scaling}), outcome: "done",
				skill: 0.82 - 0.02*math.Log2(float64(b)/16)/3, secs: 40 / math.Sqrt(float64(b)/16), memMiB: 400 + 2.5*float64(b), nvml: b == 64}
			if scaling == "linear" {
				fc.skill += 0.015 * math.Log2(float64(b)/16) / 3
			}
			if b == 1024 && scaling == "linear" {
				fc.outcome, fc.errText, fc.memMiB = "oom", "RESOURCE_EXHAUSTED: out of memory while trying to allocate 3.1GiB", 0
			}
			add(fc)
		}
	}
	seeds := []int64{1, 2}
	i := 0
	for _, act := range []string{"sigmoid", "relu"} {
		for _, pool := range []string{"avg", "max"} {
			for _, drop := range []float64{0, 0.3} {
				for _, norm := range []bool{false, true} {
					for _, seed := range seeds {
						skill := 0.70
						if act == "relu" {
							skill += 0.12
						}
						if pool == "max" {
							skill += 0.01
						}
						if norm {
							skill += 0.005
						}
						skill += 0.003 * float64(seed)
						fc := fixtureCell{matrix: "e5-lenet", cfg: quickConfig(t, "lenet", map[string]any{"activation": act, "pool": pool, "dropout": drop, "normalize": norm, "seed": seed}),
							outcome: "done", skill: skill, secs: 2, memMiB: 150}
						if i == 5 {
							fc.outcome = "corrupt"
						}
						if act == "sigmoid" && pool == "avg" && drop == 0.3 && norm && seed == 2 {
							fc.outcome = "diverged"
						}
						add(fc)
						i++
					}
				}
			}
		}
	}
	// A matrix with a hostile name and model string: must render as text.
	hostile := quickConfig(t, "lenet", nil)
	hostile.Model = `</script><script>document.title="pwned"</script>`
	add(fixtureCell{matrix: "xss", cfg: hostile, outcome: "done", skill: 0.5, secs: 1})
	writeFixtureFile(t, filepath.Join(root, "xss", "matrix.json"), []byte(`{"name": "</script><script>document.title='pwned'</script><b>bold</b>",
"description": "<img src=x onerror=alert(1)>", "exercise": "E2.2", "axes": [], "profiles": {}}
`))
	// A benchmark matrix that answers no exercise.
	add(fixtureCell{matrix: "bench", cfg: quickConfig(t, "lenet", map[string]any{"epochs": 1}), outcome: "done", skill: 0.6, secs: 2})

	for i, fc := range cells {
		writeFixtureCell(t, root, i, fc)
	}
	// The runner's matrix.json for E3 plans one more batch size than ran.
	var planned []results.CellRecord
	for _, fc := range cells {
		if fc.matrix == "e3-batch-size" {
			planned = append(planned, results.CellRecord{Key: fc.cfg.Key("quick"),
				Params: []load.Param{{Key: "batch_size", Value: fc.cfg.BatchSize}, {Key: "lr_scaling", Value: fc.cfg.LRScaling}}})
		}
	}
	big := quickConfig(t, "alexnet", map[string]any{"batch_size": int64(1024), "lr_scaling": "none"})
	big.BatchSize = 2048
	planned = append(planned, results.CellRecord{Key: big.Key("quick"), Params: []load.Param{{Key: "batch_size", Value: 2048}, {Key: "lr_scaling", Value: "none"}}})
	writeJSONFile(t, filepath.Join(root, "e3-batch-size", "matrix.json"), results.MatrixRecord{
		Name: "e3-batch-size", Description: "batch size sweep", Exercise: "E3", File: "experiments/e3-batch-size.toml",
		Axes: []string{"batch_size", "lr_scaling"}, Profiles: map[string][]results.CellRecord{"quick": planned}})
	for _, b := range []int{1, 128} {
		writeJSONFile(t, filepath.Join(root, "profile", fmt.Sprintf("alexnet-b%d.json", b)), fixtureProfile(t, b))
	}
	writeFixtureFile(t, filepath.Join(root, "profile", "broken.json"), []byte("{not json"))
	writeFixtureFile(t, filepath.Join(root, "report.html"), []byte("an old report"))
	for folder, ex := range fixtureExercises {
		if _, err := os.Stat(filepath.Join(root, folder, "matrix.json")); err != nil {
			writeFixtureFile(t, filepath.Join(root, folder, "matrix.json"), []byte(fmt.Sprintf(`{"name": %q, "exercise": %q, "axes": [], "profiles": {}}`+"\n", folder, ex)))
		}
	}
	return root
}

// fixtureExercises are the exercise keys of the fixture's matrices, as a
// matrix file's exercise key records them (written in the legacy E-names
// for some, which old trees still hold and the loader maps).
var fixtureExercises = map[string]string{"e0-alexnet": "s8.1", "e1-epochs": "4", "e2-simplify": "5.1", "e2-28x28": "E2.2",
	"e3-batch-size": "E3", "e5-lenet": "7"}
