package answers

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/models"
	"alexbench/nvml"
	"alexbench/reports/load"
)

// A results tree written from real configs and summaries (the same shape as
// the reports package's fixture): learning curves that saturate like SGD's
// at a configured accuracy, so the answers are built from cell files as the
// page builds them.

var ex8FixtureStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type ex8FixtureCell struct {
	matrix  string
	cfg     config.Config
	outcome string  // done | diverged
	skill   float64 // asymptotic test accuracy
	secs    float64 // seconds per epoch
}

// ex8QuickConfig is model's default at the quick profile's scale, with set.
func ex8QuickConfig(t testing.TB, model string, set map[string]any) config.Config {
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

// ex8FixtureEpochs is a saturating learning curve with seed noise; a
// diverged run's last loss is NaN.
func ex8FixtureEpochs(fc ex8FixtureCell) []trainer.Epoch {
	n := fc.cfg.Epochs
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
		eps = append(eps, trainer.Epoch{Epoch: e, TrainLoss: loss, TrainAcc: train, TestAcc: test,
			ExamplesPerSec: float64(max(fc.cfg.TrainLimit, 1)) / trainS, EpochSeconds: trainS * 1.1,
			TrainSeconds: trainS, EvalSeconds: trainS * 0.1})
	}
	return eps
}

func ex8WriteFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ex8WriteMatrix writes the matrix.json that names the exercise it answers.
func ex8WriteMatrix(t testing.TB, root, matrix, exercise string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"name": matrix, "exercise": exercise})
	if err != nil {
		t.Fatal(err)
	}
	ex8WriteFile(t, filepath.Join(root, matrix, "matrix.json"), b)
}

func ex8WriteCell(t testing.TB, root string, i int, fc ex8FixtureCell) {
	t.Helper()
	key := fc.cfg.Key("quick")
	dir := filepath.Join(root, fc.matrix, key)
	ex8WriteFile(t, filepath.Join(dir, "config.toml"), fc.cfg.TOML())
	eps := ex8FixtureEpochs(fc)
	var lines bytes.Buffer
	for _, e := range eps {
		lines.Write(append(ex8MarshalNullNaN(t, e), '\n'))
	}
	ex8WriteFile(t, filepath.Join(dir, "metrics.jsonl"), lines.Bytes())
	started := ex8FixtureStart.Add(time.Duration(i) * time.Minute)
	wall := 0.0
	for _, e := range eps {
		wall += e.EpochSeconds
	}
	s := results.Summary{
		Matrix: fc.matrix, Key: key, Profile: "quick", Outcome: fc.outcome,
		FirstStepSeconds: 1.2, StepMillis: 40, WallSeconds: wall + 2,
		Backend: "go (SimpleGo)", Device: "CPU (2 cores)",
		Versions: results.Versions{Go: "go1.26.8", GoMLX: "v0.26.0", Alexbench: "0123abcd"},
		Started:  started, Finished: started.Add(time.Duration(wall+2) * time.Second),
		Memory: &nvml.Summary{Reason: "NVML unavailable", Method: "rss", PeakMiB: nvml.NaN(), SteadyPeakMiB: nvml.NaN(), SteadyFromS: nvml.NaN()},
	}
	if m, err := models.Build(fc.cfg.Model, fc.cfg.Options); err == nil {
		s.Params = m.Params()
	}
	if len(eps) > 0 {
		s.Final = eps[len(eps)-1]
	}
	if fc.outcome == "diverged" {
		s.DivergedEpoch = len(eps)
	}
	ex8WriteFile(t, filepath.Join(dir, "summary.json"), ex8MarshalNullNaN(t, s))
}

// ex8MarshalNullNaN writes NaN as null, as the harness does (JSON has no NaN).
func ex8MarshalNullNaN(t testing.TB, v any) []byte {
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

// sectionAnswer loads the tree at root and returns the answer with id (the section the page shows under that anchor).
func sectionAnswer(t *testing.T, root, id string) *Answer {
	t.Helper()
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Build(res) {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no answer %s", id)
	return nil
}

// answerText is the answer's paragraphs and its tables' cells, one string.
func answerText(a *Answer) string {
	parts := append([]string(nil), a.Text...)
	for _, b := range a.Blocks {
		if b.Table != nil {
			parts = append(parts, b.Table.Caption)
			for _, r := range b.Table.Rows {
				parts = append(parts, strings.Join(r, " "))
			}
		}
	}
	return strings.Join(parts, "\n")
}

func wantInText(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}
