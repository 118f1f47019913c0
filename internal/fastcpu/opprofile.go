package fastcpu

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
	"unsafe"

	"alexbench/internal/switches"

	"github.com/gomlx/gomlx/backends"
)

// ProfileEnv, when set to 1, times every SimpleGo node by op type (ours and
// SimpleGo's own executors alike); WriteOpProfile prints the table. Set to
// "shapes", it keys the table by op type, output shape and input shapes, to
// find which node of a kind costs. SimpleGo has no profiler of its own, and
// pprof attributes time to Go functions, not to graph ops.
const ProfileEnv = switches.ProfileVar

type opStat struct {
	calls    int
	elements int64
	elapsed  time.Duration
}

var (
	profMu sync.Mutex
	prof   = map[string]*opStat{}
)

// wrapForProfile replaces every executor in SimpleGo's table with a timed
// one; it runs last in install, after our executors are in.
func wrapForProfile() {
	mode := sw.Profile
	if mode != "1" && mode != "shapes" {
		return
	}
	for op := range backends.OpTypeLast {
		exec := sgNodeExecutors[op]
		if exec == nil {
			continue
		}
		sgSetNodeExecutor(op, priorityUser+1, func(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
			t0 := time.Now()
			out, err := exec(backend, node, inputs, owned)
			d := time.Since(t0)
			key := op.String()
			if mode == "shapes" {
				key += " " + node.shape.String() + " ←"
				for _, in := range node.inputs {
					key += " " + in.shape.String()
				}
			}
			profMu.Lock()
			s := prof[key]
			if s == nil {
				s = &opStat{}
				prof[key] = s
			}
			s.calls++
			s.elements += int64(node.shape.Size())
			s.elapsed += d
			profMu.Unlock()
			return out, err
		})
	}
}

// WriteOpProfile prints time per op type, largest first, since the start (or
// since the last ResetOpProfile); nothing unless ProfileEnv is set.
func WriteOpProfile(w io.Writer) {
	profMu.Lock()
	defer profMu.Unlock()
	if len(prof) == 0 {
		return
	}
	ops := make([]string, 0, len(prof))
	var total time.Duration
	for op, s := range prof {
		ops = append(ops, op)
		total += s.elapsed
	}
	sort.Slice(ops, func(i, j int) bool { return prof[ops[i]].elapsed > prof[ops[j]].elapsed })
	fmt.Fprintf(w, "%-20s %8s %12s %10s %6s\n", "op", "calls", "Melements", "ms", "%")
	for _, op := range ops {
		s := prof[op]
		if sw.Profile == "shapes" && len(ops) > 40 && s.elapsed < total/200 {
			continue // the long tail under 0.5 % each
		}
		fmt.Fprintf(w, "%-20s %8d %12.1f %10.1f %5.1f%%\n", op, s.calls, float64(s.elements)/1e6,
			s.elapsed.Seconds()*1e3, 100*s.elapsed.Seconds()/total.Seconds())
	}
}

// ResetOpProfile clears the table (after compilation and warm-up, say).
func ResetOpProfile() {
	profMu.Lock()
	defer profMu.Unlock()
	clear(prof)
}
