package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"alexbench/harness/config"
	"alexbench/harness/trainer"
)

// runCell runs one planned cell and writes its folder: config.toml first,
// metrics.jsonl after every epoch, summary.json last, each atomically.
// It returns an error only for what must stop the sweep: the results tree
// cannot be written, or ctx was cancelled (the folder is then left without a
// summary, so the next run redoes the cell).
func (r *Runner) runCell(ctx context.Context, pc PlannedCell) (*Summary, error) {
	dir := CellDir(r.Results, pc.Matrix, pc.Key)
	if err := r.clearForRun(dir, pc.State); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	cfg := pc.Config
	if r.Backend != "" {
		cfg.Backend = r.Backend
	}
	if err := writeFileAtomic(filepath.Join(dir, ConfigFile), cfg.TOML()); err != nil {
		return nil, err
	}

	m := &metricsWriter{path: filepath.Join(dir, MetricsFile)}
	started := r.now()
	if r.Sampler != nil {
		r.Sampler.Start(dir)
	}
	hooks := trainer.Hooks{OnEpoch: m.onEpoch, OnFirstStep: FirstStepHook(r.Sampler)}
	res, trainErr := safeTrain(ctx, r.Train, cfg, hooks, dir)
	var memory any
	if r.Sampler != nil {
		memory = r.Sampler.Stop()
	}
	finished := r.now()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	sum := &Summary{
		Matrix: pc.Matrix, Key: pc.Key, Profile: pc.Profile,
		WallSeconds: finished.Sub(started).Seconds(),
		Versions:    r.Versions, Memory: memory, MemoryModel: MemoryModelOf(cfg),
		Started: started.UTC(), Finished: finished.UTC(),
	}
	sum.Outcome, sum.Error = classify(res, trainErr)
	epochs := m.epochs()
	if res != nil {
		if len(res.Epochs) > 0 {
			epochs = res.Epochs // the trainer's own record is the truth
		}
		sum.DivergedEpoch = res.DivergedEpoch
		sum.FirstStepSeconds = res.FirstStepSeconds
		sum.StepMillis = res.StepMillis
		sum.Params = res.Params
		sum.Backend = res.Backend
		sum.Device = res.Device
		sum.Allocator = res.Allocator
		sum.XLAFlags = res.XLAFlags
	}
	if len(epochs) > 0 {
		sum.Final = epochs[len(epochs)-1]
	}
	if err := m.writeFinal(epochs); err != nil {
		return nil, err
	}
	b, err := marshalFinite(sum, true)
	if err != nil { // Memory is the only free-form field
		sum.Memory = fmt.Sprintf("unencodable memory summary: %v", err)
		if b, err = marshalFinite(sum, true); err != nil {
			return nil, fmt.Errorf("encoding summary: %w", err)
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, SummaryFile), append(b, '\n')); err != nil {
		return nil, err
	}
	return sum, nil
}

// metricsWriter persists metrics.jsonl after every epoch. The trainer may call
// onEpoch from any goroutine.
type metricsWriter struct {
	path    string
	mu      sync.Mutex
	written []trainer.Epoch
}

func (m *metricsWriter) onEpoch(e trainer.Epoch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written = append(m.written, e)
	// A failed write is retried by writeFinal, which stops the sweep if the
	// results tree really cannot be written.
	writeFileAtomic(m.path, encodeMetrics(m.written))
}

func (m *metricsWriter) epochs() []trainer.Epoch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]trainer.Epoch(nil), m.written...)
}

// writeFinal makes metrics.jsonl hold exactly epochs (rewriting only if the
// per-epoch writes differ or failed).
func (m *metricsWriter) writeFinal(epochs []trainer.Epoch) error {
	want := encodeMetrics(epochs)
	if have, err := os.ReadFile(m.path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	return writeFileAtomic(m.path, want)
}

// safeTrain calls train, turning a panic (GoMLX reports many errors by
// panicking) into an error carrying the panic's text and where it happened.
func safeTrain(ctx context.Context, train TrainFunc, cfg config.Config, hooks trainer.Hooks, dir string) (res *trainer.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res = nil
			err = fmt.Errorf("panic: %v\n%s", p, truncate(string(debug.Stack()), 4000))
		}
	}()
	return train(ctx, cfg, hooks, dir)
}

// classify gives a cell's outcome and error text from what Train returned.
func classify(res *trainer.Result, err error) (outcome, text string) {
	if err != nil {
		if isOOM(err.Error()) {
			return trainer.OutcomeOOM, err.Error()
		}
		return trainer.OutcomeFailed, err.Error()
	}
	if res == nil {
		return trainer.OutcomeFailed, "the trainer returned neither a result nor an error"
	}
	switch res.Outcome {
	case "":
		if res.Error != "" {
			return classifyText(res.Error)
		}
		return trainer.OutcomeDone, ""
	case trainer.OutcomeFailed:
		return classifyText(res.Error)
	case trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM:
		return res.Outcome, res.Error
	}
	return trainer.OutcomeFailed, fmt.Sprintf("the trainer returned unknown outcome %q: %s", res.Outcome, res.Error)
}

func classifyText(text string) (string, string) {
	if isOOM(text) {
		return trainer.OutcomeOOM, text
	}
	return trainer.OutcomeFailed, text
}

// isOOM recognizes out-of-memory errors of XLA (RESOURCE_EXHAUSTED), CUDA, Go
// and the OS.
func isOOM(text string) bool {
	t := strings.ToLower(text)
	for _, s := range []string{"out of memory", "resource_exhausted", "resource exhausted", "cannot allocate memory", "failed to allocate"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// CurrentVersions reads what built this binary: Go, GoMLX, and the alexbench
// commit when the build recorded one ("-dirty" with uncommitted changes).
func CurrentVersions() Versions {
	v := Versions{}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go = bi.GoVersion
	for _, d := range bi.Deps {
		if d.Path == "github.com/gomlx/gomlx" {
			v.GoMLX = d.Version
		}
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "-dirty"
		}
		v.Alexbench = rev
	}
	return v
}
