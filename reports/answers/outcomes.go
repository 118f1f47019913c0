package answers

import (
	"fmt"
	"strings"

	"alexbench/harness/config"
	"alexbench/harness/diagnose"
	"alexbench/harness/trainer"
	"alexbench/internal/stats"
)

// The runs that diverged or never learned: which they are, why, and how
// each section says so. They stay in every accuracy estimate (value); what
// is here is the rate and the list that go beside those estimates.

// finished tells whether a cell's run ended with an outcome of its own:
// done (at chance or not) or diverged. Crashed, out-of-memory, in-flight
// and unrun cells have none.
func finished(c *Cell) bool { return c.Done() || diverged(c) }

// diverged tells whether the cell's loss became NaN/Inf.
func diverged(c *Cell) bool {
	return c.Summary != nil && c.Summary.Outcome == trainer.OutcomeDiverged
}

// finishedCells are the cells that finished (finished).
func finishedCells(cells []*Cell) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if finished(c) {
			out = append(out, c)
		}
	}
	return out
}

// doneCells are the cells that finished done (at chance or not).
func doneCells(cells []*Cell) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if c.Done() {
			out = append(out, c)
		}
	}
	return out
}

// atChance tells whether a finished cell learned nothing: it ended within
// 0.05 of chance accuracy (its test images' majority-class rate, 0.10 in
// older trees), or its train loss never went below ln 10.
func atChance(c *Cell) bool {
	f := c.Final()
	return c.Done() && diagnose.NeverLearned(f.TestAcc, f.TrainLoss, chanceOf(c))
}

// failed tells whether a finished run diverged or never learned.
func failed(c *Cell) bool { return diverged(c) || atChance(c) }

// lrBaselines are, per model and activation, the rate most of a section's
// runs train at: what a run's rate is compared with when the report names
// its likely cause (its experiment's own rate, not a registry default the
// experiment may never have used). No rate held by most: none to compare.
type lrBaselines map[string]*diagnose.Baseline

func baselinesOf(cells []*Cell) lrBaselines {
	count := map[string]map[float64]int{}
	total := map[string]int{}
	for _, c := range cells {
		if !c.ConfigOK {
			continue
		}
		k := baselineKey(c.Config)
		if count[k] == nil {
			count[k] = map[float64]int{}
		}
		count[k][c.Config.EffectiveLR()]++
		total[k]++
	}
	out := lrBaselines{}
	for k, rates := range count {
		b := &diagnose.Baseline{}
		for lr, n := range rates {
			if 2*n > total[k] {
				b.LR, b.What = lr, fmt.Sprintf("most %s runs of this section train at", k)
			}
		}
		out[k] = b
	}
	return out
}

func baselineKey(c config.Config) string { return c.Model + " " + c.Activation }

// finding is why a cell counts as diverged or never learned, with its
// likely cause ("" when it does not).
func finding(c *Cell, bl lrBaselines) string {
	if !c.ConfigOK || c.Summary == nil {
		return ""
	}
	f := c.Final()
	d, ok := diagnose.Check(diagnose.Run{Config: c.Config, Outcome: c.Outcome(), TestAcc: f.TestAcc, TrainAcc: f.TrainAcc, TrainLoss: f.TrainLoss,
		DivergedEpoch: c.Summary.DivergedEpoch, Baseline: bl[baselineKey(c.Config)], TestMajorityRate: c.TestMajorityRate()})
	if !ok {
		return ""
	}
	return d.String()
}

// failedRuns records in the answer the runs among cells that diverged or
// never learned, with why, and returns the sentence (their rate overall
// and per configuration, each with its 95 % Wilson CI, and that they count
// in the estimates) and the table that list them ("", nil when none).
func (a *Answer) failedRuns(prefix string, cells []*Cell) (note string, t *Table) {
	bl := baselinesOf(cells)
	var rows [][]string
	type cfgRate struct {
		name      string
		ran, fail int
	}
	var configs []*cfgRate
	byKey := map[string]*cfgRate{}
	nanDiverged := false
	for _, c := range cells {
		if !finished(c) {
			continue
		}
		k := c.Label
		if c.ConfigOK {
			o := c.Config
			o.Seed, o.Backend = 0, ""
			k = o.Canonical()
		}
		cf := byKey[k]
		if cf == nil {
			cf = &cfgRate{name: plainLabel(c.Label)}
			byKey[k] = cf
			configs = append(configs, cf)
		}
		cf.ran++
		f := finding(c, bl)
		if f == "" {
			continue
		}
		cf.fail++
		nanDiverged = nanDiverged || diverged(c)
		seed, s := "", int64(-1)
		if c.ConfigOK {
			seed, s = fmt.Sprint(c.Config.Seed), c.Config.Seed
		}
		rows = append(rows, []string{plainLabel(c.Label), seed, c.Outcome(), fmtAcc(c.Final().TestAcc), f})
		a.KeptOut = append(a.KeptOut, KeptOut{Label: plainLabel(c.Label), Seed: s, Outcome: c.Outcome(), TestAcc: c.Final().TestAcc, Why: f})
	}
	if len(rows) == 0 {
		return "", nil
	}
	ran := len(finishedCells(cells))
	var per []string
	clean := 0
	for _, cf := range configs {
		if cf.fail == 0 {
			clean++
			continue
		}
		per = append(per, cf.name+" "+rateCI(cf.fail, cf.ran))
	}
	if clean > 0 {
		per = append(per, fmt.Sprintf("none in the other %s", plural(clean, "configuration", "configurations")))
	}
	how := "with the accuracy they ended at"
	if nanDiverged {
		how += fmt.Sprintf(" (a diverged run, at any epoch after its loss became NaN, at chance: %s)", chanceRange(cells))
	}
	note = fmt.Sprintf("%s%d of %s (%s) diverged or never learned (test accuracy within %.2f of chance, %s, or a train loss still at ln 10). "+
		"They are outcomes, not missing data: every accuracy estimate and test in this section includes them %s; times, speeds and memory leave out only the diverged ones, which stopped early. "+
		"Per configuration: %s. Each is listed with its likely cause under “Runs that diverged or never learned”.",
		prefix, len(rows), plural(ran, "finished run", "finished runs"), rateCIShort(len(rows), ran), diagnose.NearChance, chanceRange(cells), how, strings.Join(per, "; "))
	return note, &Table{Caption: prefix + "Runs that diverged or never learned", Head: []string{"configuration", "seed", "outcome", "test acc", "why"},
		Right: []bool{false, true, false, true, false}, Rows: rows}
}

// rateCI is "3 of 3 (100%, 95% CI 44%–100%)": k of n runs with the Wilson
// interval of the rate.
func rateCI(k, n int) string { return fmt.Sprintf("%d of %d (%s)", k, n, rateCIShort(k, n)) }

// rateCIShort is "100%, 95% CI 44%–100%".
func rateCIShort(k, n int) string {
	p, lo, hi := stats.Proportion(k, n)
	return fmt.Sprintf("%s, 95%% CI %s–%s", fmtPct(p), fmtPct(lo), fmtPct(hi))
}
