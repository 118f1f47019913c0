//go:build legacy

package reports

import (
	"alexbench/harness/profile"
	"path/filepath"
	"strings"
	"testing"
)

func TestE4FromProfiles(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(p *profile.File)
		want   []string
		absent []string
	}{
		{
			name: "measured AlexNet at batch 128",
			edit: func(p *profile.File) {},
			want: []string{
				// harness/profile's words: the one text of these answers.
				"the fully connected part holds 92.0 % of the parameter bytes",
				"% of it in the convolutional part",
				"ridge at 10.0 FLOP/byte",
				`<span class="status status-measured">measured</span>`,
				`id="chart-d2l-ex-1-3-roofline"`,
			},
		},
		{
			name:   "no ceilings: no roofline, no bound claimed",
			edit:   func(p *profile.File) { p.Ceilings = profile.Ceilings{} },
			want:   []string{"the profile has no measured ceilings, so no layer is classified"},
			absent: []string{`id="chart-d2l-ex-1-3-roofline"`, "memory-bound:"},
		},
		{
			name: "layers not timed: partial, no time claims",
			edit: func(p *profile.File) {
				for i := range p.Layers {
					p.Layers[i].FwdMs, p.Layers[i].FwdBwdMs = 0, 0
				}
			},
			want:   []string{`<span class="status status-partial">partial</span>`, "not measured</td>"},
			absent: []string{"layer by layer, the convolutional part takes", "Training vs inference: summed over layers"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "results")
			p := fixtureProfile(t, 128)
			c.edit(&p)
			writeJSONFile(t, filepath.Join(root, "profile", "alexnet-b128.json"), p)
			html := string(renderFixture(t, root))
			i := strings.Index(html, `<section id="d2l-ex-1-1"`)
			j := strings.Index(html, `<section id="d2l-ex-2"`)
			e4 := html[i:j]
			for _, w := range c.want {
				if !strings.Contains(e4, w) {
					t.Errorf("E4 lacks %q", w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(e4, a) {
					t.Errorf("E4 has %q", a)
				}
			}
		})
	}
}
