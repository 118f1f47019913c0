package matrix

import (
	"errors"
	"fmt"
	"sort"

	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/models"
)

// maxCells bounds a matrix's expansion: a typo must not allocate a billion cells.
const maxCells = 10000

// combo is one point of the matrix before resolution: the axis values it was
// built from (orig) and what include entries added to it.
type combo struct {
	orig  []assign // one per axis, in axis order
	added []assign // include additions, sorted by key
	seeds int      // an include entry's own seeds = n (0: the matrix's)
}

func (c *combo) origValue(key string) (assign, bool) {
	for _, a := range c.orig {
		if a.key == key {
			return a, true
		}
	}
	return assign{}, false
}

// expand turns one profile of a matrix into cells, following GitHub Actions'
// matrix rules:
//   - the axes' cartesian product (first axis outermost);
//   - exclude removes every combination that matches all of an entry's
//     key/values (entries may name axes only);
//   - include adds an entry's values to every combination whose axis values it
//     does not contradict (axis values are never overwritten, values added by an
//     earlier include are); an entry that fits no combination becomes a new one,
//     which later entries do not extend. A matrix without axes runs each
//     include entry as its own cell.
//   - seeds = n then repeats everything with seed 1..n (seed outermost, so a
//     sweep cut short has covered every configuration once); an include
//     entry's own seeds = n replaces it for the combinations that entry
//     extends or creates.
//
// A cell's config is the model's defaults, then [fixed], then the profile's
// scalars, then its axis values, then include additions, then the seed.
func (p *parser) expand(matrix, profile string, r resolved, usedExclude map[string]bool) ([]Cell, error) {
	if err := p.seedOnce(profile, r); err != nil {
		return nil, err
	}
	isAxis := map[string]bool{}
	for _, a := range r.axes {
		isAxis[a.key] = true
	}
	size := 1
	for _, ax := range r.axes {
		size *= len(ax.values)
		if size > maxCells {
			return nil, p.errAt(ax.src, "the axes multiply to more than %d cells (profile %s)", maxCells, profile)
		}
	}
	most := r.seeds
	for _, inc := range r.include {
		if inc.seeds > 0 && r.seeds == 0 {
			return nil, p.errAt(inc.seedsSrc, "an include entry's seeds = n needs the matrix's own seeds = n (profile %s)", profile)
		}
		most = max(most, inc.seeds)
	}
	if n := max(1, most); size*n > maxCells || (size+len(r.include))*n > maxCells {
		return nil, p.errAt("axes", "the matrix expands to more than %d cells (profile %s)", maxCells, profile)
	}
	combos := []*combo{{}}
	if len(r.axes) == 0 && len(r.include) > 0 {
		combos = nil
	}
	for _, ax := range r.axes {
		var next []*combo
		for _, c := range combos {
			for _, v := range ax.values {
				next = append(next, &combo{orig: append(append([]assign{}, c.orig...), v)})
			}
		}
		combos = next
	}

	for _, ex := range r.exclude {
		for _, v := range ex.values {
			if !isAxis[v.key] {
				return nil, p.errAt(v.src, "exclude may name only axes, and %q is not one (profile %s)", v.key, profile)
			}
		}
		kept := combos[:0]
		for _, c := range combos {
			if excludes(ex, c) {
				usedExclude[ex.src] = true
				continue
			}
			kept = append(kept, c)
		}
		combos = kept
	}

	// Only the product's combinations take additions; those an include created
	// stay as written (GitHub's rule: {fruit: banana} and a later
	// {fruit: banana, animal: cat} are two jobs).
	product := len(combos)
	for _, inc := range r.include {
		matched := false
		for _, c := range combos[:product] {
			if !fits(inc, c) {
				continue
			}
			matched = true
			for _, v := range inc.values {
				if !isAxis[v.key] {
					c.added = setAssign(c.added, v)
				}
			}
			if inc.seeds > 0 {
				c.seeds = inc.seeds
			}
		}
		if !matched {
			nc := &combo{seeds: inc.seeds}
			for _, v := range inc.values {
				nc.added = setAssign(nc.added, v)
			}
			combos = append(combos, nc)
		}
	}

	seeds := []assign{{}} // no seed assignment: the fixed / default seed
	if r.seeds > 0 {
		seeds = nil
		for s := 1; s <= most; s++ {
			seeds = append(seeds, assign{"seed", int64(s), r.seedsSrc})
		}
	}

	var cells []Cell
	where := map[string]int{} // key → index in cells
	for i, seed := range seeds {
		for _, c := range combos {
			n := c.seeds // an include entry's own seeds, else the matrix's
			if n == 0 {
				n = r.seeds
			}
			if r.seeds > 0 && i >= n {
				continue // this configuration's seeds end earlier
			}
			cell, err := p.resolve(matrix, profile, r, c, seed)
			if err != nil {
				return nil, err
			}
			if first, dup := where[cell.Key]; dup {
				src := "axes"
				if len(c.added) > 0 {
					src = c.added[0].src
				}
				return nil, p.errAt(src, "cells %q and %q resolve to the same config (profile %s)",
					cells[first].Label(), cell.Label(), profile)
			}
			where[cell.Key] = len(cells)
			cells = append(cells, cell)
		}
	}
	if len(cells) == 0 {
		return nil, p.errAt("exclude", "every cell is excluded (profile %s)", profile)
	}
	return cells, nil
}

// excludes: every key/value of the entry equals the combination's.
func excludes(ex rule, c *combo) bool {
	for _, v := range ex.values {
		o, ok := c.origValue(v.key)
		if !ok || !sameValue(o.value, v.value) {
			return false
		}
	}
	return true
}

// fits: the entry contradicts none of the combination's axis values.
func fits(inc rule, c *combo) bool {
	for _, v := range inc.values {
		if o, ok := c.origValue(v.key); ok && !sameValue(o.value, v.value) {
			return false
		}
	}
	return true
}

func setAssign(list []assign, a assign) []assign {
	for i := range list {
		if list[i].key == a.key {
			list[i] = a
			return list
		}
	}
	list = append(list, a)
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	return list
}

// resolve builds and validates one cell: its config and its spec.
func (p *parser) resolve(matrix, profile string, r resolved, c *combo, seed assign) (Cell, error) {
	var order []assign
	order = append(order, r.fixed...)
	order = append(order, c.orig...)
	order = append(order, c.added...)
	if seed.key != "" {
		order = append(order, seed)
	}
	var params []Param
	for _, a := range c.orig {
		params = append(params, Param{a.key, a.value})
	}
	for _, a := range c.added {
		params = append(params, Param{a.key, a.value})
	}
	if seed.key != "" {
		params = append(params, Param{seed.key, seed.value})
	}
	cell := Cell{Matrix: matrix, Profile: profile, Params: params}
	where := fmt.Sprintf("(profile %s)", profile)
	if len(params) > 0 {
		where = fmt.Sprintf("(cell %s, profile %s)", cell.Label(), profile)
	}

	last := map[string]assign{}
	for _, a := range order {
		last[a.key] = a
	}
	model, ok := last["model"]
	if !ok {
		return cell, p.errAt("fixed", "model is not set: put model in [fixed] or [axes] %s", where)
	}
	name, _ := model.value.(string)
	assigns := make([]config.Assignment, len(order))
	for i, a := range order {
		assigns[i] = config.Assignment{Key: a.key, Value: a.value}
	}
	// Default, the cell's keys in order, the defaults that follow other
	// knobs (LeNet's lr follows its activation) for the keys it did not set,
	// Validate: config.Resolve, as for train's flags.
	cfg, err := config.Resolve(name, assigns)
	var me *config.ModelError
	var se *config.SetError
	switch {
	case errors.As(err, &me):
		return cell, p.errAt(model.src, "%v", me.Err)
	case errors.As(err, &se):
		return cell, p.errAt(order[se.Index].src, "%v", unwrapKeyErr(se.Err))
	case err != nil:
		var ke *config.KeyError
		if !errors.As(err, &ke) {
			return cell, p.errAt(model.src, "%v %s", err, where)
		}
		if a, ok := last[ke.Key]; ok {
			return cell, p.errAt(a.src, "%v %s", ke.Err, where)
		}
		// A default the matrix never set: point at the model that brought it.
		e := p.errAt(model.src, "%v: the default of model %s, which the matrix does not set %s",
			ke.Err, name, where)
		e.Key = ke.Key
		return cell, e
	}
	// The layer stack must fit the input: AlexNet's pooling chain needs
	// resize ≥ 65, LeNet's dense widths are fixed, and so on. The layers
	// built here are the cell's for good (cellspec).
	spec, err := cellspec.New(cfg, profile)
	if err != nil {
		var key string
		if oe := (*models.OptionError)(nil); errors.As(err, &oe) {
			key = oe.Key
		}
		if a, ok := last[key]; ok {
			return cell, p.errAt(a.src, "%v %s", err, where)
		}
		e := p.errAt(model.src, "%v %s", err, where)
		if key != "" {
			e.Key = key
		}
		return cell, e
	}
	cell.Spec = spec
	return cell, nil
}

// String describes a cell for logs.
func (c Cell) String() string {
	return fmt.Sprintf("%s/%s [%s]", c.Matrix, c.Key, c.Label())
}
