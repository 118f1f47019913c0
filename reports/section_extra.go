//go:build legacy

package reports

import (
	"alexbench/harness/results"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// maxImageCells bounds how many cells' pictures the page embeds (size).
const maxImageCells = 6

// buildImages shows conv1's filters and activation maps: for each model of
// each matrix, those of its best-trained seed (highest final test accuracy
// among the seeds that saved pictures), captioned with that accuracy.
func buildImages(b *builder) *section {
	s := &section{ID: "filters", Title: "conv1 filters and activation maps",
		Question: []string{"What did the first convolution learn? conv1's learned filters, and its activation maps for one test image per class, of the best-trained seed of each model (the highest final test accuracy among the seeds that saved pictures)."}}
	type pick struct {
		m          *Matrix
		name       string
		best       *Cell
		candidates int
	}
	var picks []*pick
	for _, m := range b.res.Matrices {
		by := map[string]*pick{}
		for _, c := range m.Cells {
			if len(c.Images) == 0 {
				continue
			}
			name := c.Label
			if c.ConfigOK {
				name = modelName(c.Config, cellProfile(c))
				if c.Label != c.Config.Model && c.Label != "" {
					name += " [" + c.Label + "]"
				}
			}
			p := by[name]
			if p == nil {
				p = &pick{m: m, name: name}
				by[name] = p
				picks = append(picks, p)
			}
			p.candidates++
			if p.best == nil || better(c, p.best) {
				p.best = c
			}
		}
	}
	if len(picks) == 0 {
		s.Status = "not measured"
		s.Answer = append(s.Answer, "No cell saved filters.png or activations.png yet — they are written by training runs of models with a conv1 (e.g. `alexbench run experiments/e0-alexnet.toml`).")
		return s
	}
	s.Status = "measured"
	for i, p := range picks {
		if i == maxImageCells {
			s.Blocks = append(s.Blocks, block{Note: fmt.Sprintf("%d more models saved pictures; they are in their cell folders.", len(picks)-maxImageCells)})
			break
		}
		c := p.best
		acc := "no final test accuracy"
		if c.Done() {
			acc = "test acc " + fmtAcc(finalTestAcc(c))
		}
		seed := ""
		if c.ConfigOK {
			seed = fmt.Sprintf(", seed %d", c.Config.Seed)
		}
		from := fmt.Sprintf("the best-trained of %s with pictures", plural(p.candidates, "seed", "seeds"))
		if p.candidates == 1 {
			from = "the only seed with pictures"
		}
		if atChance(c) {
			acc += " (near chance: this net has not learned, so its filters are close to their initialization)"
		}
		var ims []imageBlock
		for _, im := range c.Images {
			png := im.PNG
			if im.File == "filters.png" {
				png = trimPNG(png)
			}
			w, h := displaySize(png)
			ims = append(ims, imageBlock{Caption: im.Title, Title: im.File, Src: pngDataURI(png), Width: w, Height: h})
		}
		heading := fmt.Sprintf("%s · %s%s — %s, %s", p.m.Name, p.name, seed, acc, from)
		s.Blocks = append(s.Blocks, block{Heading: heading}, block{Images: ims})
	}
	return s
}

// better tells whether cell a trained better than b: done before not done,
// then the higher final test accuracy, then the lower seed.
func better(a, b *Cell) bool {
	if a.Done() != b.Done() {
		return a.Done()
	}
	fa, fb := finalTestAcc(a), finalTestAcc(b)
	if math.IsNaN(fb) && !math.IsNaN(fa) || fa > fb {
		return true
	}
	if fa < fb || math.IsNaN(fa) {
		return false
	}
	return a.seed() < b.seed()
}

// trimPNG crops the all-black columns and rows at the right and bottom of a
// grayscale grid (an older filter grid laid 6 filters out in a 12-column
// strip); any other picture is returned as it is.
func trimPNG(b []byte) []byte {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return b
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return b
	}
	r := g.Bounds()
	right, bottom := r.Min.X, r.Min.Y
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.GrayAt(x, y).Y != 0 {
				right, bottom = max(right, x+1), max(bottom, y+1)
			}
		}
	}
	right, bottom = min(r.Max.X, right+1), min(r.Max.Y, bottom+1) // keep the 1 px border
	if right >= r.Max.X && bottom >= r.Max.Y || right <= r.Min.X+1 || bottom <= r.Min.Y+1 {
		return b
	}
	var out bytes.Buffer
	if err := png.Encode(&out, g.SubImage(image.Rect(r.Min.X, r.Min.Y, right, bottom))); err != nil {
		return b
	}
	return out.Bytes()
}

// buildTimelines draws each sampled cell's NVML series: memory, utilization
// and power as three stacked panels of one chart.
func buildTimelines(b *builder) *section {
	s := &section{ID: "nvml", Title: "GPU timelines (NVML)",
		Question: []string{"How did memory, utilization and power evolve during each cell? Sampled by NVML while the cell ran."}}
	n := 0
	reasons := distinct{}
	for _, m := range b.res.Matrices {
		for _, c := range m.Cells {
			if c.Memory != nil && c.Memory.Reason != "" {
				reasons.add(c.Memory.Reason)
			}
			if c.Timeline == nil || len(c.Timeline.Panels) == 0 {
				continue
			}
			n++
			id := chartID(s, fmt.Sprintf("%d", n))
			mark := -1.0
			if c.Memory != nil && c.Memory.SteadyFromS.Valid() && c.Timeline.XName == "time (s)" {
				mark = float64(c.Memory.SteadyFromS)
			}
			s.Blocks = append(s.Blocks, block{Charts: []chartBlock{timelineChart(id, m.Name+" · "+c.Label+" · "+c.Key, c.Timeline, mark)}})
		}
	}
	if n == 0 {
		s.Status = "not measured"
		text := "No cell has an nvml.csv: NVML timelines are recorded only when a cell runs on an NVIDIA GPU."
		if len(reasons) > 0 {
			text += " The cells' summaries say: " + reasons.String() + "."
		}
		s.Answer = append(s.Answer, text)
		return s
	}
	s.Status = "measured"
	s.Answer = append(s.Answer, fmt.Sprintf("%s recorded by NVML. Memory panels show the maximum, the others the mean, of each plotted interval; "+
		"a dashed line marks the first sample after the first train step (before it: compilation and autotuning).", plural(n, "cell was", "cells were")))
	return s
}

// timelineChart draws tl's panels; mark ≥ 0 draws a dashed vertical line
// there on every panel (the end of the first train step).
func timelineChart(id, title string, tl *results.Timeline, mark float64) chartBlock {
	const panelHeight = 150
	height := 60 + panelHeight*len(tl.Panels) + 40
	c := charts.NewLine()
	c.SetGlobalOptions(initOpts(id, height),
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 13}}),
		charts.WithLegendOpts(opts.Legend{Bottom: "0", Type: "plain"}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}),
		charts.WithAnimation(false))
	var grids []opts.Grid
	for i, p := range tl.Panels {
		top := 50 + i*panelHeight
		grids = append(grids, opts.Grid{Left: "70", Right: "30", Top: fmt.Sprint(top), Height: fmt.Sprint(panelHeight - 45)})
		x := opts.XAxis{Type: "value", GridIndex: i, Scale: opts.Bool(true)}
		y := opts.YAxis{Type: "value", GridIndex: i, Name: p.Title + " (" + p.Unit + ")", Scale: opts.Bool(true)}
		if i == len(tl.Panels)-1 {
			x.Name, x.NameLocation, x.NameGap = tl.XName, "middle", 25
		}
		if i == 0 {
			c.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(y))
		} else {
			c.ExtendXAxis(x)
			c.ExtendYAxis(y)
		}
		for j, ser := range p.Series {
			idx := i
			c.AddSeries(ser.Name, nil, charts.WithLineChartOpts(opts.LineChart{Symbol: "none", XAxisIndex: idx, YAxisIndex: idx}),
				charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.XAxisIndex, s.YAxisIndex = idx, idx }),
				compactXY(ser.X, ser.Y))
			if j == 0 && mark >= 0 {
				c.AddSeries("", nil, charts.WithLineChartOpts(opts.LineChart{XAxisIndex: idx, YAxisIndex: idx}),
					charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.XAxisIndex, s.YAxisIndex = idx, idx }),
					stepMarkLine(mark, i == 0))
			}
		}
	}
	c.SetGlobalOptions(charts.WithGridOpts(grids...))
	return finish(id, height, c, nil)
}

// stepMarkLine is a data-less series carrying a dashed vertical line at x,
// labelled on the top panel only.
func stepMarkLine(x float64, label bool) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		show := label
		s.MarkLines = &opts.MarkLines{
			MarkLineStyle: opts.MarkLineStyle{
				Symbol:    []string{"none", "none"},
				LineStyle: &opts.LineStyle{Type: "dashed", Color: "#888"},
				Label:     &opts.Label{Show: &show, Formatter: "first step done", Position: "insideEndTop"},
			},
		}
		s.MarkLines.Data = append(s.MarkLines.Data, opts.MarkLineNameXAxisItem{XAxis: num(x)})
	}
}

// displaySize scales small pictures up by a whole factor (pixelated, so a
// 5×5 filter stays crisp) to about 320 px on their long side.
func displaySize(png []byte) (w, h int) {
	if len(png) < 24 {
		return 0, 0
	}
	// The IHDR chunk follows the 8-byte signature: length, "IHDR", width, height.
	w = int(binary.BigEndian.Uint32(png[16:20]))
	h = int(binary.BigEndian.Uint32(png[20:24]))
	if w <= 0 || h <= 0 || w > 1<<15 || h > 1<<15 {
		return 0, 0
	}
	zoom := max(1, min(8, 320/max(w, h)))
	return w * zoom, h * zoom
}
