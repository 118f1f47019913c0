package answers

import (
	"fmt"
	"strings"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// d2lRef is what d2l's train_ch6 printed for a model (PyTorch edition, run
// by the book's build on its GPU), checked against the book's source.
type d2lRef struct {
	Loss, TrainAcc, TestAcc, ExamplesPerSec float64
	Recipe                                  string
}

var d2lRefs = map[string]d2lRef{
	"alexnet": {0.331, 0.878, 0.883, 3941.8, "AlexNet section: lr 0.01, batch 128, 10 epochs, 224×224"},
	"lenet":   {0.469, 0.823, 0.779, 55296.6, "LeNet section: lr 0.9, batch 256, 10 epochs, 28×28"},
}

// isD2LScale tells whether a cell is its model at d2l's own scale and
// schedule, so d2l's printed numbers apply to it.
func isD2LScale(c *Cell) bool {
	if !c.ConfigOK || !d2lModels[c.Config.Model] || len(scaled(c.Config)) > 0 {
		return false
	}
	def, _ := config.Default(c.Config.Model)
	k := c.Config
	return k.TrainLimit == 0 && k.TestLimit == 0 && k.Epochs == def.Epochs && k.BatchSize == def.BatchSize && k.EffectiveLR() == def.LR && !decays(c)
}

// s81group is one configuration of §8.1: its last-epoch estimates and, at
// d2l's scale, its test accuracy against d2l's.
type s81group struct {
	name                    string
	g                       *group
	loss, trainAcc, testAcc stats.MeanCI
	rate                    stats.MeanCI
	vsD2L                   *Comparison
	ref                     d2lRef
	hasRef, applies         bool
	m                       *Matrix
	gi                      int
}

// buildS81 answers §8.1: each configuration's last-epoch numbers, tested
// against what d2l printed where the run is at d2l's own scale, with its
// per-epoch curves.
func buildS81(b *builder, a *Answer, ms []*Matrix) {
	fam := a.family("vs d2l")
	var es []*s81group
	for _, m := range ms {
		for gi, g := range groups(m) {
			if len(g.finished()) == 0 {
				continue
			}
			cfg := g.first().Config
			name := groupModelName(g)
			if len(m.Axes) > 0 && g.Label != cfg.Model {
				name += " [" + plainLabel(g.Label) + "]"
			}
			e := &s81group{name: name, g: g, m: m, gi: gi,
				loss: est(g.Cells, finalLoss), trainAcc: describe(g.Cells, Metric{Name: "train_acc", Of: finalTrainAcc}), testAcc: estAcc(g.Cells, finalTestAcc), rate: estAll(g.Cells, throughput)}
			e.ref, e.hasRef = d2lRefs[cfg.Model]
			e.applies = e.hasRef && isD2LScale(g.first())
			if e.applies {
				xs := sample(g.Cells, testAccMetric).Values
				e.vsD2L = fam.add(fmt.Sprintf("%s vs d2l's %.3f", name, e.ref.TestAcc), testAccMetric, stats.OneSample(xs, e.ref.TestAcc))
			}
			es = append(es, e)
		}
	}
	fam.holm()
	for _, e := range es {
		g := e.g
		dev := deviceOf(g.Done)
		intro := fmt.Sprintf("%s, %s, over %s: final train loss %s, train acc %s, test acc %s; training throughput %s examples/s on %s.",
			e.name, scaleNote(g.first()), plural(len(g.finished()), "seed", "seeds"), fmtEst(e.loss, fmtAcc),
			fmtEst(e.trainAcc, fmtAcc), fmtEst(e.testAcc, fmtAcc), fmtEst(e.rate, fmtRate), dev)
		a.Text = append(a.Text, intro)
		if note, t := a.failedRuns("", g.Cells); note != "" {
			a.Text = append(a.Text, note)
			defer func() { a.Blocks = append(a.Blocks, Block{Table: t}) }()
		}
		switch {
		case !e.hasRef:
		case !e.applies:
			a.Text = append(a.Text, fmt.Sprintf("d2l's numbers (%s; test acc %.3f) are for %s at its full scale on all of Fashion-MNIST; this run is %s with %s, so they are not compared.",
				e.ref.Recipe, e.ref.TestAcc, prettyModel(g.first().Config.Model), e.name, scaleNote(g.first())))
		default:
			line := fmt.Sprintf("Against d2l (%s; test acc %.3f): ", e.ref.Recipe, e.ref.TestAcc)
			switch c := e.vsD2L; {
			case !c.Enough:
				line += c.NotEnough() + "."
			case c.Verdict == Higher || c.Verdict == Lower:
				line += fmt.Sprintf("the measured mean differs from d2l's: %s.", verdict(c, pointsDiff))
			case c.Verdict == Equivalent:
				line += fmt.Sprintf("the same as d2l's figure: %s.", verdict(c, pointsDiff))
			default:
				line += fmt.Sprintf("neither shown different from d2l's figure nor within 1 point of it: %s; d2l's %.3f is inside the 95%% CI of the mean, %s.", verdict(c, pointsDiff), e.ref.TestAcc, fmtCI(e.testAcc, fmtAcc))
			}
			a.Text = append(a.Text, line)
		}

		a.Blocks = append(a.Blocks, Block{Figures: []Figure{s81Curves(e.m, e.gi, e.name, g)}})

		head := []string{"metric", "measured (mean ± sd)", "95% CI", "n", "d2l", "measured − d2l"}
		t := &Table{Caption: e.name + " vs d2l (last epoch)", Head: head, Right: []bool{false, true, true, true, true, true}}
		row := func(metric string, st stats.MeanCI, ref float64, f func(float64) string) {
			r := []string{metric, fmtEstShort(st, f), fmtCI(st, f), fmt.Sprint(st.N), "–", "–"}
			switch {
			case e.applies:
				r[4] = f(ref)
				r[5] = fmtSigned(st.Mean - ref)
			case e.hasRef:
				r[4] = f(ref)
				r[5] = "not comparable (scaled run)"
			}
			t.Rows = append(t.Rows, r)
		}
		row("train loss", e.loss, e.ref.Loss, fmtAcc)
		row("train acc", e.trainAcc, e.ref.TrainAcc, fmtAcc)
		row("test acc", e.testAcc, e.ref.TestAcc, fmtAcc)
		rr := []string{"examples/s (training)", fmtEstShort(e.rate, fmtRate), fmtCI(e.rate, fmtRate), fmt.Sprint(e.rate.N), "–", "different hardware"}
		if e.hasRef {
			rr[4] = fmtRate(e.ref.ExamplesPerSec) + " (d2l's GPU)"
		}
		t.Rows = append(t.Rows, rr)
		a.Blocks = append(a.Blocks, Block{Table: t})
	}
	if len(a.Text) == 0 {
		a.Text = append(a.Text, "No cell of §8.1 has finished yet.")
	}
	a.Summary, a.Glance = s81Summary(es)
	a.Blocks = append(a.Blocks, Block{Note: "d2l's numbers are those its PyTorch edition prints at the end of train_ch6 (train loss, train acc, test acc, examples/sec on the book's GPU); loss and train accuracy are averages over the last epoch, as here."})
	if n := fam.holmNote("the comparison with d2l"); n != "" {
		a.Blocks = append(a.Blocks, Block{Note: n})
	}
}

// s81Curves is d2l's plot of a configuration: train loss, train accuracy
// and test accuracy per epoch, mean over seeds with a ±1 sd band.
func s81Curves(m *Matrix, gi int, name string, g *group) Figure {
	cl := g.curve(func(e trainer.Epoch) float64 { return e.TrainLoss })
	ctr := g.curve(func(e trainer.Epoch) float64 { return e.TrainAcc })
	cte := g.curve(func(e trainer.Epoch) float64 { return e.TestAcc })
	var series []Series
	series = append(series, sdBand("train loss", seriesColor(0), cl)...)
	series = append(series, sdBand("train acc", seriesColor(2), ctr)...)
	series = append(series, sdBand("test acc", seriesColor(1), cte)...)
	return Figure{
		Name:     fmt.Sprintf("%s-%d-curves", m.Folder, gi),
		Title:    shortModelName(name) + ": per-epoch curves",
		Subtitle: fmt.Sprintf("mean over %s, band ±1 sd", plural(cl.N, "seed", "seeds")),
		Height:   380,
		Tooltip:  "axis",
		Legend:   []string{"train loss", "train acc", "test acc"},
		Panels: []Panel{{
			X:      Axis{Kind: Category, Name: "epoch", Categories: epochLabels(cl.Epochs)},
			Y:      Axis{Kind: Linear, Name: "loss / accuracy", ZeroBased: true},
			Series: series,
		}},
	}
}

// deviceOf names the device(s) the cells ran on.
func deviceOf(cells []*Cell) string {
	d := distinct{}
	for _, c := range cells {
		if c.Summary != nil {
			dev := c.Summary.Device
			if c.Summary.Backend != "" {
				dev += " with the " + c.Summary.Backend + " backend"
			}
			d.add(dev)
		}
	}
	if len(d) == 0 {
		return "an unrecorded device"
	}
	return strings.Join(d.list(), ", ")
}

// s81Summary is §8.1's answer in plain words: each configuration's test
// accuracy beside d2l's — tested where the run is at d2l's scale, named not
// comparable where it is scaled — and its speed beside d2l's GPU's.
func s81Summary(es []*s81group) (summary, glance string) {
	var ss, gs []string
	for _, e := range es {
		first := e.g.first()
		n := plural(e.testAcc.N, "seed", "seeds")
		acc := fmtAcc(e.testAcc.Mean)
		if e.testAcc.N >= 2 {
			acc += fmt.Sprintf(" (95 %% CI %s)", fmtCI(e.testAcc, fmtAcc))
		}
		short := shortModelName(e.name)
		switch {
		case !e.hasRef:
			ss = append(ss, fmt.Sprintf("%s reaches test accuracy %s over %s; d2l prints no figure for it.", e.name, acc, n))
			gs = append(gs, fmt.Sprintf("%s: test acc %s", short, fmtAcc(e.testAcc.Mean)))
		case !e.applies:
			profile := scaledProfile([]string{cellProfile(first)})
			if profile == "" {
				profile = "a scaled profile"
			}
			s := fmt.Sprintf("Measured on the %s, not d2l's scale: %s. Over %s it reaches test accuracy %s, train accuracy %s and train loss %s at %s examples/s on %s; d2l's %s reached %.3f, %.3f and %.3f at %s examples/s on its GPU at full scale, which this run is not comparable with.",
				profile, strings.TrimPrefix(quickNote(first), "measured on the "+profile+" on "+deviceOf([]*Cell{first})+": "), n, acc, fmtAcc(e.trainAcc.Mean), fmtAcc(e.loss.Mean),
				fmtRate(e.rate.Mean), deviceOf(e.g.Done), prettyModel(first.Config.Model), e.ref.TestAcc, e.ref.TrainAcc, e.ref.Loss, fmtRate(e.ref.ExamplesPerSec))
			if cellProfile(first) == "full" {
				s = strings.Replace(s, "Measured on the "+profile+", not d2l's scale", "Scaled down from d2l's recipe", 1)
			}
			ss = append(ss, s)
			gs = append(gs, fmt.Sprintf("%s: test acc %s (d2l: %.3f at full scale, not comparable)", short, fmtAcc(e.testAcc.Mean), e.ref.TestAcc))
		default:
			c := e.vsD2L
			var said, g string
			switch c.Verdict {
			case Higher:
				said, g = "above d2l's "+fmtAcc(e.ref.TestAcc)+": "+shortVerdict(c, pointsDiff), "above d2l's "+fmtAcc(e.ref.TestAcc)+" ("+pointsDiff(c.Diff)+")"
			case Lower:
				said, g = "below d2l's "+fmtAcc(e.ref.TestAcc)+": "+shortVerdict(c, pointsDiff), "below d2l's "+fmtAcc(e.ref.TestAcc)+" ("+pointsDiff(c.Diff)+")"
			case Equivalent:
				said, g = "d2l's "+fmtAcc(e.ref.TestAcc)+" reproduced: "+shortVerdict(c, pointsDiff), "the same as d2l's "+fmtAcc(e.ref.TestAcc)+" within ±1 point"
			case Undecided:
				said, g = "against d2l's "+fmtAcc(e.ref.TestAcc)+" "+shortVerdict(c, pointsDiff), "vs d2l's "+fmtAcc(e.ref.TestAcc)+": undecided"
			default:
				said, g = "against d2l's "+fmtAcc(e.ref.TestAcc)+": "+c.NotEnough(), "vs d2l's "+fmtAcc(e.ref.TestAcc)+": not enough runs"
			}
			ss = append(ss, fmt.Sprintf("%s with d2l's recipe reaches test accuracy %s over %s — %s. It trains at %s examples/s on %s (d2l: %s on its GPU, different hardware).",
				e.name, acc, n, said, fmtRate(e.rate.Mean), deviceOf(e.g.Done), fmtRate(e.ref.ExamplesPerSec)))
			gs = append(gs, fmt.Sprintf("%s: test acc %s, %s", short, fmtAcc(e.testAcc.Mean), g))
		}
	}
	return strings.Join(ss, " "), strings.Join(gs, "; ")
}
