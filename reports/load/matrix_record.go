package load

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"alexbench/harness/config"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// The runner writes results/<matrix>/matrix.json (harness.MatrixRecord):
// what the matrix is and which cells each profile plans, so missing cells can
// be listed and cells labelled by the matrix's own axes.

// Param is one key = value that sets a cell apart within its matrix.
type Param = matrix.Param

// readMatrixFiles reads matrix.json into m; it tells whether it was there.
func (res *Results) readMatrixFiles(root string, m *Matrix) bool {
	rel := filepath.Join(m.Folder, results.MatrixFile)
	r, err := results.ReadMatrixRecord(root, m.Folder)
	switch {
	case err != nil:
		res.Problems = append(res.Problems, fmt.Sprintf("%s: %s", rel, relativeError(err, filepath.Join(root, m.Folder))))
		return true
	case r == nil:
		return false
	}
	m.record = r
	if r.Name != "" {
		m.Name = r.Name
	}
	m.Description, m.File = r.Description, r.File
	m.Exercise = ExerciseKey(r.Exercise)
	return true
}

// addPlanned adds the cells matrix.json plans that have no folder yet, as
// missing. The profile is the one this matrix's finished cells ran, else the
// results tree's, else (when the record plans neither) the record's own.
func (m *Matrix) addPlanned(treeProfiles map[string]bool) {
	if m.record == nil {
		return
	}
	profiles := map[string]bool{}
	for _, c := range m.Cells {
		if c.Summary != nil && c.Summary.Profile != "" {
			profiles[c.Summary.Profile] = true
		}
	}
	if len(profiles) == 0 {
		profiles = treeProfiles
	}
	known := false
	for p := range profiles {
		_, ok := m.record.Profiles[p]
		known = known || ok
	}
	if !known { // the matrix was planned for other profiles only: show those
		profiles = map[string]bool{}
		for p := range m.record.Profiles {
			profiles[p] = true
		}
	}
	have := map[string]bool{}
	for _, c := range m.Cells {
		have[c.Key] = true
	}
	for _, p := range slices.Sorted(maps.Keys(profiles)) {
		for _, rc := range m.record.Profiles[p] {
			if !have[rc.Key] {
				have[rc.Key] = true
				m.Cells = append(m.Cells, &Cell{Key: rc.Key})
			}
		}
	}
}

// applyRecord takes the axes and cell labels from matrix.json when it has
// them: they are the matrix's own words, not a guess from the configs.
func (m *Matrix) applyRecord() {
	if m.record == nil {
		return
	}
	params := map[string][]Param{}
	for _, cells := range m.record.Profiles {
		for _, rc := range cells {
			params[rc.Key] = rc.Params
		}
	}
	if len(m.record.Axes) > 0 {
		ok := true
		for _, k := range m.record.Axes {
			ok = ok && config.IsKey(k)
		}
		if ok {
			m.Axes = append([]string(nil), m.record.Axes...)
		}
	}
	for _, c := range m.Cells {
		ps, ok := params[c.Key]
		if !ok {
			continue
		}
		c.Params = ps
		var parts []string
		for _, p := range ps {
			if p.Key != "seed" {
				parts = append(parts, p.Key+"="+FormatValue(p.Value))
			}
		}
		switch {
		case len(parts) > 0:
			c.Label = strings.Join(parts, " ")
		case c.ConfigOK:
			c.Label = c.Config.Model
		default:
			c.Label = "(fixed)"
		}
	}
	sort.SliceStable(m.Cells, func(i, j int) bool {
		a, b := m.Cells[i], m.Cells[j]
		if a.Label != b.Label {
			return lessLabel(a, b, m.Axes)
		}
		if sa, sb := a.Seed(), b.Seed(); sa != sb {
			return sa < sb
		}
		return a.Key < b.Key
	})
}

// seed is the cell's seed from its config, else from its recorded params.
func (c *Cell) Seed() float64 {
	if c.ConfigOK {
		return float64(c.Config.Seed)
	}
	for _, p := range c.Params {
		if p.Key == "seed" {
			if f, ok := ToFloat(p.Value); ok {
				return f
			}
		}
	}
	return -1
}
