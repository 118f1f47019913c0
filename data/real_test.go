package data

import (
	"math"
	"os"
	"sync"
	"testing"
)

var (
	realOnce sync.Once
	realSet  *Set
	realErr  error
)

// realData loads the real dataset once per test binary through the public
// resolver: --data is not set, so $ALEXBENCH_DATA, ./data/fashion-mnist or the
// Debian package. It skips only when no copy exists at all; a copy that is
// there but bad fails the test.
func realData(t *testing.T) *Set {
	t.Helper()
	realOnce.Do(func() {
		if _, err := Resolve(Options{}); err != nil {
			realErr = err
			return
		}
		realSet, realErr = Load(Options{})
	})
	if realSet == nil {
		if _, err := Resolve(Options{}); err != nil {
			t.Skipf("no real Fashion-MNIST copy found (set %s=/path/to/fashion-mnist or install dataset-fashion-mnist): %v", EnvVar, err)
		}
		t.Fatalf("loading the real data: %v", realErr)
	}
	return realSet
}

func TestRealDataThroughResolver(t *testing.T) {
	set := realData(t)
	t.Logf("found in %s (source %s)", set.Dir, set.Source)
	if set.Train.N != 60000 || set.Test.N != 10000 {
		t.Fatalf("N = %d/%d, want 60000/10000", set.Train.N, set.Test.N)
	}
	if len(set.Train.Images) != 60000*28*28 || len(set.Test.Images) != 10000*28*28 {
		t.Errorf("image bytes = %d/%d", len(set.Train.Images), len(set.Test.Images))
	}
	for _, c := range []struct {
		split    Split
		perClass int
	}{{set.Train, 6000}, {set.Test, 1000}} {
		var counts [NumClasses]int
		for _, l := range c.split.Labels {
			counts[l]++
		}
		for class, n := range counts {
			if n != c.perClass {
				t.Errorf("class %d has %d examples, want %d", class, n, c.perClass)
			}
		}
	}
	specs := allFiles(fashionMNIST)
	for i, f := range set.Files {
		if f.SHA256 != specs[i].sha256 {
			t.Errorf("%s: SHA256 %s, want %s", f.Path, f.SHA256, specs[i].sha256)
		}
	}
}

// TestRealCopiesAllVerify loads every real copy on this machine: the Debian
// package's re-gzipped files and upstream's differ on disk but must both pass.
func TestRealCopiesAllVerify(t *testing.T) {
	dirs := []string{DebianDir, os.Getenv(EnvVar)}
	tried := 0
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		tried++
		t.Run(dir, func(t *testing.T) {
			set, err := loadDir(dir, fashionMNIST)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range set.Files {
				t.Logf("%s: %d bytes, gzipped %v, N %d", f.Path, f.Size, f.Gzipped, f.N)
			}
		})
	}
	if tried == 0 {
		t.Skipf("no real copy in %s or $%s", DebianDir, EnvVar)
	}
}

// TestMeanStdMatchRealData recomputes the normalization constants.
func TestMeanStdMatchRealData(t *testing.T) {
	set := realData(t)
	var hist [256]int
	for _, p := range set.Train.Images {
		hist[p]++
	}
	var sum, sum2 float64
	for v, n := range hist {
		x := float64(v) / 255
		sum += float64(n) * x
		sum2 += float64(n) * x * x
	}
	n := float64(len(set.Train.Images))
	mean := sum / n
	std := math.Sqrt(sum2/n - mean*mean)
	if math.Abs(mean-Mean) > 1e-9 || math.Abs(std-Std) > 1e-9 {
		t.Errorf("train mean/std = %.16f/%.16f, constants are %.16f/%.16f", mean, std, Mean, Std)
	}
	if math.Abs(Mean-0.2860) > 1e-4 || math.Abs(Std-0.3530) > 1e-4 {
		t.Errorf("constants %.4f/%.4f, want ≈ 0.2860/0.3530", Mean, Std)
	}
}
