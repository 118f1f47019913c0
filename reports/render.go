package reports

import (
	"fmt"
	"html/template"
	"strings"
)

// Options are what Render needs besides the results.
type Options struct {
	// ECharts is echarts.min.js, inlined into the page (see FindECharts).
	ECharts        []byte
	EChartsVersion string
	// Command is the command line that regenerates the report, shown in the footer.
	Command string
}

// exercise is one section of the report: the d2l question and how to answer it.
type exercise struct {
	ID, Key, Title string
	Question       []string
	// Run is what to run to measure it, for "not measured yet".
	Run   string
	build func(b *builder, s *section, ms []*Matrix)
}

// exercises in page order. Keys match Matrix.Exercise.
var exercises = []exercise{
	{ID: "e0", Key: "E0", Title: "E0 · Reproduce d2l's AlexNet", Run: "alexbench run experiments/e0-alexnet.toml",
		Question: []string{"Does AlexNet, trained with d2l's recipe (SGD, lr 0.01, batch 128, 10 epochs, 224×224 inputs), reach d2l's published numbers on Fashion-MNIST? Curves are the mean over seeds with a ±1 sd band."},
		build:    buildE0},
	{ID: "e1", Key: "E1", Title: "E1 · More epochs: AlexNet vs LeNet", Run: "alexbench run experiments/e1-epochs.toml",
		Question: []string{"d2l exercise 4: Try increasing the number of epochs when training AlexNet. Compared with LeNet, how do the results differ? Why?"},
		build:    buildE1},
	{ID: "e2-1", Key: "E2.1", Title: "E2.1 · Simplify AlexNet", Run: "alexbench run experiments/e2-simplify.toml",
		Question: []string{"d2l exercise 5.1: AlexNet may be too complex for Fashion-MNIST, in particular due to the low resolution of the initial images. Try simplifying the model to make the training faster, while ensuring that the accuracy does not drop significantly."},
		build:    buildE21},
	{ID: "e2-2", Key: "E2.2", Title: "E2.2 · A better model for 28×28 images", Run: "alexbench run experiments/e2-28x28.toml",
		Question: []string{"d2l exercise 5.2: Design a better model that works directly on 28×28 images."},
		build:    buildE22},
	{ID: "e3", Key: "E3", Title: "E3 · Batch size: throughput, memory, accuracy", Run: "alexbench run experiments/e3-batch-size.toml",
		Question: []string{"d2l exercise 6: Modify the batch size, and observe the changes in throughput (images/s), accuracy, and GPU memory."},
		build:    buildE3},
	{ID: "e4", Key: "E4", Title: "E4 · Per-layer memory, compute and bandwidth", Run: "alexbench profile alexnet --batch 128",
		Question: []string{
			"d2l exercise 1: Analyze the computational properties of AlexNet. (1) Compute the memory footprint for convolutions and fully connected layers, respectively. Which one dominates? (2) Calculate the computational cost for the convolutions and the fully connected layers. (3) How does the memory (read and write bandwidth, latency, size) affect computation? Is there any difference in its effects for training and inference?",
		},
		build: nil}, // from profiles, not matrices: see buildE4
	{ID: "e5", Key: "E5", Title: "E5 · LeNet with ReLU, max-pooling, dropout, normalization", Run: "alexbench run experiments/e5-lenet.toml",
		Question: []string{"d2l exercise 7: Apply dropout and ReLU to LeNet-5. Does it improve? Can you improve things further by preprocessing to take advantage of the invariances inherent in the images?"},
		build:    buildE5},
}

// builder carries what sections share while the page is built.
type builder struct {
	res   *Results
	quick bool // some cell ran the quick profile
}

// chartID is a stable, unique element ID for the n-th chart of a section.
func chartID(sec *section, name string) string { return "chart-" + sec.ID + "-" + name }

// Render builds the HTML report. It never fails on missing or partial
// results: those are shown as such.
func Render(res *Results, o Options) ([]byte, error) {
	if len(o.ECharts) == 0 {
		return nil, fmt.Errorf("rendering the report: no echarts source (see FindECharts)")
	}
	b := &builder{res: res}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile == "quick" {
				b.quick = true
			}
		}
	}
	p := &page{
		Title:    "alexbench · AlexNet on Fashion-MNIST, measured",
		Header:   buildHeader(res),
		Problems: res.Problems,
		Footer:   footer{Command: o.Command, EChartsVersion: o.EChartsVersion},
		ECharts:  template.JS(o.ECharts),
	}
	if p.Footer.Command == "" {
		p.Footer.Command = "alexbench report --results " + res.Dir
	}
	byExercise := map[string][]*Matrix{}
	var other []*Matrix
	for _, m := range res.Matrices {
		if exerciseOrder(m.Exercise) < len(exerciseOrderList) {
			byExercise[m.Exercise] = append(byExercise[m.Exercise], m)
		} else {
			other = append(other, m)
		}
	}
	for _, ex := range exercises {
		s := &section{ID: ex.ID, Title: ex.Title, Question: ex.Question}
		ms := byExercise[ex.Key]
		if ex.Key == "E4" {
			buildE4(b, s, ms)
		} else {
			s.Status = statusOf(ms)
			if s.Status == "not measured" {
				s.Answer = append(s.Answer, notMeasured(ex, ms))
			} else {
				ex.build(b, s, ms)
			}
			s.Blocks = append(s.Blocks, cellsBlock(ms))
		}
		p.Sections = append(p.Sections, s)
	}
	p.Sections = append(p.Sections, buildImages(b), buildTimelines(b))
	if len(other) > 0 {
		s := &section{ID: "other", Title: "Other matrices", Status: statusOf(other),
			Question: []string{"Matrices that answer none of the exercises above (benchmarks, experiments of your own)."}}
		for _, m := range other {
			desc := m.Description
			if strings.TrimSpace(desc) == "" {
				desc = "(no description)"
			}
			s.Answer = append(s.Answer, fmt.Sprintf("%s: %s", m.Name, desc))
		}
		s.Blocks = append(s.Blocks, cellsBlock(other))
		p.Sections = append(p.Sections, s)
	}
	return p.render()
}

func statusOf(ms []*Matrix) string {
	done, total := 0, 0
	for _, m := range ms {
		for _, c := range m.Cells {
			total++
			if c.Done() {
				done++
			}
		}
	}
	switch {
	case done == 0:
		return "not measured"
	case done < total:
		return "partial"
	}
	return "measured"
}

func notMeasured(ex exercise, ms []*Matrix) string {
	if len(ms) == 0 {
		return fmt.Sprintf("Not measured yet — run `%s`.", ex.Run)
	}
	var names []string
	run := ex.Run
	for _, m := range ms {
		names = append(names, m.Name)
		if m.File != "" {
			run = "alexbench run " + m.File
		}
	}
	return fmt.Sprintf("Not measured yet: no cell of %s has finished (see the cells below) — run `%s` to start or resume it.",
		strings.Join(names, ", "), run)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// cellsBlock lists every cell of the matrices with its outcome.
func cellsBlock(ms []*Matrix) block {
	ct := &cellTable{}
	counts := map[string]int{}
	total := 0
	for _, m := range ms {
		for _, c := range m.Cells {
			total++
			o := c.Outcome()
			counts[o]++
			row := cellRow{Matrix: m.Name, Label: c.Label, Key: c.Key, Outcome: o, TestAcc: "–", Epochs: "–", Time: "–"}
			if seed := c.seed(); seed >= 0 {
				row.Seed = fmt.Sprint(seed)
			}
			if c.Summary != nil || len(c.Epochs) > 0 {
				row.TestAcc = fmtAcc(c.final().TestAcc)
				row.Epochs = fmt.Sprint(len(c.Epochs))
				row.Time = fmtSeconds(trainSeconds(c))
				if c.ConfigOK {
					row.Epochs += fmt.Sprintf(" / %d", c.Config.Epochs)
				}
			}
			row.Note = cellNote(c)
			ct.Rows = append(ct.Rows, row)
			if o != "done" {
				ct.NotDone = append(ct.NotDone, row)
			}
		}
	}
	if total == 0 {
		return block{Note: "No cells in the results folder for this exercise."}
	}
	var parts []string
	for _, o := range outcomeOrder {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	ct.Summary = fmt.Sprintf("All cells (%d): %s", total, strings.Join(parts, ", "))
	return block{Cells: ct}
}

func cellNote(c *Cell) string {
	var notes []string
	switch c.Outcome() {
	case "diverged":
		if c.Summary.DivergedEpoch > 0 {
			notes = append(notes, fmt.Sprintf("loss became NaN/Inf in epoch %d", c.Summary.DivergedEpoch))
		}
	case OutcomeInFlight:
		notes = append(notes, "no summary.json: still running or killed; `alexbench run` resumes it")
	case OutcomePending:
		notes = append(notes, "planned by the matrix, not run yet")
	}
	if c.Summary != nil && c.Summary.Error != "" {
		notes = append(notes, truncate(c.Summary.Error, 300))
	}
	notes = append(notes, c.Problems...)
	return strings.Join(notes, "; ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
