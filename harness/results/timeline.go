package results

import (
	"alexbench/internal/stats"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// A cell's nvml.csv is read (written by the nvml sampler, see
// nvml/csv.go) generically, so new columns never break it. What it relies on:
//
//   - a header row, then one row per sample (and device);
//   - a time column: "t_s" (seconds since the cell started; aliases "time_s",
//     "elapsed_s", "t"); without one, samples are plotted by index;
//   - optionally a device column ("device", "gpu" or "index") when several
//     GPUs are sampled: each device becomes its own series;
//   - numeric columns, grouped into three panels by name:
//     memory      names ending in "_mib"/"_mb" (MiB) or containing "mem" and
//     ending in "_bytes" (converted), except totals ("mem_total_mib"), which
//     would flatten the plot, and the "_v2"/"reserved" variants of used;
//     utilization names containing "util" (percent);
//     power       names containing "power" or ending in "_w" (watts).
//     Other columns (clocks, temperature, energy) are not plotted.
//   - empty or non-numeric cells (a field NVML does not support, an error
//     mid-run) are gaps, not failures.
//
// maxTimelinePoints bounds each series (buckets of samples): a full GPU sweep
// has a timeline per cell, and the page must stay small.
const maxTimelinePoints = 150

// Timeline is a cell's NVML series, grouped into panels.
type Timeline struct {
	XName  string // "time (s)" or "sample"
	Panels []TimelinePanel
}

// TimelinePanel is one chart panel: memory, utilization or power.
type TimelinePanel struct {
	Title, Unit string
	Series      []TimelineSeries
}

// TimelineSeries is one column (for one device).
type TimelineSeries struct {
	Name string
	X, Y []float64
}

type panelKind int

const (
	panelMemory panelKind = iota
	panelUtil
	panelPower
	panelNone
)

var panelTitles = [...]struct{ title, unit string }{
	{"memory", "MiB"},
	{"utilization", "%"},
	{"power", "W"},
}

func classifyColumn(name string) (panelKind, float64) {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "util"):
		return panelUtil, 1
	case strings.Contains(n, "total") || strings.Contains(n, "reserved") || strings.Contains(n, "_v2"):
		// Totals flatten the plot; the v2/reserved variants repeat "used"
		// (their peaks are in summary.json): fewer series, smaller page.
		return panelNone, 0
	case strings.HasSuffix(n, "_mib") || strings.HasSuffix(n, "_mb"):
		return panelMemory, 1
	case strings.Contains(n, "mem") && strings.HasSuffix(n, "_bytes"):
		return panelMemory, 1.0 / (1 << 20)
	case strings.HasSuffix(n, "_mw"):
		return panelPower, 1.0 / 1000
	case strings.Contains(n, "power") || strings.HasSuffix(n, "_w"):
		return panelPower, 1
	}
	return panelNone, 0
}

// columnTitles names the nvml package's columns for the legend.
var columnTitles = map[string]string{
	"proc_mib":         "this process",
	"mem_used_mib":     "device used",
	"mem_used_v2_mib":  "device used (v2)",
	"mem_reserved_mib": "driver reserved",
	"util_gpu":         "GPU busy",
	"util_mem":         "memory busy",
	"power_w":          "power",
}

func columnTitle(name string) string {
	if t, ok := columnTitles[strings.ToLower(name)]; ok {
		return t
	}
	return name
}

// ParseTimeline reads an nvml.csv. It errors only when the file is not CSV
// with a header; odd cells become gaps.
func ParseTimeline(data []byte) (*Timeline, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	timeCol, devCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "t_s", "time_s", "elapsed_s", "t":
			if timeCol < 0 {
				timeCol = i
			}
		case "gpu", "device", "index":
			if devCol < 0 {
				devCol = i
			}
		}
	}
	type key struct {
		col int
		dev string
	}
	series := map[key]*TimelineSeries{}
	row := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading row %d: %w", row+2, err)
		}
		row++
		x := float64(row - 1)
		if timeCol >= 0 {
			if timeCol >= len(rec) {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[timeCol]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			x = v
		}
		dev := ""
		if devCol >= 0 && devCol < len(rec) {
			dev = strings.TrimSpace(rec[devCol])
		}
		for i, h := range header {
			if i == timeCol || i == devCol || i >= len(rec) {
				continue
			}
			kind, scale := classifyColumn(strings.TrimSpace(h))
			if kind == panelNone {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			k := key{i, dev}
			s := series[k]
			if s == nil {
				s = &TimelineSeries{Name: columnTitle(strings.TrimSpace(h))}
				series[k] = s
			}
			s.X = append(s.X, x)
			s.Y = append(s.Y, v*scale)
		}
	}
	tl := &Timeline{XName: "time (s)"}
	if timeCol < 0 {
		tl.XName = "sample"
	}
	keys := make([]key, 0, len(series))
	devices := map[string]bool{}
	for k := range series {
		keys = append(keys, k)
		devices[k.dev] = true
	}
	if len(devices) > 1 { // name the device only when there are several
		for k, s := range series {
			s.Name += " (gpu " + k.dev + ")"
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].col != keys[j].col {
			return keys[i].col < keys[j].col
		}
		return keys[i].dev < keys[j].dev
	})
	for p := panelMemory; p < panelNone; p++ {
		panel := TimelinePanel{Title: panelTitles[p].title, Unit: panelTitles[p].unit}
		for _, k := range keys {
			if kind, _ := classifyColumn(strings.TrimSpace(header[k.col])); kind == p {
				s := series[k]
				reduce := stats.Mean
				if p == panelMemory {
					reduce = stats.Max // peaks are what memory plots are for
				}
				s.X, s.Y = downsample(s.X, s.Y, maxTimelinePoints, reduce)
				panel.Series = append(panel.Series, *s)
			}
		}
		if len(panel.Series) > 0 {
			tl.Panels = append(tl.Panels, panel)
		}
	}
	return tl, nil
}

// downsample reduces a series to at most n points by buckets of consecutive
// samples: x is the bucket's first x, y the reduced value.
func downsample(x, y []float64, n int, reduce func([]float64) float64) ([]float64, []float64) {
	if len(x) <= n {
		return x, y
	}
	size := (len(x) + n - 1) / n
	var ox, oy []float64
	for i := 0; i < len(x); i += size {
		j := min(i+size, len(x))
		ox = append(ox, x[i])
		oy = append(oy, reduce(y[i:j]))
	}
	return ox, oy
}
