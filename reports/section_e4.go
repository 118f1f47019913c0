package reports

import (
	"alexbench/harness/profile"
	"encoding/json"
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

// classifierStart is the index of the first flatten or dense layer: layers
// before it are the convolutional feature extractor, from it on the classifier.
func classifierStart(ls []profile.Layer) int {
	for i, l := range ls {
		if l.Kind == "flatten" || l.Kind == "dense" {
			return i
		}
	}
	return len(ls)
}

type partSums struct{ params, paramBytes, actBytes, flops, ms float64 }

func sumParts(ls []profile.Layer) (conv, dense, total partSums) {
	cut := classifierStart(ls)
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

func ridge(p *Profile) float64 {
	if p.Ceilings.PeakBytesPerS <= 0 {
		return math.NaN()
	}
	return p.Ceilings.PeakFLOPs / p.Ceilings.PeakBytesPerS
}

func buildE4(b *builder, s *section, ms []*Matrix) {
	defer func() {
		if len(ms) > 0 {
			s.Blocks = append(s.Blocks, cellsBlock(ms))
		}
	}()
	ps := b.res.Profiles
	if len(ps) == 0 {
		s.Status = "not measured"
		s.Answer = append(s.Answer, "Not measured yet — run `alexbench profile alexnet --batch 128` (and --batch 1, 32 and 512 for the batch-size dependence); it writes results/profile/alexnet-b128.json.")
		return
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
	conv, dense, total := sumParts(p.Layers)
	where := fmt.Sprintf("%s at batch %d, %d×%d inputs, %s, on %s (%s)", p.Model, p.Batch, p.Resize, p.Resize, orDash(p.DType), orDash(p.Device), orDash(p.Backend))
	s.Answer = append(s.Answer, "Profile shown: "+where+". Layers before the first flatten/dense layer count as convolutional (with their ReLU and pooling), the rest as fully connected.")
	s.Answer = append(s.Answer, fmt.Sprintf("E4.1 memory: the fully connected layers hold %s of the parameters (%s of %s; %s of %s of weights), the convolutional part %s. Activations kept for the backward pass are %s in total, %s of them in the convolutional part: at this batch size the %s dominate activation memory and the %s dominate parameter memory.",
		share(dense.params, total.params), fmtCount(int64(dense.params)), fmtCount(int64(total.params)),
		fmtMiB(dense.paramBytes/mib), fmtMiB(total.paramBytes/mib), share(conv.params, total.params),
		fmtMiB(total.actBytes/mib), share(conv.actBytes, total.actBytes),
		dominant(conv.actBytes, dense.actBytes), dominant(conv.paramBytes, dense.paramBytes)))
	compute := fmt.Sprintf("E4.2 compute: forward + backward is %s per batch (%s per example forward); the convolutional part does %s of the FLOPs, the fully connected part %s.",
		fmtSI(total.flops, "FLOP"), fmtSI(fwdFLOPs(p.Layers)/float64(max(p.Batch, 1)), "FLOP"), share(conv.flops, total.flops), share(dense.flops, total.flops))
	if total.ms > 0 {
		compute += fmt.Sprintf(" Measured layer by layer, the convolutional part takes %s of the forward + backward time (%s of %s).",
			share(conv.ms, total.ms), fmtMs(conv.ms), fmtMs(total.ms))
	}
	s.Answer = append(s.Answer, compute)
	rd := ridge(p)
	if !math.IsNaN(rd) && p.Ceilings.PeakFLOPs > 0 {
		var memBound, compBound []string
		for _, l := range p.Layers {
			if l.FwdFLOPs <= 0 || l.Intensity <= 0 {
				continue
			}
			if l.Intensity < rd {
				memBound = append(memBound, l.Name)
			} else {
				compBound = append(compBound, l.Name)
			}
		}
		s.Answer = append(s.Answer, fmt.Sprintf("E4.3 bandwidth: measured ceilings %s/s (matmul) and %s/s (copy) put the ridge at %.1f FLOP/byte. At batch %d, layers below it are memory-bound: %s; at or above it (compute-bound): %s.",
			fmtSI(p.Ceilings.PeakFLOPs, "FLOP"), fmtSI(p.Ceilings.PeakBytesPerS, "B"), rd, p.Batch, joinList(memBound), joinList(compBound)))
	} else {
		s.Answer = append(s.Answer, "E4.3 bandwidth: the profile has no measured ceilings, so no layer is classified.")
	}
	if total.ms > 0 {
		var fwd float64
		for _, l := range p.Layers {
			fwd += l.FwdMs
		}
		s.Answer = append(s.Answer, fmt.Sprintf("Training vs inference: summed over layers, forward + backward takes %s, forward alone %s (%s); training also keeps %s of activations for the backward pass, which inference need not.",
			fmtMs(total.ms), fmtMs(fwd), fmtRatio(total.ms/math.Max(fwd, 1e-12)), fmtMiB(total.actBytes/mib)))
	}
	var files []string
	for _, q := range ps {
		files = append(files, fmt.Sprintf("%s (%s, batch %d)", q.Path, q.Model, q.Batch))
	}
	defer func() { s.Blocks = append(s.Blocks, block{Note: "Profiles read: " + joinList(files) + "."}) }()
	if dep := batchDependence(ps, p.Model); dep != nil {
		s.Answer = append(s.Answer, dep.answer)
		defer func() { s.Blocks = append(s.Blocks, block{Table: dep.table}) }()
	}

	var names []string
	var pMiB, aMiB, fwdG, bwdG, fwdMs, fbMs []float64
	for _, l := range p.Layers {
		names = append(names, l.Name)
		pMiB, aMiB = append(pMiB, float64(l.ParamBytes)/mib), append(aMiB, float64(l.ActBytes)/mib)
		fwdG, bwdG = append(fwdG, float64(l.FwdFLOPs)/1e9), append(bwdG, float64(l.BwdFLOPs)/1e9)
		fwdMs, fbMs = append(fwdMs, nanIfZero(l.FwdMs)), append(fbMs, nanIfZero(l.FwdBwdMs))
	}
	bars := func(name, title, axis string, a, bb []float64, an, bn string) chartBlock {
		id := chartID(s, name)
		c := charts.NewBar()
		c.SetGlobalOptions(commonOpts(id, title, fmt.Sprintf("%s, batch %d", p.Model, p.Batch), 340)...)
		c.SetGlobalOptions(charts.WithYAxisOpts(valueAxisY(axis, "value")),
			charts.WithXAxisOpts(categoryAxisX(45)),
			charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
		c.SetXAxis(names)
		c.AddSeries(an, barValues(a))
		c.AddSeries(bn, barValues(bb))
		return finish(id, 340, c, nil)
	}
	s.Blocks = append(s.Blocks,
		block{Heading: "Per layer"},
		block{Charts: []chartBlock{
			bars("memory", "Memory per layer", "MiB", pMiB, aMiB, "parameters", "activations kept"),
			bars("flops", "FLOPs per layer", "GFLOP", fwdG, bwdG, "forward", "backward"),
			bars("time", "Measured time per layer", "ms", fwdMs, fbMs, "forward", "forward + backward"),
		}})
	if !math.IsNaN(rd) && p.Ceilings.PeakFLOPs > 0 {
		s.Blocks = append(s.Blocks, block{Charts: []chartBlock{roofline(s, p, rd)}})
	}
	t := &table{Caption: "Per-layer table: " + where, Head: []string{"layer", "kind", "output", "params", "param MiB", "act MiB", "fwd GFLOP", "bwd GFLOP", "min MiB moved", "FLOP/byte", "fwd ms", "fwd+bwd ms", "achieved GFLOP/s", "achieved GB/s"},
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

func dominant(convPart, densePart float64) string {
	if convPart >= densePart {
		return "convolutional layers"
	}
	return "fully connected layers"
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

func roofline(s *section, p *Profile, rd float64) chartBlock {
	id := chartID(s, "roofline")
	lo, hi := math.Inf(1), math.Inf(-1)
	var pts []opts.ScatterData
	for _, l := range p.Layers {
		if l.Intensity <= 0 || l.AchievedFLOPs <= 0 {
			continue
		}
		lo, hi = math.Min(lo, l.Intensity), math.Max(hi, l.Intensity)
		pts = append(pts, opts.ScatterData{Name: l.Name, Value: xyPoint(l.Intensity, l.AchievedFLOPs/1e9), SymbolSize: 10})
	}
	lo, hi = math.Min(lo, rd)/4, math.Max(hi, rd)*4
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = rd/100, rd*100
	}
	peak := p.Ceilings.PeakFLOPs / 1e9
	bw := p.Ceilings.PeakBytesPerS / 1e9
	c := charts.NewScatter()
	c.SetGlobalOptions(commonOpts(id, "Roofline", fmt.Sprintf("%s, batch %d, forward pass; ridge at %.1f FLOP/byte", p.Model, p.Batch, rd), 420)...)
	c.SetGlobalOptions(charts.WithXAxisOpts(valueAxisX("arithmetic intensity (FLOP/byte)", "log")),
		charts.WithYAxisOpts(valueAxisY("achieved GFLOP/s", "log")),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "item"}))
	c.AddSeries("layers", pts, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{b}"}))
	mem := charts.NewLine()
	mem.AddSeries(fmt.Sprintf("memory ceiling (%s/s)", fmtSI(p.Ceilings.PeakBytesPerS, "B")), lineXY([]float64{lo, rd}, []float64{lo * bw, rd * bw}),
		charts.WithLineChartOpts(opts.LineChart{Symbol: "none"}), charts.WithLineStyleOpts(opts.LineStyle{Width: 2, Color: seriesColor(3)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(3) }))
	mem.AddSeries(fmt.Sprintf("compute ceiling (%s/s)", fmtSI(p.Ceilings.PeakFLOPs, "FLOP")), lineXY([]float64{rd, hi}, []float64{peak, peak}),
		charts.WithLineChartOpts(opts.LineChart{Symbol: "none"}), charts.WithLineStyleOpts(opts.LineStyle{Width: 2, Color: seriesColor(7)}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Color = seriesColor(7) }))
	c.Overlap(mem)
	return finish(id, 420, c, func(m map[string]any) {
		if series, ok := m["series"].([]any); ok && len(series) > 0 {
			raw, _ := json.Marshal(series[0])
			var first map[string]any
			_ = json.Unmarshal(raw, &first)
			first["labelLayout"] = map[string]any{"hideOverlap": true}
			series[0] = first
		}
	})
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
