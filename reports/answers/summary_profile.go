package answers

import (
	"fmt"
	"math"
	"strings"

	"alexbench/harness/profile"
)

// The plain-words answers (Summary, Glance) of §8.1 and of the profile
// exercises 1.1–3. They restate numbers the sections already show, so a
// student can find each one below; measured times come from one profile
// (medians of each layer's runs) with no interval over repeats, so they are
// given as shares and ratios, never as a direction.

// d2lBatch is the batch d2l trains AlexNet with; the profile sections say
// whether it was profiled.
const d2lBatch = 128

// shortVerdict is a comparison as an answer's opening states it: the
// effect with its 95 % CI where it decided a direction, "the same within
// ±1 point" where it is equivalent, and otherwise that this run cannot tell
// and what it could have told.
func shortVerdict(c *Comparison, diff func(float64) string) string {
	bound := func(x float64) string { return strings.TrimSuffix(diff(x), " points") }
	ci := fmt.Sprintf("%s, 95 %% CI %s to %s", diff(c.Diff), bound(c.Lo), bound(c.Hi))
	switch c.Verdict {
	case Higher, Lower:
		return ci
	case Equivalent:
		return "the same within " + marginWords(c) + " (" + ci + ")"
	case Undecided:
		d := strings.TrimPrefix(detectableWords(c), "this design detects ")
		if d == "" {
			return "undecided: this run cannot tell (" + ci + ")"
		}
		return "undecided: this run cannot tell — it detects only " + d
	}
	return c.NotEnough()
}

// quickNote says once what a quick cell scaled: "measured on the CPU quick
// profile: AlexNet-quick (¼ width, …), 3 epochs on 6144 training images — a
// trend, not d2l's numbers".
func quickNote(c *Cell) string {
	profile := scaledProfile([]string{cellProfile(c)})
	if profile == "" {
		profile = "a scaled profile"
	}
	if !c.ConfigOK {
		return "measured on the " + profile + " — " + scaleCaveat(profile)
	}
	train := "all 60000"
	if c.Config.TrainLimit > 0 {
		train = fmt.Sprint(c.Config.TrainLimit)
	}
	lr := ""
	if decays(c) {
		lr = ", the lr decaying linearly to 0"
	}
	return fmt.Sprintf("measured on the %s on %s: %s, %d epochs on %s training images%s — %s",
		profile, deviceOf([]*Cell{c}), modelName(c.Config, cellProfile(c)), c.Config.Epochs, train, lr, scaleCaveat(profile))
}

// pct1 is a share with one decimal, as harness/profile's answers print it
// ("92.0 %"), so the Summary's number is the one in the section's text.
func pct1(a, total float64) string {
	if total <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", 100*a/total)
}

// profileWhere is "batch 8 on CPU (2 cores)": the batch and device a
// profile's times are from.
func profileWhere(p *Profile) string {
	return fmt.Sprintf("batch %d on %s", p.Batch, orDash(p.Device))
}

// boundLayers splits p's layers with FLOPs into memory- and compute-bound
// against p's ridge (as profile.BandwidthAnswer classifies them); ok is
// false without measured ceilings.
func boundLayers(p *Profile) (mem, comp []profile.Layer, ok bool) {
	rd := ridge(p)
	if math.IsNaN(rd) {
		return nil, nil, false
	}
	for _, l := range p.Layers {
		if l.FwdFLOPs <= 0 || l.Intensity <= 0 {
			continue
		}
		if l.Intensity < rd {
			mem = append(mem, l)
		} else {
			comp = append(comp, l)
		}
	}
	return mem, comp, true
}

// kinds is which kinds of layer ls holds, in words, in first-seen order
// ("ReLU, pooling, dropout and the fully connected layers").
func kinds(ls []profile.Layer) string {
	words := map[string]string{"conv": "convolutions", "relu": "ReLU", "maxpool": "pooling", "avgpool": "pooling", "pool": "pooling",
		"dropout": "dropout", "dense": "the fully connected layers", "flatten": "flatten"}
	seen := map[string]bool{}
	var out []string
	for _, l := range ls {
		w, ok := words[l.Kind]
		if !ok {
			w = l.Kind
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return andList(out)
}

func allKind(ls []profile.Layer, kind string) bool {
	for _, l := range ls {
		if l.Kind != kind {
			return false
		}
	}
	return len(ls) > 0
}

// denseFlips is, for each dense layer memory-bound at p's batch, the batch
// from which its intensity reaches p's ridge (its weights are read once per
// batch: 2BKN / (4(BK + KN + BN)) ≥ ridge), 0 when it never does: the
// crossover profile.BandwidthAnswer states.
func denseFlips(p *Profile) (names []string, from []int) {
	rd := ridge(p)
	if math.IsNaN(rd) {
		return nil, nil
	}
	for _, l := range p.Layers {
		if l.Kind != "dense" || len(l.InShape) < 2 || len(l.OutShape) == 0 || l.Intensity >= rd {
			continue
		}
		k, n := 1.0, float64(l.OutShape[len(l.OutShape)-1])
		for _, d := range l.InShape[1:] {
			k *= float64(d)
		}
		b := 0
		if den := 2*k*n - profile.BytesPerElem*rd*(k+n); den > 0 {
			b = int(math.Max(1, math.Ceil(profile.BytesPerElem*rd*k*n/den)))
		}
		names, from = append(names, l.Name), append(from, b)
	}
	return names, from
}

// flipWords is "fc6 and fc7 turn compute-bound from batch 33, fc8 never".
func flipWords(names []string, from []int) string {
	groups := map[int][]string{}
	var order []int
	for i, b := range from {
		if _, ok := groups[b]; !ok {
			order = append(order, b)
		}
		groups[b] = append(groups[b], names[i])
	}
	var parts []string
	for i, b := range order {
		who := andList(groups[b])
		verb := ""
		if i == 0 {
			verb = " turn compute-bound"
			if len(groups[b]) == 1 {
				verb = " turns compute-bound"
			}
		}
		switch {
		case b == 0 && i == 0:
			parts = append(parts, who+" never"+verb) // "fc8 never turns compute-bound"
		case b == 0:
			parts = append(parts, who+" never")
		default:
			parts = append(parts, fmt.Sprintf("%s%s from batch %d", who, verb, b))
		}
	}
	return strings.Join(parts, ", ")
}

// andList is "a", "a and b", "a, b and c".
func andList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// hiddenDenseMiB is the weight matrices of every dense layer but the last
// (fc6 and fc7 in AlexNet), in MiB: what d2l's "164 MB" counts. ok is false
// when the profile lacks the layers' input shapes.
func hiddenDenseMiB(p *Profile) (float64, bool) {
	var dense []profile.Layer
	for _, l := range p.Layers {
		if l.Kind == "dense" && len(l.InShape) >= 2 && len(l.OutShape) > 0 {
			dense = append(dense, l)
		}
	}
	if len(dense) < 2 {
		return 0, false
	}
	var w float64
	for _, l := range dense[:len(dense)-1] {
		k := 1.0
		for _, d := range l.InShape[1:] {
			k *= float64(d)
		}
		w += k * float64(l.OutShape[len(l.OutShape)-1])
	}
	return w * profile.BytesPerElem / mib, true
}

// memorySummary is exercise 1.1's answer: the fully connected layers'
// share of the parameters, the convolutions' share of the activations, and
// which of the two dominates at d2l's batch 128 — activation bytes are shape
// arithmetic, exactly proportional to the batch, so the profile shown gives
// them at any batch.
func (lp *layerProfile) memorySummary() (summary, glance string) {
	p, t := lp.p, lp.total
	if t.paramBytes <= 0 || t.actBytes <= 0 {
		return "", ""
	}
	perEx := t.actBytes / float64(p.Batch)
	cross := math.Ceil(t.paramBytes / perEx)
	at128 := d2lBatch * perEx
	top := profile.Layer{}
	for _, l := range p.Layers {
		if l.ParamBytes > top.ParamBytes {
			top = l
		}
	}
	d2l := ""
	if w, ok := hiddenDenseMiB(p); ok && p.Model == "alexnet" && p.Resize == 224 {
		d2l = fmt.Sprintf("; d2l's “164 MB” for fc6 and fc7 is their %.1f MiB of weights", w)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Counted on %s, float32 (the profile shown is %s; these counts are the same on any device): the fully connected layers hold %s of the parameter bytes (%.1f MiB of %.1f MiB; %s alone %s%s), the convolutional layers %s of the activations kept for the backward pass (%s per image). ",
		profileModelWords(p), profileWhere(p), pct1(lp.dense.paramBytes, t.paramBytes), lp.dense.paramBytes/mib, t.paramBytes/mib,
		top.Name, pct1(float64(top.ParamBytes), t.paramBytes), d2l, pct1(lp.conv.actBytes, t.actBytes), fmtMiB(perEx/mib))
	fmt.Fprintf(&s, "Which dominates depends on the batch: the weights are fixed while the activations grow in proportion to it, so activations outweigh the weights from batch %.0f on. ", cross)
	if at128 >= t.paramBytes {
		fmt.Fprintf(&s, "At d2l's batch %d the activations are %s, %s the weights: activations, almost all of them the convolutions', dominate", d2lBatch, fmtMiB(at128/mib), fmtRatio(at128/t.paramBytes))
	} else {
		fmt.Fprintf(&s, "At d2l's batch %d the activations are %s, %s of the weights: the parameters, almost all of them the fully connected layers', dominate", d2lBatch, fmtMiB(at128/mib), fmtRatio(at128/t.paramBytes))
	}
	if p.Batch != d2lBatch {
		if float64(p.Batch) >= cross {
			fmt.Fprintf(&s, "; at batch %d, the profile's, they are %s the weights.", p.Batch, fmtRatio(t.actBytes/t.paramBytes))
		} else {
			fmt.Fprintf(&s, "; at batch %d, the profile's, the weights are %s the activations.", p.Batch, fmtRatio(t.paramBytes/t.actBytes))
		}
	} else {
		s.WriteString(".")
	}
	summary = s.String()
	glance = fmt.Sprintf("FC layers: %s of params; convs: %s of activations, which outweigh the weights from batch %.0f (%d: %s)",
		pct1(lp.dense.paramBytes, t.paramBytes), pct1(lp.conv.actBytes, t.actBytes), cross, d2lBatch, fmtRatio(at128/t.paramBytes))
	return summary, glance
}

// profileModelWords is "d2l's full-size AlexNet (224×224 inputs)".
func profileModelWords(p *Profile) string {
	if p.Model == "alexnet" && p.Resize == 224 {
		return "d2l's full-size AlexNet (224×224 inputs)"
	}
	return profileModelName(p)
}

// computeSummary is exercise 1.2's answer: the convolutions' share of the
// FLOPs (a count, the same at any batch) and of the measured time (this
// machine's, at the profile's batch), and why the two differ where the
// fully connected layers are memory-bound.
func (lp *layerProfile) computeSummary() (summary, glance string) {
	p, t := lp.p, lp.total
	if t.flops <= 0 {
		return "", ""
	}
	var s strings.Builder
	fmt.Fprintf(&s, "On %s the convolutions do %s of the forward + backward FLOPs (%s per image forward) and the fully connected layers %s, at any batch, since both grow in proportion to it.",
		profileModelWords(p), pct1(lp.conv.flops, t.flops), fmtSI(fwdFLOPs(p.Layers)/float64(p.Batch), "FLOP"), pct1(lp.dense.flops, t.flops))
	glance = fmt.Sprintf("Convs: %s of the FLOPs", pct1(lp.conv.flops, t.flops))
	if t.ms > 0 {
		mem, _, ok := boundLayers(p)
		var memDense []string
		for _, l := range mem {
			if l.Kind == "dense" {
				memDense = append(memDense, l.Name)
			}
		}
		why := ok && lp.dense.ms/t.ms > lp.dense.flops/t.flops && len(memDense) > 0
		fc := ""
		if !why {
			fc = " and the fully connected layers " + pct1(lp.dense.ms, t.ms)
		}
		fmt.Fprintf(&s, " Measured at %s (one profile, medians of each layer's runs), the convolutions take %s of the forward + backward time (%s of %s)%s; the split between layers is AlexNet's, the milliseconds this machine's (d2l's GPU is not comparable).",
			profileWhere(p), pct1(lp.conv.ms, t.ms), fmtMs(lp.conv.ms), fmtMs(t.ms), fc)
		glance += fmt.Sprintf(" and %s of the measured time (%s)", pct1(lp.conv.ms, t.ms), profileWhere(p))
		if why {
			fmt.Fprintf(&s, " The fully connected layers take %s of the time for %s of the FLOPs because at batch %d %s %s memory-bound (exercise 1.3): each step reads their %.1f MiB of weights for only %s.",
				pct1(lp.dense.ms, t.ms), pct1(lp.dense.flops, t.flops), p.Batch, andList(memDense), map[bool]string{true: "is", false: "are"}[len(memDense) == 1], lp.dense.paramBytes/mib, plural(p.Batch, "image", "images"))
		}
	}
	return s.String(), glance
}

// bandwidthSummary is exercise 1.3's answer: which layers the roofline
// finds memory- or compute-bound and how the batch moves them, and how
// training (every activation kept, about 3× the forward's work) differs from
// inference, at batch 1 and at the largest profiled batch.
func bandwidthSummary(lp *layerProfile, one, large *Profile) (summary, glance string) {
	var s strings.Builder
	var g []string
	if lp != nil {
		p := lp.p
		if mem, comp, ok := boundLayers(p); ok {
			fmt.Fprintf(&s, "On the roofline measured at %s (ridge %.1f FLOP/byte), the compute-bound layers are %s and the memory-bound ones %s",
				profileWhere(p), ridge(p), layerList(comp), kinds(mem))
			if names, from := denseFlips(p); len(names) > 0 {
				fmt.Fprintf(&s, "; as the batch grows %s", flipWords(names, from))
			}
			s.WriteString(". ")
			cg := "convs"
			if !allKind(comp, "conv") {
				cg = layerList(comp)
			}
			g = append(g, fmt.Sprintf("Batch %d: %s compute-bound, the rest memory-bound", p.Batch, cg))
		} else {
			s.WriteString("The profile has no measured ceilings, so no layer is classified memory- or compute-bound. ")
		}
	}
	if large == nil {
		large = one
	}
	if large != nil && large.Totals.TrainBytes > 0 && large.Totals.InferPeakBytes > 0 {
		T := large.Totals
		fmt.Fprintf(&s, "Training keeps every activation for the backward pass and the gradients beside the weights, so at batch %d it needs at least %s against inference's %s (%s); it also does %s the forward's FLOPs",
			large.Batch, fmtMiB(float64(T.TrainBytes)/mib), fmtMiB(float64(T.InferPeakBytes)/mib), fmtRatio(float64(T.TrainBytes)/float64(T.InferPeakBytes)),
			fmtRatio(float64(T.FwdFLOPs+T.BwdFLOPs)/math.Max(float64(T.FwdFLOPs), 1)))
		gl := fmt.Sprintf("training needs %s inference's memory", fmtRatio(float64(T.TrainBytes)/float64(T.InferPeakBytes)))
		if T.InferMs > 0 && T.FwdBwdMs > 0 {
			fmt.Fprintf(&s, " and its step took %s inference's time", fmtRatio(T.FwdBwdMs/T.InferMs))
			gl += fmt.Sprintf(", %s its time", fmtRatio(T.FwdBwdMs/T.InferMs))
		}
		s.WriteString(". ")
		g = append(g, gl)
	}
	if one != nil && large != nil && one != large {
		tr1, ok1 := profile.ChipFor(&one.File, profile.Training)
		trL, okL := profile.ChipFor(&large.File, profile.Training)
		in1, okI1 := profile.ChipFor(&one.File, profile.Inference)
		inL, okIL := profile.ChipFor(&large.File, profile.Inference)
		if ok1 && okL {
			fmt.Fprintf(&s, "The batch moves the bottleneck: memory-bound layers take %s of the training time at batch 1 and %s at batch %d",
				share(tr1.MemoryMs, tr1.TotalMs), share(trL.MemoryMs, trL.TotalMs), large.Batch)
			if okI1 && okIL {
				fmt.Fprintf(&s, " (inference %s and %s)", share(in1.MemoryMs, in1.TotalMs), share(inL.MemoryMs, inL.TotalMs))
			}
			if one.Totals.InferMs > 0 && large.Totals.InferMs > 0 {
				fmt.Fprintf(&s, ", and inference costs %s per image at batch 1, %s at batch %d", fmtMs(one.Totals.InferMs), fmtMs(large.Totals.InferMs/float64(large.Batch)), large.Batch)
			}
			s.WriteString(" (one profile each, no interval). ")
		}
	}
	if (large == nil || large.Batch != d2lBatch) && s.Len() > 0 {
		fmt.Fprintf(&s, "d2l's batch %d was not profiled; run `alexbench profile alexnet --batch %d`.", d2lBatch, d2lBatch)
	}
	return strings.TrimSpace(s.String()), strings.Join(g, "; ")
}

// layerList is "conv1–conv5" for a run of convolutions named conv1…convN,
// else the names joined.
func layerList(ls []profile.Layer) string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	if n := len(names); n > 2 && allKind(ls, "conv") && names[0] == "conv1" && names[n-1] == fmt.Sprintf("conv%d", n) {
		return "the convolutions (conv1–" + names[n-1] + ")"
	}
	return andList(names)
}

// chipSummary is exercise 2's answer: for the same area and power, which
// doubled resource saves more of training (the largest profiled batch) and
// of latency-bound inference (batch 1), from each layer's bound.
func chipSummary(one, large *Profile) (summary, glance string) {
	type use struct {
		p    *Profile
		pass profile.Pass
		what string
	}
	var uses []use
	if large != nil {
		uses = append(uses, use{large, profile.Training, fmt.Sprintf("training at batch %d", large.Batch)})
	}
	if one != nil {
		uses = append(uses, use{one, profile.Inference, "batch-1 inference, the latency-bound case"},
			use{one, profile.Training, "training at batch 1"})
	}
	var parts, gs []string
	buys := map[profile.Pass]string{}
	for _, u := range uses {
		c, ok := profile.ChipFor(&u.p.File, u.pass)
		if !ok {
			continue
		}
		buy := "compute"
		if c.Bandwidth2xSaves() > c.Compute2xSaves() {
			buy = "bandwidth"
		}
		if _, seen := buys[u.pass]; !seen {
			buys[u.pass] = buy
		}
		of := ""
		if len(parts) == 0 {
			of = " of the measured pass"
		}
		parts = append(parts, fmt.Sprintf("for %s, 2× compute saves %s%s and 2× bandwidth %s", u.what, fmtPct(c.Compute2xSaves()), of, fmtPct(c.Bandwidth2xSaves())))
		short := fmt.Sprintf("Training (batch %d)", u.p.Batch)
		if u.pass == profile.Inference {
			short = fmt.Sprintf("inference (batch %d)", u.p.Batch)
		}
		if u.what == "training at batch 1" && len(uses) > 2 {
			continue // the glance gives training at the large batch
		}
		gs = append(gs, fmt.Sprintf("%s: 2× %s (%s vs %s)", short, buy, fmtPct(max(c.Compute2xSaves(), c.Bandwidth2xSaves())), fmtPct(min(c.Compute2xSaves(), c.Bandwidth2xSaves()))))
	}
	if len(parts) == 0 {
		return "", ""
	}
	dev := orDash(presentProfiles(large, one)[0].Device)
	var s strings.Builder
	fmt.Fprintf(&s, "A doubled resource halves only the layers it bounds, so on this machine's %s (one profile each, no interval): %s. ", dev, strings.Join(parts, "; "))
	if tr, in := buys[profile.Training], buys[profile.Inference]; tr != "" && in != "" && large != nil {
		if tr == in {
			fmt.Fprintf(&s, "If the two cost the same area and power, spend it on %s for both training at batch %d and latency-bound inference. ", tr, large.Batch)
		} else {
			fmt.Fprintf(&s, "If the two cost the same area and power, a chip for training at batch %d should spend it on %s and one for latency-bound inference on %s. ", large.Batch, tr, in)
		}
	}
	if large == nil || large.Batch != d2lBatch {
		fmt.Fprintf(&s, "d2l's batch %d was not profiled", d2lBatch)
		if large != nil {
			if names, from := denseFlips(large); len(names) > 0 {
				fmt.Fprintf(&s, ": against this ridge %s, so more layers are compute-bound there, but its time split is not measured", flipWords(names, from))
			}
		}
		fmt.Fprintf(&s, " — run `alexbench profile alexnet --batch %d`.", d2lBatch)
	}
	glance = strings.Join(gs, "; ")
	if more := fmt.Sprintf("; batch %d not profiled", d2lBatch); (large == nil || large.Batch != d2lBatch) && len([]rune(glance+more)) <= 120 {
		glance += more
	}
	return strings.TrimSpace(s.String()), glance
}
