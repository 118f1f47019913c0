//go:build legacy

package reports

import (
	"testing"
)

func TestBaselineOfOneKnobMatrix(t *testing.T) {
	type knobs = map[string]any
	cases := []struct {
		name     string
		base     knobs // the matrix's fixed setting
		variants []knobs
		want     int // index into variants
	}{
		{
			name: "quick e2-simplify: baseline first",
			base: knobs{"width": 0.25, "fc_width": int64(512), "resize": int64(67)},
			variants: []knobs{{}, {"width": 0.125}, {"fc_width": int64(128)}, {"conv_layers": int64(3)}, {"resize": int64(96)},
				{"width": 0.125, "fc_width": int64(128), "conv_layers": int64(3)}},
			want: 0,
		},
		{
			name: "full e2-simplify: baseline in the middle, bigger inputs elsewhere",
			base: knobs{},
			variants: []knobs{{"width": 0.5}, {"resize": int64(160)}, {}, {"fc_width": int64(1024)}, {"conv_layers": int64(4)},
				{"width": 0.5, "fc_width": int64(1024), "conv_layers": int64(3), "resize": int64(112)}},
			want: 2,
		},
		{
			name:     "a full grid: d2l's values win the ties",
			base:     knobs{},
			variants: []knobs{{"width": 0.5, "fc_width": int64(256)}, {"width": 0.5}, {"fc_width": int64(256)}, {}},
			want:     3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &Matrix{Folder: "e2-simplify"}
			var vs []*variant
			for i, kv := range c.variants {
				set := map[string]any{}
				for k, v := range c.base {
					set[k] = v
				}
				for k, v := range kv {
					set[k] = v
				}
				cfg := quickConfig(t, "alexnet", set)
				cell := &Cell{Key: string(rune('a' + i)), Config: cfg, ConfigOK: true}
				m.Cells = append(m.Cells, cell)
				vs = append(vs, &variant{name: cell.Key, g: &group{Cells: []*Cell{cell}, Done: []*Cell{cell}}, model: "alexnet", params: float64(i)})
			}
			m.label()
			if got := baseline(vs, []*Matrix{m}); got != vs[c.want] {
				t.Errorf("baseline %s (%s), want %s (%s)", got.name, got.g.Cells[0].Label, vs[c.want].name, vs[c.want].g.Cells[0].Label)
			}
		})
	}
}
