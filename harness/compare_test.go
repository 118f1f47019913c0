package harness

import (
	"alexbench/harness/compare"
	"alexbench/harness/matrix"
	"bytes"
	"strings"
	"testing"
)

func snapCell(matrixName, key, group string, seed int, acc, eps, stepMS float64) compare.SnapshotCell {
	return compare.SnapshotCell{Matrix: matrixName, Key: key, Group: group, Label: "model=alexnet seed=" + itoa(seed),
		Profile: matrix.ProfileFull, Outcome: "done", TestAcc: acc, ExamplesPerSec: eps, StepMillis: stepMS}
}

// baseSnapshot: one 3-seed group (acc 0.87, 0.88, 0.89: sd 0.01) and one single-seed cell.
func baseSnapshot() *compare.Snapshot {
	return &compare.Snapshot{Cells: []compare.SnapshotCell{
		snapCell("e0", "k1", "g1", 1, 0.87, 1000, 6.0),
		snapCell("e0", "k2", "g1", 2, 0.88, 1010, 6.1),
		snapCell("e0", "k3", "g1", 3, 0.89, 990, 5.9),
		snapCell("e5", "k4", "g4", 1, 0.80, 20000, 0.8),
	}}
}

// compareSnapshots compares two snapshots as the CLI does: as baselines of
// one card, per configuration.
func compareSnapshots(t *testing.T, base, cur *compare.Snapshot) *compare.CompareReport {
	t.Helper()
	asBaseline := func(s *compare.Snapshot) *compare.Baseline {
		b := &compare.Baseline{Card: "card", Source: "snapshot"}
		for _, c := range s.Cells {
			b.Cells = append(b.Cells, compare.BaselineCell{SnapshotCell: c})
		}
		return b
	}
	rep, err := compare.CompareBaselines(asBaseline(base), asBaseline(cur), compare.DefaultBaselineCompareOptions())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *compare.Snapshot)
		regs   int
		says   string
	}{
		{"identical", func(*compare.Snapshot) {}, 0, "no regressions"},
		{"throughput 4% lower is within 5%", func(s *compare.Snapshot) { s.Cells[0].ExamplesPerSec *= 0.96 }, 0, "ok"},
		// Speed is compared per configuration: one seed 20% slower is the
		// group's mean 6.7% slower.
		{"throughput 20% lower", func(s *compare.Snapshot) { s.Cells[0].ExamplesPerSec *= 0.8 }, 1, "-6.7%"},
		{"step time 20% higher", func(s *compare.Snapshot) { s.Cells[3].StepMillis *= 1.2 }, 1, "step_ms"},
		{"faster is no regression", func(s *compare.Snapshot) { s.Cells[1].ExamplesPerSec *= 1.5 }, 0, "improved"},
		{"accuracy within 3 sd of the seeds", func(s *compare.Snapshot) {
			for i := 0; i < 3; i++ {
				s.Cells[i].TestAcc -= 0.025
			}
		}, 0, "no regressions"},
		{"accuracy beyond 3 sd of the seeds", func(s *compare.Snapshot) {
			for i := 0; i < 3; i++ {
				s.Cells[i].TestAcc -= 0.035
			}
		}, 1, "below base mean − 0.0300"},
		{"single seed: the floor applies", func(s *compare.Snapshot) { s.Cells[3].TestAcc -= 0.01 }, 1, "below base mean − 0.0050"},
		{"single seed within the floor", func(s *compare.Snapshot) { s.Cells[3].TestAcc -= 0.004 }, 0, "no regressions"},
		{"a cell that now fails", func(s *compare.Snapshot) { s.Cells[3].Outcome = "oom" }, 1, "did not finish"},
		{"a missing cell", func(s *compare.Snapshot) { s.Cells = s.Cells[:3] }, 1, "MISSING"},
		{"a new cell is not a regression", func(s *compare.Snapshot) {
			s.Cells = append(s.Cells, snapCell("e3", "k9", "g9", 1, 0.5, 10, 1))
		}, 0, "not in BASE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := baseSnapshot()
			tt.change(cur)
			rep := compareSnapshots(t, baseSnapshot(), cur)
			var out bytes.Buffer
			if err := rep.WriteTable(&out); err != nil {
				t.Fatal(err)
			}
			if rep.Regressions != tt.regs || !strings.Contains(out.String(), tt.says) {
				t.Errorf("%d regressions, want %d; table:\n%s\n(want it to say %q)", rep.Regressions, tt.regs, out.String(), tt.says)
			}
		})
	}
}

func TestLoadSnapshotGroupsSeeds(t *testing.T) {
	root := t.TempDir()
	m := mustLoad(t, "../testdata/matrices/good/tiny.toml")
	runInto(t, root, newFakeTrainer(), m)
	snap, err := compare.LoadSnapshot(root)
	if err != nil {
		t.Fatal(err)
	}
	cells := m.Cells(matrix.ProfileQuick)
	if len(snap.Cells) != len(cells) {
		t.Fatalf("%d snapshot cells, want %d", len(snap.Cells), len(cells))
	}
	groups := map[string]int{}
	for _, c := range snap.Cells {
		groups[c.Group]++
		if c.ExamplesPerSec != 1064 || c.StepMillis != 1.5 || c.TestAcc == 0 || !strings.Contains(c.Label, "seed=") {
			t.Errorf("snapshot cell %+v", c)
		}
	}
	if len(groups) != 3 {
		t.Errorf("%d seed groups, want 3 (3 configs × 2 seeds): %v", len(groups), groups)
	}
	for g, n := range groups {
		if n != 2 {
			t.Errorf("group %s has %d cells, want 2 seeds", g, n)
		}
	}
	if rep := compare.Compare(snap, snap, compare.DefaultCompareOptions()); rep.Regressions != 0 {
		t.Errorf("a tree against itself: %d regressions", rep.Regressions)
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]float64{"5%": 0.05, "0.05": 0.05, " 12.5% ": 0.125, "0": 0} {
		if got, err := compare.ParsePercent(in); err != nil || got != want {
			t.Errorf("ParsePercent(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"five", "150%", "-1%", "1"} {
		if _, err := compare.ParsePercent(bad); err == nil {
			t.Errorf("ParsePercent(%q) accepted", bad)
		}
	}
}

func TestCompareMemory(t *testing.T) {
	withPeak := func(peak float64, method string) *compare.Snapshot {
		s := baseSnapshot()
		for i := range s.Cells {
			s.Cells[i].PeakMiB, s.Cells[i].MemoryMethod = peak, method
		}
		return s
	}
	tests := []struct {
		name   string
		cur    *compare.Snapshot
		regs   int
		says   string
		absent bool // no peak_mib row at all
	}{
		{"same peak", withPeak(4000, "nvml-process"), 0, "peak_mib", false},
		{"8% more is within 10%", withPeak(4320, "nvml-process"), 0, "+8.0%", false},
		{"20% more", withPeak(4800, "nvml-process"), 2, "REGRESSION (grew by more than 10% and 64 MiB)", false}, // per configuration
		{"50% more of a small peak is within 64 MiB", func() *compare.Snapshot {
			s := withPeak(4000, "nvml-process")
			s.Cells[3].PeakMiB = 4060
			return s
		}(), 0, "ok", false},
		{"half the memory", withPeak(2000, "nvml-process"), 0, "improved", false},
		{"measured another way: not compared", withPeak(9000, "rss"), 0, "", true},
		{"not measured in NEW: not compared", withPeak(0, ""), 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := compareSnapshots(t, withPeak(4000, "nvml-process"), tt.cur)
			var out bytes.Buffer
			if err := rep.WriteTable(&out); err != nil {
				t.Fatal(err)
			}
			has := strings.Contains(out.String(), "peak_mib")
			if rep.Regressions != tt.regs || has == tt.absent || !strings.Contains(out.String(), tt.says) {
				t.Errorf("%d regressions, want %d; peak_mib rows %v, want %v; table:\n%s\n(want it to say %q)",
					rep.Regressions, tt.regs, has, !tt.absent, out.String(), tt.says)
			}
		})
	}
}

// compare prints each side's n, and no spread for a single seed (a
// "±0.0000" would claim a measured spread of zero).
func TestComparePrintsNAndNoSpreadForOneSeed(t *testing.T) {
	rep := compareSnapshots(t, baseSnapshot(), baseSnapshot())
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"0.8800±0.0100 (n=3)", "0.8000 (n=1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "±0.0000") {
		t.Errorf("a single seed printed with a spread:\n%s", out)
	}
}
