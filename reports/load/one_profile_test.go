package load

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"alexbench/harness/config"
)

// A folder that holds a quick run and then a cpu run of the same matrix is
// read from the cpu cells alone, and says how many quick cells it left out:
// pooled, their runs of different lengths would be averaged and paired by
// seed.
func TestOneProfilePerReport(t *testing.T) {
	root := t.TempDir()
	cfg := config.MustDefault("lenet")
	write := func(profile string, seed int64) {
		c := cfg
		c.Seed = seed
		key := c.Key(profile)
		dir := filepath.Join(root, "m", key)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		final := `{"epoch": 1, "train_loss": 0.3, "train_acc": 0.9, "test_acc": 0.8}`
		for name, body := range map[string]string{
			"config.toml":   string(c.TOML()),
			"metrics.jsonl": final + "\n",
			"summary.json":  fmt.Sprintf(`{"matrix": "m", "key": %q, "profile": %q, "outcome": "done", "final": %s}`, key, profile, final),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for seed := int64(1); seed <= 3; seed++ {
		write("quick", seed)
		write("cpu", seed)
	}
	write("quick", 4)
	res, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matrices) != 1 {
		t.Fatalf("%d matrices", len(res.Matrices))
	}
	for _, c := range res.Matrices[0].Cells {
		if c.Summary.Profile != "cpu" {
			t.Errorf("cell %s of profile %s read beside the cpu cells", c.Key, c.Summary.Profile)
		}
	}
	if n := len(res.Matrices[0].Cells); n != 3 || res.Profile != "cpu" || len(res.LeftOut) != 1 || res.LeftOut[0] != "4 cells of the quick profile" {
		t.Errorf("%d cells, profile %q, left out %q; want 3, cpu, [4 cells of the quick profile]", n, res.Profile, res.LeftOut)
	}
}
