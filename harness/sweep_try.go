package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/results"
)

// sweep is one Run's progress: what it counted, and which cells' "held by
// another runner" line it has logged. With Jobs > 1 several try calls run at
// once: mu guards rep, todo, logged and clock.
type sweep struct {
	r          *Runner
	mu         sync.Mutex
	rep        *RunReport
	todo       int
	logged     map[string]bool
	waitLogged bool       // only the Run goroutine, between runAll calls
	clock      SweepClock // the sweep's ETA from the cells this runner timed
	pack       *packer
	samplers   []Sampler // one per job
}

// locked runs f under s.mu.
func (s *sweep) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// try runs pc under its claim, unless another runner holds the claim (held:
// try again later). Under the claim it reads the cell's state again — another
// runner may have finished it since the plan — and runs it only if it still
// is to run. retry: it ran out of memory beside other cells and is to be run
// again alone (nothing was recorded). It returns an error only for what must
// stop the sweep.
func (s *sweep) try(ctx context.Context, pc PlannedCell, slot cellSlot) (held, retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, false, err
	}
	r := s.r
	opts := r.Claim
	opts.Note = pc.ID()
	c, err := claim.Acquire(results.ClaimDir(r.Results, pc.Key), opts)
	var he *claim.HeldError
	if errors.As(err, &he) {
		var first bool
		s.locked(func() { first = !s.logged[pc.ID()]; s.logged[pc.ID()] = true })
		if first {
			r.logf("%s %s %s: running in another runner, %s; later\n", pc.Matrix, pc.Key, pc.Label(), he.Holder.Who())
		}
		return true, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
	}
	defer func() {
		if rerr := c.Release(); rerr != nil && !errors.Is(rerr, claim.ErrLost) && err == nil {
			err = fmt.Errorf("cell %s: releasing its claim: %w", pc.Cell, rerr)
		}
	}()
	if c.TookOver != nil {
		r.logf("%s %s: took the cell over from %s\n", pc.Matrix, pc.Key, c.TookOver)
	}
	dir := results.CellDir(r.Results, pc.Matrix, pc.Key)
	state, sum, corrupt := results.CellState(dir)
	run, reason := r.decide(dir, state, sum)
	if !run {
		s.locked(func() { s.rep.Others++; s.clock.Skip(pc.Spec) })
		r.logf("%s %s %s: %s, by another runner\n", pc.Matrix, pc.Key, pc.Label(), reason)
		return false, false, nil
	}
	pc.State, pc.Err, pc.Reason = state, corrupt, reason
	if src, srcSum := r.finishedTwin(pc); srcSum != nil {
		out, err := r.shareCell(pc, c, src, srcSum)
		err = fenced(c, err)
		switch {
		case errors.Is(err, claim.ErrLost) || errors.Is(err, results.ErrPublished):
			r.logf("%s %s: not shared: %v\n", pc.Matrix, pc.Key, err)
			return false, false, nil
		case err != nil:
			return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
		}
		s.locked(func() { s.rep.Shared++; s.clock.Skip(pc.Spec); s.rep.Outcomes[out.Outcome]++ })
		r.logf("%s %s %s → %s: shared from %s (the same cell, trained once)\n", pc.Matrix, pc.Key, pc.Label(), out.Outcome, src)
		return false, false, nil
	}
	var n, todo int
	s.locked(func() { s.rep.Ran++; n, todo = s.rep.Ran, s.todo })
	r.logf("[%d/%d] %s %s %s: %s\n", n, todo, pc.Matrix, pc.Key, pc.Label(), pc.Reason)
	out, err := r.runCell(ctx, pc, c, slot)
	if ctx.Err() == nil {
		err = fenced(c, err)
	}
	var packed *packedOOMError
	switch {
	case errors.As(err, &packed):
		// Not the cell's outcome: a sequential run might not have run out of
		// memory. Counted as one more cell to run, so [n/todo] stays right.
		s.locked(func() { s.rep.RetriedAlone++; s.todo++ })
		r.logf("[%d/%d] %s %s: %v; not recorded, retried alone\n", n, todo, pc.Matrix, pc.Key, packed)
		return false, true, nil
	case err != nil:
		s.locked(func() { s.clock.Skip(pc.Spec) })
	}
	switch {
	case errors.Is(err, claim.ErrLost):
		s.locked(func() { s.rep.Lost++ })
		r.logf("[%d/%d] %s %s: not published: %v\n", n, todo, pc.Matrix, pc.Key, err)
		return false, false, nil
	case errors.Is(err, results.ErrPublished):
		s.locked(func() { s.rep.Others++ })
		r.logf("[%d/%d] %s %s: not published, another runner did first: %v\n", n, todo, pc.Matrix, pc.Key, err)
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("cell %s: %w", pc.Cell, err)
	}
	var eta string
	s.locked(func() {
		s.clock.Done(pc.Spec, time.Duration(out.WallSeconds*float64(time.Second)))
		s.rep.Outcomes[out.Outcome]++
		eta = s.clock.Suffix()
	})
	r.logf("[%d/%d] %s %s → %s%s\n", n, todo, pc.Matrix, pc.Key, describeOutcome(out), eta)
	return false, false, nil
}

// packedOOMError is a cell that ran out of memory while others ran beside it.
type packedOOMError struct {
	others int
	text   string
}

func (e *packedOOMError) Error() string {
	return fmt.Sprintf("out of memory beside %d other cell(s) (%s)", e.others, truncate(e.text, 200))
}
