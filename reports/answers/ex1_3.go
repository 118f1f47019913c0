package answers

import (
	"fmt"
	"math"
	"strings"

	"alexbench/harness/profile"
)

// buildEx13 answers exercise 1.3 in two halves: how memory bandwidth bounds
// each layer (the roofline of the profile shown, and how the bound moves
// with the batch), then whether memory acts differently in training and
// inference (the inference pass `alexbench profile` measures next to the
// training pass).
func buildEx13(b *builder, a *Answer, ms []*Matrix) {
	lp, ok := profileShown(b, a)
	if ok {
		bandwidthHalf(b, a, lp)
	}
	trainVsInference(b, a)
	if ok {
		one, large := exProfiles(b.res.Profiles)
		a.Summary, a.Glance = bandwidthSummary(lp, one, large)
	}
}

// bandwidthHalf is 1.3's first question: the roofline, each layer's bound,
// and the bound per profiled batch size.
func bandwidthHalf(b *builder, a *Answer, lp *layerProfile) {
	p := lp.p
	a.Text = append(a.Text, profile.BandwidthAnswer(&p.File))
	if t := profile.TrainVsInferenceAnswer(&p.File); t != "" {
		a.Text = append(a.Text, t)
	}
	dep := batchDependence(b.res.Profiles, p.Model)
	if dep != nil {
		a.Text = append(a.Text, dep.answer)
	}
	if !math.IsNaN(ridge(p)) {
		a.Blocks = append(a.Blocks, Block{Figures: []Figure{roofline(p, lp.roofs)}})
	}
	var files []string
	for _, q := range b.res.Profiles {
		files = append(files, fmt.Sprintf("%s (%s, batch %d)", q.Path, q.Model, q.Batch))
	}
	a.Blocks = append(a.Blocks, Block{Note: "Profiles read: " + joinList(files) + "."})
	if dep != nil {
		a.Blocks = append(a.Blocks, Block{Table: dep.table})
	}
}

// roofline plots each layer's forward pass (intensity, achieved FLOP/s)
// under the measured roofs, on log axes with decade bounds that hold both
// roofs and every point.
func roofline(p *Profile, ceil profile.Roofs) Figure {
	rd := nanIfZero(ceil.Ridge())
	lo, hi := math.Inf(1), math.Inf(-1)
	ylo := math.Inf(1)
	layers := Series{Name: "layers", Kind: Scatter, Color: "#5470c6", SymbolSize: 9, LabelPoints: true}
	for _, l := range p.Layers {
		if l.Intensity <= 0 || l.AchievedFLOPs <= 0 {
			continue
		}
		lo, hi = math.Min(lo, l.Intensity), math.Max(hi, l.Intensity)
		ylo = math.Min(ylo, l.AchievedFLOPs/1e9)
		layers.X = append(layers.X, l.Intensity)
		layers.Y = append(layers.Y, l.AchievedFLOPs/1e9)
		layers.PointNames = append(layers.PointNames, l.Name)
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
	return Figure{Name: "roofline", Title: "Roofline", Subtitle: fmt.Sprintf("%s, batch %d, forward pass; ridge at %.1f FLOP/byte", p.Model, p.Batch, rd),
		Height: 460, Tooltip: "item",
		Panels: []Panel{{
			X: Axis{Kind: Log, Name: "arithmetic intensity (FLOP/byte)", Min: lo, Max: hi, Fixed: true},
			Y: Axis{Kind: Log, Name: "achieved GFLOP/s", Min: ylo, Max: yhi, Fixed: true},
			Series: []Series{
				layers,
				{Name: memName, Kind: Line, Color: "#ee6666", Width: 2, Symbol: "none", X: []float64{lo, rd}, Y: []float64{lo * bw, rd * bw}},
				{Name: compName, Kind: Line, Color: "#9a60b4", Width: 2, Symbol: "none", X: []float64{rd, hi}, Y: []float64{peak, peak}},
			},
		}}}
}

type dependence struct {
	answer string
	table  *Table
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
	t := &Table{Caption: model + ": FLOP/byte and bound per batch size", Head: []string{"layer"}}
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

func inferenceMeasured(p *Profile) bool { return p != nil && p.Totals.InferMs > 0 }

// trainVsInference is 1.3's second question — does memory affect training
// and inference differently? — from AlexNet's profiles at batch 1 and at
// its largest batch (infer_ms, infer_live_bytes).
func trainVsInference(b *builder, a *Answer) {
	a.Blocks = append(a.Blocks, Block{Heading: "Training vs inference"})
	one, large := exProfiles(b.res.Profiles)
	ps := presentProfiles(one, large)
	if len(ps) == 0 {
		a.Text = append(a.Text, "Training vs inference: no AlexNet profile — run `alexbench profile alexnet` (batch 1 and a large batch).")
		return
	}
	if a.Status == "" || a.Status == NotMeasured {
		a.Status = Measured
	}
	t := &Table{Caption: "AlexNet's training and inference passes, summed layer by layer",
		Head:  []string{"batch", "memory: training (weights, gradients, kept activations, input)", "memory: inference (weights + largest live input/output)", "time: training fwd + bwd", "time: inference", "time in memory-bound layers: training", "… inference"},
		Right: []bool{true, true, true, true, true, true, true}}
	for _, p := range ps {
		f := &p.File
		ans := fmt.Sprintf("Training vs inference at batch %d (%s, %d×%d, on %s): a train step must keep every activation the backward pass reads, %s, and the gradients beside the weights: at least %s. Inference keeps nothing — each activation is freed once the next layer has read it — so it needs the weights plus the largest single input + output pair, %s: %s less memory.",
			p.Batch, p.Model, p.Resize, p.Resize, orDash(p.Device), fmtMiB(float64(p.Totals.ActBytes)/mib), fmtMiB(float64(p.Totals.TrainBytes)/mib),
			fmtMiB(float64(p.Totals.InferPeakBytes)/mib), fmtRatio(float64(p.Totals.TrainBytes)/float64(max(p.Totals.InferPeakBytes, 1))))
		row := []string{fmt.Sprint(p.Batch), fmtMiB(float64(p.Totals.TrainBytes) / mib), fmtMiB(float64(p.Totals.InferPeakBytes) / mib), msOrDash(p.Totals.FwdBwdMs), "not measured", "–", "–"}
		if !inferenceMeasured(p) {
			ans += fmt.Sprintf(" The inference pass was not timed in %s (a profile from before infer_ms): rerun `alexbench profile alexnet --batch %d`.", p.Path, p.Batch)
			a.Status = Partial
		} else {
			row[4] = msOrDash(p.Totals.InferMs)
			tr, okT := profile.ChipFor(f, profile.Training)
			in, okI := profile.ChipFor(f, profile.Inference)
			// One profile, each layer's time a median of its runs: a
			// measured ratio, with no interval over seeds to state a
			// direction with (the evidence rules), so it is given as one.
			ans += fmt.Sprintf(" Time (one profile, medians of each layer's runs): forward + backward %s, inference %s, a ratio of %s.", fmtMs(p.Totals.FwdBwdMs), fmtMs(p.Totals.InferMs), fmtRatio(p.Totals.FwdBwdMs/p.Totals.InferMs))
			if okT && okI {
				row[5], row[6] = share(tr.MemoryMs, tr.TotalMs), share(in.MemoryMs, in.TotalMs)
				ans += fmt.Sprintf(" The backward pass adds FLOPs to the compute-bound layers (2× theirs for dW and dX) and one more read of each kept activation to the memory-bound ones; of the measured time, memory-bound layers take %s in training and %s in inference, compute-bound %s and %s, launch-bound (shorter on the roofline than one graph launch, %s) %s and %s.",
					share(tr.MemoryMs, tr.TotalMs), share(in.MemoryMs, in.TotalMs), share(tr.ComputeMs, tr.TotalMs), share(in.ComputeMs, in.TotalMs),
					fmtMs(f.Ceilings.LaunchMs), share(tr.LaunchMs, tr.TotalMs), share(in.LaunchMs, in.TotalMs))
			}
		}
		t.Rows = append(t.Rows, row)
		a.Text = append(a.Text, ans)
	}
	if one != nil && large != nil && one != large {
		var flipped []string
		for i, l := range one.Layers {
			if i < len(large.Layers) && large.Layers[i].Name == l.Name && l.Bound != large.Layers[i].Bound && l.Bound != "" && large.Layers[i].Bound != "" {
				flipped = append(flipped, fmt.Sprintf("%s (%.1f → %.1f FLOP/byte: %s → %s)", l.Name, l.Intensity, large.Layers[i].Intensity, l.Bound, large.Layers[i].Bound))
			}
		}
		ans := fmt.Sprintf("Batch size moves the bound: a layer's weights are read once per batch, so intensity grows with the batch until activations dominate the bytes. Inference is often served at batch 1, training at batch %d; between the two ", large.Batch)
		if len(flipped) > 0 {
			ans += "these layers change bound: " + strings.Join(flipped, ", ") + "."
		} else {
			ans += "no layer changes bound against the measured ridge."
		}
		if one.Totals.InferMs > 0 && large.Totals.InferMs > 0 {
			ans += fmt.Sprintf(" Inference per image: %s at batch 1, %s at batch %d.", fmtMs(one.Totals.InferMs), fmtMs(large.Totals.InferMs/float64(large.Batch)), large.Batch)
		}
		a.Text = append(a.Text, ans)
	}
	a.Blocks = append(a.Blocks, Block{Table: t})
}
