package data

import (
	"math/bits"
	"math/rand/v2"
)

// SeededPermutation returns a permutation of 0..n-1 that depends only on seed
// and epoch: the trainer's shuffle for that epoch. It runs on the host (see the
// package doc) and uses its own Fisher–Yates over a PCG stream instead of
// rand.Perm, whose algorithm the standard library does not promise to keep, so
// the same seed gives the same example order across Go releases and backends.
func SeededPermutation(n int, seed int64, epoch int) []int32 {
	src := rand.NewPCG(uint64(seed), uint64(epoch))
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := boundedUint64(src, uint64(i)+1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// boundedUint64 returns a uniform value in [0, n) from src by Lemire's
// multiply-and-reject method (unbiased), written out so its output is pinned.
func boundedUint64(src *rand.PCG, n uint64) uint64 {
	for {
		hi, lo := bits.Mul64(src.Uint64(), n)
		if lo >= n || lo >= (-n)%n {
			return hi
		}
	}
}
