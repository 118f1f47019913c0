package answers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"alexbench/harness/config"
	"alexbench/harness/profile"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/models"
	"alexbench/nvml"
	"alexbench/reports/load"
)

// Test fixtures of the profile sections (exercises 1–3) and the pictures
// and timelines: per-layer profiles built from AlexNet's real layer summary
// with timings from a simple device model, and training cells written the
// way the runner writes them (config.toml, metrics.jsonl, summary.json,
// nvml.csv, conv1 pictures). The helpers' names are this file's own, so
// other sections' fixtures can sit beside them.

var trainedStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// layerProfileFixture builds AlexNet's per-layer profile at batch, with
// timings from a device of 200 GFLOP/s and 20 GB/s (so the roofline has
// memory- and compute-bound layers).
func layerProfileFixture(t testing.TB, batch int) profile.File {
	t.Helper()
	m, err := models.Build("alexnet", models.Options{Activation: "relu", Pool: "max", Dropout: 0.5, Width: 1, FCWidth: 4096, ConvLayers: 5, Resize: 224})
	if err != nil {
		t.Fatal(err)
	}
	const peakFLOPs, peakBW = 2e11, 2e10
	p := profile.File{Model: "alexnet", Batch: batch, Resize: 224, DType: "float32", Backend: "go (SimpleGo)", Device: "CPU (2 cores)",
		GoMLX: "v0.26.0", Alexbench: "0123abcd", Created: trainedStart.Add(3 * time.Hour).Format(time.RFC3339), Runs: 20,
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

// withInference adds a timed inference pass, the totals and each layer's
// bound to a profile fixture, as `alexbench profile` records them.
func withInference(f *profile.File) {
	f.Ceilings.LaunchMs = 0.05
	for i := range f.Layers {
		l := &f.Layers[i]
		l.InferMs = 0.9 * l.FwdMs
		l.InferLiveBytes = l.MinBytes - l.ParamBytes
		f.Totals.InferMs += l.InferMs
		f.Totals.FwdBwdMs += l.FwdBwdMs
		f.Totals.FwdFLOPs += l.FwdFLOPs
		f.Totals.BwdFLOPs += l.BwdFLOPs
		f.Totals.ParamBytes += l.ParamBytes
		f.Totals.ActBytes += l.ActBytes
		f.Totals.InferPeakBytes = max(f.Totals.InferPeakBytes, l.InferLiveBytes)
		if l.FwdFLOPs > 0 {
			l.Bound = "compute"
			if l.Intensity < f.Ceilings.Ridge() {
				l.Bound = "memory"
			}
		}
	}
	f.Totals.InferPeakBytes += f.Totals.ParamBytes
	f.Totals.TrainBytes = 2*f.Totals.ParamBytes + f.Totals.ActBytes
}

// trainedCell is one training cell of a fixture tree.
type trainedCell struct {
	matrix  string
	cfg     config.Config
	outcome string  // done | diverged
	skill   float64 // asymptotic test accuracy
	secs    float64 // seconds per epoch
	nvml    bool
	images  bool
	memMiB  float64
}

// trainedConfig is the model's default config at the quick profile's size,
// with set applied.
func trainedConfig(t testing.TB, model string, set map[string]any) config.Config {
	t.Helper()
	c, err := config.Default(model)
	if err != nil {
		t.Fatal(err)
	}
	c.TrainLimit, c.TestLimit, c.Epochs, c.Backend = 2000, 500, 4, "go"
	if model == "alexnet" {
		c.Resize = 67 // the smallest side AlexNet's pooling chain keeps ≥ 1×1 is 65
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.Set(k, set[k]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// trainedEpochs is a saturating learning curve with seed noise.
func trainedEpochs(tc trainedCell) []trainer.Epoch {
	var eps []trainer.Epoch
	seed := float64(tc.cfg.Seed)
	n := tc.cfg.Epochs
	for e := 1; e <= n; e++ {
		p := 1 - math.Exp(-float64(e)/1.5)
		test := tc.skill*p + 0.004*math.Sin(seed*3.1+float64(e))
		train := test + 0.01*float64(e)/float64(n) + 0.002*math.Cos(seed)
		loss := 2.3*(1-p) + (1-train)*0.9
		if tc.outcome == "diverged" && e == n {
			loss = math.NaN()
		}
		trainS := tc.secs * (0.9 + 0.02*seed)
		if e == 1 {
			trainS *= 1.3 // compile
		}
		eps = append(eps, trainer.Epoch{Epoch: e, TrainLoss: loss, TrainAcc: train, TestAcc: test,
			ExamplesPerSec: float64(max(tc.cfg.TrainLimit, 1)) / trainS, EpochSeconds: trainS * 1.1,
			TrainSeconds: trainS, EvalSeconds: trainS * 0.1})
	}
	return eps
}

// writeTrainedCell writes a cell's files as the runner does.
func writeTrainedCell(t testing.TB, root string, i int, tc trainedCell) {
	t.Helper()
	key := tc.cfg.Key("quick")
	dir := filepath.Join(root, tc.matrix, key)
	writeTestFile(t, filepath.Join(dir, "config.toml"), tc.cfg.TOML())
	eps := trainedEpochs(tc)
	var lines bytes.Buffer
	for _, e := range eps {
		lines.Write(append(jsonNullNaN(t, e), '\n'))
	}
	writeTestFile(t, filepath.Join(dir, "metrics.jsonl"), lines.Bytes())
	if tc.nvml {
		writeTestFile(t, filepath.Join(dir, "nvml.csv"), nvmlCSV(tc.memMiB))
	}
	if tc.images {
		writeTestFile(t, filepath.Join(dir, "filters.png"), gridPNG(t, 96, 11, 12))
		writeTestFile(t, filepath.Join(dir, "activations.png"), gridPNG(t, 10, 54, 5))
	}
	started := trainedStart.Add(time.Duration(i) * time.Minute)
	wall := 0.0
	for _, e := range eps {
		wall += e.EpochSeconds
	}
	s := results.Summary{
		Matrix: tc.matrix, Key: key, Profile: "quick", Outcome: tc.outcome,
		FirstStepSeconds: 1.2, StepMillis: 40, WallSeconds: wall + 2,
		Backend: "go (SimpleGo)", Device: "CPU (2 cores)",
		Versions: results.Versions{Go: "go1.26.8", GoMLX: "v0.26.0", Alexbench: "0123abcd"},
		Started:  started, Finished: started.Add(time.Duration(wall+2) * time.Second),
	}
	if m, err := models.Build(tc.cfg.Model, tc.cfg.Options); err == nil {
		s.Params = m.Params()
	}
	if len(eps) > 0 {
		s.Final = eps[len(eps)-1]
	}
	if tc.outcome == "diverged" {
		s.DivergedEpoch = len(eps)
	}
	if tc.memMiB > 0 {
		s.Memory = &nvml.Summary{Reason: "NVML unavailable: libnvidia-ml.so.1 not found", Method: "rss", PeakMiB: nvml.Num(tc.memMiB),
			SteadyPeakMiB: nvml.NaN(), SteadyFromS: nvml.NaN()}
		if tc.nvml {
			s.Memory = &nvml.Summary{Available: true, Method: "nvml-process", PeakMiB: nvml.Num(tc.memMiB), Samples: 40,
				SteadyPeakMiB: nvml.Num(0.75 * tc.memMiB), SteadyFromS: 1.5}
		}
	}
	writeTestFile(t, filepath.Join(dir, "summary.json"), jsonNullNaN(t, s))
}

// writeMatrixRecord writes a matrix.json naming the exercise it answers.
func writeMatrixRecord(t testing.TB, root, matrix, exercise string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"name": matrix, "exercise": exercise, "description": matrix})
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(root, matrix, "matrix.json"), b)
}

func writeTestFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonNullNaN writes NaN as null, as the harness does (JSON has no NaN).
func jsonNullNaN(t testing.TB, v any) []byte {
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

// nvmlCSV is 40 samples in nvml/csv.go's columns, 0.1 s apart.
func nvmlCSV(memMiB float64) []byte {
	var b bytes.Buffer
	b.WriteString("t_s,device,mem_used_mib,mem_reserved_mib,proc_mib,util_gpu,util_mem,power_w,sm_clock_mhz,temp_c,mem_used_v2_mib,mem_total_mib\n")
	for i := 0; i < 40; i++ {
		ts := float64(i) * 0.1
		ramp := math.Min(1, ts/0.8)
		fmt.Fprintf(&b, "%.3f,0,%.0f,,%.0f,%d,41,%.1f,1980,55,%.0f,81559\n", ts, 600+memMiB*ramp, memMiB*ramp, 90+i%7, 90+250*ramp, 540+memMiB*ramp)
	}
	return b.Bytes()
}

// gridPNG draws n tiles of size×size in a grid, scaled by zoom.
func gridPNG(t testing.TB, n, size, zoom int) []byte {
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

// loadTree loads a results tree or fails the test.
func loadTree(t testing.TB, root string) *Results {
	t.Helper()
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// answerOf is the Answer with id among Build's, or fails the test.
func answerOf(t testing.TB, as []*Answer, id string) *Answer {
	t.Helper()
	for _, a := range as {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no answer %s", id)
	return nil
}
