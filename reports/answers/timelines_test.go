package answers

import (
	"path/filepath"
	"testing"

	"alexbench/reports/internal/fixture"
)

// A cell sampled by NVML gets a figure of stacked panels, each with the
// first-step mark (labelled on the top one only) and the time axis named
// under the bottom one.
func TestTimelinesFromNVML(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	cfg := fixture.QuickConfig(t, "alexnet", map[string]any{"batch_size": int64(64)})
	fixture.WriteCell(t, root, 0, fixture.Cell{Matrix: "e3-batch-size", Config: cfg, Outcome: "done", Skill: 0.8, EpochSeconds: 3, NVML: true, MemMiB: 800})
	fixture.WriteCell(t, root, 1, fixture.Cell{Matrix: "e3-batch-size", Config: fixture.QuickConfig(t, "alexnet", nil), Outcome: "done", Skill: 0.8, EpochSeconds: 3, MemMiB: 800})
	a := sectionAnswer(t, root, "nvml")
	if a.Status != Measured || a.Title != "GPU timelines (NVML)" {
		t.Errorf("%s %q %v", a.Status, a.Title, a.Aliases)
	}
	wantText(t, a, "1 cell was recorded by NVML.")
	if len(a.Blocks) != 1 || len(a.Blocks[0].Figures) != 1 {
		t.Fatalf("blocks %+v", a.Blocks)
	}
	f := a.Blocks[0].Figures[0]
	if f.Name != "1" || f.Title != "e3-batch-size · batch_size=64 · "+cfg.Key("quick") || f.Height != 60+3*150+40 || len(f.Panels) != 3 {
		t.Fatalf("figure %q %q %d, %d panels", f.Name, f.Title, f.Height, len(f.Panels))
	}
	for i, p := range f.Panels {
		var marks []Series
		for _, s := range p.Series {
			if s.Kind == VLine {
				marks = append(marks, s)
			} else if len(s.X) == 0 || len(s.X) != len(s.Y) {
				t.Errorf("panel %d series %q: %d x, %d y", i, s.Name, len(s.X), len(s.Y))
			}
		}
		if len(marks) != 1 || marks[0].X[0] != 1.5 || !marks[0].Dashed || (marks[0].Label != "") == (i != 0) {
			t.Errorf("panel %d marks %+v", i, marks)
		}
		if (p.X.Name == "time (s)") != (i == 2) {
			t.Errorf("panel %d x axis named %q", i, p.X.Name)
		}
	}
	if f.Panels[0].Y.Name != "memory (MiB)" || f.Panels[2].Y.Name != "power (W)" {
		t.Errorf("y axes %q, %q", f.Panels[0].Y.Name, f.Panels[2].Y.Name)
	}
}

// Without nvml.csv the section says why, in the summaries' words.
func TestTimelinesRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "nvml")
	want := "No cell has an nvml.csv: NVML timelines are recorded only when a cell runs on an NVIDIA GPU. The cells' summaries say: NVML unavailable: libnvidia-ml.so.1 could not be loaded (ERROR_LIBRARY_NOT_FOUND): no NVIDIA driver on this machine."
	if a.Status != NotMeasured || len(a.Text) != 1 || a.Text[0] != want || len(a.Blocks) != 0 {
		t.Errorf("%s %q", a.Status, a.Text)
	}
}
