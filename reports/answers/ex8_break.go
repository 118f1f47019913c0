package answers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// Exercise 8's second question, breaking training: each change to d2l's
// recipe against the control at the same epoch. Every run counts (one that
// diverged or sat at chance is the change's outcome), and a change is
// called broken only where that cannot be mistaken for slow: its every run
// diverged (a NaN loss never recovers), or failed while the control had
// clearly learned by the same epoch.

// ex8Verdict reads one run's curve: diverged (the outcome, or a non-finite
// loss), stuck at chance (final test accuracy within 0.05 of 0.10, or a
// last train loss still at ln 10: the runs failedRuns lists), or fine.
func ex8Verdict(c *Cell) string {
	if c.Outcome() == trainer.OutcomeDiverged {
		return "diverged"
	}
	f := c.Final()
	if math.IsNaN(f.TrainLoss) || math.IsInf(f.TrainLoss, 0) {
		return "diverged"
	}
	if isNearChance(f.TestAcc) || atChance(c) {
		return "stuck at chance"
	}
	return "fine"
}

// finalAccMetric is a breaker's final test accuracy: for a run that
// diverged, the accuracy it measured last (value puts it at chance where
// it measured none).
var finalAccMetric = Metric{Name: "test_acc", Of: finalTestAcc}

// testAccAfter is a run's test accuracy after epoch e: the control's at a
// breaker's last epoch, an arm's at the overfitting comparison's. A run
// that diverged before e counts at chance there (value).
func testAccAfter(e int) Metric {
	return Metric{Name: "test_acc", Of: func(c *Cell) float64 { return testAccAt(c, e) }}
}

// learnedMargin is how far above chance the lower end of the control's 95 %
// CI must lie before a change whose runs sit at chance is called broken:
// below it the control may itself have barely started, and a run at chance
// is as likely slow as broken.
const learnedMargin = 0.10

// learned tells whether the control had clearly learned: its test
// accuracy's 95 % CI lies above chance + learnedMargin.
func learned(ctl stats.MeanCI) bool {
	return ctl.N >= 2 && !math.IsNaN(ctl.Lo) && ctl.Lo > chanceAcc+learnedMargin
}

// ex8Breaker is one change to the recipe as the text and summary read it.
type ex8Breaker struct {
	label               string
	n, diverged, chance int
	epochs              int
	control             stats.MeanCI // the control's test accuracy at the same epoch
	cmp                 *Comparison
}

// failedAll tells whether every run diverged or sat at chance.
func (br ex8Breaker) failedAll() bool { return br.n > 0 && br.diverged+br.chance == br.n }

// broken tells whether the change can be called broken: every run
// diverged, or every run failed while the control had clearly learned.
func (br ex8Breaker) broken() bool {
	return br.n > 0 && (br.diverged == br.n || (br.failedAll() && learned(br.control)))
}

// counts is "diverged in 2, at chance in 1".
func (br ex8Breaker) counts() string {
	var p []string
	if br.diverged > 0 {
		p = append(p, fmt.Sprintf("diverged in %d", br.diverged))
	}
	if br.chance > 0 {
		p = append(p, fmt.Sprintf("at chance in %d", br.chance))
	}
	return strings.Join(p, ", ")
}

// ex8Breaking compares every breaker with the control (one Holm family),
// writes the table and the paragraph, and hands the summary its breakers.
func ex8Breaking(a *Answer, ms []*Matrix, control *ex8Config, breakers []*ex8Config, sm *ex8Summary) {
	t := &Table{Caption: "What breaks training: each run's verdict from its curve, and final test accuracy over every run (diverged and stuck ones included) against the control's at the same epoch (paired by seed)",
		Head:  []string{"change to d2l's recipe", "runs", "verdicts", "final test acc", "control at that epoch", "difference (Holm within this table)"},
		Right: []bool{false, true, false, true, true, false}}
	fam := a.family("breaking")
	cmps := make([]*Comparison, len(breakers))
	for i, br := range breakers {
		cmps[i] = fam.add(br.label+" vs the control", finalAccMetric,
			stats.Compare(sample(control.cells, testAccAfter(br.cfg.Epochs)), sample(br.cells, finalAccMetric)))
	}
	fam.holm()
	var broke, fine []string
	unclear := map[int][]string{} // by epoch: failed in every run, control not yet learned
	for i, br := range breakers {
		verdicts := map[string]int{}
		for _, c := range ex8AllCells(ms, br) {
			if finished(c) {
				verdicts[ex8Verdict(c)]++
			}
		}
		var parts []string
		for _, v := range []string{"diverged", "stuck at chance", "fine"} {
			if verdicts[v] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", v, verdicts[v]))
			}
		}
		e := br.cfg.Epochs
		b := ex8Breaker{label: br.label, n: verdicts["diverged"] + verdicts["stuck at chance"] + verdicts["fine"], diverged: verdicts["diverged"],
			chance: verdicts["stuck at chance"], epochs: e, control: describe(control.cells, testAccAfter(e)), cmp: cmps[i]}
		sm.breakers = append(sm.breakers, b)
		t.Rows = append(t.Rows, []string{br.label, fmt.Sprint(b.n), strings.Join(parts, ", "),
			fmtEst(describe(br.cells, finalAccMetric), fmtAcc), fmtEst(b.control, fmtAcc), verdict(cmps[i], pointsDiff)})
		what := fmt.Sprintf("%s (%s of %d runs; vs the control: %s)", br.label, b.counts(), b.n, verdict(cmps[i], pointsDiff))
		switch {
		case b.n == 0:
		case b.broken():
			broke = append(broke, what)
		case b.failedAll():
			unclear[e] = append(unclear[e], what)
		default:
			fine = append(fine, fmt.Sprintf("%s (%s of %d runs; final test accuracy vs the control's at epoch %d: %s)", br.label, strings.Join(parts, ", "), b.n, e, verdict(cmps[i], pointsDiff)))
		}
	}
	ans := "Breaking training (d2l's recipe as the control, each change alone; verdicts from each run's curve: diverged = a non-finite loss, stuck at chance = final test accuracy within 0.05 of 0.10, or a last train loss still at ln 10; every run counts in the final test accuracy, a diverged one at the accuracy it measured last): "
	var said []string
	if len(broke) > 0 {
		said = append(said, "these break it in every run (diverged, or failed while the control had clearly learned): "+strings.Join(broke, "; ")+".")
	}
	for _, e := range sortedIntKeys(unclear) {
		ctl := describe(control.cells, testAccAfter(e))
		said = append(said, fmt.Sprintf("These ended every run at chance or diverged, but the control itself had not clearly learned by epoch %d (test accuracy %s; the lower end of its CI is not above %.2f, chance + %.2f), so broken cannot be told from slow: %s.",
			e, fmtAccCIFlat(ctl), chanceAcc+learnedMargin, learnedMargin, strings.Join(unclear[e], "; ")))
	}
	if len(said) == 0 {
		said = append(said, "no change broke every run.")
	}
	ans += strings.Join(said, " ")
	if len(fine) > 0 {
		ans += " Still training in some runs: " + strings.Join(fine, "; ") + "."
	}
	a.Text = append(a.Text, ans)
	a.Blocks = append(a.Blocks, Block{Table: t})
}

// breakingSummary is what the plain answer says of the breakers, and its
// part of the glance line.
func (sm *ex8Summary) breakingSummary() (sum []string, glance string) {
	var broke, unclear, partly []string
	var unclearCtl *ex8Breaker
	nb := 0
	for i, br := range sm.breakers {
		what := fmt.Sprintf("%s (%s of %d runs)", br.label, br.counts(), br.n)
		switch {
		case br.n == 0:
		case br.broken():
			nb++
			broke = append(broke, what)
		case br.failedAll():
			unclear = append(unclear, what)
			if unclearCtl == nil || br.control.Mean < unclearCtl.control.Mean {
				unclearCtl = &sm.breakers[i]
			}
		case br.diverged+br.chance > 0:
			partly = append(partly, what)
		}
	}
	var s []string
	if len(broke) > 0 {
		s = append(s, "Each of these changes alone broke training in every run: "+strings.Join(broke, "; ")+".")
	}
	if len(unclear) > 0 {
		s = append(s, fmt.Sprintf("These left every run at chance or diverged, but the control itself had not clearly learned by epoch %d, where they stopped: its test accuracy was %s, so whether they broke training or only slowed it these runs cannot tell: %s.",
			unclearCtl.epochs, fmtEstCI(unclearCtl.control), strings.Join(unclear, "; ")))
	}
	if len(broke) == 0 && len(unclear) == 0 {
		s = append(s, "No single change left every run diverged or at chance.")
	}
	if len(partly) > 0 {
		s = append(s, "In some runs only: "+strings.Join(partly, "; ")+".")
	}
	var against []string
	for _, br := range sm.breakers {
		if br.cmp.Enough {
			against = append(against, fmt.Sprintf("%s %s", br.label, outcomeShort(br.cmp)))
		}
	}
	if len(against) > 0 {
		s = append(s, fmt.Sprintf("Final test accuracy over every run against the control's at the same epoch: %s.", strings.Join(against, "; ")))
	} else {
		s = append(s, fmt.Sprintf("(Run counts, not tests: no change has the %d finished runs a comparison of accuracy with the control needs.)", stats.MinRuns))
	}
	glance = fmt.Sprintf("%d of %d changes broke every run", nb, len(sm.breakers))
	if unclearCtl != nil {
		// One part, so the line never states the failures without it.
		glance += fmt.Sprintf(", %d more unclear (control only %s)", len(unclear), fmtAcc(unclearCtl.control.Mean))
	}
	return s, glance
}

// fmtAccCIFlat is "0.265, 95 % CI -0.012 to 0.542", for inside
// parentheses; the mean alone below two runs.
func fmtAccCIFlat(e stats.MeanCI) string {
	if e.N < 2 || math.IsNaN(e.Lo) {
		return fmtAcc(e.Mean)
	}
	return fmt.Sprintf("%s, 95 %% CI %s to %s", fmtAcc(e.Mean), fmtAcc(e.Lo), fmtAcc(e.Hi))
}

// sortedIntKeys are m's keys in increasing order.
func sortedIntKeys[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}
