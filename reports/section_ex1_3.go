//go:build legacy

package reports

import (
	"fmt"
	"strings"

	"alexbench/harness/profile"
)

// Exercise 1.3's second question — does memory affect training and
// inference differently? — from the inference pass `alexbench profile`
// measures next to the training pass (infer_ms, infer_live_bytes).
func init() { contribute("1.3", nil, buildEx13Inference) }

// exProfiles are AlexNet's profiles at batch 1 and at the largest batch
// (128 when profiled: d2l's batch), either nil when absent.
func exProfiles(ps []*Profile) (one, large *Profile) {
	for _, p := range ps {
		if p.Model != "alexnet" {
			continue
		}
		if p.Batch == 1 && (one == nil || p.Resize == 224) {
			one = p
		}
	}
	for _, p := range ps {
		if p.Model != "alexnet" || p.Batch == 1 {
			continue
		}
		switch {
		case large == nil, p.Batch == 128, large.Batch != 128 && p.Batch > large.Batch:
			large = p
		}
	}
	return one, large
}

func inferenceMeasured(p *Profile) bool { return p != nil && p.Totals.InferMs > 0 }

func buildEx13Inference(b *builder, s *section, _ []*Matrix) {
	s.Blocks = append(s.Blocks, block{Heading: "Training vs inference"})
	one, large := exProfiles(b.res.Profiles)
	var ps []*Profile
	for _, p := range []*Profile{one, large} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		s.Answer = append(s.Answer, "Training vs inference: no AlexNet profile — run `alexbench profile alexnet` (batch 1 and a large batch).")
		return
	}
	if s.Status == "" || s.Status == "not measured" {
		s.Status = "measured"
	}
	t := &table{Caption: "AlexNet's training and inference passes, summed layer by layer",
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
			s.Status = "partial"
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
		s.Answer = append(s.Answer, ans)
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
		s.Answer = append(s.Answer, ans)
	}
	s.Blocks = append(s.Blocks, block{Table: t})
}
