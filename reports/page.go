package reports

import (
	"alexbench/reports/answers"
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
)

// page is everything the template prints; every string in it is escaped by
// html/template, only chart options (already JSON-escaped) and echarts itself
// are trusted.
type page struct {
	Title    string
	Header   answers.Header
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
	Question []string
	Status   string // "measured", "partial", "not measured"
	Answer   []string
	Blocks   []block
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
	s := &section{ID: a.ID, Aliases: a.Aliases, Title: a.Title, Question: a.Question, Status: string(a.Status), Answer: a.Text}
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
