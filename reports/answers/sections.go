package answers

import (
	"fmt"
	"strings"

	"alexbench/reports/load"
)

// The page's sections, keyed by d2l 1.0's numbering of the chapter's
// exercises, after the chapter's own result. A section's anchor is
// d2l-ex-N (d2l-ex-1-3, d2l-ex-5-1, …); the harness's older names (e0, e2-1,
// …) survive only as extra anchors, so old links still land.
//
// # Adding to the page
//
// A new section is one entry in sectionList: its number, title, d2l's
// question, what to run when nothing is measured, and its builder, which
// lives in the file named by the exercise's number (ex7.go builds exercise
// 7). The builder gets the matrices whose exercise key is the section's
// number (or its Keys), appends to a.Text and a.Blocks, and makes every
// comparison through a family (evidence.go). For matrix sections the status
// comes from the cells; a profile section's builder sets it.
type section struct {
	// Num is d2l's exercise number ("1.1", "4"); "" for the chapter's result.
	Num string
	// ID overrides the anchor d2l-ex-<Num with dots as dashes>.
	ID    string
	Title string
	// Question is d2l 1.0's exercise text.
	Question []string
	// Keys are the exercise keys whose matrices feed the section, when not
	// just its own number.
	Keys []string
	// Run is what to run when nothing is measured.
	Run string
	// Aliases are extra anchors (older ids, a parent exercise's id).
	Aliases []string
	// Profiles marks a section answered from results/profile/*.json (its
	// builder sets the status).
	Profiles bool
	Build    func(b *builder, a *Answer, ms []*Matrix)
}

// sectionList is the page, top to bottom.
var sectionList = []*section{
	{ID: "d2l-8-1", Title: "§8.1 · d2l's AlexNet, reproduced", Keys: []string{"s8.1"},
		Run: "alexbench run experiments/s8_1-alexnet.toml", Aliases: []string{"e0"},
		Question: []string{"Does AlexNet, trained with d2l's recipe (SGD, lr 0.01, batch 128, 10 epochs, 224×224 inputs), reach d2l's published numbers on Fashion-MNIST? Curves are the mean over seeds with a band of ±1 sd."},
		Build:    buildS81},
	{Num: "1.1", Title: "Memory footprint: convolutions vs fully connected layers", Profiles: true,
		Run: "alexbench profile alexnet --batch 128", Aliases: []string{"d2l-ex-1", "e4"},
		Question: []string{"d2l exercise 1: Following up on the discussion above, analyze the computational properties of AlexNet. 1.1: Compute the memory footprint for convolutions and fully connected layers, respectively. Which one dominates?"},
		Build:    buildEx11},
	{Num: "1.2", Title: "Computational cost: convolutions vs fully connected layers", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128",
		Question: []string{"d2l exercise 1.2: Calculate the computational cost for the convolutions and the fully connected layers."},
		Build:    buildEx12},
	{Num: "1.3", Title: "Memory bandwidth, latency and size; training vs inference", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 (and --batch 1, 32, 512)",
		Question: []string{"d2l exercise 1.3: How does the memory (read and write bandwidth, latency, size) affect computation? Is there any difference in its effects for training and inference?"},
		Build:    buildEx13},
	{Num: "2", Title: "A chip designer's trade-off: compute vs memory bandwidth", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 (and --batch 1)",
		Question: []string{"d2l exercise 2: You are a chip designer and need to trade off computation and memory bandwidth. For example, a faster chip requires more power and possibly a larger chip area. More memory bandwidth requires more pins and control logic, thus also more area. How do you optimize?"},
		Build:    buildEx2},
	{Num: "3", Title: "Why engineers no longer benchmark on AlexNet", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 and alexbench run experiments/ex5_2-28x28.toml",
		Question: []string{"d2l exercise 3: Why do engineers no longer report performance benchmarks on AlexNet?"},
		Build:    buildEx3},
	{Num: "4", Title: "More epochs: AlexNet vs LeNet",
		Run: "alexbench run experiments/ex4-epochs.toml", Aliases: []string{"e1"},
		Question: []string{"d2l exercise 4: Try increasing the number of epochs when training AlexNet. Compared with LeNet, how do the results differ? Why?"},
		Build:    buildEx4},
	{Num: "5.1", Title: "Simplify AlexNet",
		Run: "alexbench run experiments/ex5_1-simplify.toml", Aliases: []string{"d2l-ex-5", "e2-1"},
		Question: []string{"d2l exercise 5: AlexNet may be too complex for the Fashion-MNIST dataset, in particular due to the low resolution of the initial images. 5.1: Try simplifying the model to make the training faster, while ensuring that the accuracy does not drop significantly."},
		Build:    buildEx51},
	{Num: "5.2", Title: "A better model for 28×28 images",
		Run: "alexbench run experiments/ex5_2-28x28.toml", Aliases: []string{"e2-2"},
		Question: []string{"d2l exercise 5.2: Design a better model that works directly on 28×28 images."},
		Build:    buildEx52},
	{Num: "6", Title: "Batch size: throughput, accuracy, memory",
		Run: "alexbench run experiments/ex6-batch-size.toml", Aliases: []string{"e3"},
		Question: []string{"d2l exercise 6: Modify the batch size, and observe the changes in throughput (images/s), accuracy, and GPU memory."},
		Build:    buildEx6},
	{Num: "7", Title: "LeNet-5 with dropout and ReLU; preprocessing",
		Run: "alexbench run experiments/ex7-lenet.toml experiments/ex7-augment.toml", Aliases: []string{"e5"},
		Question: []string{"d2l exercise 7: Apply dropout and ReLU to LeNet-5. Does it improve? Can you improve things further by preprocessing to take advantage of the invariances inherent in the images?"},
		Build:    buildEx7},
	{Num: "8", Title: "Make AlexNet overfit; break its training",
		Run:      "alexbench run experiments/ex8-overfit.toml",
		Question: []string{"d2l exercise 8: Can you make AlexNet overfit? Which feature do you need to remove or change to break training?"},
		Build:    buildEx8},
}

// builder carries what sections share while the answers are built.
type builder struct {
	res   *Results
	quick bool // some cell ran the quick profile
}

// anchor is the section's HTML id.
func (s *section) anchor() string {
	if s.ID != "" {
		return s.ID
	}
	return "d2l-ex-" + strings.ReplaceAll(s.Num, ".", "-")
}

// heading is "Exercise 1.1 · Memory footprint …".
func (s *section) heading() string {
	if s.Num == "" {
		return s.Title
	}
	return "Exercise " + s.Num + " · " + s.Title
}

// keys are the exercise keys whose matrices feed the section.
func (s *section) keys() []string {
	if len(s.Keys) > 0 {
		return s.Keys
	}
	if s.Profiles {
		return nil
	}
	return []string{s.Num}
}

// answers reports whether a matrix answers one of the sections.
func answersSection(m *Matrix) bool {
	for _, s := range sectionList {
		if hasKey(s.keys(), m.Exercise) {
			return true
		}
	}
	return false
}

// matricesOf filters ms to those whose exercise is one of keys.
func matricesOf(ms []*Matrix, keys []string) []*Matrix {
	var out []*Matrix
	for _, m := range ms {
		if hasKey(keys, m.Exercise) {
			out = append(out, m)
		}
	}
	return out
}

// Build answers every section of the page from a loaded results tree, in
// page order: §8.1, the exercises, the pictures, the timelines, then the
// matrices that answer no exercise.
func Build(res *Results) []*Answer {
	b := &builder{res: res}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile == "quick" {
				b.quick = true
			}
		}
	}
	var out []*Answer
	for _, spec := range sectionList {
		out = append(out, buildSection(b, spec, res.Matrices))
	}
	out = append(out, buildPictures(b), buildTimelines(b))
	var other []*Matrix
	for _, m := range res.Matrices {
		if !answersSection(m) {
			other = append(other, m)
		}
	}
	if len(other) > 0 {
		a := &Answer{ID: "other", Title: "Other matrices", Status: statusOf(other),
			Question: []string{"Matrices that answer none of the exercises above (benchmarks, experiments of your own)."}}
		for _, m := range other {
			desc := m.Description
			if strings.TrimSpace(desc) == "" {
				desc = "(no description)"
			}
			a.Text = append(a.Text, fmt.Sprintf("%s: %s", m.Name, desc))
		}
		a.Blocks = append(a.Blocks, cellsBlock(other))
		setProfiles(a, other)
		out = append(out, a)
	}
	return out
}

// buildSection assembles one section from its builder and its matrices.
func buildSection(b *builder, spec *section, all []*Matrix) *Answer {
	a := &Answer{ID: spec.anchor(), Num: spec.Num, Title: spec.heading(), Question: spec.Question, Aliases: spec.Aliases}
	ms := matricesOf(all, spec.keys())
	if !spec.Profiles {
		a.Status = statusOf(ms)
	}
	switch {
	case spec.Build == nil:
		a.Status = NotMeasured
		a.Text = append(a.Text, notMeasured(spec, ms))
	case !spec.Profiles && a.Status == NotMeasured:
		a.Text = append(a.Text, notMeasured(spec, ms))
	default:
		spec.Build(b, a, ms)
	}
	if len(ms) > 0 || !spec.Profiles {
		a.Blocks = append(a.Blocks, cellsBlock(ms))
	}
	switch {
	case a.Profiles != nil: // the builder said what its evidence ran at
	case spec.Profiles:
		a.Profiles = profileProfiles(b.res)
		a.D2LScale = len(a.Profiles) > 0
	default:
		setProfiles(a, ms)
	}
	return a
}

// setProfiles records which run profiles the section's cells ran.
func setProfiles(a *Answer, ms []*Matrix) {
	seen := map[string]bool{}
	for _, m := range ms {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile != "" {
				seen[c.Summary.Profile] = true
			}
		}
	}
	a.Profiles = sortedKeys(seen)
	a.D2LScale = allAtD2LScale(sectionCells(ms))
}

// profileProfiles is what the per-layer profiles measured at: a profile
// runs d2l's AlexNet at its full size (224×224 inputs, every layer), so its
// per-layer footprints, FLOPs and roofline are d2l's scale ("full"), whatever
// the batch.
func profileProfiles(res *Results) []string {
	if len(res.Profiles) == 0 {
		return nil
	}
	return []string{"full"}
}

func statusOf(ms []*Matrix) Status {
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
		return NotMeasured
	case done < total:
		return Partial
	}
	return Measured
}

func notMeasured(ex *section, ms []*Matrix) string {
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

// cellsBlock lists every cell of the matrices with its outcome.
func cellsBlock(ms []*Matrix) Block {
	ct := &CellList{}
	counts := map[string]int{}
	total := 0
	for _, m := range ms {
		for _, c := range m.Cells {
			total++
			o := c.Outcome()
			counts[o]++
			row := CellRow{Matrix: m.Name, Label: c.Label, Key: c.Key, Outcome: o, TestAcc: "–", Epochs: "–", Time: "–"}
			if seed := c.Seed(); seed >= 0 {
				row.Seed = fmt.Sprint(seed)
			}
			if c.Summary != nil || len(c.Epochs) > 0 {
				row.TestAcc = fmtAcc(c.Final().TestAcc)
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
		return Block{Note: "No cells in the results folder for this exercise."}
	}
	var parts []string
	for _, o := range load.OutcomeOrder {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	ct.Summary = fmt.Sprintf("All cells (%d): %s", total, strings.Join(parts, ", "))
	return Block{Cells: ct}
}

func cellNote(c *Cell) string {
	var notes []string
	switch c.Outcome() {
	case "diverged":
		if c.Summary.DivergedEpoch > 0 {
			notes = append(notes, fmt.Sprintf("loss became NaN/Inf in epoch %d", c.Summary.DivergedEpoch))
		}
	case load.OutcomeInFlight:
		notes = append(notes, "no summary.json: still running or killed; `alexbench run` resumes it")
	case load.OutcomePending:
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
