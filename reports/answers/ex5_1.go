package answers

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Exercise 5.1: simplify AlexNet so it trains faster without a significant
// loss of accuracy. The matrix varies one knob at a time from a reference;
// each variant is compared with it on training time (a ratio) and final test
// accuracy, and the variants' means are drawn with their Pareto front.

func buildEx51(b *builder, a *Answer, ms []*Matrix) {
	setProfiles(a, ms) // the summary says the scale
	perMatrix(a, ms, buildEx51Matrix)
}

func buildEx51Matrix(a *Answer, m *Matrix, prefix, idSuffix string) {
	say := func(text string) { a.Text = append(a.Text, prefix+text) }
	ms := []*Matrix{m}
	vs := variants(ms)
	if len(vs) == 0 {
		say("No exercise 5.1 cell has finished yet.")
		return
	}
	// Variants are named by what they change; the reference by its model too.
	for _, v := range vs {
		v.name = plainLabel(v.g.Label)
	}
	ref := baseline(vs, ms)
	fam := a.family(prefix + "vs reference")
	accVs := map[*variant]*Comparison{}
	timeVs := map[*variant]*Comparison{}
	for _, v := range vs {
		if v == ref {
			continue
		}
		what := v.name + " vs " + ref.name
		accVs[v] = fam.compare(what, testAccMetric, ref.g.Cells, v.g.Cells)
		timeVs[v] = fam.compare(what, trainTimeMetric, ref.g.Cells, v.g.Cells)
	}
	fam.holm()
	front := paretoFront(vs)
	onFront := map[*variant]bool{}
	for _, v := range front {
		onFront[v] = true
	}
	say(fmt.Sprintf("Reference (the baseline: every varied knob at its most common value in the matrix): %s [%s], %s parameters, test acc %s after %s of training (%s).",
		ref.full, ref.name, fmtParams(ref.params), fmtEst(ref.acc, fmtAcc), fmtEst(ref.time, fmtSeconds), scaleNote(ref.g.first())))
	if note, t := a.failedRuns("", allCells(vs)); note != "" {
		say(note)
		defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
	}
	// Faster (a significant time ratio below 1) and no less accurate (test
	// accuracy equivalent within 1 point, or higher): d2l's "without the
	// accuracy dropping significantly", decided by an equivalence test, not
	// by a test that failed to find a drop.
	var ok []*variant
	for _, v := range vs {
		if v == ref {
			continue
		}
		acc, t := accVs[v], timeVs[v]
		if t.Verdict == Lower && (acc.Verdict == Equivalent || acc.Verdict == Higher) {
			ok = append(ok, v)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].time.Mean < ok[j].time.Mean })
	if len(ok) > 0 {
		var names []string
		for _, v := range ok {
			names = append(names, v.name)
		}
		f := ok[0]
		say(fmt.Sprintf("Faster than the reference, and as accurate (test accuracy within ±1 point, or higher): %s. The fastest, %s: training time %s, test accuracy %s, with %s parameters (%s of the reference's).",
			joinList(names), f.name, verdict(timeVs[f], ratioDiff), verdict(accVs[f], pointsDiff), fmtParams(f.params), fmtPct(f.params/ref.params)))
	} else {
		say("No variant is shown to train faster than the reference while staying as accurate (within ±1 point of test accuracy, or higher): see each variant below.")
	}
	var cs []*Comparison
	for _, v := range vs {
		cs = append(cs, accVs[v], timeVs[v])
	}
	if none, n := allNotEnough(cs...); none && len(vs) > 1 {
		say(fmt.Sprintf("Every variant against the reference, time and accuracy: %s.", notEnoughAll(n)))
	} else {
		for _, v := range vs {
			if v == ref {
				continue
			}
			say(fmt.Sprintf("%s vs the reference: training time %s; test accuracy %s.", v.name, verdict(timeVs[v], ratioDiff), verdict(accVs[v], pointsDiff)))
		}
	}
	summarizeEx51(a, prefix, ref, vs, ok, timeVs, accVs)
	var names []string
	for _, v := range front {
		names = append(names, v.name)
	}
	say(fmt.Sprintf("Pareto front of the means (no other variant has both a lower mean time and a higher mean accuracy; a description, not a test), fastest first: %s.", joinList(names)))

	a.Blocks = append(a.Blocks, Block{Figures: []Figure{paretoFigure(vs, front, idSuffix)}})

	t := &Table{Caption: prefix + "Variants (differences against the reference: variant − reference, times as variant / reference)",
		Head:  []string{"variant", "parameters", "training time", "test acc (mean ± sd, n)", "time vs reference", "Δ test acc vs reference", "Pareto"},
		Right: []bool{false, true, true, true, true, true, false}}
	for _, v := range vs {
		mark := ""
		if onFront[v] {
			mark = "✓"
		}
		tv, av := "(reference)", "(reference)"
		if v != ref {
			tv, av = verdict(timeVs[v], ratioDiff), verdict(accVs[v], pointsDiff)
		}
		t.Rows = append(t.Rows, []string{v.name, fmtParams(v.params), fmtEstShort(v.time, fmtSeconds), fmtEstShort(v.acc, fmtAcc) + fmt.Sprintf(" (n = %d)", v.acc.N), tv, av, mark})
	}
	a.Blocks = append(a.Blocks, Block{Table: t})
	if n := fam.holmNote("the comparisons with the reference"); n != "" {
		a.Blocks = append(a.Blocks, Block{Note: n + " Training times are compared as ratios (a t-test of log times)."})
	}
}

// paretoFigure is test accuracy against training time, one labelled point
// per variant with its 95 % CIs both ways, and the front as a dashed step.
func paretoFigure(vs, front []*variant, idSuffix string) Figure {
	x := Axis{Kind: timeAxisKind(vs), Name: "training time (s)", Fixed: true}
	xmax := 0.0
	for _, v := range vs {
		for _, t := range []float64{v.time.Mean, v.time.Hi} {
			if !math.IsNaN(t) {
				xmax = math.Max(xmax, t)
			}
		}
	}
	xmin := 0.0
	if x.Kind == Log {
		xmin = math.Inf(1)
		for _, v := range vs {
			if v.time.Mean > 0 {
				xmin = math.Min(xmin, v.time.Mean)
			}
		}
		xmin, xmax = math.Pow(10, math.Floor(math.Log10(xmin))), math.Pow(10, math.Ceil(math.Log10(xmax)))
	} else {
		xmax = niceCeil(xmax * 1.25) // room for the right-most labels
	}
	x.Min, x.Max = xmin, xmax

	points := Series{Name: "variants", Kind: Scatter, Color: seriesColor(0), SymbolSize: 10, LabelPoints: true}
	accBars := Series{Name: "95% CI (accuracy)", Kind: Whiskers, Color: seriesColor(0)}
	timeBars := Series{Name: "95% CI (time)", Kind: Whiskers, Color: seriesColor(0), Horizontal: true}
	for _, v := range vs {
		points.X, points.Y = append(points.X, v.time.Mean), append(points.Y, v.acc.Mean)
		points.PointNames = append(points.PointNames, v.name)
		if v.acc.N >= 2 {
			accBars.Whiskers = append(accBars.Whiskers, [3]float64{v.time.Mean, v.acc.Lo, v.acc.Hi})
		}
		if v.time.N >= 2 && v.acc.N > 0 {
			timeBars.Whiskers = append(timeBars.Whiskers, [3]float64{v.acc.Mean, v.time.Lo, v.time.Hi})
		}
	}
	frontLine := Series{Name: "Pareto front", Kind: Line, Color: seriesColor(3), Dashed: true, Step: "end", Symbol: "none"}
	for _, v := range front {
		frontLine.X, frontLine.Y = append(frontLine.X, v.time.Mean), append(frontLine.Y, v.acc.Mean)
	}
	return Figure{
		Name:     "pareto" + idSuffix,
		Title:    "Test accuracy vs training time",
		Subtitle: "each point: one variant, mean over seeds, whiskers: 95% CI; dashed: Pareto front of the means",
		Height:   460,
		Tooltip:  "item",
		Panels: []Panel{{
			X:      x,
			Y:      accuracyAxis("test accuracy"),
			Series: []Series{points, frontLine, accBars, timeBars},
		}},
	}
}

// accuracyAxis runs from 0 to 1, so differences are never magnified by a
// cut axis.
func accuracyAxis(name string) Axis {
	return Axis{Kind: Linear, Name: name, Min: 0, Max: 1, Fixed: true}
}

// summarizeEx51 adds the matrix's answer in plain words: which
// simplifications are faster (a time ratio decided lower), which of them is
// shown as accurate (test accuracy equivalent within ±1 point, or higher),
// and, when none is, the smallest accuracy loss the runs could have found.
func summarizeEx51(a *Answer, prefix string, ref *variant, vs, ok []*variant, timeVs, accVs map[*variant]*Comparison) {
	var fast, slow, drop []*variant
	var accs []*Comparison
	for _, v := range vs {
		if v == ref {
			continue
		}
		accs = append(accs, accVs[v])
		if accVs[v].Verdict == Lower {
			drop = append(drop, v)
		}
		if timeVs[v].Verdict == Lower {
			fast = append(fast, v)
		} else {
			slow = append(slow, v)
		}
	}
	sort.SliceStable(fast, func(i, j int) bool { return timeVs[fast[i]].Diff < timeVs[fast[j]].Diff })
	var sum []string
	if len(fast) > 0 {
		var parts []string
		for _, v := range fast {
			parts = append(parts, fmt.Sprintf("%s %s", v.name, effectCI(timeVs[v])))
		}
		n := fmt.Sprintf("%d of %d", len(fast), len(vs)-1)
		if len(fast) == len(vs)-1 {
			n = fmt.Sprintf("All %d", len(fast))
		}
		sum = append(sum, fmt.Sprintf("%s simplifications of the reference (%s) train faster, training time as a ratio of the reference's: %s.",
			n, ref.name, strings.Join(parts, "; ")))
	} else {
		sum = append(sum, fmt.Sprintf("None of the %d simplifications of the reference (%s) is shown to cut training time.", len(vs)-1, ref.name))
	}
	if len(slow) > 0 {
		var parts []string
		for _, v := range slow {
			parts = append(parts, fmt.Sprintf("%s (%s)", v.name, outcomeShort(timeVs[v])))
		}
		sum = append(sum, "No cut in training time shown for: "+strings.Join(parts, "; ")+".")
	}
	if len(drop) > 0 {
		var parts []string
		for _, v := range drop {
			parts = append(parts, fmt.Sprintf("%s %s", v.name, effectCI(accVs[v])))
		}
		sum = append(sum, "Test accuracy measured lower for: "+strings.Join(parts, "; ")+".")
	}
	if len(ok) > 0 {
		var parts []string
		for _, v := range ok {
			parts = append(parts, fmt.Sprintf("%s (training time %s; test accuracy %s)", v.name, effectCI(timeVs[v]), outcomeShort(accVs[v])))
		}
		sum = append(sum, "Faster and shown to keep its accuracy: "+strings.Join(parts, "; ")+".")
	} else if kept := keptAccuracy(vs, ref, accVs); len(kept) > 0 {
		// As accurate, but not shown faster: no variant is both.
		sum = append(sum, "As accurate (within ±1 point, or higher) but not shown faster: "+strings.Join(kept, "; ")+".")
	} else {
		s := "None is shown to keep its accuracy within ±1 point"
		if d := minDetectable(accs); !math.IsNaN(d) {
			s += fmt.Sprintf(": no accuracy comparison is shown equivalent, and the smallest accuracy loss these runs could detect is %.1f points, so this profile cannot show that accuracy does not drop significantly", 100*d)
		} else {
			s += ": there are not enough runs to compare accuracies"
		}
		sum = append(sum, s+".")
	}
	if s := quickScale(a, append(append([]*Cell(nil), ref.g.Cells...), allCells(vs)...)); s != "" {
		sum = append(sum, s)
	}
	if a.Summary != "" {
		a.Summary += " "
	}
	a.Summary += prefix + strings.Join(sum, " ")
	if a.Glance != "" {
		return // the first matrix's line stands for the section
	}
	g := "no simplification shown to cut training time"
	if len(fast) > 0 {
		g = fmt.Sprintf("%d of %d simplifications faster (down to %s the time)", len(fast), len(vs)-1, effectShort(timeVs[fast[0]]))
	}
	switch {
	case len(ok) > 0:
		g += fmt.Sprintf("; %d also shown as accurate", len(ok))
	case len(keptAccuracy(vs, ref, accVs)) > 0:
		g += fmt.Sprintf("; %d as accurate but not shown faster", len(keptAccuracy(vs, ref, accVs)))
	case !math.IsNaN(minDetectable(accs)):
		g += fmt.Sprintf("; none shown as accurate (detects only ±%.1f points)", 100*minDetectable(accs))
	default:
		g += "; accuracy: too few runs"
	}
	a.Glance = glanceLine(g, quickTag(a))
}

// keptAccuracy names the variants whose test accuracy is shown as good as
// the reference's (equivalent within ±1 point, or higher).
func keptAccuracy(vs []*variant, ref *variant, accVs map[*variant]*Comparison) []string {
	var out []string
	for _, v := range vs {
		if c := accVs[v]; v != ref && c != nil && (c.Verdict == Equivalent || c.Verdict == Higher) {
			out = append(out, v.name)
		}
	}
	return out
}
