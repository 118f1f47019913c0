package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// SubsetSeed seeds the PCG streams that pick a limited split's images.
const SubsetSeed = 1

// SubsetRule describes how Subset picks images, for a cell's summary.json:
// trees without it took a limit's first N images.
var SubsetRule = fmt.Sprintf("stratified random, seed %d, in file order", SubsetSeed)

// Subset returns the n examples a limit (the train_limit and test_limit
// config keys) trains or tests on: a stratified random sample, in the split's
// order. n <= 0 or n >= N is the whole split, unchanged; otherwise the result
// is a copy.
//
// Taking the first n would skew the class mix: Fashion-MNIST's files are not
// ordered to balance every prefix, and the first 500 test images hold anything
// from 7.8% to 13.0% of a class. A skewed test subset moves accuracy and what
// chance accuracy is; a skewed training subset teaches some classes more than
// others. So each class gets its share of n (stratifiedCounts), its images
// picked by a PCG stream with the fixed SubsetSeed (SubsetIndices).
//
// The seed is not the run's: every cell and every seed of a profile sees the
// same subset, so a paired comparison (same seed, one setting changed) still
// compares runs on the same images, and the same n always gives the same
// images. Each class's pick is a prefix of one fixed shuffle of that class,
// so a larger n keeps every image of a smaller one.
func (s Split) Subset(n int) Split {
	if n <= 0 || n >= s.N {
		return s
	}
	idx := SubsetIndices(s.Labels, n)
	const px = Height * Width
	out := Split{Images: make([]uint8, 0, n*px), Labels: make([]uint8, 0, n), N: n}
	for _, i := range idx {
		out.Images = append(out.Images, s.Images[i*px:(i+1)*px]...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out
}

// Head returns the split's first n examples (n <= 0 or n >= N: the whole
// split): how a limit picked images before Subset. Only cells recorded with
// that rule (config subset "first") still use it, so a rerun of one computes
// what it did.
func (s Split) Head(n int) Split {
	if n <= 0 || n >= s.N {
		return s
	}
	const px = Height * Width
	return Split{Images: s.Images[:n*px], Labels: s.Labels[:n], N: n}
}

// SubsetIndices returns, strictly increasing, the indices of the n examples
// Subset keeps from a split with these labels: stratifiedCounts(labels, n) of
// each class, each class's first ones in a shuffle of its examples by a PCG
// stream seeded with SubsetSeed and the class. It depends on labels and n
// only; n <= 0 or n >= len(labels) is every index.
func SubsetIndices(labels []uint8, n int) []int {
	if n <= 0 || n >= len(labels) {
		n = len(labels)
	}
	var members [NumClasses][]int
	for i, l := range labels {
		members[l] = append(members[l], i)
	}
	counts := stratifiedCounts(labels, n)
	out := make([]int, 0, n)
	for class, m := range members {
		if counts[class] == len(m) {
			out = append(out, m...)
			continue
		}
		// A partial Fisher–Yates from the front: its first k draws are the
		// prefix of the full shuffle, whatever k is.
		src := rand.NewPCG(SubsetSeed, uint64(class))
		m = slices.Clone(m)
		for i := range counts[class] {
			j := i + int(boundedUint64(src, uint64(len(m)-i)))
			m[i], m[j] = m[j], m[i]
		}
		out = append(out, m[:counts[class]]...)
	}
	slices.Sort(out)
	return out
}

// stratifiedCounts is how many examples of each class a subset of n keeps:
// n × the class's share rounded down, and the rest, one each, to the classes
// with the largest remainders (ties to the lower class), so the counts sum to
// exactly n and each is within 1 of n × share.
func stratifiedCounts(labels []uint8, n int) [NumClasses]int {
	var have, counts [NumClasses]int
	for _, l := range labels {
		have[l]++
	}
	total := len(labels)
	if n >= total {
		return have
	}
	rem := make([]int, 0, NumClasses) // classes in order of n×have mod total, largest first
	left := n
	for class, h := range have {
		counts[class] = n * h / total
		left -= counts[class]
		rem = append(rem, class)
	}
	slices.SortStableFunc(rem, func(a, b int) int { return n*have[b]%total - n*have[a]%total })
	for _, class := range rem[:left] {
		counts[class]++
	}
	return counts
}

// MajorityRate is the share of the split's most common class: the accuracy of
// always guessing it, which is what chance accuracy is on this split (0.10 on
// a balanced one). 0 for an empty split.
func (s Split) MajorityRate() float64 {
	if s.N == 0 {
		return 0
	}
	var counts [NumClasses]int
	for _, l := range s.Labels[:s.N] {
		counts[l]++
	}
	return float64(slices.Max(counts[:])) / float64(s.N)
}
