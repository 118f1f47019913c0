//go:build legacy

package reports

import (
	"alexbench/harness/profile"
	"fmt"
	"math"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

const mib = 1 << 20

// mainProfile is the one the charts show: AlexNet at d2l's batch 128 if
// profiled, else AlexNet's largest batch, else the first file.
func mainProfile(ps []*Profile) *Profile {
	var best *Profile
	for _, p := range ps {
		if p.Model != "alexnet" {
			continue
		}
		if p.Batch == 128 {
			return p
		}
		if best == nil || p.Batch > best.Batch {
			best = p
		}
	}
	if best != nil {
		return best
	}
	return ps[0]
}

type partSums struct{ params, paramBytes, actBytes, flops, ms float64 }

func sumParts(ls []profile.Layer) (conv, dense, total partSums) {
	cut := profile.ConvPartEnd(ls) // the convolutional part, the classifier from there on
	for i, l := range ls {
		p := &conv
		if i >= cut {
			p = &dense
		}
		for _, q := range []*partSums{p, &total} {
			q.params += float64(l.Params)
			q.paramBytes += float64(l.ParamBytes)
			q.actBytes += float64(l.ActBytes)
			q.flops += float64(l.FwdFLOPs + l.BwdFLOPs)
			q.ms += l.FwdBwdMs
		}
	}
	return
}

func share(a, total float64) string {
	if total <= 0 {
		return "–"
	}
	return fmtPct(a / total)
}

// ridge is the intensity where p's roofs meet, NaN where unmeasured.
func ridge(p *Profile) float64 { return nanIfZero(p.Roofs().Ridge()) }

// e4 is what the three sections of exercise 1 share: the profile shown and
// its sums. ok is false (and the section says so) when nothing was profiled.
type e4 struct {
	p                  *Profile
	conv, dense, total partSums
	where              string
	roofs              profile.Roofs
}

func e4Setup(b *builder, s *section) (*e4, bool) {
	ps := b.res.Profiles
	if len(ps) == 0 {
		s.Status = "not measured"
		s.Answer = append(s.Answer, "Not measured yet — run `alexbench profile alexnet --batch 128` (and --batch 1, 32 and 512 for the batch-size dependence); it writes results/profile/alexnet-b128.json.")
		return nil, false
	}
	p := mainProfile(ps)
	measured := 0
	for _, l := range p.Layers {
		if l.FwdMs > 0 {
			measured++
		}
	}
	s.Status = "measured"
	if measured < len(p.Layers) {
		s.Status = "partial"
	}
	e := &e4{p: p, roofs: p.Roofs()}
	e.conv, e.dense, e.total = sumParts(p.Layers)
	e.where = fmt.Sprintf("%s at batch %d, %d×%d inputs, %s, on %s (%s)", profileModelName(p), p.Batch, p.Resize, p.Resize, orDash(p.DType), orDash(p.Device), orDash(p.Backend))
	s.Answer = append(s.Answer, "Profile shown: "+e.where+". Layers before the first flatten/dense layer count as convolutional (with their ReLU and pooling), the rest as fully connected.")
	return e, true
}

// profileModelName names the profiled model; AlexNet at d2l's input size is
// d2l's AlexNet (the profiler builds the full-width net).
func profileModelName(p *Profile) string {
	if p.Model == "alexnet" && p.Resize != 224 && p.Resize > 0 {
		return fmt.Sprintf("alexnet (full width, %d×%d inputs instead of d2l's 224×224)", p.Resize, p.Resize)
	}
	return p.Model
}

// layerNames are the profile's layer names, the x axis of every per-layer chart.
func (e *e4) layerNames() []string {
	var names []string
	for _, l := range e.p.Layers {
		names = append(names, l.Name)
	}
	return names
}

// perLayerBars is a grouped bar chart over every layer, each one labelled.
func (e *e4) perLayerBars(s *section, name, title, axis string, a, bb []float64, an, bn string) chartBlock {
	id := chartID(s, name)
	c := charts.NewBar()
	height := 380
	c.SetGlobalOptions(commonOpts(id, title, fmt.Sprintf("%s, batch %d", e.p.Model, e.p.Batch), height)...)
	c.SetGlobalOptions(charts.WithYAxisOpts(valueAxisY(axis, "value")),
		charts.WithXAxisOpts(categoryAxisX(60)),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
	c.SetXAxis(e.layerNames())
	c.AddSeries(an, barValues(a))
	c.AddSeries(bn, barValues(bb))
	return finish(id, height, c, tweaks(func(m map[string]any) {
		// Every layer gets its label, conv1 and fc8 too: the axis is as wide
		// as the labels need and nothing is dropped for lack of room.
		setAxisLabel(m, "xAxis", map[string]any{"interval": 0, "hideOverlap": false, "fontSize": 10})
	}))
}

func buildEx11(b *builder, s *section, ms []*Matrix) {
	e, ok := e4Setup(b, s)
	if !ok {
		return
	}
	// The answer's words are harness/profile's, the one text of exercise
	// 1's answers (alexbench profile prints the same).
	s.Answer = append(s.Answer, profile.MemoryAnswer(&e.p.File))
	var pMiB, aMiB []float64
	for _, l := range e.p.Layers {
		pMiB, aMiB = append(pMiB, float64(l.ParamBytes)/mib), append(aMiB, float64(l.ActBytes)/mib)
	}
	s.Blocks = append(s.Blocks, block{Charts: []chartBlock{e.perLayerBars(s, "memory", "Memory per layer", "MiB", pMiB, aMiB, "parameters", "activations kept")}})
}

func buildEx12(b *builder, s *section, ms []*Matrix) {
	e, ok := e4Setup(b, s)
	if !ok {
		return
	}
	p, total := e.p, e.total
	s.Answer = append(s.Answer, profile.ComputeAnswer(&p.File))
	var fwdG, bwdG, fwdMs, fbMs []float64
	for _, l := range p.Layers {
		fwdG, bwdG = append(fwdG, float64(l.FwdFLOPs)/1e9), append(bwdG, float64(l.BwdFLOPs)/1e9)
		fwdMs, fbMs = append(fwdMs, nanIfZero(l.FwdMs)), append(fbMs, nanIfZero(l.FwdBwdMs))
	}
	s.Blocks = append(s.Blocks,
		block{Charts: []chartBlock{
			e.perLayerBars(s, "flops", "FLOPs per layer", "GFLOP", fwdG, bwdG, "forward", "backward"),
			e.perLayerBars(s, "time", "Measured time per layer", "ms", fwdMs, fbMs, "forward", "forward + backward"),
		}})
	t := &table{Caption: "Per-layer table: " + e.where, Head: []string{"layer", "kind", "output", "params", "param MiB", "act MiB", "fwd GFLOP", "bwd GFLOP", "min MiB moved", "FLOP/byte", "fwd ms", "fwd+bwd ms", "achieved GFLOP/s", "achieved GB/s"},
		Right: []bool{false, false, false, true, true, true, true, true, true, true, true, true, true, true}}
	for _, l := range p.Layers {
		t.Rows = append(t.Rows, []string{l.Name, l.Kind, shapeString(l.OutShape), fmtCount(l.Params),
			fmt.Sprintf("%.2f", float64(l.ParamBytes)/mib), fmt.Sprintf("%.2f", float64(l.ActBytes)/mib),
			fmt.Sprintf("%.3f", float64(l.FwdFLOPs)/1e9), fmt.Sprintf("%.3f", float64(l.BwdFLOPs)/1e9),
			fmt.Sprintf("%.2f", float64(l.MinBytes)/mib), fmt.Sprintf("%.2f", l.Intensity),
			msOrDash(l.FwdMs), msOrDash(l.FwdBwdMs), fmt.Sprintf("%.1f", l.AchievedFLOPs/1e9), fmt.Sprintf("%.1f", l.AchievedBytesPerSec/1e9)})
	}
	t.Rows = append(t.Rows, []string{"total", "", "", fmtCount(int64(total.params)), fmt.Sprintf("%.2f", total.paramBytes/mib), fmt.Sprintf("%.2f", total.actBytes/mib),
		fmt.Sprintf("%.3f", fwdFLOPs(p.Layers)/1e9), fmt.Sprintf("%.3f", (total.flops-fwdFLOPs(p.Layers))/1e9), "", "", "", msOrDash(total.ms), "", ""})
	s.Blocks = append(s.Blocks, block{Table: t},
		block{Note: "FLOPs count 2 × multiply-adds (unlike fvcore/thop). Times are medians of each layer run alone as a compiled graph on its real input shape; intensity and achieved rates are of the forward pass."})
}

func buildEx13(b *builder, s *section, ms []*Matrix) {
	e, ok := e4Setup(b, s)
	if !ok {
		return
	}
	p := e.p
	rd := ridge(p)
	s.Answer = append(s.Answer, profile.BandwidthAnswer(&p.File))
	if t := profile.TrainVsInferenceAnswer(&p.File); t != "" {
		s.Answer = append(s.Answer, t)
	}
	if dep := batchDependence(b.res.Profiles, p.Model); dep != nil {
		s.Answer = append(s.Answer, dep.answer)
		defer func() { s.Blocks = append(s.Blocks, block{Table: dep.table}) }()
	}
	if !math.IsNaN(rd) {
		s.Blocks = append(s.Blocks, block{Charts: []chartBlock{roofline(s, p, e.roofs)}})
	}
	var files []string
	for _, q := range b.res.Profiles {
		files = append(files, fmt.Sprintf("%s (%s, batch %d)", q.Path, q.Model, q.Batch))
	}
	defer func() { s.Blocks = append(s.Blocks, block{Note: "Profiles read: " + joinList(files) + "."}) }()
}

func fwdFLOPs(ls []profile.Layer) float64 {
	var f float64
	for _, l := range ls {
		f += float64(l.FwdFLOPs)
	}
	return f
}

func nanIfZero(x float64) float64 {
	if x == 0 {
		return math.NaN()
	}
	return x
}

func fmtMs(ms float64) string { return fmtSeconds(ms / 1000) }

func msOrDash(ms float64) string {
	if ms <= 0 {
		return "not measured"
	}
	return fmt.Sprintf("%.3f", ms)
}

func shapeString(sh []int) string {
	parts := make([]string, len(sh))
	for i, d := range sh {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

func roofline(s *section, p *Profile, ceil profile.Roofs) chartBlock {
	id := chartID(s, "roofline")
	rd := nanIfZero(ceil.Ridge())
	lo, hi := math.Inf(1), math.Inf(-1)
	ylo := math.Inf(1)
	var pts []opts.ScatterData
	var lps []labelPoint
	for _, l := range p.Layers {
		if l.Intensity <= 0 || l.AchievedFLOPs <= 0 {
			continue
		}
		lo, hi = math.Min(lo, l.Intensity), math.Max(hi, l.Intensity)
		ylo = math.Min(ylo, l.AchievedFLOPs/1e9)
		pts = append(pts, opts.ScatterData{Name: l.Name, Value: xyPoint(l.Intensity, l.AchievedFLOPs/1e9), SymbolSize: 9})
		lps = append(lps, labelPoint{l.Intensity, l.AchievedFLOPs / 1e9, l.Name})
	}
	lo, hi = math.Min(lo, rd)/4, math.Max(hi, rd)*4
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = rd/100, rd*100
	}
	// Decade bounds, as a log axis draws them; the roofs and every point inside.
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	yhi := math.Pow(10, math.Ceil(math.Log10(ceil.FLOPs/1e9*1.5)))
	ylo = math.Pow(10, math.Floor(math.Log10(math.Min(ylo, lo*ceil.Bytes/1e9))))
	if math.IsInf(ylo, 0) || ylo <= 0 {
		ylo = yhi / 1e4
	}
	peak := ceil.FLOPs / 1e9
	bw := ceil.Bytes / 1e9
	memName := fmt.Sprintf("memory roof (%s/s)", fmtSI(ceil.Bytes, "B"))
	if ceil.BytesRaisedBy != "" {
		memName = fmt.Sprintf("memory roof ≥ %s/s (lower bound)", fmtSI(ceil.Bytes, "B"))
	}
	compName := fmt.Sprintf("compute roof (%s/s)", fmtSI(ceil.FLOPs, "FLOP"))
	if ceil.FLOPsRaisedBy != "" {
		compName = fmt.Sprintf("compute roof ≥ %s/s (lower bound)", fmtSI(ceil.FLOPs, "FLOP"))
	}
	c := charts.NewScatter()
	height := 460
	c.SetGlobalOptions(commonOpts(id, "Roofline", fmt.Sprintf("%s, batch %d, forward pass; ridge at %.1f FLOP/byte", p.Model, p.Batch, rd), height)...)
	xa, ya := valueAxisX("arithmetic intensity (FLOP/byte)", "log"), valueAxisY("achieved GFLOP/s", "log")
	xa.Min, xa.Max, ya.Min, ya.Max = num(lo), num(hi), num(ylo), num(yhi)
	xa.Scale, ya.Scale = nil, nil
	c.SetGlobalOptions(charts.WithXAxisOpts(xa), charts.WithYAxisOpts(ya), charts.WithTooltipOpts(opts.Tooltip{Trigger: "item"}))
	c.AddSeries("layers", pts, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{b}", FontSize: 10}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))
	spots := placeLabels(lps, plotBox{xmin: lo, xmax: hi, ymin: ylo, ymax: yhi, xlog: true, ylog: true, w: 940, h: float64(height) - 200})
	mem := charts.NewLine()
	mem.AddSeries(memName, lineXY([]float64{lo, rd}, []float64{lo * bw, rd * bw}),
		charts.WithLineChartOpts(opts.LineChart{Symbol: "none"}), charts.WithLineStyleOpts(opts.LineStyle{Width: 2, Color: seriesColor(3)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(3) }))
	mem.AddSeries(compName, lineXY([]float64{rd, hi}, []float64{peak, peak}),
		charts.WithLineChartOpts(opts.LineChart{Symbol: "none"}), charts.WithLineStyleOpts(opts.LineStyle{Width: 2, Color: seriesColor(7)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(7) }))
	c.Overlap(mem)
	return finish(id, height, c, applyLabels(0, spots))
}

type dependence struct {
	answer string
	table  *table
}

// batchDependence tabulates each layer's intensity and bound across the
// profiled batch sizes of one model.
func batchDependence(ps []*Profile, model string) *dependence {
	var same []*Profile
	for _, p := range ps {
		if p.Model == model {
			same = append(same, p)
		}
	}
	if len(same) < 2 {
		return nil
	}
	t := &table{Caption: model + ": FLOP/byte and bound per batch size", Head: []string{"layer"}}
	t.Right = []bool{false}
	for _, p := range same {
		t.Head = append(t.Head, fmt.Sprintf("batch %d", p.Batch))
		t.Right = append(t.Right, true)
	}
	var flips []string
	for i, l := range same[0].Layers {
		row := []string{l.Name}
		var bounds []string
		for _, p := range same {
			if i >= len(p.Layers) || p.Layers[i].Name != l.Name {
				row = append(row, "–")
				continue
			}
			pl := p.Layers[i]
			b := "M"
			if rd := ridge(p); math.IsNaN(rd) || pl.FwdFLOPs <= 0 {
				b = ""
			} else if pl.Intensity >= rd {
				b = "C"
			}
			bounds = append(bounds, b)
			row = append(row, strings.TrimSpace(fmt.Sprintf("%.1f %s", pl.Intensity, b)))
		}
		t.Rows = append(t.Rows, row)
		if l.Kind == "dense" && len(bounds) == len(same) && bounds[0] == "M" {
			for j, b := range bounds {
				if b == "C" {
					flips = append(flips, fmt.Sprintf("%s from batch %d", l.Name, same[j].Batch))
					break
				}
			}
		}
	}
	ans := "Batch-size dependence (" + model + "; in the table M = memory-bound, C = compute-bound, against each run's own ridge): "
	if len(flips) > 0 {
		ans += "dense layers that are memory-bound at batch " + fmt.Sprint(same[0].Batch) + " turn compute-bound as the batch grows: " + joinList(flips) + "."
	} else {
		ans += "no dense layer changes from memory-bound to compute-bound across the profiled batch sizes (see the table)."
	}
	return &dependence{answer: ans, table: t}
}
