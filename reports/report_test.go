package reports

import (
	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
	"alexbench/reports/load"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alexbench/harness/config"
)

// stubECharts stands in for echarts.min.js where only the page's own text
// matters (the browser test uses the real one).
var stubECharts = []byte("/* echarts stub */ window.echarts = {init: function () { return {setOption: function () {}, resize: function () {}}; }};" + strings.Repeat(" ", 1000))

func renderFixture(t *testing.T, root string) []byte {
	t.Helper()
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	html, err := Render(res, Options{ECharts: stubECharts, EChartsVersion: "stub", Command: "alexbench report --results results"})
	if err != nil {
		t.Fatal(err)
	}
	return html
}

func TestReportIsDeterministic(t *testing.T) {
	root := fixture.WriteTree(t)
	a := renderFixture(t, root)
	b := renderFixture(t, root)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same results differ")
	}
	// A copy of the tree elsewhere (other mtimes, other path) gives the same page
	// but for the results folder it names.
	other := filepath.Join(t.TempDir(), "results")
	if err := os.CopyFS(other, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	c := renderFixture(t, other)
	if !bytes.Equal(bytes.ReplaceAll(a, []byte(root), []byte("X")), bytes.ReplaceAll(c, []byte(other), []byte("X"))) {
		t.Fatal("a copy of the results renders differently")
	}
}

func TestReportContent(t *testing.T) {
	html := string(renderFixture(t, fixture.WriteTree(t)))
	cases := []struct {
		name string
		want string
	}{
		{"§8.1 section (E0)", `<section id="d2l-8-1" class="exercise">`},
		{"E0's old anchor", `<a id="e0"></a>`},
		{"exercise 1.1 section (E4.1)", `<section id="d2l-ex-1-1" class="exercise">`},
		{"exercise 1 anchor", `<a id="d2l-ex-1"></a>`},
		{"exercise 1.2 section", `<section id="d2l-ex-1-2" class="exercise">`},
		{"exercise 1.3 section", `<section id="d2l-ex-1-3" class="exercise">`},
		{"exercise 2 section", `<section id="d2l-ex-2" class="exercise">`},
		{"exercise 3 section", `<section id="d2l-ex-3" class="exercise">`},
		{"exercise 4 section (E1)", `<section id="d2l-ex-4" class="exercise">`},
		{"exercise 5.1 section (E2.1)", `<section id="d2l-ex-5-1" class="exercise">`},
		{"exercise 5 anchor", `<a id="d2l-ex-5"></a>`},
		{"exercise 5.2 section (E2.2)", `<section id="d2l-ex-5-2" class="exercise">`},
		{"exercise 6 section (E3)", `<section id="d2l-ex-6" class="exercise">`},
		{"exercise 7 section (E5)", `<section id="d2l-ex-7" class="exercise">`},
		{"exercise 8 section", `<section id="d2l-ex-8" class="exercise">`},
		{"numbered title, d2l's number only", "Exercise 4 · More epochs: AlexNet vs LeNet <span"},
		{"filters section", `<section id="filters" class="exercise">`},
		{"nvml section", `<section id="nvml" class="exercise">`},
		{"other matrices", `<section id="other" class="exercise">`},
		{"quick warning", "Quick profile: these numbers come from runs scaled down"},
		{"d2l reference", "test acc 0.883"},
		{"E0 seeds", "over 3 seeds"},
		{"failed cell outcome", `class="outcome-failed">failed</td>`},
		{"failed cell error, escaped", "index out of range [3] with length 3 &lt;img src=x onerror=alert(1)&gt;"},
		{"oom cell", `class="outcome-oom">oom</td>`},
		{"oom in the E3 answer", "batch 1024: 1 cell oom"},
		{"planned cell never run", `<td>batch_size=2048 lr_scaling=none</td><td class="r"></td><td><code>`},
		{"pending (planned) cell", `class="outcome-pending">pending</td>`},
		{"diverged cell", `class="outcome-diverged">diverged</td>`},
		{"in-flight cell", `class="outcome-in-flight">in-flight</td>`},
		{"corrupt summary", `class="outcome-corrupt">corrupt</td>`},
		{"corrupt profile listed", "broken.json"},
		{"exercise 7: ReLU effect, matched by block", "ReLU instead of sigmoid: &#43;11.2 points (95% CI &#43;11.2 to &#43;11.2; paired t, p &lt; 0.001, n = 15&#43;15 paired): it raises mean test accuracy from 0.663 to 0.775"},
		{"exercise 7: no effect is decided, not assumed", "dropout 0.3 instead of dropout 0: &#43;0.0 points (95% CI &#43;0.0 to &#43;0.0; equivalent within ±1 point: TOST p &lt; 0.001, n = 15&#43;15 paired)."},
		{"exercise 7 interactions tested", "Of the 6 interactions tested, none changes another factor&#39;s effect significantly: 6 equivalent"},
		{"E4 memory answer", "the fully connected part holds"},
		{"E4 batch dependence", "Batch-size dependence (alexnet;"},
		{"E4 roofline", `id="chart-d2l-ex-1-3-roofline"`},
		{"pictures embedded", `src="data:image/png;base64,iVBORw0KGgo`},
		{"nvml chart", `id="chart-nvml-1"`},
		{"E1 comparison needs seeds", "AlexNet vs LeNet at their last epoch (AlexNet-quick vs LeNet-5): test accuracy not enough runs (n = 1): seeds ≥ 3 to compare"},
		{"E2.1 Pareto", "Pareto front of the means"},
		{"exercise 5.1: reference is the unsimplified net, named by its scale", "most common value in the matrix): AlexNet-quick (67×67, 21.6 M params; d2l&#39;s: 46.8 M) [4096-wide FC, 1× width], 21,598,922 parameters"},
		{"header device", "CPU (2 cores)"},
		{"header date from results", "2026-11-02 09:00 UTC"},
		{"footer command", "alexbench report --results results"},
		{"hostile matrix name as text", "&lt;/script&gt;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"},
		{"hostile model inside chart JSON", `\u003c/script\u003e\u003cscript\u003edocument.title=\"pwned\"\u003c/script\u003e`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(html, c.want) {
				t.Errorf("report lacks %q", c.want)
			}
		})
	}
	for name, re := range map[string]string{
		"E3 peak vs model":                     `Measured peak memory is [0-9.]+×–[0-9.]+× the analytic memory model; over the samples after the first train step [0-9.]+×; from the smallest to the largest batch it grew [0-9.]+×(–[0-9.]+×)? as much as the model\.`,
		"E3 table columns":                     `<th[^>]*>after first step \(MiB\)</th><th[^>]*>model \(MiB\)</th><th[^>]*>peak / model</th>`,
		"E3 model in the memory chart":         `alexbench\.chart\("chart-d2l-ex-6-memory", \{[^\n]*\(model\)"[^\n]*"type":"dashed"[^\n]*dashed: analytic model`,
		"first-step mark on the NVML timeline": `alexbench\.chart\("chart-nvml-1", \{[^\n]*"markLine":\{"data":\[\{"xAxis":1\.5\}\][^\n]*"formatter":"first step done"`,
		"header allocator":                     `platform \(cudaMalloc/cudaFree per buffer, no pool\)`,
		"header XLA flags":                     `--xla_gpu_autotune_level=1`,
	} {
		if !regexp.MustCompile(re).MatchString(html) {
			t.Errorf("%s: report does not match %s", name, re)
		}
	}
	// The harness's older section names are gone from what a reader sees.
	if m := regexp.MustCompile(`\(E[0-9](\.[0-9])?\)|\bE[0-9]\.[0-9]\b`).FindString(html); m != "" {
		t.Errorf("report shows an internal section name: %s", m)
	}
	for _, bad := range []string{`<script>document.title`, `<b>bold</b>`, `<img src=x`, "http://", "https://", ">NaN", "NaN<", ":NaN", " NaN ", "%!", "+Inf"} {
		if strings.Contains(html, bad) {
			i := strings.Index(html, bad)
			t.Errorf("report contains %q: …%s…", bad, html[max(0, i-80):min(len(html), i+80)])
		}
	}
	// Every chart div has exactly one init call with its ID, and IDs are unique.
	divs := regexp.MustCompile(`<div class="chart" id="([^"]+)"`).FindAllStringSubmatch(html, -1)
	seen := map[string]bool{}
	for _, d := range divs {
		if seen[d[1]] {
			t.Errorf("chart ID %s used twice", d[1])
		}
		seen[d[1]] = true
		if strings.Count(html, `alexbench.chart("`+d[1]+`",`) != 1 {
			t.Errorf("chart %s has no single init call", d[1])
		}
	}
	if len(divs) < 15 {
		t.Errorf("only %d charts in the full fixture", len(divs))
	}
}

func TestReportPartialResults(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	full, err := config.Default("alexnet")
	if err != nil {
		t.Fatal(err)
	}
	fixture.WriteCell(t, root, 0, fixture.Cell{Matrix: "e0-alexnet", Config: full, Outcome: "done", Skill: 0.88, EpochSeconds: 3, Profile: "full"})
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e0-alexnet", Exercise: "s8.1"})
	planned := fixture.QuickConfig(t, "lenet", map[string]any{"activation": "relu"})
	fixture.WriteMatrix(t, root, results.MatrixRecord{
		Name: "e5-lenet", Exercise: "E5", File: "experiments/e5-lenet.toml", Axes: []string{"activation"},
		Profiles: map[string][]results.CellRecord{"quick": {{Key: planned.Key("quick"), Params: []load.Param{{Key: "activation", Value: "relu"}, {Key: "seed", Value: 1}}}}}})
	html := string(renderFixture(t, root))
	if strings.Contains(html, "Quick profile") {
		t.Error("a full-profile report warns about the quick profile")
	}
	for _, want := range []string{
		"Not measured yet — run `alexbench run experiments/ex6-batch-size.toml`.",
		"Not measured yet: no cell of e5-lenet has finished (see the cells below) — run `alexbench run experiments/e5-lenet.toml` to start or resume it.",
		`<td>activation=relu</td><td class="r">1</td>`,
		"Not measured yet — run `alexbench profile alexnet --batch 128`",
		"Against d2l (AlexNet section: lr 0.01, batch 128, 10 epochs, 224×224; test acc 0.883): not enough runs (n = 1): seeds ≥ 3 to compare.",
		`<span class="status status-measured">measured</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("partial report lacks %q", want)
		}
	}
}

func TestReportEmptyAndMissingResults(t *testing.T) {
	empty := t.TempDir()
	html := string(renderFixture(t, empty))
	if n := strings.Count(html, "Not measured yet"); n < 7 {
		t.Errorf("empty results: %d sections say not measured, want ≥ 7", n)
	}
	_, err := load.Load(filepath.Join(empty, "nope"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(empty, "nope")) || !strings.Contains(err.Error(), "alexbench run") {
		t.Errorf("missing folder: got %v, want an error naming it and saying how to make it", err)
	}
}

// TestRealQuickRun reads what the harness really wrote (testdata/README.md).
func TestRealQuickRun(t *testing.T) {
	res, err := load.Load(filepath.Join("testdata", "real-quick"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	outcomes := map[string]int{}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			outcomes[c.Outcome()]++
			if !c.ConfigOK || c.Summary == nil || c.Memory == nil || c.Memory.Method != "rss" || c.Memory.PeakMiB <= 0 {
				t.Errorf("%s/%s: config %v, summary %v, memory %+v", m.Folder, c.Key, c.ConfigOK, c.Summary != nil, c.Memory)
			}
			if strings.Contains(c.Label, "seed") || c.Label == "" {
				t.Errorf("%s/%s label %q", m.Folder, c.Key, c.Label)
			}
			// A diverged run's last epoch has a null (NaN) loss; earlier
			// epochs may be finite (e8's lr ×10 ran 3 epochs first).
			if c.Outcome() == "diverged" && !math.IsNaN(c.Epochs[len(c.Epochs)-1].TrainLoss) || !math.IsNaN(c.Final().TrainLoss) != (c.Outcome() == "done") {
				t.Errorf("%s/%s (%s): a null loss must read as NaN: epochs %+v final %+v", m.Folder, c.Key, c.Outcome(), c.Epochs, c.Final())
			}
		}
	}
	// 126 cells; e8's lr ×100 runs diverge by design (what breaks training),
	// and two of its three lr ×10 runs.
	if outcomes["done"] != 121 || outcomes["diverged"] != 5 || len(outcomes) != 2 {
		t.Errorf("outcomes %v, want 121 done and 5 diverged", outcomes)
	}
	if _, err := Render(res, Options{ECharts: stubECharts}); err != nil {
		t.Fatal(err)
	}
}

// Every chart of the full fixture, as its option JSON: no paged legend, an
// accuracy axis starts at 0 (and ends at 1), a y-axis title runs right from
// its axis (centred on it, it would be cut at the chart's left edge).
func TestChartOptionsReadable(t *testing.T) {
	html := string(renderFixture(t, fixture.WriteTree(t)))
	re := regexp.MustCompile(`alexbench\.chart\("([^"]+)", (\{.*\})\);</script>`)
	charts := re.FindAllStringSubmatch(html, -1)
	if len(charts) < 15 {
		t.Fatalf("%d charts", len(charts))
	}
	for _, m := range charts {
		var opt map[string]any
		if err := json.Unmarshal([]byte(m[2]), &opt); err != nil {
			t.Fatalf("chart %s: %v", m[1], err)
		}
		if l, ok := opt["legend"].([]any); ok {
			for _, x := range l {
				if lm, _ := x.(map[string]any); lm["type"] == "scroll" {
					t.Errorf("chart %s: paged legend", m[1])
				}
			}
		}
		for _, which := range []string{"xAxis", "yAxis"} {
			axes, _ := opt[which].([]any)
			for _, a := range axes {
				am, _ := a.(map[string]any)
				name, _ := am["name"].(string)
				if strings.Contains(name, "accuracy") && !strings.Contains(name, "difference") && !strings.Contains(name, "−") {
					if am["min"] != 0.0 {
						t.Errorf("chart %s: accuracy axis %q starts at %v, not 0", m[1], name, am["min"])
					}
				}
				// A category axis names its categories: without them echarts
				// labels the slots 0, 1, 2, … (epochs, layers, models).
				if am["type"] == "category" {
					if data, _ := am["data"].([]any); len(data) == 0 {
						t.Errorf("chart %s: category %s %q has no labels", m[1], which, name)
					}
				}
				if which == "yAxis" && name != "" && am["nameLocation"] == nil {
					if st, _ := am["nameTextStyle"].(map[string]any); st["align"] != "left" {
						t.Errorf("chart %s: y-axis title %q is centred on its axis", m[1], name)
					}
				}
			}
		}
	}
}
