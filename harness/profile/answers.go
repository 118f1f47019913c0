package profile

import (
	"fmt"
	"math"
	"strings"

	"alexbench/internal/numfmt"
)

const mib = 1 << 20

// d2lParams is the parameter count d2l's AlexNet summary prints.
const d2lParams = 46_764_746

// ConvPartEnd is the index of the first flatten or dense layer: the layers
// before it (convs with their activations and pooling) are the
// convolutional part, the rest the fully connected part (the report's split).
func ConvPartEnd(ls []Layer) int {
	for i, l := range ls {
		if l.Kind == "flatten" || l.Kind == "dense" {
			return i
		}
	}
	return len(ls)
}

// partSum sums one column over the convolutional part and over all layers.
func partSum(ls []Layer, col func(Layer) float64) (conv, all float64) {
	cut := ConvPartEnd(ls)
	for i, l := range ls {
		v := col(l)
		all += v
		if i < cut {
			conv += v
		}
	}
	return conv, all
}

// largest is the layer with the largest col.
func largest(ls []Layer, col func(Layer) float64) Layer {
	var best Layer
	bv := math.Inf(-1)
	for _, l := range ls {
		if v := col(l); v > bv {
			best, bv = l, v
		}
	}
	return best
}

func pct(a, total float64) string {
	if total <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", 100*a/total)
}

func fmtMs(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.2f s", ms/1000)
	}
	return fmt.Sprintf("%.3g ms", ms)
}

func fmtMiB(bytes float64) string { return fmt.Sprintf("%.1f MiB", bytes/mib) }

// si formats v with an SI prefix: 1.23 G.
func si(v float64, unit string) string {
	for _, p := range []struct {
		f float64
		s string
	}{{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= p.f {
			return fmt.Sprintf("%.3g %s%s", v/p.f, p.s, unit)
		}
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

// count writes n with thousands separators: 46,764,746.
func count(n int64) string { return numfmt.Thousands(n) }

func names(ls []Layer) string {
	if len(ls) == 0 {
		return "none"
	}
	var s []string
	for _, l := range ls {
		s = append(s, l.Name)
	}
	return strings.Join(s, ", ")
}

// Answers are exercise 1.1 (memory), 1.2 (compute) and 1.3 (bandwidth;
// E4.1–E4.3 in the older numbering) for f, training against inference, and
// the check against d2l's numbers, written from the numbers in f. They are
// the one text of these answers: `alexbench profile` prints them and the
// report shows them.
func Answers(f *File) []string {
	ls := f.Layers
	if len(ls) == 0 {
		return nil
	}
	a := []string{MemoryAnswer(f), ComputeAnswer(f), BandwidthAnswer(f)}
	if t := TrainVsInferenceAnswer(f); t != "" {
		a = append(a, t)
	}
	return append(a, D2LCheck(f))
}

// MemoryAnswer is exercise 1.1: which part holds the parameters and the
// activations kept for backward, and from which batch activations dominate.
func MemoryAnswer(f *File) string {
	ls := f.Layers
	convP, allP := partSum(ls, func(l Layer) float64 { return float64(l.ParamBytes) })
	convA, allA := partSum(ls, func(l Layer) float64 { return float64(l.ActBytes) })
	topP := largest(ls, func(l Layer) float64 { return float64(l.Params) })
	topA := largest(ls, func(l Layer) float64 { return float64(l.ActBytes) })
	s := fmt.Sprintf("Memory (batch %d, float32): the fully connected part holds %s of the parameter bytes (%s of %s; %s alone %s) and the convolutional part %s. "+
		"Activations kept for the backward pass total %s (plus the %s input batch), %s of them in the convolutional part; the largest is %s's (%s, %s).",
		f.Batch, pct(allP-convP, allP), fmtMiB(allP-convP), fmtMiB(allP), topP.Name, pct(float64(topP.ParamBytes), allP), pct(convP, allP),
		fmtMiB(allA), fmtMiB(float64(f.Totals.InputBytes)), pct(convA, allA), topA.Name, fmtMiB(float64(topA.ActBytes)), pct(float64(topA.ActBytes), allA))
	if perEx := allA / float64(f.Batch); perEx > 0 {
		cross := math.Ceil(allP / perEx)
		s += fmt.Sprintf(" Parameters are fixed while activations grow with the batch (%s per example): activations outweigh the weights from batch %.0f on", fmtMiB(perEx), cross)
		if float64(f.Batch) >= cross {
			s += fmt.Sprintf(", so at batch %d activations dominate (%.1f× the weights).", f.Batch, allA/allP)
		} else {
			s += fmt.Sprintf(", so at batch %d the weights dominate (%.1f× the activations).", f.Batch, allP/allA)
		}
	}
	return s
}

// ComputeAnswer is exercise 1.2: where the FLOPs and the measured time go.
func ComputeAnswer(f *File) string {
	ls := f.Layers
	convF, allF := partSum(ls, func(l Layer) float64 { return float64(l.FwdFLOPs) })
	convT, allT := partSum(ls, func(l Layer) float64 { return float64(l.FwdFLOPs + l.BwdFLOPs) })
	top := largest(ls, func(l Layer) float64 { return float64(l.FwdFLOPs) })
	s := fmt.Sprintf("Compute: the forward pass is %s per example (%s per batch of %d), %s of it in the convolutional part (%s alone %s); forward + backward is %s per batch, %s in the convolutional part.",
		si(allF/float64(f.Batch), "FLOP"), si(allF, "FLOP"), f.Batch, pct(convF, allF), top.Name, pct(float64(top.FwdFLOPs), allF), si(allT, "FLOP"), pct(convT, allT))
	convMs, allMs := partSum(ls, func(l Layer) float64 { return l.FwdBwdMs })
	if allMs > 0 {
		slow := largest(ls, func(l Layer) float64 { return l.FwdBwdMs })
		s += fmt.Sprintf(" Measured on %s, layer by layer, the convolutional part takes %s of the forward + backward time (%s of %s); the slowest layer is %s (%s).",
			f.Device, pct(convMs, allMs), fmtMs(convMs), fmtMs(allMs), slow.Name, pct(slow.FwdBwdMs, allMs))
	}
	return s
}

// BandwidthAnswer is exercise 1.3's bandwidth half: the roofs, the ridge, and
// which layers are memory- or compute-bound at this batch.
func BandwidthAnswer(f *File) string {
	roofs := f.Roofs()
	ridge := roofs.Ridge()
	if ridge <= 0 {
		return "Bandwidth: the profile has no measured ceilings, so no layer is classified."
	}
	// Classified here against the roofs rather than read from Layer.Bound,
	// so a profile written before the roofs could be raised reads the same.
	var mem, comp []Layer
	for _, l := range f.Layers {
		if l.FwdFLOPs <= 0 || l.Intensity <= 0 {
			continue
		}
		if l.Intensity < ridge {
			mem = append(mem, l)
		} else {
			comp = append(comp, l)
		}
	}
	s := fmt.Sprintf("Bandwidth: measured ceilings %s/s (%d² matmul) and %s/s (copy, read + written)%s put the ridge at %.1f FLOP/byte. At batch %d the memory-bound layers (intensity below it) are %s; compute-bound: %s.",
		si(roofs.MeasuredFLOPs, "FLOP"), f.Ceilings.MatmulN, si(roofs.MeasuredBytes, "B"), roofs.LowerBoundNote(), ridge, f.Batch, names(mem), names(comp))
	var flips []string
	for _, l := range f.Layers {
		if l.Kind != "dense" || len(l.InShape) < 2 || len(l.OutShape) == 0 {
			continue
		}
		in, out := int64(1), int64(l.OutShape[len(l.OutShape)-1])
		for _, d := range l.InShape[1:] {
			in *= int64(d)
		}
		if b, ok := denseCrossover(in, out, ridge); ok {
			flips = append(flips, fmt.Sprintf("%s from batch %d", l.Name, b))
		} else {
			flips = append(flips, fmt.Sprintf("%s never (its intensity stays below %.1f at any batch)", l.Name, ridge))
		}
	}
	if len(flips) > 0 {
		s += " A dense layer's intensity grows with the batch (its weights are read once per batch): against this ridge it turns compute-bound " + strings.Join(flips, ", ") + "."
	}
	var measured []Layer
	for _, l := range f.Layers {
		if l.RoofFraction > 0 {
			measured = append(measured, l)
		}
	}
	if len(measured) > 0 {
		best := largest(measured, func(l Layer) float64 { return l.RoofFraction })
		worst := largest(measured, func(l Layer) float64 { return -l.RoofFraction })
		s += fmt.Sprintf(" Measured forward passes reach %.0f %% (%s) down to %.1f %% (%s) of the roofline's bound at their intensity.",
			100*best.RoofFraction, best.Name, 100*worst.RoofFraction, worst.Name)
	}
	s += " Pooling, ReLU and dropout do about one FLOP per element moved, so they are memory-bound at every batch size; in training the backward pass also reads the kept activations back, which inference never writes."
	return s
}

// denseCrossover is the smallest batch B at which a dense layer K→N reaches
// intensity r: 2BKN / (4(BK + KN + BN)) ≥ r.
func denseCrossover(k, n int64, r float64) (int, bool) {
	K, N := float64(k), float64(n)
	den := 2*K*N - BytesPerElem*r*(K+N)
	if den <= 0 {
		return 0, false
	}
	b := math.Ceil(BytesPerElem * r * K * N / den)
	if b > 1<<30 {
		return 0, false
	}
	return int(math.Max(b, 1)), true
}

// TrainVsInferenceAnswer sets the measured forward + backward time beside
// the forward alone, and the activations training keeps for backward ("" if
// the layers were not timed).
func TrainVsInferenceAnswer(f *File) string {
	var fwd, fb, act float64
	for _, l := range f.Layers {
		fwd, fb, act = fwd+l.FwdMs, fb+l.FwdBwdMs, act+float64(l.ActBytes)
	}
	if fb <= 0 {
		return ""
	}
	return fmt.Sprintf("Training vs inference: summed over layers, forward + backward takes %s, forward alone %s (%.2f×); training also keeps %s of activations for the backward pass, which inference need not.",
		fmtMs(fb), fmtMs(fwd), fb/math.Max(fwd, 1e-12), fmtMiB(act))
}

// D2LCheck checks d2l's statement about AlexNet's two hidden dense layers
// (every dense layer but the last): 164 MB of weights and 81 MFLOPs.
func D2LCheck(f *File) string {
	var dense []Layer
	for _, l := range f.Layers {
		if l.Kind == "dense" && len(l.InShape) >= 2 && len(l.OutShape) > 0 {
			dense = append(dense, l)
		}
	}
	s := fmt.Sprintf("Totals: %s parameters (models summary: %s).", count(f.Totals.Params), count(f.Totals.SummaryParams))
	if len(dense) < 2 {
		return s
	}
	hidden := dense[:len(dense)-1]
	var w, macs int64
	for _, l := range hidden {
		k := int64(1)
		for _, d := range l.InShape[1:] {
			k *= int64(d)
		}
		w += k * int64(l.OutShape[len(l.OutShape)-1]) // weights only, as d2l counts the matrices
		macs += l.MACs / int64(f.Batch)
	}
	s += fmt.Sprintf(" The hidden dense layers (%s) have %s weights = %.1f MiB in float32 and do %s FLOPs forward per example (%.1f MFLOP, or %.1f Mi-FLOP in the binary units of the MiB).",
		names(hidden), count(w), float64(w*BytesPerElem)/mib, count(2*macs), float64(2*macs)/1e6, float64(2*macs)/mib)
	if f.Model == "alexnet" && f.Resize == 224 {
		same := "equal"
		if f.Totals.Params != d2lParams {
			same = "NOT equal"
		}
		s += fmt.Sprintf(" d2l: %s parameters (%s); the 6400×4096 and 4096×4096 matrices are \"164 MB of memory and 81 MFLOPs of computation\": "+
			"its 164 MB is this %.1f MiB; its 81 MFLOPs matches no rounding of this count (2 × %s multiply-adds = %.1f Mi-FLOP = %.1f decimal MFLOP), "+
			"so we read it as the binary figure and agree within %.1f %%.",
			count(d2lParams), same, float64(w*BytesPerElem)/mib, count(macs), float64(2*macs)/mib, float64(2*macs)/1e6,
			100*math.Abs(float64(2*macs)/mib-81)/81)
	}
	return s
}
