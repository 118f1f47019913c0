package answers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"alexbench/harness/config"
	"alexbench/internal/stats"
)

// The plain-words answers (Summary, Glance) of the training exercises
// (4–8) are built from these pieces, so every one states a comparison the
// same way: a direction only with its effect and 95 % CI, "the same within
// ±1 point" only for an equivalence, and for anything else that the run
// cannot tell and what it could have found.

// glanceMax is the longest a Glance line may be (the table at the top of
// the page has one line per exercise).
const glanceMax = 120

// effectShort is a comparison's effect as the answers print it: "+4.0
// points", "0.36×".
func effectShort(c *Comparison) string {
	switch c.Unit {
	case "ratio":
		return ratioDiff(c.Diff)
	case "points":
		return pointsDiff(c.Diff)
	}
	return fmt.Sprintf("%+.3g %s", c.Diff, c.Unit)
}

// effectCI is the effect with its 95 % CI in short form: "+4.0 points
// (95 % CI +2.5 to +5.5)", "0.36× (95 % CI 0.35× to 0.38×)".
func effectCI(c *Comparison) string {
	bound := func(x float64) string {
		switch c.Unit {
		case "ratio":
			return ratioDiff(x)
		case "points":
			return strings.TrimSuffix(pointsDiff(x), " points")
		}
		return fmt.Sprintf("%+.3g", x)
	}
	return withFLOPs(fmt.Sprintf("%s (95 %% CI %s to %s)", effectShort(c), bound(c.Lo), bound(c.Hi)), c)
}

// byCI is a decided difference after a word that already gives its sign
// ("lowers test accuracy by 4.7 points (95 % CI 3.4 to 6.0)", not "by
// -4.7 points"): in points the magnitude and its CI; other units as
// effectCI writes them.
func byCI(c *Comparison) string {
	if c.Unit != "points" || math.IsNaN(c.Diff) {
		return effectCI(c)
	}
	lo, hi := c.Lo, c.Hi
	if c.Diff < 0 {
		lo, hi = -c.Hi, -c.Lo
	}
	return fmt.Sprintf("%.1f points (95 %% CI %.1f to %.1f)", 100*math.Abs(c.Diff), 100*lo, 100*hi)
}

// withFLOPs adds a timing's analytic FLOPs ratio after its effect: "0.36×
// (95 % CI 0.35× to 0.38×), analytic training FLOPs 0.30×".
func withFLOPs(s string, c *Comparison) string {
	if f := flopsBeside(c); f != "" {
		return s + ", " + f
	}
	return s
}

// timesCI is a ratio as a share of the reference's time: "0.25× the
// training time (95 % CI 0.24× to 0.25×)".
func timesCI(c *Comparison, what string) string {
	return withFLOPs(fmt.Sprintf("%s %s (95 %% CI %s to %s)", ratioDiff(c.Diff), what, ratioDiff(c.Lo), ratioDiff(c.Hi)), c)
}

// cannotTell is what an undecided comparison says in a summary: "undecided:
// this profile detects only differences beyond ±4.2 points".
func cannotTell(c *Comparison) string {
	d := c.Detectable
	switch {
	case math.IsNaN(d) || math.IsInf(d, 0):
		return "undecided"
	case c.Unit == "ratio":
		return fmt.Sprintf("undecided: this profile detects only ratios beyond %s either way", fmtRatio(math.Exp(d)))
	case c.Unit == "points":
		return fmt.Sprintf("undecided: this profile detects only differences beyond ±%.1f points", 100*d)
	}
	return fmt.Sprintf("undecided: this profile detects only differences beyond ±%.3g", d)
}

// tooFewRuns is a comparison without enough runs, in a summary.
func tooFewRuns(c *Comparison) string {
	return fmt.Sprintf("not enough runs to compare (n = %d; %d a side needed)", min(c.NA, c.NB), stats.MinRuns)
}

// decided tells whether a comparison states a direction.
func decided(c *Comparison) bool {
	return c != nil && (c.Verdict == Higher || c.Verdict == Lower)
}

// outcomeShort is what any comparison decides, for a summary: its effect
// and CI when higher or lower, "the same within ±1 point (…)" when
// equivalent, else that the run cannot tell or has too few runs.
func outcomeShort(c *Comparison) string {
	switch c.Verdict {
	case Higher, Lower:
		return effectCI(c)
	case Equivalent:
		return fmt.Sprintf("the same within %s: %s", marginWords(c), effectCI(c))
	case Undecided:
		return effectCI(c) + ", " + cannotTell(c)
	case Withheld:
		return effectCI(c) + ", withheld: " + c.Withheld
	}
	return tooFewRuns(c)
}

// minDetectable is the smallest Detectable among cs (NaN when none has
// one): the most sensitive of their designs.
func minDetectable(cs []*Comparison) float64 {
	best := math.NaN()
	for _, c := range cs {
		if c == nil || math.IsNaN(c.Detectable) || math.IsInf(c.Detectable, 0) {
			continue
		}
		if math.IsNaN(best) || c.Detectable < best {
			best = c.Detectable
		}
	}
	return best
}

// quickScale is the one sentence that says what a quick-profile section
// scaled down, from its cells' configs: each model once by its honest name
// (the first cell of it named, so callers put the reference first), the
// epochs and the training images ("" at d2l's scale).
func quickScale(a *Answer, cells []*Cell) string {
	profile := scaledProfile(a.Profiles)
	if a.D2LScale || profile == "" {
		return ""
	}
	seen := map[string]bool{}
	var names []string
	epochs, images := map[int]bool{}, map[int]bool{}
	devices := distinct{}
	for _, c := range cells {
		if !c.ConfigOK || c.Summary == nil {
			continue
		}
		if !seen[c.Config.Model] {
			seen[c.Config.Model] = true
			names = append(names, scaleName(c))
		}
		epochs[c.Config.Epochs] = true
		images[trainImages(c.Config)] = true
		devices.add(strings.Fields(c.Summary.Device + " ?")[0])
	}
	if len(names) == 0 {
		return ""
	}
	caveat := scaleCaveat(profile)
	if profile == "quick profile" && len(devices) == 1 && devices["CPU"] > 0 {
		profile = "CPU quick profile"
	}
	lr := ""
	for _, c := range cells {
		if decays(c) {
			lr = ", the lr decaying linearly to 0 over each run (so each ends on a settled model, not a wandering last SGD step)"
			break
		}
	}
	return fmt.Sprintf("Measured on the %s: %s, %s epochs on %s training images%s — %s.",
		profile, andList(names), orInts(epochs), orInts(images), lr, caveat)
}

// scaleName is a cell's model by its honest name with the recipe's own
// activation, pooling and dropout: its scale, not the variant a section
// varies.
func scaleName(c *Cell) string {
	if len(scaled(c.Config)) == 0 {
		return prettyModel(c.Config.Model)
	}
	cfg := c.Config
	if def, err := config.Default(cfg.Model); err == nil {
		cfg.Activation, cfg.Pool, cfg.Dropout, cfg.BatchNorm = def.Activation, def.Pool, def.Dropout, def.BatchNorm
	}
	return modelName(cfg, cellProfile(c))
}

// orInts is a set of numbers in increasing order: "5", "5 or 6".
func orInts(set map[int]bool) string {
	var xs []int
	for x := range set {
		xs = append(xs, x)
	}
	sort.Ints(xs)
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	if len(out) <= 1 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// glanceLine joins parts with "; " into a Glance line, dropping parts from
// the end until it fits glanceMax (the first part is the answer itself and
// is always kept).
func glanceLine(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	for len(keep) > 1 && len([]rune(strings.Join(keep, "; "))) > glanceMax {
		keep = keep[:len(keep)-1]
	}
	return strings.Join(keep, "; ")
}

// quickTag is the Glance's note of scale: the scaled-down profile a
// section ran ("quick profile", "CPU profile"), else "".
func quickTag(a *Answer) string {
	if a.D2LScale {
		return ""
	}
	return scaledProfile(a.Profiles)
}

// sectionCells are the cells of a section's matrices.
func sectionCells(ms []*Matrix) []*Cell {
	var out []*Cell
	for _, m := range ms {
		out = append(out, m.Cells...)
	}
	return out
}

// d2lAtScale tells whether d2l's printed test accuracy is comparable with a
// cell's: its model at d2l's own size on all of Fashion-MNIST with d2l's
// batch and learning rate, whatever the epochs (exercise 4 varies them).
func d2lAtScale(c *Cell) (d2lRef, bool) {
	if !c.ConfigOK {
		return d2lRef{}, false
	}
	ref, ok := d2lRefs[c.Config.Model]
	if !ok || len(scaled(c.Config)) > 0 || c.Config.TrainLimit != 0 || c.Config.TestLimit != 0 {
		return ref, false
	}
	def, err := config.Default(c.Config.Model)
	return ref, err == nil && c.Config.BatchSize == def.BatchSize && c.Config.EffectiveLR() == def.LR && !decays(c)
}

// decays tells whether c's rate fell over the run (lr_decay), which d2l's
// constant-rate recipe never does.
func decays(c *Cell) bool { return c.ConfigOK && c.Config.LRDecay == config.LRDecayLinear }

// capitalize upper-cases a sentence's first letter.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
