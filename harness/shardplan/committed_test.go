package shardplan_test

import (
	"path/filepath"
	"testing"

	"alexbench/harness/matrix"
	"alexbench/harness/shardplan"
)

// The committed matrices, loaded and estimated live (testdata/committed-cells.tsv
// is the same at one commit): max/min estimated cost per shard ≤ 1.5 at n = 4.
func TestCommittedMatricesLive(t *testing.T) {
	files, _ := filepath.Glob("../../experiments/[es]*[0-9]*-*.toml")
	ms, err := matrix.LoadAll(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{matrix.ProfileQuick, matrix.ProfileFull} {
		var items []shardplan.Item
		for _, m := range ms {
			for _, c := range m.Cells(profile) {
				items = append(items, shardplan.Item{Key: c.Matrix + "/" + c.Key, Cost: c.Compute.MACs()})
			}
		}
		p, err := shardplan.Assign(items, 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d cells, n=4: max/min %.3f", profile, len(items), p.Balance())
		if p.Balance() > 1.5 {
			t.Errorf("%s at n=4: max/min %.3f > 1.5", profile, p.Balance())
		}
	}
}
