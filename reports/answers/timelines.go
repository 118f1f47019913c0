package answers

import (
	"fmt"
	"strings"

	"alexbench/harness/results"
)

// buildTimelines draws each sampled cell's NVML series: memory, utilization
// and power as stacked panels of one figure, with a dashed line at the first
// sample after the first train step.
func buildTimelines(b *builder) *Answer {
	a := &Answer{ID: "nvml", Title: "GPU timelines (NVML)",
		Question: []string{"How did memory, utilization and power evolve during each cell? Sampled by NVML while the cell ran."}}
	n := 0
	reasons := map[string]bool{}
	for _, m := range b.res.Matrices {
		for _, c := range m.Cells {
			if c.Memory != nil && strings.TrimSpace(c.Memory.Reason) != "" {
				reasons[strings.TrimSpace(c.Memory.Reason)] = true
			}
			if c.Timeline == nil || len(c.Timeline.Panels) == 0 {
				continue
			}
			n++
			mark := -1.0
			if c.Memory != nil && c.Memory.SteadyFromS.Valid() && c.Timeline.XName == "time (s)" {
				mark = float64(c.Memory.SteadyFromS)
			}
			a.Blocks = append(a.Blocks, Block{Figures: []Figure{timelineFigure(fmt.Sprint(n), m.Name+" · "+c.Label+" · "+c.Key, c.Timeline, mark)}})
		}
	}
	if n == 0 {
		a.Status = NotMeasured
		text := "No cell has an nvml.csv: NVML timelines are recorded only when a cell runs on an NVIDIA GPU."
		if len(reasons) > 0 {
			text += " The cells' summaries say: " + strings.Join(sortedKeys(reasons), "; ") + "."
		}
		a.Text = append(a.Text, text)
		return a
	}
	a.Status = Measured
	a.Text = append(a.Text, fmt.Sprintf("%s recorded by NVML. Memory panels show the maximum, the others the mean, of each plotted interval; "+
		"a dashed line marks the first sample after the first train step (before it: compilation and autotuning).", plural(n, "cell was", "cells were")))
	return a
}

// timelineFigure is tl's panels, one above the other; mark ≥ 0 draws a
// dashed vertical line there on every panel (the end of the first train
// step), labelled on the top one.
func timelineFigure(name, title string, tl *results.Timeline, mark float64) Figure {
	const panelHeight = 150
	f := Figure{Name: name, Title: title, Height: 60 + panelHeight*len(tl.Panels) + 40, Tooltip: "axis"}
	for i, p := range tl.Panels {
		panel := Panel{X: Axis{Kind: Linear}, Y: Axis{Kind: Linear, Name: p.Title + " (" + p.Unit + ")"}}
		if i == len(tl.Panels)-1 {
			panel.X.Name = tl.XName
		}
		for j, ser := range p.Series {
			panel.Series = append(panel.Series, Series{Name: ser.Name, Kind: Line, Symbol: "none", X: ser.X, Y: ser.Y})
			if j == 0 && mark >= 0 {
				vl := Series{Kind: VLine, X: []float64{mark}, Dashed: true, Color: "#888"}
				if i == 0 {
					vl.Label = "first step done"
				}
				panel.Series = append(panel.Series, vl)
			}
		}
		f.Panels = append(f.Panels, panel)
	}
	return f
}
