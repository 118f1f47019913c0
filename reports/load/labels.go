package load

import (
	"fmt"
	"sort"
	"strings"

	"alexbench/harness/config"
)

// label finds the axes and names every cell by them.
func (m *Matrix) label() {
	var withConfig []*Cell
	for _, c := range m.Cells {
		if c.ConfigOK {
			withConfig = append(withConfig, c)
		}
	}
	m.Axes = nil
	for _, k := range config.Keys() {
		if k == "backend" {
			continue // where a cell ran, not what it computed
		}
		first, _ := withConfig0(withConfig).Get(k)
		for _, c := range withConfig {
			if v, _ := c.Config.Get(k); v != first {
				m.Axes = append(m.Axes, k)
				break
			}
		}
	}
	m.Axes = dropModelDetermined(m.Axes, withConfig)
	for _, c := range m.Cells {
		if !c.ConfigOK {
			c.Label = "key " + c.Key
			continue
		}
		var parts []string
		for _, k := range m.Axes {
			if k == "seed" {
				continue
			}
			v, _ := c.Config.Get(k)
			parts = append(parts, k+"="+FormatValue(v))
		}
		if len(parts) == 0 {
			parts = append(parts, c.Config.Model)
		}
		c.Label = strings.Join(parts, " ")
	}
	sort.SliceStable(m.Cells, func(i, j int) bool {
		a, b := m.Cells[i], m.Cells[j]
		if a.Label != b.Label {
			return lessLabel(a, b, m.Axes)
		}
		if a.Config.Seed != b.Config.Seed {
			return a.Config.Seed < b.Config.Seed
		}
		return a.Key < b.Key
	})
}

// dropModelDetermined removes the keys whose value is a function of the
// model (LeNet's lr 0.9 vs AlexNet's 0.01 when the matrix varies model): they
// say nothing the model name does not.
func dropModelDetermined(axes []string, cells []*Cell) []string {
	hasModel := false
	for _, k := range axes {
		hasModel = hasModel || k == "model"
	}
	if !hasModel {
		return axes
	}
	var out []string
	for _, k := range axes {
		if k == "model" || k == "seed" {
			out = append(out, k)
			continue
		}
		byModel := map[string]any{}
		determined := true
		for _, c := range cells {
			v, _ := c.Config.Get(k)
			if prev, ok := byModel[c.Config.Model]; ok && prev != v {
				determined = false
				break
			}
			byModel[c.Config.Model] = v
		}
		if !determined {
			out = append(out, k)
		}
	}
	return out
}

func withConfig0(cs []*Cell) config.Config {
	if len(cs) == 0 {
		return config.Config{}
	}
	return cs[0].Config
}

// lessLabel orders cells by their axis values, numerically where the values
// are numbers (so batch 16 comes before 128).
func lessLabel(a, b *Cell, axes []string) bool {
	for _, k := range axes {
		if k == "seed" {
			continue
		}
		va, oka := a.Value(k)
		vb, okb := b.Value(k)
		if oka != okb {
			return oka
		}
		if !oka || va == vb {
			continue
		}
		if fa, ok := ToFloat(va); ok {
			if fb, ok := ToFloat(vb); ok {
				if fa != fb {
					return fa < fb
				}
				continue
			}
		}
		if sa, sb := FormatValue(va), FormatValue(vb); sa != sb {
			return sa < sb
		}
	}
	return a.Label < b.Label
}

// value is a config key's value for the cell: from its config, else from the
// params the runner recorded.
func (c *Cell) Value(key string) (any, bool) {
	if c.ConfigOK {
		v, err := c.Config.Get(key)
		return v, err == nil
	}
	for _, p := range c.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

func ToFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%g", x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
