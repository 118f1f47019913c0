package reports

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/reports/answers"
)

// A figure is drawn in two steps: go-echarts sets the chart's frame (title,
// legend, grid, axes, tooltip), then the series are written as plain echarts
// series, since half of them (95 % CI whiskers, confidence bands) are custom
// series go-echarts has no type for.

// chartID is a stable, unique element id for a section's figure.
func chartID(sectionID, name string) string { return "chart-" + sectionID + "-" + name }

// figureBlock draws one figure of a section.
func figureBlock(sectionID string, f answers.Figure) chartBlock {
	id := chartID(sectionID, f.Name)
	c := charts.NewLine()
	tooltip := f.Tooltip
	if tooltip == "" {
		tooltip = "axis"
	}
	if len(f.Panels) > 1 {
		c.SetGlobalOptions(initOpts(id, f.Height),
			charts.WithTitleOpts(opts.Title{Title: f.Title, Subtitle: f.Subtitle, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 13}}),
			charts.WithLegendOpts(opts.Legend{Bottom: "0", Type: "plain"}),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: tooltip}),
			charts.WithAnimation(false))
	} else {
		c.SetGlobalOptions(commonOpts(id, f.Title, f.Subtitle, f.Height)...)
		c.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Trigger: tooltip}))
	}
	if f.NoLegend {
		c.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	}
	const panelHeight = 150
	var grids []opts.Grid
	for i, p := range f.Panels {
		x, y := xAxisOf(p.X), yAxisOf(p.Y)
		x.GridIndex, y.GridIndex = i, i
		if len(f.Panels) > 1 {
			grids = append(grids, opts.Grid{Left: "70", Right: "30", Top: fmt.Sprint(50 + i*panelHeight), Height: fmt.Sprint(panelHeight - 45)})
			if i < len(f.Panels)-1 {
				x.Name, x.NameLocation, x.NameGap = "", "", 0
			} else {
				x.NameGap = 25
			}
		}
		if i == 0 {
			c.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(y))
		} else {
			c.ExtendXAxis(x)
			c.ExtendYAxis(y)
		}
	}
	if len(grids) > 0 {
		c.SetGlobalOptions(charts.WithGridOpts(grids...))
	}
	return finish(id, f.Height, c, func(m map[string]any) {
		var series []any
		for i, p := range f.Panels {
			for j, s := range p.Series {
				series = append(series, seriesOf(f, i, p, s, j)...)
			}
			axisTweaks(m, "xAxis", i, p.X)
			axisTweaks(m, "yAxis", i, p.Y)
			for _, ax := range []struct {
				which string
				a     answers.Axis
			}{{"xAxis", p.X}, {"yAxis", p.Y}} {
				if base, ok := logBarBase(p, ax.a); ok && !ax.a.Fixed {
					setAxis(m, ax.which, i, map[string]any{"min": num(base), "startValue": num(base)})
				}
			}
		}
		m["series"] = series
		if f.Legend != nil && !f.NoLegend {
			m["legend"] = map[string]any{"bottom": 0, "type": "plain", "data": f.Legend}
		}
	})
}

// xAxisOf and yAxisOf set what go-echarts' axis types can say; axisTweaks
// the rest (log base, label width, category labels on either axis).
func xAxisOf(a answers.Axis) opts.XAxis {
	x := opts.XAxis{Type: string(a.Kind), Name: a.Name, NameLocation: "middle", NameGap: 28}
	if a.Kind == "" {
		x.Type = "value"
	}
	switch {
	case a.Kind == answers.Category && a.LabelRotate != 0:
		// Rotated labels (layers, preprocessing) are all shown; a long
		// unrotated axis (80 epochs) lets echarts skip overlapping ones.
		x.AxisLabel = &opts.AxisLabel{Rotate: a.LabelRotate, Interval: "0"}
	case a.Kind == answers.Category:
	case a.Fixed:
		x.Min, x.Max = num(a.Min), num(a.Max)
	case a.ZeroBased:
		x.Min = 0
	default:
		x.Scale = opts.Bool(true)
	}
	return x
}

func yAxisOf(a answers.Axis) opts.YAxis {
	y := opts.YAxis{Type: string(a.Kind), Name: a.Name}
	if a.Kind == "" {
		y.Type = "value"
	}
	switch {
	case a.Kind == answers.Category:
		y.Inverse = opts.Bool(a.Inverse)
		y.AxisLabel = &opts.AxisLabel{Interval: "0"}
	case a.Fixed:
		y.Min, y.Max = num(a.Min), num(a.Max)
	case a.ZeroBased:
		y.Min = 0
	default:
		y.Scale = opts.Bool(true)
	}
	return y
}

func axisTweaks(m map[string]any, which string, i int, a answers.Axis) {
	kv := map[string]any{}
	if a.Kind == answers.Category {
		// go-echarts' axis options drop their Data when set as global
		// options: the labels go in here, on either axis.
		kv["data"] = a.Categories
	}
	if a.Kind == answers.Log && a.LogBase != 0 {
		kv["logBase"] = a.LogBase
	}
	if len(kv) > 0 {
		setAxis(m, which, i, kv)
	}
	label := map[string]any{}
	if a.LabelWidth > 0 {
		label["width"], label["overflow"] = a.LabelWidth, "truncate"
	}
	if a.LabelFont > 0 {
		label["fontSize"], label["interval"], label["hideOverlap"] = a.LabelFont, 0, false
	}
	if len(label) > 0 && i == 0 {
		setAxisLabel(m, which, label)
	}
}

// seriesOf is one Series as echarts series (an SDBand is three).
func seriesOf(f answers.Figure, panel int, p answers.Panel, s answers.Series, j int) []any {
	color := s.Color
	if color == "" {
		color = seriesColor(j)
	}
	base := func(typ string) map[string]any {
		m := map[string]any{"type": typ, "name": s.Name, "color": color, "itemStyle": map[string]any{"color": color}}
		if panel > 0 {
			m["xAxisIndex"], m["yAxisIndex"] = panel, panel
		}
		return m
	}
	line := func(m map[string]any) {
		ls := map[string]any{"color": color}
		if s.Dashed {
			ls["type"] = "dashed"
		}
		if s.Width > 0 {
			ls["width"] = s.Width
		}
		m["lineStyle"] = ls
		if s.Symbol != "" {
			m["symbol"] = s.Symbol
		}
		if s.SymbolSize > 0 {
			m["symbolSize"] = s.SymbolSize
		}
		if s.Step != "" {
			m["step"] = s.Step
		}
	}
	switch s.Kind {
	case answers.Line:
		m := base("line")
		m["data"] = pointsOf(p, s)
		line(m)
		return []any{m}
	case answers.Bar:
		m := base("bar")
		m["data"] = nums(s.Y)
		return []any{m}
	case answers.Scatter:
		m := base("scatter")
		var data []any
		for i := range s.X {
			d := map[string]any{"value": []num{num(s.X[i]), num(s.Y[i])}, "symbolSize": 10}
			if i < len(s.PointNames) {
				d["name"] = s.PointNames[i]
			}
			data = append(data, d)
		}
		if s.SymbolSize > 0 {
			for _, d := range data {
				d.(map[string]any)["symbolSize"] = s.SymbolSize
			}
		}
		if s.LabelPoints {
			labelPoints(f, p, s, data)
		}
		m["data"] = data
		return []any{m}
	case answers.Whiskers:
		axis := p.Y
		if s.Horizontal {
			axis = p.X
		}
		return []any{errorBars(s.Name, color, clipWhiskers(s.Whiskers, axis), s.Horizontal, panel)}
	case answers.Band:
		return []any{band(s.Name, color, s.X, clipped(s.Lo, p.Y), clipped(s.Hi, p.Y), panel)}
	case answers.SDBand:
		// Two stacked, line-less series under the mean: the lower bound, then
		// the band's width shaded.
		width := make([]float64, len(s.Lo))
		for i := range width {
			width[i] = s.Hi[i] - s.Lo[i]
		}
		stack := "band " + s.Name
		lo := base("line")
		lo["name"], lo["stack"], lo["symbol"], lo["data"] = s.Name+" − sd", stack, "none", nums(s.Lo)
		lo["lineStyle"] = map[string]any{"opacity": 0}
		w := base("line")
		w["name"], w["stack"], w["symbol"], w["data"] = s.Name+" ± sd", stack, "none", nums(width)
		w["lineStyle"] = map[string]any{"opacity": 0}
		w["areaStyle"] = map[string]any{"color": color, "opacity": 0.2}
		return []any{lo, w}
	case answers.VLine:
		m := base("line")
		m["name"] = s.Name
		show := s.Label != ""
		label := map[string]any{"show": show}
		if show {
			label["formatter"], label["position"] = s.Label, "insideEndTop"
		}
		m["markLine"] = map[string]any{"symbol": []string{"none", "none"},
			"lineStyle": map[string]any{"type": "dashed", "color": "#888"}, "label": label,
			"data": []any{map[string]any{"xAxis": num(s.X[0])}}}
		m["data"] = []any{}
		return []any{m}
	}
	panic(fmt.Sprintf("reports: figure %s: series %q has no kind", f.Name, s.Name))
}

// pointsOf is a line's data: values on a category axis, [x, y] pairs on a
// value axis.
func pointsOf(p answers.Panel, s answers.Series) any {
	if p.X.Kind == answers.Category || s.X == nil {
		return nums(s.Y)
	}
	d := make([][2]num, len(s.X))
	for i := range s.X {
		d[i] = [2]num{num(s.X[i]), num(s.Y[i])}
	}
	return d
}

// labelPoints places a scatter's point labels so none overlaps another
// (placeLabels), within the panel's axis ranges.
func labelPoints(f answers.Figure, p answers.Panel, s answers.Series, data []any) {
	var lps []labelPoint
	for i := range s.X {
		name := ""
		if i < len(s.PointNames) {
			name = s.PointNames[i]
		}
		lps = append(lps, labelPoint{s.X[i], s.Y[i], name})
	}
	xmin, xmax := rangeOf(p.X, s.X)
	ymin, ymax := rangeOf(p.Y, s.Y)
	spots := placeLabels(lps, plotBox{xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax,
		xlog: p.X.Kind == answers.Log, ylog: p.Y.Kind == answers.Log, w: 940, h: float64(f.Height) - 200})
	for i, d := range data {
		if i >= len(spots) {
			break
		}
		d.(map[string]any)["label"] = spotLabel(spots[i])
	}
}

// rangeOf is an axis' range: fixed, else the data's.
func rangeOf(a answers.Axis, xs []float64) (lo, hi float64) {
	if a.Fixed {
		return a.Min, a.Max
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if a.ZeroBased {
		lo = 0
	}
	return lo, hi
}

// errorBars is a custom series drawing a 95 % CI whisker per point (the
// page's alexbench.renderers draw it): data [x, lo, hi], or with horizontal
// [y, lo, hi] on a value x axis.
func errorBars(name, color string, pts [][3]float64, horizontal bool, panel int) map[string]any {
	data := make([][3]num, len(pts))
	for i, p := range pts {
		data[i] = [3]num{num(p[0]), num(p[1]), num(p[2])}
	}
	render := "errorBar"
	enc := map[string]any{"x": 0, "y": []int{1, 2}}
	if horizontal {
		render = "errorBarX"
		enc = map[string]any{"y": 0, "x": []int{1, 2}}
	}
	m := map[string]any{"type": "custom", "name": name, "renderItem": render, "data": data, "encode": enc,
		"itemStyle": map[string]any{"color": color}, "z": 3, "silent": true, "tooltip": map[string]any{"show": false}}
	if panel > 0 {
		m["xAxisIndex"], m["yAxisIndex"] = panel, panel
	}
	return m
}

// band is a custom series shading lo–hi between consecutive points of a
// curve (the 95 % CI of a mean over seeds): data [x0, lo0, hi0, x1, lo1, hi1].
func band(name, color string, xs, lo, hi []float64, panel int) map[string]any {
	var data [][6]num
	for i := 0; i+1 < len(xs); i++ {
		if math.IsNaN(lo[i]) || math.IsNaN(lo[i+1]) {
			continue
		}
		data = append(data, [6]num{num(xs[i]), num(lo[i]), num(hi[i]), num(xs[i+1]), num(lo[i+1]), num(hi[i+1])})
	}
	m := map[string]any{"type": "custom", "name": name, "renderItem": "band", "data": data,
		"encode":    map[string]any{"x": []int{0, 3}, "y": []int{1, 2, 4, 5}},
		"itemStyle": map[string]any{"color": color, "opacity": 0.18}, "z": 1, "silent": true, "tooltip": map[string]any{"show": false}}
	if panel > 0 {
		m["xAxisIndex"], m["yAxisIndex"] = panel, panel
	}
	return m
}

// bounds is the range a value on axis a can take: a fixed axis' range, or
// [0, +Inf) for a zero-based or non-negative one.
func bounds(a answers.Axis) (lo, hi float64) {
	switch {
	case a.Fixed:
		return a.Min, a.Max
	case a.ZeroBased || a.NonNegative:
		return 0, math.Inf(1)
	}
	return math.Inf(-1), math.Inf(1)
}

// clipped is xs cut to a's bounds (a CI drawn past an accuracy of 1 or
// below a loss of 0 would show an impossible value).
func clipped(xs []float64, a answers.Axis) []float64 {
	lo, hi := bounds(a)
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Min(math.Max(x, lo), hi)
	}
	return out
}

// clipWhiskers cuts each whisker's lo and hi to a's bounds.
func clipWhiskers(ws [][3]float64, a answers.Axis) [][3]float64 {
	lo, hi := bounds(a)
	out := make([][3]float64, len(ws))
	for i, w := range ws {
		out[i] = [3]float64{w[0], math.Min(math.Max(w[1], lo), hi), math.Min(math.Max(w[2], lo), hi)}
	}
	return out
}

// logBarBase is where bars on a log value axis start: the power of ten at or
// below the smallest positive bar, so a bar under 1 reads as short, not as
// a bar hanging down from 1 (echarts' default base on a log axis). ok is
// false when the panel has no bars on a log axis.
func logBarBase(p answers.Panel, axis answers.Axis) (base float64, ok bool) {
	if axis.Kind != answers.Log {
		return 0, false
	}
	least := math.Inf(1)
	for _, s := range p.Series {
		if s.Kind != answers.Bar {
			continue
		}
		for _, y := range s.Y {
			if y > 0 {
				least = math.Min(least, y)
			}
		}
	}
	if math.IsInf(least, 1) {
		return 0, false
	}
	return math.Pow(10, math.Floor(math.Log10(least))), true
}
