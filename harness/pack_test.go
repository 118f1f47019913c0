package harness

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// packFake is a trainer that sees which cells train at once. In "oom" mode
// a cell's first call waits until another cell trains beside it and then
// runs out of memory, as a card too small for two would; any later call
// runs out of memory only if another cell is there too (so a retry that is
// not really alone is recorded oom and fails the test). In "hold" mode
// every call trains until its context is cancelled.
type packFake struct {
	mode string
	mu   sync.Mutex
	cond *sync.Cond

	running, maxRunning int
	paired              int // times a cell started beside another
	calls               map[string]int
}

func newPackFake(mode string) *packFake {
	f := &packFake{mode: mode, calls: map[string]int{}}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *packFake) train(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, dir string) (*trainer.Result, error) {
	cfg := cell.Config
	key := filepath.Base(dir)
	stop := context.AfterFunc(ctx, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer stop()
	f.mu.Lock()
	f.running++
	f.maxRunning = max(f.maxRunning, f.running)
	f.calls[key]++
	first := f.calls[key] == 1
	seen := f.paired
	if f.running > 1 {
		f.paired++
	}
	f.cond.Broadcast()
	defer func() { f.running--; f.cond.Broadcast(); f.mu.Unlock() }()
	switch {
	case f.mode == "hold":
		for ctx.Err() == nil {
			f.cond.Wait()
		}
		return nil, ctx.Err()
	case first:
		for f.paired == seen && ctx.Err() == nil { // until a cell trains beside this one
			f.cond.Wait()
		}
		return oomErr(ctx)
	case f.running > 1:
		return oomErr(ctx)
	}
	ep := fakeEpoch(cfg, 1)
	hooks.OnEpoch(ep)
	return &trainer.Result{Outcome: trainer.OutcomeDone, Backend: backend.Info{Name: "fake"}, Epochs: []trainer.Epoch{ep}}, nil
}

func newPackRunner(t *testing.T, train TrainFunc, jobs int) (*Runner, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	return &Runner{Results: t.TempDir(), Profile: matrix.ProfileQuick, Trainer: train, Jobs: jobs, Log: &log,
		Versions: results.Versions{Go: "go-test"}}, &log
}

// Two jobs on a device that holds one cell: every cell's packed run runs out
// of memory, is not recorded, and its rerun alone finishes; no summary says
// oom. The fake fails any "alone" rerun that has company.
func TestJobsOOMUnderPackingIsRetriedAlone(t *testing.T) {
	f := newPackFake("oom")
	r, log := newPackRunner(t, f.train, 2)
	ms := tiny(t)
	cells := ms[0].Cells(matrix.ProfileQuick)
	if len(cells)%2 != 0 {
		t.Fatalf("tiny has %d cells; the test pairs them, so it wants an even number", len(cells))
	}
	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	if rep.RetriedAlone != len(cells) || rep.Outcomes[trainer.OutcomeDone] != len(cells) || rep.Outcomes[trainer.OutcomeOOM] != 0 {
		t.Fatalf("report %+v, want all %d cells retried alone and done\n%s", rep, len(cells), log)
	}
	if f.maxRunning != 2 {
		t.Fatalf("at most %d cells trained at once, want 2", f.maxRunning)
	}
	for _, c := range cells {
		s, err := results.ReadSummary(results.CellDir(r.Results, "tiny", c.Key))
		if err != nil {
			t.Fatal(err)
		}
		if s.Outcome != trainer.OutcomeDone || !s.RetriedAlone || s.PackedWith != 0 || f.calls[c.Key] != 2 {
			t.Errorf("%s: outcome %s, retried_alone %v, packed_with %d, trained %d times; want done, true, 0, 2",
				c.Key, s.Outcome, s.RetriedAlone, s.PackedWith, f.calls[c.Key])
		}
	}
	if n := strings.Count(log.String(), "not recorded, retried alone"); n != len(cells) {
		t.Errorf("%d retry lines, want %d:\n%s", n, len(cells), log)
	}
}

// Sequentially the same OOM is the cell's outcome: packing changes nothing
// a sequential run would record.
func TestJobsOneRecordsAnOOMAsBefore(t *testing.T) {
	f := newFakeTrainer()
	r, _ := newPackRunner(t, f.train, 1)
	ms := tiny(t)
	cells := ms[0].Cells(matrix.ProfileQuick)
	f.behave[cells[0].Key] = oomErr
	rep, err := r.Run(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	s, err := results.ReadSummary(results.CellDir(r.Results, "tiny", cells[0].Key))
	if err != nil || s.Outcome != trainer.OutcomeOOM || rep.RetriedAlone != 0 || f.count(cells[0].Key) != 1 {
		t.Fatalf("summary %+v (%v), report %+v, trained %d times: want one oom, no retry", s, err, rep, f.count(cells[0].Key))
	}
}

// Cells whose counted memory does not fit twice never run together; with
// room for all, they do (the "hold" fake only returns when cancelled, so the
// test cancels once every job is busy).
func TestJobsAdmissionByMemory(t *testing.T) {
	ms := tiny(t)
	cells := ms[0].Cells(matrix.ProfileQuick)
	one := Admission{CapacityMiB: 1e6, Factor: 1, MarginMiB: 0}.Demand(cells[0].Spec)
	if !(one > 0) {
		t.Fatalf("demand %v", one)
	}
	var biggest float64
	for _, c := range cells {
		biggest = max(biggest, Admission{CapacityMiB: 1e6, Factor: 1}.Demand(c.Spec))
	}

	f := newFakeTrainer()
	var mu sync.Mutex
	running, most := 0, 0
	train := func(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, dir string) (*trainer.Result, error) {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		return f.train(ctx, cell, hooks, dir)
	}
	r, log := newPackRunner(t, train, 3)
	r.Admission = Admission{CapacityMiB: biggest * 1.5, Factor: 1}
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	if most != 1 || f.total() != len(cells) {
		t.Fatalf("%d cells at once (want 1: two do not fit), %d trained (want %d)\n%s", most, f.total(), len(cells), log)
	}
	if !strings.Contains(log.String(), "running up to 3 cells at once while they fit in") {
		t.Errorf("no admission line:\n%s", log)
	}

	hold := newPackFake("hold")
	r2, _ := newPackRunner(t, hold.train, 3)
	r2.Admission = Admission{CapacityMiB: biggest * 3.5, Factor: 1}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		hold.mu.Lock()
		for hold.running < 3 {
			hold.cond.Wait()
		}
		hold.mu.Unlock()
		cancel()
	}()
	if _, err := r2.Run(ctx, ms); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want cancelled", err)
	}
	if hold.maxRunning != 3 {
		t.Fatalf("%d cells at once, want 3 (they fit)", hold.maxRunning)
	}
}

// A cancelled run with several cells in flight marks each of them
// interrupted, releases every claim, and publishes nothing.
func TestJobsCancelMarksEveryCellInFlightInterrupted(t *testing.T) {
	hold := newPackFake("hold")
	r, log := newPackRunner(t, hold.train, 2)
	ms := tiny(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		hold.mu.Lock()
		for hold.running < 2 {
			hold.cond.Wait()
		}
		hold.mu.Unlock()
		cancel(errors.New("signal: terminated"))
	}()
	rep, err := r.Run(ctx, ms)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want cancelled\n%s", err, log)
	}
	if rep.Ran != 2 {
		t.Fatalf("ran %d cells, want the 2 in flight", rep.Ran)
	}
	interrupted := 0
	for _, c := range ms[0].Cells(matrix.ProfileQuick) {
		dir := results.CellDir(r.Results, "tiny", c.Key)
		in, err := results.ReadInterrupted(dir)
		if err != nil {
			t.Fatal(err)
		}
		state, _, _ := results.CellState(dir)
		if in != nil {
			interrupted++
			if state != results.StateInFlight || in.Reason != "signal: terminated" {
				t.Errorf("%s: state %s, reason %q", c.Key, state, in.Reason)
			}
		} else if state != results.StatePending {
			t.Errorf("%s: state %s, want pending (never started)", c.Key, state)
		}
		if held, rec, _ := claim.Held(results.ClaimDir(r.Results, c.Key), claim.Options{}); held {
			t.Errorf("%s: claim still held by %s", c.Key, rec.Who())
		}
	}
	if interrupted != 2 {
		t.Fatalf("%d cells marked interrupted, want 2\n%s", interrupted, log)
	}
}

// A cell retried alone waits for the device to empty and nothing overtakes
// it; a cell that does not fit may be overtaken by one that does.
func TestPackerFits(t *testing.T) {
	p := newPacker(3, 100)
	a := p.start(60, false)
	if p.fits(50, false) || !p.fits(40, false) || p.fits(10, true) {
		t.Fatal("with 60 of 100 used: 50 must not fit, 40 must, an alone cell must wait")
	}
	p.release(a)
	if !p.fits(500, false) || !p.fits(10, true) {
		t.Fatal("an empty device admits anything")
	}
	alone := p.start(10, true)
	if p.fits(1, false) {
		t.Fatal("nothing runs beside a cell retried alone")
	}
	p.release(alone)
	b, c := p.start(1, false), p.start(1, false)
	if b.others != 1 || c.others != 1 || p.fits(1, false) != true {
		t.Fatalf("others %d %d", b.others, c.others)
	}
	p.start(1, false)
	if p.fits(1, false) || b.others != 2 {
		t.Fatalf("3 jobs are full; b saw %d others", b.others)
	}
}
