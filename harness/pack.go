package harness

import (
	"context"
	"fmt"
	"io"
	"sync"

	"alexbench/harness/cellspec"
)

// Admission decides which cells may run at the same time on one device
// (Runner.Jobs > 1). A cell's demand is its analytic memory model
// (its cellspec's Memory) times Factor plus MarginMiB; cells run together only while
// their demands fit in CapacityMiB. A cell is always admitted when nothing
// else runs, so packing never refuses a cell that a sequential run would try.
type Admission struct {
	// CapacityMiB is the device memory cells may share; 0: no memory limit
	// (a CPU, where cells share host memory and Jobs alone bounds them).
	CapacityMiB float64
	// Factor scales the analytic model to what a cell really holds: on an
	// H200 the BFC pool's peak read 3.6–4.6× the model (docs/BENCHMARKS.md,
	// E3), so DefaultMemoryFactor is above that.
	Factor float64
	// MarginMiB is added per cell: the CUDA context, cuDNN/cuBLAS workspaces
	// and the autotuner's scratch, none of which the model counts.
	MarginMiB float64
}

// Defaults for Admission, from the E3 sweep on an H200 (docs/BENCHMARKS.md).
const (
	DefaultMemoryFactor = 5
	DefaultMarginMiB    = 1536
)

// Demand is the MiB a cell is counted at; a cell without a memory model
// counts as the whole capacity (it runs alone).
func (a Admission) Demand(cell *cellspec.Spec) float64 {
	if a.CapacityMiB <= 0 {
		return 0
	}
	mm := cell.Memory
	if mm == nil {
		return a.CapacityMiB
	}
	f := a.Factor
	if f <= 0 {
		f = DefaultMemoryFactor
	}
	return mm.TotalMiB*f + a.MarginMiB
}

// packSlot is one admitted cell: what it counts for and whether another cell
// ran beside it at any moment (then an OOM may be packing's fault).
type packSlot struct {
	demand float64
	alone  bool
	others int // the most other cells that ran beside it at once
}

// packer admits cells into at most jobs concurrent slots within the memory
// capacity. A cell marked alone (retried after an OOM under packing) waits
// until nothing runs and keeps every other cell out while it runs.
type packer struct {
	mu       sync.Mutex
	cond     *sync.Cond
	jobs     int
	capacity float64
	used     float64
	running  map[*packSlot]bool
}

func newPacker(jobs int, capacity float64) *packer {
	p := &packer{jobs: max(1, jobs), capacity: capacity, running: map[*packSlot]bool{}}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// fits tells (under mu) whether a cell of demand may start now.
func (p *packer) fits(demand float64, alone bool) bool {
	n := len(p.running)
	if n == 0 {
		return true
	}
	if alone || n >= p.jobs {
		return false
	}
	for s := range p.running {
		if s.alone {
			return false
		}
	}
	return p.capacity <= 0 || p.used+demand <= p.capacity
}

// start records an admitted cell (under mu) and counts it as beside every
// cell already running.
func (p *packer) start(demand float64, alone bool) *packSlot {
	s := &packSlot{demand: demand, alone: alone}
	for o := range p.running {
		o.others = max(o.others, len(p.running))
	}
	s.others = len(p.running)
	p.running[s] = true
	p.used += demand
	return s
}

func (p *packer) release(s *packSlot) {
	p.mu.Lock()
	delete(p.running, s)
	p.used -= s.demand
	if len(p.running) == 0 {
		p.used = 0 // no float drift across a long sweep
	}
	p.mu.Unlock()
	p.cond.Broadcast()
}

// othersOf is the most cells that ran beside s so far.
func (p *packer) othersOf(s *packSlot) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return s.others
}

// wakeOnDone makes waiters see ctx's cancellation; call the stop function
// when done waiting.
func (p *packer) wakeOnDone(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			p.mu.Lock()
			p.mu.Unlock()
			p.cond.Broadcast()
		case <-done:
		}
	}()
	return func() { close(done) }
}

// describe is the admission rule for the run's first line.
func (a Admission) describe() string {
	if a.CapacityMiB <= 0 {
		return " (no memory admission: cells share host memory)"
	}
	f := a.Factor
	if f <= 0 {
		f = DefaultMemoryFactor
	}
	return fmt.Sprintf(" while they fit in %.0f MiB (each counted as %g × its memory model + %.0f MiB)", a.CapacityMiB, f, a.MarginMiB)
}

// lineWriter serialises writes, so lines that jobs log at once do not mix
// (every log line is one Write: Runner.logf formats first).
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
