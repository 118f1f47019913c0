package harness

import (
	"context"
	"fmt"
	"sync"
)

// queued is a cell waiting for a slot; alone marks a retry after an OOM
// under packing, which runs with nothing beside it.
type queued struct {
	pc    PlannedCell
	alone bool
}

// cellSlot is what one running cell gets from the packer: its sampler (each
// worker has its own, a sampler follows one cell at a time), its admission
// record, and the packer to ask who ran beside it.
type cellSlot struct {
	sampler Sampler
	packer  *packer
	pack    *packSlot
}

// runAll runs cells on up to Runner.Jobs workers, each cell admitted by the
// packer (Runner.Admission), in the given order except that a cell that does
// not fit may be overtaken by later ones that do; a cell retried alone is
// never overtaken. It returns the cells other runners hold (to try again
// later) and the first error that must stop the sweep; after one, or when
// ctx is cancelled, no new cell starts and the running ones end first (a
// cancelled cell is marked interrupted by runCell).
func (s *sweep) runAll(ctx context.Context, cells []PlannedCell) ([]PlannedCell, error) {
	p := s.pack
	queue := make([]queued, len(cells))
	for i, pc := range cells {
		queue[i] = queued{pc: pc}
	}
	var (
		waiting  []PlannedCell
		firstErr error
		wg       sync.WaitGroup
	)
	stopWake := p.wakeOnDone(ctx)
	defer stopWake()
	// next takes (under p.mu) the first queued cell that fits now; ok is
	// false when the worker should exit.
	next := func() (q queued, slot *packSlot, ok bool) {
		for {
			if firstErr != nil || ctx.Err() != nil {
				return q, nil, false
			}
			if len(queue) == 0 && len(p.running) == 0 {
				return q, nil, false
			}
			for i, c := range queue {
				d := s.r.Admission.Demand(c.pc.Spec)
				if p.fits(d, c.alone) {
					queue = append(queue[:i:i], queue[i+1:]...)
					return c, p.start(d, c.alone), true
				}
				if c.alone {
					break // a cell retried alone waits for the device to empty; nothing overtakes it
				}
			}
			p.cond.Wait() // a cell ends (or is requeued), or ctx is cancelled
		}
	}
	worker := func(sampler Sampler) {
		defer wg.Done()
		for {
			p.mu.Lock()
			q, ps, ok := next()
			p.mu.Unlock()
			if !ok {
				return
			}
			held, retry, err := s.try(ctx, q.pc, cellSlot{sampler: sampler, packer: p, pack: ps})
			p.mu.Lock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
			case retry:
				queue = append([]queued{{pc: q.pc, alone: true}}, queue...)
			case held:
				waiting = append(waiting, q.pc)
			}
			p.mu.Unlock()
			p.release(ps)
		}
	}
	for _, sampler := range s.samplers {
		wg.Add(1)
		go worker(sampler)
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return waiting, firstErr
}

// workerSamplers is one sampler per worker: the runner's own for one job;
// for more, one from NewSampler each, or none (a shared sampler cannot
// follow two cells at once).
func (r *Runner) workerSamplers() ([]Sampler, error) {
	jobs := max(1, r.Jobs)
	out := make([]Sampler, jobs)
	if jobs == 1 {
		out[0] = r.Sampler
		return out, nil
	}
	if r.NewSampler == nil {
		if r.Sampler != nil {
			return nil, fmt.Errorf("runner: %d jobs share one Sampler; set NewSampler (one per job) instead", jobs)
		}
		return out, nil
	}
	for i := range out {
		out[i] = r.NewSampler()
	}
	return out, nil
}
