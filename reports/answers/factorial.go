package answers

import (
	"alexbench/harness/config"
	"alexbench/reports/load"
	"fmt"
	"math"
	"sort"
	"strings"

	"alexbench/internal/stats"
)

// A factorial matrix (two or more axes besides the seed) is analysed by
// matched comparisons: the effect of a factor's level against its base is
// measured in every block, a block being one setting of all the other
// factors and one seed, so everything but the factor is held fixed and the
// pairs share their seed (stats.Compare pairs them). Every finished run
// counts, those at chance and diverged with the accuracy they ended at
// (value); blocks where either cell did not finish drop out of that
// estimate. An interaction A × B compares A's effect at B's base with its
// effect at another level of B, again per block (the other factors and the
// seed). Where an interaction is significant, or where one level of a
// factor has many more runs that diverged, never learned or did not finish
// than another (it trains in another regime), the other factors' effects
// are reported within each of its levels (strata) rather than averaged
// over them.

type fLevel struct {
	value string
	raw   any
}

type fFactor struct {
	key    string
	levels []fLevel // base first
}

type fCell struct {
	c      *Cell
	levels map[string]string
	seed   string
	ok     bool // finished with a value (value), at chance or not
	failed bool // diverged or never learned (failed)
}

type factorial struct {
	factors []*fFactor
	cells   []*fCell
	m       Metric  // the metric, as value reads it and the comparisons record it
	mat     *Matrix // the matrix the cells are of
}

// factorsOf are the matrix's varied keys that are factors: the axes, seed
// left out, and keys whose value follows another axis (LeNet's lr follows
// its activation) folded into that axis.
func factorsOf(m *Matrix) []string {
	var keys []string
	for _, k := range m.Axes {
		if k != "seed" {
			keys = append(keys, k)
		}
	}
	var out []string
	for _, k := range keys {
		if determinedBy(m, k, keys) == "" {
			out = append(out, k)
		}
	}
	return out
}

// determinedBy is another of keys whose value determines k's in every
// configured cell (and that k does not determine back, unless it comes
// first), "" if none.
func determinedBy(m *Matrix, k string, keys []string) string {
	for _, other := range keys {
		if other == k {
			continue
		}
		if functionOf(m, k, other) && (!functionOf(m, other, k) || indexOf(keys, other) < indexOf(keys, k)) {
			return other
		}
	}
	return ""
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// functionOf tells whether k's value is a function of by's over the cells.
func functionOf(m *Matrix, k, by string) bool {
	seen := map[string]string{}
	for _, c := range m.Cells {
		if !c.ConfigOK {
			continue
		}
		bv, _ := c.Config.Get(by)
		kv, _ := c.Config.Get(k)
		b, v := formatValue(bv), formatValue(kv)
		if prev, ok := seen[b]; ok && prev != v {
			return false
		}
		seen[b] = v
	}
	return true
}

func newFactorial(m *Matrix, metric Metric) *factorial {
	fa := &factorial{m: metric, mat: m}
	keys := factorsOf(m)
	def, hasDef := matrixDefault(m)
	for _, k := range keys {
		f := &fFactor{key: k}
		seen := map[string]bool{}
		for _, c := range m.Cells {
			if !c.ConfigOK {
				continue
			}
			v, _ := c.Config.Get(k)
			sv := formatValue(v)
			if !seen[sv] {
				seen[sv] = true
				f.levels = append(f.levels, fLevel{sv, v})
			}
		}
		sort.SliceStable(f.levels, func(i, j int) bool {
			a, aok := load.ToFloat(f.levels[i].raw)
			b, bok := load.ToFloat(f.levels[j].raw)
			if aok && bok {
				return a < b
			}
			return f.levels[i].value < f.levels[j].value
		})
		// The model's d2l default (LeNet: sigmoid, average pooling, no
		// dropout, raw inputs) is the base level, so effects read as
		// "changing d2l's choice to X".
		if hasDef {
			dv, _ := def.Get(k)
			for i, l := range f.levels {
				if l.value == formatValue(dv) && i > 0 {
					f.levels = append([]fLevel{l}, append(f.levels[:i:i], f.levels[i+1:]...)...)
					break
				}
			}
		}
		fa.factors = append(fa.factors, f)
	}
	for _, c := range m.Cells {
		if !c.ConfigOK {
			continue
		}
		_, ok := value(c, metric)
		fc := &fCell{c: c, levels: map[string]string{}, seed: seedKey(c), ok: ok, failed: failed(c)}
		for _, f := range fa.factors {
			v, _ := c.Config.Get(f.key)
			fc.levels[f.key] = formatValue(v)
		}
		fa.cells = append(fa.cells, fc)
	}
	return fa
}

// value is the cell's value of the factorial's metric (ok cells only).
func (fa *factorial) value(fc *fCell) float64 {
	v, _ := value(fc.c, fa.m)
	return v
}

func (fa *factorial) factor(key string) *fFactor {
	for _, f := range fa.factors {
		if f.key == key {
			return f
		}
	}
	return nil
}

// blockKey is the cell's levels of every factor but skip, and its seed.
func (fa *factorial) blockKey(fc *fCell, skip ...string) string {
	var parts []string
	for _, f := range fa.factors {
		if hasKey(skip, f.key) {
			continue
		}
		parts = append(parts, f.key+"="+fc.levels[f.key])
	}
	parts = append(parts, "seed="+fc.seed)
	return strings.Join(parts, " ")
}

// within tells whether the cell is in the stratum (key → level).
func within(fc *fCell, stratum map[string]string) bool {
	for k, v := range stratum {
		if fc.levels[k] != v {
			return false
		}
	}
	return true
}

// effect is level lvl of f against its base within stratum, matched by block.
type effect struct {
	factor, level, base string
	stratum             map[string]string
	only                map[string]string // other factors whose matched blocks all sit at one of their levels
	cmp                 *Comparison
	meanBase, meanLevel float64 // over the matched blocks
	missing             int     // runs in the stratum at either level that ran but did not finish
}

func (fa *factorial) effect(f *fFactor, lvl string, stratum map[string]string) effect {
	base := f.levels[0].value
	e := effect{factor: f.key, level: lvl, base: base, stratum: stratum}
	at := map[string]map[string]float64{base: {}, lvl: {}}
	baseCell := map[string]*fCell{} // block → its cell at the base level
	for _, fc := range fa.cells {
		v := fc.levels[f.key]
		if (v != base && v != lvl) || !within(fc, stratum) {
			continue
		}
		if !fc.ok {
			if fc.c.Summary != nil {
				e.missing++
			}
			continue
		}
		k := fa.blockKey(fc, f.key)
		at[v][k] = fa.value(fc)
		if v == base {
			baseCell[k] = fc
		}
	}
	var a, b stats.Sample
	seen := map[string]map[string]bool{} // factor → its levels among the matched blocks
	for _, k := range sortedKeys(at[base]) {
		if y, ok := at[lvl][k]; ok {
			a.Values, a.Keys = append(a.Values, at[base][k]), append(a.Keys, k)
			b.Values, b.Keys = append(b.Values, y), append(b.Keys, k)
			for fk, fv := range baseCell[k].levels {
				if seen[fk] == nil {
					seen[fk] = map[string]bool{}
				}
				seen[fk][fv] = true
			}
		}
	}
	// Where the design pairs the two levels only at one level of another
	// factor (an exclude rule left the other combinations out), the effect
	// is measured there alone, and its name says so.
	for _, g := range fa.factors {
		if _, in := stratum[g.key]; in || g == f || len(g.levels) < 2 || len(seen[g.key]) != 1 {
			continue
		}
		if e.only == nil {
			e.only = map[string]string{}
		}
		for v := range seen[g.key] {
			e.only[g.key] = v
		}
	}
	e.cmp = &Comparison{Comparison: stats.Compare(a, b)}
	e.meanBase, e.meanLevel = stats.Mean(a.Values), stats.Mean(b.Values)
	return e
}

// interaction is A's effect (level la vs base) at B's level lb against at
// B's base: Diff is (effect at lb) − (effect at base), matched by block.
type interaction struct {
	a, la, b, lb string
	cmp          *Comparison
}

func (fa *factorial) interaction(A *fFactor, la string, B *fFactor, lb string) interaction {
	ab, bb := A.levels[0].value, B.levels[0].value
	y := map[[2]string]map[string]float64{}
	for _, fc := range fa.cells {
		va, vb := fc.levels[A.key], fc.levels[B.key]
		if !fc.ok || (va != ab && va != la) || (vb != bb && vb != lb) {
			continue
		}
		k := [2]string{va, vb}
		if y[k] == nil {
			y[k] = map[string]float64{}
		}
		y[k][fa.blockKey(fc, A.key, B.key)] = fa.value(fc)
	}
	var atBase, atLevel stats.Sample
	for _, blk := range sortedKeys(y[[2]string{ab, bb}]) {
		y00, ok1 := y[[2]string{ab, bb}][blk]
		y10, ok2 := y[[2]string{la, bb}][blk]
		y01, ok3 := y[[2]string{ab, lb}][blk]
		y11, ok4 := y[[2]string{la, lb}][blk]
		if ok1 && ok2 && ok3 && ok4 {
			atBase.Values, atBase.Keys = append(atBase.Values, y10-y00), append(atBase.Keys, blk)
			atLevel.Values, atLevel.Keys = append(atLevel.Values, y11-y01), append(atLevel.Keys, blk)
		}
	}
	return interaction{a: A.key, la: la, b: B.key, lb: lb, cmp: &Comparison{Comparison: stats.Compare(atBase, atLevel)}}
}

// interactions tests every pair of factors, each non-base level pair.
func (fa *factorial) interactions(fam *family) []interaction {
	var out []interaction
	for i, A := range fa.factors {
		for _, B := range fa.factors[i+1:] {
			for _, la := range A.levels[1:] {
				for _, lb := range B.levels[1:] {
					if !fa.designed(A.key, la.value, B.key, lb.value) {
						continue // the matrix excludes that combination: nothing to compare
					}
					in := fa.interaction(A, la.value, B, lb.value)
					in.cmp = fam.add(fmt.Sprintf("%s × %s", plainSetting(in.a, in.la), plainSetting(in.b, in.lb)), fa.m, in.cmp.Comparison)
					out = append(out, in)
				}
			}
		}
	}
	return out
}

// designed tells whether the design has a complete block for the
// interaction of a at va with b at vb: all four combinations of (base, va)
// and (base, vb) at one setting of the other factors. An exclude rule may
// leave a combination out (exercise 6 leaves out linear scaling at its
// reference batch, where both rules are one; exercise 7 makes each change
// one at a time), and then there is nothing to compare.
func (fa *factorial) designed(a, va, b, vb string) bool {
	A, B := fa.factor(a), fa.factor(b)
	if A == nil || B == nil {
		return false
	}
	ab, bb := A.levels[0].value, B.levels[0].value
	has := map[[3]string]bool{} // (a's level, b's level, block) → a cell there
	for _, fc := range fa.cells {
		has[[3]string{fc.levels[a], fc.levels[b], fa.blockKey(fc, a, b)}] = true
	}
	for _, fc := range fa.cells {
		if fc.levels[a] != va || fc.levels[b] != vb {
			continue
		}
		blk := fa.blockKey(fc, a, b)
		if has[[3]string{ab, vb, blk}] && has[[3]string{va, bb, blk}] && has[[3]string{ab, bb, blk}] {
			return true
		}
	}
	return false
}

// recipeFactor is a factor that carries another varied config key with it
// (LeNet's learning rate follows its activation: 0.9 for sigmoid, 0.1 for
// ReLU), and that key; nil if none. Such a factor's levels are recipes, not
// one knob, so the design stratifies by it before any test is run.
func (fa *factorial) recipeFactor() (*fFactor, string) {
	for _, g := range fa.factors {
		for _, k := range config.Keys() {
			if k == "seed" || k == "backend" || fa.factor(k) != nil || !variesIn(fa.mat, k) {
				continue
			}
			if functionOf(fa.mat, k, g.key) {
				return g, k
			}
		}
	}
	return nil, ""
}

// keyWords is a config key as prose names it.
func keyWords(k string) string {
	if k == "lr" {
		return "learning rate"
	}
	return strings.ReplaceAll(k, "_", " ")
}

// variesIn tells whether key k takes more than one value over the cells.
func variesIn(m *Matrix, k string) bool {
	first, set := "", false
	for _, c := range m.Cells {
		if !c.ConfigOK {
			continue
		}
		v, _ := c.Config.Get(k)
		if sv := formatValue(v); !set {
			first, set = sv, true
		} else if sv != first {
			return true
		}
	}
	return false
}

// troubleShare is the largest share of runs at one level of f that
// diverged, never learned or did not finish, that level, and the smallest
// share at any level.
func (fa *factorial) troubleShare(f *fFactor) (share float64, level string, least float64) {
	least = 1
	for _, l := range f.levels {
		ran, out := 0, 0
		for _, fc := range fa.cells {
			if fc.levels[f.key] != l.value || fc.c.Summary == nil {
				continue
			}
			ran++
			if !fc.ok || fc.failed {
				out++
			}
		}
		if ran == 0 {
			continue
		}
		sh := float64(out) / float64(ran)
		if sh > share {
			share, level = sh, l.value
		}
		least = math.Min(least, sh)
	}
	return share, level, least
}

// troubleGap is how much more of one level's runs than of another's must
// have diverged, never learned or not finished before runs are stratified
// by the factor: that level then trains in another regime (often not at
// all), where the other factors' effects need not be those of the level
// that learns, so averaging over the factor would mix the two. The runs
// still count in every effect; only where the effects are reported moves.
const troubleGap = 0.25

// strataFactor picks the factor to stratify by: the one in the most
// significant interactions (smallest p on a tie), else one with a level
// whose runs diverged, never learned or did not finish far more often than
// another's (troubleGap); nil for none. why says which.
func (fa *factorial) strataFactor(ins []interaction) (f *fFactor, why string) {
	if g, key := fa.recipeFactor(); g != nil {
		var parts []string
		for _, l := range g.levels {
			for _, fc := range fa.cells {
				if fc.levels[g.key] == l.value && fc.c.ConfigOK {
					v, _ := fc.c.Config.Get(key)
					parts = append(parts, plainSetting(g.key, l.value)+" "+plainSetting(key, formatValue(v)))
					break
				}
			}
		}
		return g, fmt.Sprintf("each %s trains with its own %s (%s), so the levels are different recipes, and one effect averaged over them would describe neither", strings.ReplaceAll(g.key, "_", " "), keyWords(key), strings.Join(parts, ", "))
	}
	count := map[string]int{}
	best := map[string]float64{}
	for _, in := range ins {
		if !in.cmp.Significant() {
			continue
		}
		for _, k := range []string{in.a, in.b} {
			count[k]++
			if p, ok := best[k]; !ok || in.cmp.PAdj < p {
				best[k] = in.cmp.PAdj
			}
		}
	}
	var pick string
	for _, g := range fa.factors {
		k := g.key
		if count[k] == 0 {
			continue
		}
		if pick == "" || count[k] > count[pick] || (count[k] == count[pick] && best[k] < best[pick]) {
			pick = k
		}
	}
	if pick != "" {
		return fa.factor(pick), fmt.Sprintf("%s interacts significantly with %s", pick, plural(count[pick], "other factor", "other factors"))
	}
	var gap, share, least float64
	var lvl string
	for _, g := range fa.factors {
		if s, l, lo := fa.troubleShare(g); s-lo >= troubleGap && s-lo > gap {
			f, gap, share, least, lvl = g, s-lo, s, lo, l
		}
	}
	if f != nil {
		return f, fmt.Sprintf("%.0f%% of the %s runs diverged, never learned or did not finish against %.0f%% at another level, so that level trains in another regime and averaging over %s would mix the two (those runs still count, at the accuracy they ended at)", 100*share, plainSetting(f.key, lvl), 100*least, strings.ReplaceAll(f.key, "_", " "))
	}
	return nil, ""
}

// scope is where the effect was measured: its stratum and the levels the
// design held the other factors at.
func (e effect) scope() map[string]string {
	if len(e.only) == 0 {
		return e.stratum
	}
	out := map[string]string{}
	for k, v := range e.stratum {
		out[k] = v
	}
	for k, v := range e.only {
		out[k] = v
	}
	return out
}

// scopeWords is where the effect was measured, in words: "within ReLU, with
// raw inputs" (its stratum, then the levels the design held the other
// factors at), "with dropout 0", or "" for everywhere.
func (e effect) scopeWords() string {
	var parts []string
	if len(e.stratum) > 0 {
		parts = append(parts, "within "+stratumName(e.stratum))
	}
	if len(e.only) > 0 {
		parts = append(parts, "with "+stratumName(e.only))
	}
	return strings.Join(parts, ", ")
}

func stratumName(st map[string]string) string {
	if len(st) == 0 {
		return "all"
	}
	var parts []string
	for _, k := range sortedKeys(st) {
		parts = append(parts, plainSetting(k, st[k]))
	}
	return strings.Join(parts, ", ")
}
