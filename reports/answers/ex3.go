package answers

import (
	"fmt"
	"math"
	"strings"

	"alexbench/harness/profile"
	"alexbench/internal/stats"
	"alexbench/models"
)

// buildEx3 answers exercise 3 — why engineers no longer benchmark on
// AlexNet — from how little of the machine its train step uses (the
// profile), how much of that step is launch overhead, and what the most
// accurate 28×28 model of exercise 5.2 gets for its compute against §8.1's
// AlexNet runs.
func buildEx3(b *builder, a *Answer, _ []*Matrix) {
	one, large := exProfiles(b.res.Profiles)
	p := large
	if p == nil {
		p = one
	}
	var alexMs, small []*Matrix
	for _, m := range b.res.Matrices {
		switch m.Exercise {
		case "s8.1":
			alexMs = append(alexMs, m)
		case "5.2":
			small = append(small, m)
		}
	}
	if p == nil && len(alexMs) == 0 {
		a.Status = NotMeasured
		a.Text = append(a.Text, "Not measured yet — run `alexbench profile alexnet` and `alexbench run experiments/s8_1-alexnet.toml experiments/ex5_2-28x28.toml`.")
		return
	}
	// The answer mixes the per-layer profile (d2l's AlexNet) with trained
	// runs, whose scale is the matrices'.
	setProfiles(a, append(append([]*Matrix(nil), alexMs...), small...))
	if p != nil && !hasKey(a.Profiles, "full") {
		a.Profiles = append(a.Profiles, "full")
	}
	a.D2LScale = allAtD2LScale(sectionCells(append(append([]*Matrix(nil), alexMs...), small...)))
	a.Status = Measured
	peak := 0.0
	if p != nil {
		peak = p.Ceilings.PeakFLOPs
	}
	var lines []string
	if p != nil {
		if fr := profile.StepPeakFraction(&p.File); fr > 0 {
			lines = append(lines, fmt.Sprintf("Layer by layer (the profile, %s at batch %d, %d×%d, on %s), AlexNet's forward + backward runs at %s/s, %s of the %s/s the same device reaches on a %d² matmul.",
				p.Model, p.Batch, p.Resize, p.Resize, orDash(p.Device), fmtSI(float64(p.Totals.FwdFLOPs+p.Totals.BwdFLOPs)/(p.Totals.FwdBwdMs/1000), "FLOP"),
				fmtPct(fr), fmtSI(peak, "FLOP"), p.Ceilings.MatmulN))
		}
		for _, q := range presentProfiles(one, large) {
			if c, ok := profile.ChipFor(&q.File, profile.Training); ok && q.Ceilings.LaunchMs > 0 {
				lines = append(lines, fmt.Sprintf("At batch %d, %s of the measured train step (%s of %s) is in launch-bound layers — %s — whose work is shorter on the roofline than one graph launch (%s): a benchmark of them measures the framework's overhead, not the chip.",
					q.Batch, fmtPct(c.LaunchShare()), fmtMs(c.LaunchMs), fmtMs(c.TotalMs), joinList(c.Launch), fmtMs(q.Ceilings.LaunchMs)))
			}
		}
	}
	// AlexNet's whole train step, from §8.1's cells, and the best 28×28 model.
	var alex *ex3Model
	for _, m := range alexMs {
		for _, g := range groups(m) {
			if len(g.finished()) == 0 {
				continue
			}
			if x, err := ex3Measure(ex3ModelName(g.first()), g.finished(), peak); err == nil {
				alex = x
			}
		}
	}
	var best *ex3Model
	for _, m := range small {
		for _, g := range groups(m) {
			if len(g.finished()) == 0 {
				continue
			}
			if x, err := ex3Measure(ex3ModelName(g.first()), g.finished(), peak); err == nil && (best == nil || x.acc.Mean > best.acc.Mean) {
				best = x
			}
		}
	}
	// The runs of the two configurations that diverged or never learned
	// count in their accuracy; their rate and causes are said beside it.
	var kept *Table
	if alex != nil || best != nil {
		var cells []*Cell
		for _, m := range []*ex3Model{alex, best} {
			if m != nil {
				cells = append(cells, m.cells...)
			}
		}
		var note string
		if note, kept = a.failedRuns("", cells); note != "" {
			lines = append(lines, note)
		}
	}
	if alex != nil && peak > 0 && alex.fracOfPeak.N > 0 {
		lines = append(lines, fmt.Sprintf("Whole train steps, from §8.1's runs (%s, %s training FLOPs per image): %s of the profile's measured peak.",
			alex.name, fmtSI(float64(alex.cost.TrainFLOPs), "FLOP"), fmtEst(alex.fracOfPeak, fmtPct)))
	}
	t := &Table{Caption: "Accuracy for the compute: AlexNet vs exercise 5.2's best 28×28 model",
		Head:  []string{"model", "fwd FLOPs / image", "params", "test acc", "train time", "acc per fwd GFLOP", "acc per train second"},
		Right: []bool{false, true, true, true, true, true, true}}
	for _, m := range []*ex3Model{alex, best} {
		if m == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{m.name, fmtSI(float64(m.cost.FwdFLOPs), "FLOP"), fmtCount(m.cost.Params), fmtEst(m.acc, fmtAcc), fmtEst(m.secs, fmtSeconds),
			fmt.Sprintf("%.3g", m.accPerGFLOP), fmt.Sprintf("%.3g", m.accPerSec)})
	}
	var cmp *Comparison
	if alex != nil && best != nil {
		fam := a.family("effects")
		cmp = fam.compare(best.name+" vs "+alex.name, ex3Acc, alex.cells, best.cells)
		fam.holm()
		lines = append(lines, fmt.Sprintf("Against exercise 5.2's most accurate 28×28 model, %s: test accuracy %s vs AlexNet's %s (difference %s), with %s of AlexNet's forward FLOPs per image: %s× the accuracy per GFLOP and %s× the accuracy per second of training.",
			best.name, fmtEst(best.acc, fmtAcc), fmtEst(alex.acc, fmtAcc), verdict(cmp, pointsDiff),
			fmtPct(float64(best.cost.FwdFLOPs)/float64(alex.cost.FwdFLOPs)), fmtRatioPlain(best.accPerGFLOP/alex.accPerGFLOP), fmtRatioPlain(best.accPerSec/alex.accPerSec)))
		a.Blocks = append(a.Blocks, Block{Table: t})
	} else if len(small) == 0 {
		lines = append(lines, "Exercise 5.2's 28×28 models are not measured — run `alexbench run experiments/ex5_2-28x28.toml` for the accuracy-per-compute comparison.")
	}
	if kept != nil {
		a.Blocks = append(a.Blocks, Block{Table: kept})
	}
	a.Text = append(a.Text, lines...)
	a.Summary, a.Glance = ex3Summary(p, alex, best, cmp)
}

// ex3Summary is exercise 3's answer in plain words: the accuracy the most
// accurate 28×28 model gets against AlexNet's (the one tested comparison),
// what that is per FLOP, per parameter and per training second (ratios of
// means, not tested), the share of d2l's AlexNet's parameters in its fully
// connected layers, and how much of the machine its step used.
func ex3Summary(p *Profile, alex, best *ex3Model, cmp *Comparison) (summary, glance string) {
	var ss []string
	var fcShare string
	if p != nil {
		_, dense, total := sumParts(p.Layers)
		fcShare = pct1(dense.paramBytes, total.paramBytes)
		conv, _, _ := sumParts(p.Layers)
		s := fmt.Sprintf("In d2l's full-size AlexNet the fully connected layers hold %s of the parameters but do %s of the FLOPs (exercises 1.1–1.2): most of its weights buy little computation",
			fcShare, pct1(total.flops-conv.flops, total.flops))
		if fr := profile.StepPeakFraction(&p.File); fr > 0 {
			s += fmt.Sprintf(", and its train step uses %s of this machine's measured matmul peak at batch %d on %s", fmtPct(fr), p.Batch, orDash(p.Device))
			if fr >= 0.5 {
				s += ", so here the case against it is what it gets for that compute, not idle hardware"
			} else {
				s += ": a benchmark of it leaves most of this machine unused"
			}
		}
		s += "."
		ss = append(ss, s)
	}
	if alex != nil && best != nil && cmp != nil {
		ac := alex.cells[0]
		name := func(m *ex3Model) string {
			if c := m.cells[0]; c.ConfigOK {
				return shortModelName(modelName(c.Config, cellProfile(c)))
			}
			return m.name
		}
		an, bn := name(alex), name(best)
		s := ""
		if !atD2LScale(ac) {
			s = strings.ToUpper(quickNote(ac)[:1]) + quickNote(ac)[1:] + ". "
		}
		full := bn
		if c := best.cells[0]; c.ConfigOK {
			full = modelName(c.Config, cellProfile(c))
		}
		ref := d2lRefs["alexnet"]
		s += fmt.Sprintf("Exercise 5.2's most accurate 28×28 model, %s, reaches test accuracy %s against %s's %s (d2l's AlexNet: %.3f at full scale, not comparable)",
			full, fmtAcc(best.acc.Mean), an, fmtAcc(alex.acc.Mean), ref.TestAcc)
		switch cmp.Verdict {
		case Higher:
			s += ", higher: " + shortVerdict(cmp, pointsDiff) + " — decided."
			glance = fmt.Sprintf("%s: %s test acc over %s at %s its FLOPs (decided); per-FLOP ratio %s× not tested",
				bn, pointsDiff(cmp.Diff), an, fmtRatio(float64(best.cost.FwdFLOPs)/float64(alex.cost.FwdFLOPs)), fmtRatioPlain(best.accPerGFLOP/alex.accPerGFLOP))
		case Lower:
			s += ", lower: " + shortVerdict(cmp, pointsDiff) + " — decided."
			glance = fmt.Sprintf("%s trails %s by %s test acc; per-FLOP comparison not tested", bn, an, pointsDiff(cmp.Diff))
		case Equivalent:
			s += ": " + shortVerdict(cmp, pointsDiff) + " — decided."
			glance = fmt.Sprintf("%s and %s: test acc the same within ±1 point; per-FLOP comparison not tested", bn, an)
		case Undecided:
			s += ": " + shortVerdict(cmp, pointsDiff) + "."
			glance = fmt.Sprintf("%s vs %s: accuracy undecided; per-FLOP comparison not tested", bn, an)
		default:
			s += ": " + cmp.NotEnough() + "."
			glance = fmt.Sprintf("%s vs %s: not enough runs to compare accuracy", bn, an)
		}
		ss = append(ss, s)
		perParam := (best.acc.Mean / float64(best.cost.Params)) / (alex.acc.Mean / float64(alex.cost.Params))
		ss = append(ss, fmt.Sprintf("With %s %s's forward FLOPs and %s its parameters, that is %s× the accuracy per FLOP and %s× per parameter, and %s× per second of training on this machine; these are ratios of means, not tested, so they are not decided.",
			fmtRatio(float64(best.cost.FwdFLOPs)/float64(alex.cost.FwdFLOPs)), an, fmtRatio(float64(best.cost.Params)/float64(alex.cost.Params)),
			fmtRatioPlain(best.accPerGFLOP/alex.accPerGFLOP), fmtRatioPlain(perParam), fmtRatioPlain(best.accPerSec/alex.accPerSec)))
	} else if p != nil {
		glance = fmt.Sprintf("FC layers hold %s of AlexNet's parameters; the 28×28 models are not measured", fcShare)
	}
	if glance == "" && fcShare != "" {
		glance = fmt.Sprintf("FC layers hold %s of AlexNet's parameters", fcShare)
	}
	return strings.Join(ss, " "), glance
}

// ex3Acc is the accuracy exercise 3 compares, over every finished run.
var ex3Acc = Metric{Name: "test_acc", Of: finalTestAcc}

// ex3Model is one model configuration's measured cost and accuracy.
type ex3Model struct {
	name        string
	cells       []*Cell
	cost        profile.Cost
	acc, secs   stats.MeanCI
	fracOfPeak  stats.MeanCI
	accPerGFLOP float64 // mean test accuracy per forward GFLOP per image
	accPerSec   float64 // mean test accuracy per second of training
}

// ex3Measure estimates a configuration's accuracy over its finished runs
// (at chance or diverged included) and its time and share of the peak
// over those that finished done (a run at chance still measured its speed).
func ex3Measure(name string, cells []*Cell, peak float64) (*ex3Model, error) {
	if len(cells) == 0 || !cells[0].ConfigOK {
		return nil, fmt.Errorf("no finished cells")
	}
	cfg := cells[0].Config
	cost, err := profile.CostOf(cfg.Model, cfg.Options)
	if err != nil {
		return nil, err
	}
	m := &ex3Model{name: name, cells: cells, cost: cost}
	m.acc = describe(cells, ex3Acc)
	m.secs = describe(cells, Metric{Name: "time", Of: trainSeconds, Cost: true})
	if peak > 0 {
		m.fracOfPeak = describe(cells, Metric{Name: "throughput", Cost: true,
			Of: func(c *Cell) float64 { return float64(cost.TrainFLOPs) * throughput(c) / peak }})
	}
	m.accPerGFLOP = m.acc.Mean / (float64(cost.FwdFLOPs) / 1e9)
	m.accPerSec = m.acc.Mean / m.secs.Mean
	return m, nil
}

func fmtRatioPlain(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.3g", x)
}

// ex3ModelName names a cell's model with its scale when it is not the
// registry's default (a scaled AlexNet is never called AlexNet).
func ex3ModelName(c *Cell) string {
	if !c.ConfigOK {
		return c.Label
	}
	cfg := c.Config
	cost, err := profile.CostOf(cfg.Model, cfg.Options)
	if err != nil {
		return cfg.Model
	}
	full, err := profile.CostOf(cfg.Model, registryOptions(cfg.Model))
	if err == nil && full.Params == cost.Params && full.FwdFLOPs == cost.FwdFLOPs {
		return fmt.Sprintf("%s (%s params)", cfg.Model, fmtParams(float64(cost.Params)))
	}
	return fmt.Sprintf("%s-scaled (%g× width, %d-wide FC, %d×%d inputs, %s params)", cfg.Model, cfg.Width, cfg.FCWidth, cfg.Resize, cfg.Resize, fmtParams(float64(cost.Params)))
}

// registryOptions is model's registry options (d2l's architecture).
func registryOptions(model string) models.Options {
	e, err := models.Lookup(model)
	if err != nil {
		return models.Options{}
	}
	return e.Defaults
}
