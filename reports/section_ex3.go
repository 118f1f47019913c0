//go:build legacy

package reports

import (
	"fmt"
	"math"

	"alexbench/harness/profile"
	"alexbench/internal/stats"
	"alexbench/models"
)

// Exercise 3: why engineers no longer benchmark on AlexNet — how little of
// the machine its train step uses, what a small 28×28 model of exercise 5.2
// gets for its compute, and how much of AlexNet's step is launch overhead.
func init() { contribute("3", nil, buildEx3) }

// ex3Model is one model configuration's measured cost and accuracy.
type ex3Model struct {
	name        string
	cells       []*Cell
	cost        profile.Cost
	acc, secs   stats.Estimate
	fracOfPeak  stats.Estimate
	accPerGFLOP float64 // mean test accuracy per forward GFLOP per image
	accPerSec   float64 // mean test accuracy per second of training
}

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
	m.acc = exDescribe(cells, finalTestAcc)
	m.secs = exDescribe(cells, trainSeconds)
	if peak > 0 {
		m.fracOfPeak = exDescribe(cells, func(c *Cell) float64 { return float64(cost.TrainFLOPs) * throughput(c) / peak })
	}
	m.accPerGFLOP = m.acc.Mean / (float64(cost.FwdFLOPs) / 1e9)
	m.accPerSec = m.acc.Mean / m.secs.Mean
	return m, nil
}

func buildEx3(b *builder, s *section, _ []*Matrix) {
	one, large := exProfiles(b.res.Profiles)
	p := large
	if p == nil {
		p = one
	}
	var e0, e22 []*Matrix
	for _, m := range b.res.Matrices {
		switch m.Exercise {
		case "E0":
			e0 = append(e0, m)
		case "E2.2", "E5.2":
			e22 = append(e22, m)
		}
	}
	if p == nil && len(e0) == 0 {
		s.Status = "not measured"
		s.Answer = append(s.Answer, "Not measured yet — run `alexbench profile alexnet` and `alexbench run experiments/e0-alexnet.toml experiments/e2-28x28.toml`.")
		return
	}
	s.Status = "measured"
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
		for _, q := range []*Profile{one, large} {
			if q == nil {
				continue
			}
			if c, ok := profile.ChipFor(&q.File, profile.Training); ok && q.Ceilings.LaunchMs > 0 {
				lines = append(lines, fmt.Sprintf("At batch %d, %s of the measured train step (%s of %s) is in launch-bound layers — %s — whose work is shorter on the roofline than one graph launch (%s): a benchmark of them measures the framework's overhead, not the chip.",
					q.Batch, fmtPct(c.LaunchShare()), fmtMs(c.LaunchMs), fmtMs(c.TotalMs), joinList(c.Launch), fmtMs(q.Ceilings.LaunchMs)))
			}
		}
	}
	// AlexNet's whole train step, from E0's cells, and the best 28×28 model.
	var alex *ex3Model
	for _, m := range e0 {
		for _, g := range groups(m) {
			if len(g.Done) == 0 {
				continue
			}
			name := ex3ModelName(g.first())
			if a, err := ex3Measure(name, g.Done, peak); err == nil {
				alex = a
			}
		}
	}
	if alex != nil && peak > 0 && alex.fracOfPeak.N > 0 {
		lines = append(lines, fmt.Sprintf("Whole train steps, from E0's runs (%s, %s training FLOPs per image): %s of the profile's measured peak.",
			alex.name, fmtSI(float64(alex.cost.TrainFLOPs), "FLOP"), exEstimate(alex.fracOfPeak, fmtPct)))
	}
	var best *ex3Model
	for _, m := range e22 {
		for _, g := range groups(m) {
			if len(g.Done) == 0 {
				continue
			}
			if c, err := ex3Measure(ex3ModelName(g.first()), g.Done, peak); err == nil && (best == nil || c.acc.Mean > best.acc.Mean) {
				best = c
			}
		}
	}
	t := &table{Caption: "Accuracy for the compute: AlexNet vs exercise 5.2's best 28×28 model",
		Head:  []string{"model", "fwd FLOPs / image", "params", "test acc", "train time", "acc per fwd GFLOP", "acc per train second"},
		Right: []bool{false, true, true, true, true, true, true}}
	for _, m := range []*ex3Model{alex, best} {
		if m == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{m.name, fmtSI(float64(m.cost.FwdFLOPs), "FLOP"), fmtCount(m.cost.Params), exEstimate(m.acc, fmtAcc), exEstimate(m.secs, fmtSeconds),
			fmt.Sprintf("%.3g", m.accPerGFLOP), fmt.Sprintf("%.3g", m.accPerSec)})
	}
	if alex != nil && best != nil {
		cmp := stats.Compare(exSample(alex.cells, finalTestAcc), exSample(best.cells, finalTestAcc))
		stats.Holm(&cmp)
		lines = append(lines, fmt.Sprintf("Against exercise 5.2's most accurate 28×28 model, %s: test accuracy %s vs AlexNet's %s (difference %s), with %s of AlexNet's forward FLOPs per image: %s× the accuracy per GFLOP and %s× the accuracy per second of training.",
			best.name, exEstimate(best.acc, fmtAcc), exEstimate(alex.acc, fmtAcc), exComparison(cmp, exPoints),
			fmtPct(float64(best.cost.FwdFLOPs)/float64(alex.cost.FwdFLOPs)), fmtRatioPlain(best.accPerGFLOP/alex.accPerGFLOP), fmtRatioPlain(best.accPerSec/alex.accPerSec)))
		s.Blocks = append(s.Blocks, block{Table: t})
	} else if len(e22) == 0 {
		lines = append(lines, "Exercise 5.2's 28×28 models are not measured — run `alexbench run experiments/e2-28x28.toml` for the accuracy-per-compute comparison.")
	}
	s.Answer = append(s.Answer, lines...)
}

func fmtRatioPlain(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.3g", x)
}

// ex3ModelName names a cell's model with its scale when it is not the
// registry's default (issue 13: a scaled AlexNet is never called AlexNet).
func ex3ModelName(c *Cell) string {
	if !c.ConfigOK {
		return c.Label
	}
	cfg := c.Config
	cost, err := profile.CostOf(cfg.Model, cfg.Options)
	if err != nil {
		return cfg.Model
	}
	full, err := profile.CostOf(cfg.Model, withDefaults(cfg.Model))
	if err == nil && full.Params == cost.Params && full.FwdFLOPs == cost.FwdFLOPs {
		return fmt.Sprintf("%s (%s params)", cfg.Model, fmtParams(float64(cost.Params)))
	}
	return fmt.Sprintf("%s-scaled (%g× width, %d-wide FC, %d×%d inputs, %s params)", cfg.Model, cfg.Width, cfg.FCWidth, cfg.Resize, cfg.Resize, fmtParams(float64(cost.Params)))
}

// withDefaults is model's registry options (d2l's architecture).
func withDefaults(model string) models.Options {
	e, err := models.Lookup(model)
	if err != nil {
		return models.Options{}
	}
	return e.Defaults
}
