package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"alexbench/data"
	"alexbench/harness/backend"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// The real trainer records, per cell, the autotune cache its backend runs
// with: cold (no entries) on first use, warm once the cache holds entries.
// SimpleGo stands in for XLA CUDA here (it writes no entries itself; the
// test writes one, as XLA would after tuning a fusion).
func TestTrainerRecordsWhetherTheAutotuneCacheWasWarm(t *testing.T) {
	if testing.Short() {
		t.Skip("trains real cells")
	}
	if _, err := data.Load(data.Options{}); err != nil {
		t.Skipf("real Fashion-MNIST not found (set %s): %v", data.EnvVar, err)
	}
	tree := t.TempDir()
	cache := filepath.Join(tree, ".xla-autotune")
	tr := &BackendTrainer{AutotuneCacheDir: cache}
	tr.open = func(spec string) (backends.Backend, backend.Info, error) {
		be, info, err := backend.Open("go")
		if err == nil {
			// What Open reports on XLA CUDA with a cache (backend's own test
			// checks the flag and the created dir there).
			if err = os.MkdirAll(cache, 0o755); err == nil {
				info.AutotuneCacheDir = cache
			}
		}
		return be, info, err
	}
	ms := []*matrix.Matrix{mustLoad(t, "../testdata/matrices/good/cli-real.toml")}
	cells := ms[0].Cells(matrix.ProfileQuick)
	run := func(force bool) {
		t.Helper()
		r := &Runner{Results: tree, Profile: matrix.ProfileQuick, Trainer: tr, Force: force}
		if _, err := r.Run(context.Background(), ms); err != nil {
			t.Fatal(err)
		}
	}
	check := func(wantWarm bool, wantBefore int) {
		t.Helper()
		for _, c := range cells {
			s, err := results.ReadSummary(results.CellDir(tree, ms[0].Name, c.Key))
			if err != nil {
				t.Fatal(err)
			}
			ac := s.AutotuneCache
			if s.Outcome != "done" || ac == nil || ac.Dir != cache || ac.Warm != wantWarm || ac.EntriesBefore != wantBefore {
				t.Errorf("%s: outcome %s, autotune_cache %+v; want warm=%v with %d entries before", c.Key, s.Outcome, ac, wantWarm, wantBefore)
			}
		}
	}
	run(false)
	check(false, 0)
	if err := os.WriteFile(filepath.Join(cache, "fusion-0123.textproto"), []byte("result {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, ".tmp-writer"), []byte("x"), 0o644); err != nil {
		t.Fatal(err) // a writer's temporary is no entry
	}
	run(true)
	check(true, 1)
}
