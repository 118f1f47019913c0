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
		p.Footer.Command = "alexbench report --results " + validUTF8(res.Dir)
	}
	var other []*Matrix
	for _, m := range res.Matrices {
		if sectionOfKey(m.Exercise) < 0 {
			other = append(other, m)
		}
	}
	for _, spec := range sectionList {
		p.Sections = append(p.Sections, buildSection(b, spec, res.Matrices))
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

func notMeasured(ex *sectionSpec, ms []*Matrix) string {
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
