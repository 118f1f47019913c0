package reports

import (
	"alexbench/reports/answers"
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
)

// page is everything the template prints; every string in it is escaped by
// html/template, only chart options (already JSON-escaped) and echarts itself
// are trusted.
type page struct {
	Title    string
	Header   answers.Header
	Glance   []glanceRow
	Sections []*section
	Problems []string
	Footer   footer
	ECharts  template.JS
}

type footer struct {
	Command        string
	EChartsVersion string
}

// section is one Answer as the template prints it.
type section struct {
	ID       string   // anchor, also what the browser test looks for
	Aliases  []string // more anchors: older ids, a parent exercise's
	Title    string
	Short    string // the contents' label: "§8.1", "1.3", "Pictures"
	Question []string
	Status   string // "measured", "partial", "not measured"
	Summary  string // the answer in plain words
	Answer   []string
	Blocks   []block
}

// glanceRow is one exercise in the table of answers at the top.
type glanceRow struct {
	ID, Short, Title, Line, Evidence, Scale string
}

// block is one element of a section, in order: exactly one field is set.
type block struct {
	Heading string
	Note    string
	Charts  []chartBlock // one chart, or a row of panels
	Table   *answers.Table
	Images  []imageBlock
	Cells   *answers.CellList
}

type imageBlock struct {
	Caption       string
	Title         string
	Src           template.URL // data:image/png;base64,...
	Width, Height int          // display size in CSS pixels (0: natural)
}

// sectionOf lays an Answer out for the template.
func sectionOf(a *answers.Answer) *section {
	s := &section{ID: a.ID, Aliases: a.Aliases, Title: a.Title, Short: shortName(a), Question: a.Question, Status: string(a.Status),
		Summary: a.Summary, Answer: a.Text}
	for _, b := range a.Blocks {
		pb := block{Heading: b.Heading, Note: b.Note, Table: b.Table, Cells: b.Cells}
		for _, f := range b.Figures {
			pb.Charts = append(pb.Charts, figureBlock(a.ID, f))
		}
		for _, im := range b.Images {
			pb.Images = append(pb.Images, imageBlock{Caption: im.Caption, Title: im.Title, Src: pngDataURI(im.PNG), Width: im.Width, Height: im.Height})
		}
		s.Blocks = append(s.Blocks, pb)
	}
	return s
}

func pngDataURI(png []byte) template.URL {
	// Only bytes that start with the PNG signature get here (see load).
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

//go:embed page.html.tmpl
var pageTemplate string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"chartWidth": func(n int) string { return fmt.Sprintf("%.4g%%", 100/float64(max(n, 1))) },
}).Parse(pageTemplate))

func (p *page) render() ([]byte, error) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("rendering the report: %w", err)
	}
	return buf.Bytes(), nil
}

// StatusClass is the status as a CSS class suffix.
func (s *section) StatusClass() string {
	switch s.Status {
	case "measured":
		return "measured"
	case "partial":
		return "partial"
	}
	return "not-measured"
}

// shortName is a section's label in the contents: d2l's number, "§8.1", or
// the first word of its title.
func shortName(a *answers.Answer) string {
	switch {
	case a.Num != "":
		return a.Num
	case a.ID == "d2l-8-1":
		return "§8.1"
	}
	if w := strings.Fields(a.Title); len(w) > 0 {
		return w[0]
	}
	return a.ID
}

// glanceOf is an exercise's row in the table at the top: its one-line
// answer, what decided it, and the scale it was measured at.
func glanceOf(a *answers.Answer) glanceRow {
	r := glanceRow{ID: a.ID, Short: shortName(a), Title: a.Title, Line: a.Glance}
	if r.Line == "" {
		r.Line = "–"
		if a.Status == answers.NotMeasured {
			r.Line = "not measured yet"
		}
	}
	counts := map[answers.Verdict]int{}
	for _, c := range a.Comparisons {
		counts[c.Verdict]++
	}
	decided := counts[answers.Higher] + counts[answers.Lower] + counts[answers.Equivalent]
	switch n := len(a.Comparisons); {
	case n == 0:
		r.Evidence = "measurements, no comparison"
	default:
		r.Evidence = fmt.Sprintf("%d of %d comparisons decided", decided, n)
	}
	switch {
	case len(a.Profiles) == 0:
		r.Scale = "–"
	case a.D2LScale:
		r.Scale = "d2l's scale"
	default:
		r.Scale = "scaled down (" + strings.Join(a.Profiles, ", ") + " profile)"
	}
	return r
}
