// Package shardplan splits a sweep's cells into n balanced shards for
// `--shard i/n` (clusters without a shared filesystem: each Slurm array task
// or Kubernetes Indexed Job pod runs one shard into its own tree, and the
// trees are merged), and orders cells longest first for claim mode.
//
// The assignment is a pure function of the cells' keys and estimated costs:
// every shard computes the same plan from the same matrices, with no
// coordination. It is greedy longest-processing-time-first: cells sorted by
// cost, largest first (ties by key), each put into the shard with the least
// cost so far (ties to the lowest shard). Graham's bound makes the largest
// shard at most 4/3 − 1/(3n) of the best possible; with many cells of similar
// size it is within one cell of even.
package shardplan

import (
	"fmt"
	"math"
	"sort"
)

// Item is a cell to place: a key unique within the sweep ("<matrix>/<key>")
// and its cost (any unit, the same for all items; the harness gives each
// cell's multiply-adds, harness/cost.Compute).
type Item struct {
	Key  string
	Cost float64
}

// Plan is an assignment of items to shards 1..N.
type Plan struct {
	N      int
	Shards [][]Item // Shards[i-1]: shard i's items, longest first
	Load   []float64
	shard  map[string]int
}

// Assign places items into n shards (see the package doc). Keys must be
// unique and costs finite and non-negative.
// maxShards bounds a plan, which allocates per shard: far more than any
// sweep's cells (a matrix has at most 10,000).
const maxShards = 1 << 16

func Assign(items []Item, n int) (*Plan, error) {
	if n < 1 || n > maxShards {
		return nil, fmt.Errorf("shard plan: %d shards, want 1 to %d", n, maxShards)
	}
	sorted, err := LongestFirst(items)
	if err != nil {
		return nil, err
	}
	p := &Plan{N: n, Shards: make([][]Item, n), Load: make([]float64, n), shard: make(map[string]int, len(items))}
	for _, it := range sorted {
		best := 0
		for s := 1; s < n; s++ {
			if p.Load[s] < p.Load[best] {
				best = s
			}
		}
		p.Shards[best] = append(p.Shards[best], it)
		p.Load[best] += it.Cost
		p.shard[it.Key] = best + 1
	}
	return p, nil
}

// LongestFirst is items sorted by cost, largest first, ties by key: the order
// claim-mode runners try cells in, so the sweep's tail is short cells.
func LongestFirst(items []Item) ([]Item, error) {
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		if seen[it.Key] {
			return nil, fmt.Errorf("shard plan: key %s appears twice", it.Key)
		}
		seen[it.Key] = true
		if math.IsNaN(it.Cost) || math.IsInf(it.Cost, 0) || it.Cost < 0 {
			return nil, fmt.Errorf("shard plan: %s has cost %v, want a finite cost ≥ 0", it.Key, it.Cost)
		}
	}
	out := append([]Item(nil), items...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cost != out[j].Cost {
			return out[i].Cost > out[j].Cost
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// Shard is the 1-based shard of key, 0 if key is not in the plan.
func (p *Plan) Shard(key string) int { return p.shard[key] }

// Owns tells whether shard i (1-based) has key.
func (p *Plan) Owns(i int, key string) bool { return p.shard[key] == i }

// Balance is the largest shard's cost over the smallest's (1 is even; +Inf
// when a shard is empty or costs nothing while another does not).
func (p *Plan) Balance() float64 {
	lo, hi := math.Inf(1), 0.0
	for _, l := range p.Load {
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	if hi == 0 {
		return 1
	}
	return hi / lo
}
