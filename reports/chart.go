package reports

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// chartBlock is one chart in the page: a div and the echarts option for it.
//
// The option comes from go-echarts (chart types, series and axis options),
// but the page does not use go-echarts' own templates: they print the option
// with HTML escaping off inside <script>, so a matrix named "</script>..."
// would end the script. json.Marshal escapes <, > and & as \u003c..., which is
// safe inside <script>; the option is otherwise exactly go-echarts' JSON.
type chartBlock struct {
	ID     string
	Height int // pixels
	Option template.JS
}

// optionChart is what every go-echarts chart type offers.
type optionChart interface {
	Validate()
	JSON() map[string]any
}

// palette is echarts' default, so explicitly colored series match the rest.
var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

func seriesColor(i int) string { return palette[i%len(palette)] }

// initOpts fixes the chart ID (go-echarts would draw a random one, and the
// page must be byte-identical for the same results).
func initOpts(id string, height int) charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{
		ChartID: id,
		Width:   "100%",
		Height:  fmt.Sprintf("%dpx", height),
	})
}

// commonOpts are the options every chart of the report shares.
func commonOpts(id, title, subtitle string, height int) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		initOpts(id, height),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle, Left: "center",
			TitleStyle: &opts.TextStyle{FontSize: 14}}),
		charts.WithLegendOpts(opts.Legend{Bottom: "0", Type: "plain"}),
		charts.WithGridOpts(opts.Grid{Left: "20", Right: "40", Top: "70", Bottom: "45", ContainLabel: opts.Bool(true)}),
		charts.WithAnimation(false), // a report is a document: draw once, fully
	}
}

// finish renders a configured chart into a block; tweak may adjust options
// go-echarts has no field for (they are plain echarts options).
func finish(id string, height int, c optionChart, tweak func(map[string]any)) chartBlock {
	c.Validate()
	m := generic(c.JSON())
	m["animation"] = false
	readable(m)
	// echarts describes the chart in an aria-label for screen readers.
	m["aria"] = map[string]any{"enabled": true}
	if tweak != nil {
		tweak(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		// Only NaN/Inf in a float64 option can fail; values go through num.
		panic(fmt.Sprintf("reports: chart %s: %v", id, err))
	}
	return chartBlock{ID: id, Height: height, Option: template.JS(b)}
}

// generic is the option as plain JSON values (maps, slices, numbers), so
// tweaks can edit any part of it: go-echarts returns typed series and axes.
func generic(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("reports: chart option: %v", err))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("reports: chart option: %v", err))
	}
	return out
}

// readable applies what every chart needs to be read on a static page
// (checked by the browser test's screenshots and layout probe): legends are
// plain (every entry shown; the page's alexbench.chart makes room for as
// many rows as they wrap to), a y axis title starts at its axis and runs
// right (centred on the axis it would be cut at the chart's left edge).
func readable(m map[string]any) {
	if l, ok := m["legend"].([]any); ok {
		for _, x := range l {
			if lm, ok := x.(map[string]any); ok {
				lm["type"] = "plain"
			}
		}
	} else if lm, ok := m["legend"].(map[string]any); ok {
		lm["type"] = "plain"
	}
	if ys, ok := m["yAxis"].([]any); ok {
		for _, y := range ys {
			ym, ok := y.(map[string]any)
			if !ok || ym["name"] == nil || ym["name"] == "" {
				continue
			}
			if loc, _ := ym["nameLocation"].(string); loc == "" || loc == "end" {
				style, _ := ym["nameTextStyle"].(map[string]any)
				if style == nil {
					style = map[string]any{}
				}
				style["align"] = "left"
				ym["nameTextStyle"] = style
			}
		}
	}
}

// axis tweaks that go-echarts' XAxis/YAxis have no field for.
func setAxis(m map[string]any, which string, i int, kv map[string]any) {
	raw, _ := json.Marshal(m[which])
	var axes []map[string]any
	_ = json.Unmarshal(raw, &axes)
	for len(axes) <= i {
		axes = append(axes, map[string]any{})
	}
	for k, v := range kv {
		axes[i][k] = v
	}
	m[which] = axes
}

func setAxisLabel(m map[string]any, which string, kv map[string]any) {
	raw, _ := json.Marshal(m[which])
	var axes []map[string]any
	_ = json.Unmarshal(raw, &axes)
	if len(axes) == 0 {
		axes = []map[string]any{{}}
	}
	label, _ := axes[0]["axisLabel"].(map[string]any)
	if label == nil {
		label = map[string]any{}
	}
	for k, v := range kv {
		label[k] = v
	}
	axes[0]["axisLabel"] = label
	m[which] = axes
}
