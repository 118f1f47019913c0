package shardplan

import (
	"bufio"
	"fmt"
	"math"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"alexbench/harness/cost"
)

func TestAssign(t *testing.T) {
	equal := func(n int) []Item {
		var it []Item
		for i := 0; i < n; i++ {
			it = append(it, Item{Key: fmt.Sprintf("m/%016x", uint64(i)*0x9e3779b97f4a7c15), Cost: 1})
		}
		return it
	}
	cases := []struct {
		name    string
		items   []Item
		n       int
		sizes   []int   // cells per shard
		balance float64 // want Balance() ≤ this
	}{
		// The key-hash modulo split this plan replaced gave 16 equal cells 3/5/1/7.
		{"16 equal cells over 4", equal(16), 4, []int{4, 4, 4, 4}, 1},
		{"one shard", equal(5), 1, []int{5}, 1},
		{"uneven count", equal(10), 4, []int{3, 3, 2, 2}, 1.5},
		{"one big cell, many small", append([]Item{{"m/big", 10}}, equal(30)...), 4, []int{1, 10, 10, 10}, 1},
		{"longest first fills evenly", []Item{{"a", 5}, {"b", 4}, {"c", 3}, {"d", 3}, {"e", 3}, {"f", 2}}, 2, []int{3, 3}, 1},
		{"more shards than cells", equal(2), 3, []int{1, 1, 0}, math.Inf(1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Assign(tc.items, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			seen := map[string]int{}
			for i, s := range p.Shards {
				sizes = append(sizes, len(s))
				for _, it := range s {
					seen[it.Key]++
					if p.Shard(it.Key) != i+1 || !p.Owns(i+1, it.Key) {
						t.Errorf("%s: in shard %d, Shard says %d", it.Key, i+1, p.Shard(it.Key))
					}
				}
			}
			if !reflect.DeepEqual(sizes, tc.sizes) {
				t.Errorf("sizes %v, want %v", sizes, tc.sizes)
			}
			for _, it := range tc.items {
				if seen[it.Key] != 1 {
					t.Errorf("%s placed %d times", it.Key, seen[it.Key])
				}
			}
			if b := p.Balance(); b > tc.balance {
				t.Errorf("balance %.3f, want ≤ %.3f", b, tc.balance)
			}
			// Every shard computes the same plan, whatever order it read the cells in.
			for k := 0; k < 5; k++ {
				shuffled := append([]Item(nil), tc.items...)
				rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				q, _ := Assign(shuffled, tc.n)
				if !reflect.DeepEqual(p.Shards, q.Shards) {
					t.Fatalf("plan depends on input order:\n%v\n%v", p.Shards, q.Shards)
				}
			}
		})
	}
}

func TestAssignRefuses(t *testing.T) {
	cases := []struct {
		name  string
		items []Item
		n     int
		want  string
	}{
		{"no shards", []Item{{"a", 1}}, 0, "want 1 to 65536"},
		{"more shards than any plan", []Item{{"a", 1}}, math.MaxInt, "want 1 to 65536"},
		{"duplicate key", []Item{{"a", 1}, {"a", 2}}, 2, "twice"},
		{"NaN", []Item{{"a", math.NaN()}}, 2, "finite"},
		{"negative", []Item{{"a", -1}}, 2, "finite"},
		{"infinite", []Item{{"a", math.Inf(1)}}, 2, "finite"},
	}
	for _, tc := range cases {
		if _, err := Assign(tc.items, tc.n); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func TestLongestFirstTiesByKey(t *testing.T) {
	got, _ := LongestFirst([]Item{{"b", 1}, {"c", 2}, {"a", 1}, {"d", 0}})
	want := []Item{{"c", 2}, {"a", 1}, {"b", 1}, {"d", 0}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

// The committed matrices' cells (testdata/committed-cells.tsv: each cell's
// model MACs, examples and epochs), split 4 ways: max/min ≤ 1.5, the balance
// a 4-GPU Slurm array needs so that no shard idles while another works.
func TestCommittedMatricesBalance(t *testing.T) {
	byProfile := readCells(t, "testdata/committed-cells.tsv")
	for _, profile := range []string{"quick", "full"} {
		items := byProfile[profile]
		if len(items) < 8 {
			t.Fatalf("%s: only %d cells in testdata", profile, len(items))
		}
		for _, n := range []int{2, 3, 4} {
			p, err := Assign(items, n)
			if err != nil {
				t.Fatal(err)
			}
			b := p.Balance()
			t.Logf("%s profile, %d cells, n=%d: max/min estimated cost %.3f (cells per shard %v)", profile, len(items), n, b, counts(p))
			if n == 4 && b > 1.5 {
				t.Errorf("%s profile at n=4: max/min %.3f > 1.5", profile, b)
			}
		}
	}
}

func counts(p *Plan) []int {
	var c []int
	for _, s := range p.Shards {
		c = append(c, len(s))
	}
	return c
}

func readCells(t *testing.T, path string) map[string][]Item {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]Item{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			t.Fatalf("%s: %q: want 6 tab-separated fields", path, line)
		}
		var n [4]int64
		for i := range n {
			if n[i], err = strconv.ParseInt(f[2+i], 10, 64); err != nil {
				t.Fatalf("%s: %q: %v", path, line, err)
			}
		}
		c := cost.Compute{MACsPerExample: n[0], TrainExamples: int(n[1]), TestExamples: int(n[2]), Epochs: int(n[3])}
		out[f[0]] = append(out[f[0]], Item{Key: f[1], Cost: c.MACs()})
	}
	return out
}
