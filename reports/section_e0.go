package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"alexbench/harness/trainer"
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

// scaleNote describes a cell's data and schedule, to compare with d2l's.
func scaleNote(cell *Cell) string {
	if !cell.ConfigOK {
		return "settings not recorded (no readable config.toml)"
	}
	c := cell.Config
	train, test := "all 60000", "all 10000"
	if c.TrainLimit > 0 {
		train = fmt.Sprint(c.TrainLimit)
	}
	if c.TestLimit > 0 {
		test = fmt.Sprint(c.TestLimit)
	}
	return fmt.Sprintf("%d epochs, lr %g, batch %d, %d×%d inputs, %s training / %s test images",
		c.Epochs, c.EffectiveLR(), c.BatchSize, c.Resize, c.Resize, train, test)
}

func buildE0(b *builder, s *section, ms []*Matrix) {
	for _, m := range ms {
		for gi, g := range groups(m) {
			if len(g.Done) == 0 {
				continue
			}
			cfg := g.first().Config
			name := cfg.Model
			if len(m.Axes) > 0 && g.Label != cfg.Model {
				name = cfg.Model + " (" + g.Label + ")"
			}
			loss := g.over(finalLoss)
			trainAcc := g.over(finalTrainAcc)
			testAcc := g.over(finalTestAcc)
			rate := g.over(throughput)
			dev := deviceOf(g.Done)

			intro := fmt.Sprintf("%s, %s, over %s: final train loss %s, train acc %s, test acc %s; training throughput %s examples/s on %s.",
				name, scaleNote(g.first()), plural(testAcc.N, "seed", "seeds"), fmtMeanSD(loss.Mean, loss.SD, loss.N, fmtAcc),
				trainAcc.acc(), testAcc.acc(), rate.rate(), dev)
			if isNearChance(trainAcc.Mean) {
				intro += fmt.Sprintf(" Its training accuracy is near chance (%.1f for 10 classes): with these settings the network has not learned yet.", chanceAcc)
			}
			s.Answer = append(s.Answer, intro)

			ref, hasRef := d2lRefs[cfg.Model]
			if hasRef {
				diff := testAcc.Mean - ref.TestAcc
				verdict := ""
				switch {
				case g.Done[0].Summary.Profile == "quick":
					verdict = "but a scaled-down run is not meant to match d2l's full-scale numbers"
				case testAcc.N < 2:
					verdict = "one seed only, so the seed spread is unknown"
				case math.Abs(diff) <= 2*testAcc.SD:
					verdict = "within 2 sd of the seed spread"
				default:
					verdict = fmt.Sprintf("%.1f sd away, beyond the seed spread", math.Abs(diff)/math.Max(testAcc.SD, 1e-12))
				}
				cmp := fmt.Sprintf("Against d2l (%s; test acc %.3f): test accuracy differs by %s (%s), %s.",
					ref.Recipe, ref.TestAcc, fmtSigned(diff), fmtPoints(diff), verdict)
				s.Answer = append(s.Answer, cmp)
			}

			// d2l-style curves.
			cl := g.curve(func(e trainer.Epoch) float64 { return e.TrainLoss })
			ctr := g.curve(func(e trainer.Epoch) float64 { return e.TrainAcc })
			cte := g.curve(func(e trainer.Epoch) float64 { return e.TestAcc })
			id := chartID(s, fmt.Sprintf("%s-%d-curves", m.Folder, gi))
			line := charts.NewLine()
			line.SetGlobalOptions(commonOpts(id, name+": per-epoch curves", fmt.Sprintf("mean ± sd over %s", plural(cl.N, "seed", "seeds")), 380)...)
			line.SetGlobalOptions(
				charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: "epoch", NameLocation: "middle", NameGap: 28}),
				charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0}),
				charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis"}))
			line.SetXAxis(epochLabels(cl.Epochs))
			bandSeries(line, "train loss", seriesColor(0), cl, nil)
			bandSeries(line, "train acc", seriesColor(2), ctr, nil)
			bandSeries(line, "test acc", seriesColor(1), cte, nil)
			s.Blocks = append(s.Blocks, block{Charts: []chartBlock{
				finish(id, 380, line, legendOnly([]string{"train loss", "train acc", "test acc"}))}})

			t := &table{Caption: name + " vs d2l (last epoch)", Head: []string{"metric", "measured (mean ± sd)", "seeds", "d2l", "measured − d2l"},
				Right: []bool{false, true, true, true, true}}
			row := func(metric string, st stat, ref float64, has bool, f func(float64) string) {
				r := []string{metric, fmtMeanSD(st.Mean, st.SD, st.N, f), fmt.Sprint(st.N), "–", "–"}
				if has {
					r[3] = f(ref)
					r[4] = fmtSigned(st.Mean - ref)
				}
				t.Rows = append(t.Rows, r)
			}
			row("train loss", loss, ref.Loss, hasRef, fmtAcc)
			row("train acc", trainAcc, ref.TrainAcc, hasRef, fmtAcc)
			row("test acc", testAcc, ref.TestAcc, hasRef, fmtAcc)
			rr := []string{"examples/s (training)", rate.rate(), fmt.Sprint(rate.N), "–", "different hardware"}
			if hasRef {
				rr[3] = fmtRate(ref.ExamplesPerSec) + " (d2l's GPU)"
			}
			t.Rows = append(t.Rows, rr)
			s.Blocks = append(s.Blocks, block{Table: t})
		}
	}
	if len(s.Answer) == 0 {
		s.Answer = append(s.Answer, "No E0 cell has finished yet.")
	}
	s.Blocks = append(s.Blocks, block{Note: "d2l's numbers are those its PyTorch edition prints at the end of train_ch6 (train loss, train acc, test acc, examples/sec on the book's GPU); loss and train accuracy are averages over the last epoch, as here."})
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
