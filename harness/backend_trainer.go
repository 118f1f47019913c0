package harness

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/gomlx/gomlx/backends"

	"alexbench/data"
	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/trainer"
	"alexbench/nvml"
)

// BackendTrainer is the real Trainer: it opens each backend and loads the
// dataset once for a whole sweep (or for `alexbench train`'s one cell), then
// calls trainer.Train.
type BackendTrainer struct {
	DataDir  string    // Fashion-MNIST folder ("": data's default search)
	Log      io.Writer // the backend discovery line; nil: none
	Progress io.Writer // the trainer's progress bar; nil: none
	// AutotuneCacheDir is XLA CUDA's persistent autotune cache ("": none);
	// each cell records whether it found it warm.
	AutotuneCacheDir string

	// open opens a backend (nil: the default Finder with AutotuneCacheDir);
	// tests replace it.
	open func(spec string) (backends.Backend, backend.Info, error)

	mu       sync.Mutex
	set      *data.Set
	backends map[string]openedBackend
	speeds   map[string]float64 // backend spec → measured FLOP/s (see Estimate)
}

type openedBackend struct {
	be   backends.Backend
	info backend.Info
}

// Train trains cell on its backend.
func (t *BackendTrainer) Train(ctx context.Context, cell *cellspec.Spec, hooks trainer.Hooks, dir string) (*trainer.Result, error) {
	ob, err := t.backend(cell.Config.Backend)
	if err != nil {
		return nil, err
	}
	set, err := t.data(ctx)
	if err != nil {
		return nil, err
	}
	cache := ob.info.AutotuneCacheDir
	before := trainer.CacheEntries(cache)
	res, err := trainer.Train(ctx, cell, trainer.Options{
		Backend: ob.be, Info: ob.info,
		Data: set, Hooks: hooks, ArtifactsDir: dir, Progress: t.Progress,
	})
	if res != nil && cache != "" {
		res.AutotuneCache = &trainer.AutotuneCache{Dir: cache, EntriesBefore: before,
			EntriesAfter: trainer.CacheEntries(cache), Warm: before > 0}
	}
	return res, err
}

func (t *BackendTrainer) backend(spec string) (openedBackend, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ob, ok := t.backends[spec]; ok {
		return ob, nil
	}
	open := t.open
	if open == nil {
		f := backend.DefaultFinder()
		f.AutotuneCacheDir = t.AutotuneCacheDir
		open = f.Open
	}
	be, info, err := open(spec)
	if err != nil {
		return openedBackend{}, fmt.Errorf("opening backend %q: %w", spec, err)
	}
	if t.Log != nil {
		fmt.Fprintln(t.Log, info.String())
	}
	ob := openedBackend{be, info}
	if t.backends == nil {
		t.backends = map[string]openedBackend{}
	}
	t.backends[spec] = ob
	return ob, nil
}

func (t *BackendTrainer) data(ctx context.Context) (*data.Set, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.set == nil {
		set, err := data.LoadContext(ctx, data.Options{Dir: t.DataDir})
		if err != nil {
			return nil, err
		}
		t.set = set
	}
	return t.set, nil
}

// GPUAvailable tells whether a GPU backend resolves (an NVIDIA GPU and a
// PJRT CUDA plugin): what --profile auto picks full by.
func GPUAvailable() bool {
	f := backend.DefaultFinder()
	return f.GPU() != "" && f.CUDAPlugin().Found != ""
}

// NewSampler is the real per-cell sampler: NVML on a GPU, the peak RSS
// otherwise. Close it when the sweep is over.
func NewSampler() *nvml.Sampler { return nvml.New(nvml.Options{}) }
