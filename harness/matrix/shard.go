package matrix

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is a 1-based share i of n of a sweep's cells (--shard i/n, as jest and
// playwright count; a Kubernetes Indexed Job passes $((JOB_COMPLETION_INDEX+1))/n,
// a Slurm array 1..n passes $SLURM_ARRAY_TASK_ID/n). The zero value is the
// whole sweep. Which cells are shard i's is harness/shardplan's balanced plan
// over all the sweep's cells, computed by the runner.
type Shard struct{ I, N int }

// Whole tells whether the shard is the whole sweep.
func (s Shard) Whole() bool { return s.N <= 1 }

func (s Shard) String() string {
	if s.Whole() {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// MaxShards is the most shards a run may be split into: a matrix's most cells.
const MaxShards = maxCells

// ParseShard reads "i/n" with 1 ≤ i ≤ n.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/n, like 2/4", s)
	}
	// More shards than a matrix may have cells would leave most empty, and
	// the plan allocates per shard.
	if n > MaxShards {
		return Shard{}, fmt.Errorf("--shard %s: at most %d shards (no sweep has more cells)", s, MaxShards)
	}
	if n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("--shard %s: want 1 ≤ i ≤ n (shards are numbered 1..n)", s)
	}
	return Shard{i, n}, nil
}
