package reports

import (
	"fmt"
	"html/template"

	"alexbench/reports/answers"
	"alexbench/reports/load"
)

// Options are what Render needs besides the results.
type Options struct {
	// ECharts is echarts.min.js, inlined into the page (see FindECharts).
	ECharts        []byte
	EChartsVersion string
	// Command is the command line that regenerates the report, shown in the footer.
	Command string
}

// Render builds the HTML report of a loaded results tree. It never fails on
// missing or partial results: those are shown as such.
func Render(res *load.Results, o Options) ([]byte, error) {
	return RenderAnswers(res, answers.Build(res), o)
}

// RenderAnswers draws answers already built from res (res gives the header:
// what produced the results).
func RenderAnswers(res *load.Results, as []*answers.Answer, o Options) ([]byte, error) {
	if len(o.ECharts) == 0 {
		return nil, fmt.Errorf("rendering the report: no echarts source (see FindECharts)")
	}
	p := &page{
		Title:    "alexbench · AlexNet on Fashion-MNIST, measured",
		Header:   answers.BuildHeader(res),
		Problems: res.Problems,
		Footer:   footer{Command: o.Command, EChartsVersion: o.EChartsVersion},
		ECharts:  template.JS(o.ECharts),
	}
	if p.Footer.Command == "" {
		p.Footer.Command = "alexbench report --results " + answers.ValidUTF8(res.Dir)
	}
	for _, a := range as {
		p.Sections = append(p.Sections, sectionOf(a))
		if a.Num != "" || a.ID == "d2l-8-1" {
			p.Glance = append(p.Glance, glanceOf(a))
		}
	}
	return p.render()
}
