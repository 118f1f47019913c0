package data

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

func classCounts(labels []uint8) (c [NumClasses]int) {
	for _, l := range labels {
		c[l]++
	}
	return c
}

// A limit keeps each class's share of the file: on the real files, each class
// gets round(n × share), the counts sum to exactly n, and the subset is the
// file's examples at strictly increasing indices. The first n images fail
// this (the first 500 test images hold 39 to 65 of a class).
func TestSubsetIsStratified(t *testing.T) {
	set := realData(t)
	// A skewed split: the first 500 test images, whose class shares run from
	// 0.078 to 0.130, so a subset of it must follow uneven shares.
	skewed := Split{Images: set.Test.Images[:500*Height*Width], Labels: set.Test.Labels[:500], N: 500}
	for _, tc := range []struct {
		name  string
		split Split
		n     int
		want  []int // exact per-class counts; nil: within 1 of n × share
	}{
		{"test 1000", set.Test, 1000, []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100}},
		{"test 500", set.Test, 500, []int{50, 50, 50, 50, 50, 50, 50, 50, 50, 50}},
		// 123.4 each: the four leftover images go to the lowest tied classes.
		{"test 1234", set.Test, 1234, []int{124, 124, 124, 124, 123, 123, 123, 123, 123, 123}},
		{"test 7", set.Test, 7, []int{1, 1, 1, 1, 1, 1, 1, 0, 0, 0}},
		{"train 2560", set.Train, 2560, []int{256, 256, 256, 256, 256, 256, 256, 256, 256, 256}},
		{"train 3001", set.Train, 3001, nil},
		{"skewed 137", skewed, 137, nil},
		{"skewed 499", skewed, 499, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := tc.split.Subset(tc.n)
			if sub.N != tc.n || len(sub.Labels) != tc.n || len(sub.Images) != tc.n*Height*Width {
				t.Fatalf("Subset(%d): N %d, %d labels, %d pixels", tc.n, sub.N, len(sub.Labels), len(sub.Images))
			}
			got, have := classCounts(sub.Labels), classCounts(tc.split.Labels)
			total := 0
			for class, k := range got {
				total += k
				share := float64(tc.n) * float64(have[class]) / float64(tc.split.N)
				if tc.want != nil && k != tc.want[class] {
					t.Errorf("class %d: %d images, want %d", class, k, tc.want[class])
				}
				if math.Abs(float64(k)-share) >= 1 {
					t.Errorf("class %d: %d images, not within 1 of n × share = %.2f", class, k, share)
				}
			}
			if total != tc.n {
				t.Errorf("%d images in all, want %d", total, tc.n)
			}
			idx := SubsetIndices(tc.split.Labels, tc.n)
			if len(idx) != tc.n {
				t.Fatalf("SubsetIndices: %d indices, want %d", len(idx), tc.n)
			}
			const px = Height * Width
			for j, i := range idx {
				if j > 0 && i <= idx[j-1] {
					t.Fatalf("indices not strictly increasing at %d: %d after %d", j, i, idx[j-1])
				}
				if sub.Labels[j] != tc.split.Labels[i] || !bytes.Equal(sub.Images[j*px:(j+1)*px], tc.split.Images[i*px:(i+1)*px]) {
					t.Fatalf("example %d of the subset is not the file's example %d", j, i)
				}
			}
		})
	}
}

// The subset depends on n alone (not on a run's seed, not on earlier calls):
// the same n gives the same indices, pinned here so that a change to the rule
// is seen; a different n gives different ones, and a larger n keeps every
// image of a smaller one.
func TestSubsetIsFixedByN(t *testing.T) {
	set := realData(t)
	labels := set.Test.Labels
	a, b := SubsetIndices(labels, 1000), SubsetIndices(labels, 1000)
	if !slices.Equal(a, b) {
		t.Fatal("the same n gave different subsets")
	}
	if got, want := a[:8], []int{8, 10, 24, 42, 47, 53, 61, 64}; !slices.Equal(got, want) {
		t.Errorf("SubsetIndices(test, 1000) starts %v, want %v: the subset rule changed", got, want)
	}
	for _, n := range []int{10, 500, 999, 1001, 5000} {
		other := SubsetIndices(labels, n)
		if slices.Equal(a, other) {
			t.Errorf("n %d gave the same subset as 1000", n)
		}
		small, large := other, a
		if n > 1000 {
			small, large = a, other
		}
		for _, i := range small {
			if _, found := slices.BinarySearch(large, i); !found {
				t.Errorf("n %d: index %d of the smaller subset is not in the larger", n, i)
				break
			}
		}
	}
	if idx := SubsetIndices(labels, 0); len(idx) != set.Test.N || idx[0] != 0 || idx[len(idx)-1] != set.Test.N-1 {
		t.Errorf("SubsetIndices(0) is not every index")
	}
	if s := set.Test.Subset(0); &s.Labels[0] != &set.Test.Labels[0] || s.N != set.Test.N {
		t.Error("Subset(0) is not the whole split, unchanged")
	}
}

// MajorityRate is the largest class share: 0.10 on the balanced test file and
// a stratified subset of it, 0.13 on the first 500 test images.
func TestMajorityRate(t *testing.T) {
	set := realData(t)
	head := Split{Labels: set.Test.Labels[:500], N: 500}
	for _, tc := range []struct {
		name  string
		split Split
		want  float64
	}{
		{"test", set.Test, 0.10},
		{"stratified 1000", set.Test.Subset(1000), 0.10},
		{"first 500", head, 0.13},
		{"empty", Split{}, 0},
	} {
		if got := tc.split.MajorityRate(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: MajorityRate %v, want %v", tc.name, got, tc.want)
		}
	}
}
