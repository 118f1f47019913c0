package answers

import (
	"fmt"
	"math"
	"strings"

	"alexbench/harness/config"
	"alexbench/internal/stats"
)

// Exercise 8: make AlexNet overfit (dropout 0.5 vs 0 on a small subset, the
// train–test gap per epoch) and break its training (one change each to the
// recipe, read from the curves), from experiments/ex8-overfit.toml.

// ex8Config is one configuration of the matrix: its seeds' cells.
type ex8Config struct {
	label string        // what differs from the control, "" for the control
	cfg   config.Config // of its first cell
	cells []*Cell       // every cell of it (value reads the finished ones)
	all   int           // cells planned
}

// ex8Split finds the control (d2l's recipe: the most common activation,
// lr and init with dropout 0.5 and the most epochs), the dropout-0 arm and
// the breakers (everything else) among m's groups.
func ex8Split(ms []*Matrix) (control, noDrop *ex8Config, breakers []*ex8Config) {
	var all []*ex8Config
	for _, m := range ms {
		for _, g := range groups(m) {
			c := g.first()
			if !c.ConfigOK {
				continue
			}
			all = append(all, &ex8Config{cfg: c.Config, cells: g.Cells, all: len(g.Cells)})
		}
	}
	for _, c := range all {
		if c.cfg.Dropout == 0.5 && c.cfg.Init == config.InitXavier && c.cfg.Activation == "relu" &&
			(control == nil || c.cfg.Epochs > control.cfg.Epochs || (c.cfg.Epochs == control.cfg.Epochs && c.cfg.LR < control.cfg.LR)) {
			control = c
		}
	}
	if control == nil {
		return nil, nil, nil
	}
	for _, c := range all {
		if c == control {
			continue
		}
		c.label = ex8Diff(control.cfg, c.cfg)
		if c.cfg.Dropout == 0 && c.cfg.Epochs == control.cfg.Epochs && c.label == "dropout 0" {
			noDrop = c
			continue
		}
		breakers = append(breakers, c)
	}
	return control, noDrop, breakers
}

// ex8Diff names what c changes in the control's recipe ("lr ×10 (1)").
func ex8Diff(ctl, c config.Config) string {
	var d []string
	if c.Activation != ctl.Activation {
		d = append(d, c.Activation+" activations")
	}
	if c.LR != ctl.LR {
		d = append(d, fmt.Sprintf("lr ×%.3g (%g)", c.LR/ctl.LR, c.LR))
	}
	if c.Init != ctl.Init {
		what := "init " + c.Init
		if c.Init == config.InitNormal {
			what += " (N(0, 0.01²) weights)"
		}
		d = append(d, what)
	}
	if c.Dropout != ctl.Dropout {
		d = append(d, fmt.Sprintf("dropout %g", c.Dropout))
	}
	if len(d) == 0 {
		return "the control's recipe"
	}
	return strings.Join(d, ", ")
}

// testAccAt is a cell's test accuracy after epoch e (NaN if it stopped before).
func testAccAt(c *Cell, e int) float64 {
	for _, ep := range c.Epochs {
		if ep.Epoch == e {
			return ep.TestAcc
		}
	}
	return math.NaN()
}

// gapAt is train − test accuracy after epoch index i (NaN past its end).
func gapAt(c *Cell, i int) float64 {
	if i >= len(c.Epochs) {
		return math.NaN()
	}
	return c.Epochs[i].TrainAcc - c.Epochs[i].TestAcc
}

// ex8Gap is the gap's estimate per epoch over every run of c that reached
// it (a run that diverged later still counts for its finite epochs), and the
// first epoch whose 95 % CI lies wholly above 0 with ≥ stats.MinRuns runs
// (0: it never opens).
func ex8Gap(ms []*Matrix, c *ex8Config) (per []stats.MeanCI, opens int) {
	cells := ex8AllCells(ms, c)
	n := 0
	for _, cell := range cells {
		n = max(n, len(cell.Epochs))
	}
	for i := 0; i < n; i++ {
		var xs []float64
		for _, cell := range cells {
			if g := gapAt(cell, i); !math.IsNaN(g) && !math.IsNaN(cell.Epochs[i].TrainLoss) {
				xs = append(xs, g)
			}
		}
		e := stats.Describe(xs)
		per = append(per, e)
		if opens == 0 && e.N >= stats.MinRuns && e.Lo > 0 {
			opens = i + 1
		}
	}
	return per, opens
}

// lastCommon is the last epoch index where both arms have ≥ stats.MinRuns
// runs, else the last index both reached (-1: none).
func lastCommon(a, b []stats.MeanCI) int {
	n := min(len(a), len(b))
	for i := n - 1; i >= 0; i-- {
		if a[i].N >= stats.MinRuns && b[i].N >= stats.MinRuns {
			return i
		}
	}
	return n - 1
}

// gapCells are c's runs with a finite gap after epoch index i.
func gapCells(ms []*Matrix, c *ex8Config, i int) []*Cell {
	var out []*Cell
	for _, cell := range ex8AllCells(ms, c) {
		if g := gapAt(cell, i); !math.IsNaN(g) && !math.IsNaN(cell.Epochs[i].TrainLoss) {
			out = append(out, cell)
		}
	}
	return out
}

// buildEx8 answers exercise 8: when the train–test gap opens with and
// without dropout, and which single change to d2l's recipe breaks training.
func buildEx8(b *builder, a *Answer, ms []*Matrix) {
	setProfiles(a, ms) // the summary says the scale
	sm := &ex8Summary{}
	defer func() { sm.write(a, ms) }()
	control, noDrop, breakers := ex8Split(ms)
	if control == nil {
		a.Text = append(a.Text, "No control cell (d2l's recipe: ReLU, dropout 0.5, xavier init) has a readable config, so nothing is compared — run `alexbench run experiments/ex8-overfit.toml`.")
		return
	}
	model := "AlexNet"
	if ctl := control.cfg; ctl.Width != 1 || ctl.Resize != 224 || ctl.FCWidth != 4096 {
		model = fmt.Sprintf("AlexNet-quick (%g× conv width, %d-wide FC, %d×%d inputs; not d2l's full AlexNet)", ctl.Width, ctl.FCWidth, ctl.Resize, ctl.Resize)
	}
	ctl := control.cfg
	a.Text = append(a.Text, fmt.Sprintf("Setup: %s on %d training images (batch %d, lr %g, %d epochs), test accuracy on %d test images; the control is d2l's recipe at these settings (ReLU, dropout 0.5, xavier init). Train accuracy is the running accuracy of each epoch's training batches (dropout active), test accuracy is measured after the epoch.",
		model, ctl.TrainLimit, ctl.BatchSize, ctl.LR, ctl.Epochs, ctl.TestLimit))

	// Overfitting: the gap per epoch, both arms.
	if noDrop != nil {
		dGap, dOpen := ex8Gap(ms, control)
		zGap, zOpen := ex8Gap(ms, noDrop)
		open := func(e int, per []stats.MeanCI) string {
			if len(per) == 0 || per[0].N < stats.MinRuns {
				n := 0
				if len(per) > 0 {
					n = per[0].N
				}
				return fmt.Sprintf("— not enough runs (n = %d): seeds ≥ %d to place it", n, stats.MinRuns)
			}
			if e == 0 {
				return "never within these epochs (the gap's 95 % CI always includes 0)"
			}
			return fmt.Sprintf("at epoch %d (the first whose 95 %% CI of the gap lies above 0)", e)
		}
		line := fmt.Sprintf("Overfitting: with dropout 0 the train–test gap opens %s; with dropout 0.5 %s.", open(zOpen, zGap), open(dOpen, dGap))
		sm.overfit, sm.zOpen, sm.dOpen = true, zOpen, dOpen
		if i := lastCommon(dGap, zGap); i >= 0 {
			gap := Metric{Name: "gap", Of: func(c *Cell) float64 { return gapAt(c, i) }}
			// Each of the two overfitting comparisons is a family of its own,
			// as it was tested alone.
			gapFam := a.family("overfitting gap")
			cmp := gapFam.compare(fmt.Sprintf("dropout 0 vs 0.5, train–test gap after epoch %d", i+1), gap, gapCells(ms, control, i), gapCells(ms, noDrop, i))
			gapFam.holm()
			line += fmt.Sprintf(" After epoch %d (the last that ≥ %d runs of each arm reached) the gap is %s with dropout 0 and %s with dropout 0.5; dropout 0 minus dropout 0.5: %s.",
				i+1, stats.MinRuns, fmtEst(zGap[i], fmtAcc), fmtEst(dGap[i], fmtAcc), verdict(cmp, pointsDiff))
			// Test accuracy over every run of each arm: one that diverged
			// before epoch e counts at chance there (value).
			e := i + 1
			at := testAccAfter(e)
			accFam := a.family("overfitting test accuracy")
			ctlCells, zCells := ex8AllCells(ms, control), ex8AllCells(ms, noDrop)
			fin := accFam.compare(fmt.Sprintf("dropout 0 vs 0.5, test accuracy after epoch %d", e), at, ctlCells, zCells)
			accFam.holm()
			sm.epoch, sm.zGap, sm.dGap, sm.gap, sm.acc = e, zGap[i], dGap[i], cmp, fin
			line += fmt.Sprintf(" Test accuracy then (every run): dropout 0 %s, dropout 0.5 %s (difference %s).",
				fmtEst(describe(zCells, at), fmtAcc), fmtEst(describe(ctlCells, at), fmtAcc), verdict(fin, pointsDiff))
		}
		for _, arm := range []*ex8Config{noDrop, control} {
			for _, c := range ex8AllCells(ms, arm) {
				if ex8Verdict(c) == "diverged" {
					line += fmt.Sprintf(" One %s run (seed %.0f) diverged after epoch %d, once it had fit the subset; its earlier epochs count in the gap above, and from then on its test accuracy counts at chance.", ex8Diff(control.cfg, arm.cfg), c.Seed(), len(c.Epochs)-1)
				}
			}
		}
		a.Text = append(a.Text, line)
		a.Blocks = append(a.Blocks, Block{Figures: []Figure{ex8GapFigure(dGap, zGap)}})
	} else {
		a.Text = append(a.Text, "Overfitting: no finished dropout-0 cells at the control's epochs, so the gap is not compared.")
	}

	// Breaking: each change against the control at the same epoch.
	if len(breakers) > 0 {
		ex8Breaking(a, ms, control, breakers, sm)
	}
	// The runs that diverged or never learned, their rate per change and
	// their likely cause (a breaker's rate against the control's).
	if note, t := a.failedRuns("", sectionCells(ms)); note != "" {
		a.Text = append(a.Text, note)
		a.Blocks = append(a.Blocks, Block{Table: t})
	}
}

// ex8AllCells are every cell (done or not) of br's configuration.
func ex8AllCells(ms []*Matrix, br *ex8Config) []*Cell {
	want := br.cfg
	var out []*Cell
	for _, m := range ms {
		for _, c := range m.Cells {
			if !c.ConfigOK {
				continue
			}
			o := c.Config
			o.Seed, o.Backend = want.Seed, want.Backend
			if o.Canonical() == want.Canonical() {
				out = append(out, c)
			}
		}
	}
	return out
}

// ex8GapFigure is the train–test gap per epoch of both arms, mean over
// seeds with its 95 % CI drawn as a band (half-width in place of the sd).
func ex8GapFigure(withDrop, noDrop []stats.MeanCI) Figure {
	n := max(len(withDrop), len(noDrop))
	eps := make([]int, n)
	for i := range eps {
		eps[i] = i + 1
	}
	var series []Series
	for i, arm := range []struct {
		name string
		per  []stats.MeanCI
	}{{"dropout 0", noDrop}, {"dropout 0.5 (d2l)", withDrop}} {
		cv := curve{N: 0}
		for _, e := range arm.per {
			half := 0.0
			if !math.IsNaN(e.Hi) {
				half = (e.Hi - e.Lo) / 2
			}
			cv.Mean, cv.SD = append(cv.Mean, e.Mean), append(cv.SD, half)
			cv.N = max(cv.N, e.N)
		}
		series = append(series, sdBand(arm.name, seriesColor(i), cv)...)
	}
	return Figure{
		Name: "gap", Title: "Train − test accuracy per epoch", Subtitle: "mean over seeds, band = 95 % CI of the mean", Height: 360, Tooltip: "axis",
		Legend: []string{"dropout 0", "dropout 0.5 (d2l)"},
		Panels: []Panel{{
			X:      Axis{Kind: Category, Name: "epoch", Categories: epochLabels(eps)},
			Y:      Axis{Kind: Linear, Name: "train − test accuracy"},
			Series: series,
		}},
	}
}

// ex8Summary collects what exercise 8's plain answer says.
type ex8Summary struct {
	overfit      bool
	zOpen, dOpen int // first epoch whose gap's CI is above 0 (0: never)
	epoch        int
	zGap, dGap   stats.MeanCI
	gap, acc     *Comparison
	breakers     []ex8Breaker
}

// write sets the answer's Summary and Glance: when the train–test gap
// opens with and without dropout and whether dropout changes it, then which
// change breaks training (breakingSummary: run counts and accuracy against
// the control, honest where the control itself had not yet learned).
func (sm *ex8Summary) write(a *Answer, ms []*Matrix) {
	var sum, glance []string
	opens := func(e int) string {
		if e == 0 {
			return "never opens within these epochs"
		}
		return fmt.Sprintf("opens at epoch %d", e)
	}
	if sm.overfit {
		s := fmt.Sprintf("Without dropout the train–test gap %s (the first epoch whose 95 %% CI of the gap lies above 0), with dropout 0.5 it %s", opens(sm.zOpen), opens(sm.dOpen))
		if sm.gap != nil {
			s += fmt.Sprintf("; after epoch %d it is %s without and %s with dropout (train minus test accuracy)", sm.epoch, fmtEstCI(sm.zGap), fmtEstCI(sm.dGap))
		}
		sum = append(sum, s+".")
		if sm.gap != nil {
			switch sm.gap.Verdict {
			case Higher, Lower:
				sum = append(sum, fmt.Sprintf("Removing dropout makes the gap %s by %s.", direction(sm.gap, "higher", "lower"), byCI(sm.gap)))
			case Equivalent:
				sum = append(sum, "With and without dropout the gap is "+outcomeShort(sm.gap)+".")
			default:
				sum = append(sum, "Whether dropout changes the gap this run cannot tell ("+outcomeShort(sm.gap)+").")
			}
		}
		g := fmt.Sprintf("Gap %s without dropout", opens(sm.zOpen))
		if sm.dOpen > 0 {
			g += fmt.Sprintf(", %d with", sm.dOpen)
		}
		glance = append(glance, g)
	}
	if len(sm.breakers) > 0 {
		s, g := sm.breakingSummary()
		sum, glance = append(sum, s...), append(glance, g)
	}
	if len(sum) == 0 {
		return
	}
	if s := quickScale(a, sectionCells(ms)); s != "" {
		sum = append(sum, s)
	}
	a.Summary = strings.Join(sum, " ")
	a.Glance = glanceLine(append(glance, quickTag(a))...)
}

// fmtEstCI is "0.236 (95 % CI 0.208 to 0.264)", or the mean alone below two
// runs.
func fmtEstCI(e stats.MeanCI) string {
	if e.N < 2 || math.IsNaN(e.Lo) {
		return fmtAcc(e.Mean)
	}
	return fmt.Sprintf("%s (95 %% CI %s to %s)", fmtAcc(e.Mean), fmtAcc(e.Lo), fmtAcc(e.Hi))
}
