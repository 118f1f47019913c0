package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/matrix"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
)

// fakeTrainer stands in for trainer.Train: deterministic metrics from the
// config, a picture in the artifacts folder, and per-cell behaviour chosen by
// the test (keyed by Cell.Key, which is the artifacts folder's name).
type fakeTrainer struct {
	mu       sync.Mutex
	runs     map[string]int // key → times Train was called
	behave   map[string]func(ctx context.Context) (*trainer.Result, error)
	epochGap time.Duration // sleep per epoch
	log      string        // when set: append "start <key> <pid> <unix ns>" lines (the kill tests)
	// running, when set, is a folder where each cell in training holds a
	// file <key> with its PID, created exclusively: finding a live
	// process's file there means two runners train one cell at once, and
	// is logged as "DOUBLE <key> <pid> <other pid>" (the stress tests).
	running string
	// stuck: ignore ctx and never return (a trainer stuck in a compilation
	// or a blocking read).
	stuck bool
	// stamp: every run's files differ — the epochs' EpochSeconds and the
	// picture carry the PID — so a stale runner's write into a published
	// cell changes its bytes (the stall tests).
	stamp bool
}

func newFakeTrainer() *fakeTrainer {
	return &fakeTrainer{runs: map[string]int{}, behave: map[string]func(context.Context) (*trainer.Result, error){}}
}

func (f *fakeTrainer) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs[key]
}

func (f *fakeTrainer) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.runs {
		n += v
	}
	return n
}

func (f *fakeTrainer) train(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, dir string) (*trainer.Result, error) {
	cfg := cell.Config
	key := filepath.Base(dir)
	f.mu.Lock()
	f.runs[key]++
	b := f.behave[key]
	f.mu.Unlock()
	if f.log != "" {
		lf, err := os.OpenFile(f.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(lf, "start %s %d %d\n", key, os.Getpid(), time.Now().UnixNano())
		lf.Close()
	}
	if f.running != "" {
		release, err := f.enter(key)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	if f.stuck {
		select {}
	}
	if b != nil {
		return b(ctx)
	}
	res := &trainer.Result{Outcome: trainer.OutcomeDone, Backend: backend.Info{Name: "fake", Device: "fake device"},
		Params: 61706, StepMillis: 1.5, FirstStepSeconds: 0.25}
	for e := 1; e <= cfg.Epochs; e++ {
		if f.epochGap > 0 {
			select {
			case <-time.After(f.epochGap):
			case <-ctx.Done():
				return &trainer.Result{Outcome: trainer.OutcomeFailed, Error: "cancelled"}, nil
			}
		}
		if e == 1 && hooks.OnFirstStep != nil {
			hooks.OnFirstStep()
		}
		ep := fakeEpoch(cfg, e)
		if f.stamp {
			ep.EpochSeconds = float64(os.Getpid())
		}
		res.Epochs = append(res.Epochs, ep)
		hooks.OnEpoch(ep)
	}
	png := "png of " + key
	if f.stamp {
		png += fmt.Sprintf(" by PID %d", os.Getpid())
	}
	if err := os.WriteFile(filepath.Join(dir, "filters.png"), []byte(png), 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

// enter creates running/<key> exclusively, logging a DOUBLE line if a live
// process holds it; release removes it.
func (f *fakeTrainer) enter(key string) (release func(), err error) {
	path := filepath.Join(f.running, key)
	me := fmt.Sprint(os.Getpid())
	for {
		fd, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			fd.WriteString(me)
			fd.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		b, _ := os.ReadFile(path)
		var other int
		fmt.Sscan(string(b), &other)
		// A stopped runner (the stall tests) is not live: its claim is
		// taken over, and it publishes nothing when it resumes.
		if other > 0 && syscall.Kill(other, 0) == nil && !zombie(other) && !stopped(other) {
			lf, err := os.OpenFile(f.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err == nil {
				fmt.Fprintf(lf, "DOUBLE %s %s %d\n", key, me, other)
				lf.Close()
			}
		}
		os.Remove(path) // a killed runner's (or, logged above, a live one's)
	}
}

// zombie: pid has exited and waits to be reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || len(s) < i+3 || s[i+2] == 'Z'
}

// fakeEpoch's numbers depend on the config only, so reruns are byte-identical.
func fakeEpoch(cfg config.Config, e int) trainer.Epoch {
	x := float64(e) + float64(cfg.Seed)/10 + cfg.Dropout
	return trainer.Epoch{Epoch: e, TrainLoss: 2 / x, TrainAcc: 1 - 1/(x+1), TestAcc: 1 - 1/(x+1.5),
		ExamplesPerSec: 1000 + float64(cfg.BatchSize), EpochSeconds: 1.5, TrainSeconds: 1.25, EvalSeconds: 0.25}
}

func oomErr(context.Context) (*trainer.Result, error) {
	return nil, errors.New("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 12.5GiB")
}

func panicky(context.Context) (*trainer.Result, error) { panic("shape mismatch in conv2") }

func diverging(context.Context) (*trainer.Result, error) {
	return &trainer.Result{Outcome: trainer.OutcomeDiverged, DivergedEpoch: 2, Error: "loss is NaN",
		Epochs: []trainer.Epoch{{Epoch: 1, TrainLoss: 2.3}, {Epoch: 2, TrainLoss: math.NaN(), TrainAcc: 0.1}}}, nil
}

func failing(context.Context) (*trainer.Result, error) {
	return &trainer.Result{Outcome: trainer.OutcomeFailed, Error: "data: train-images checksum mismatch"}, nil
}

// fixedClock makes moved-aside folder names predictable.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func mustLoad(t *testing.T, path string) *matrix.Matrix {
	t.Helper()
	m, err := matrix.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
