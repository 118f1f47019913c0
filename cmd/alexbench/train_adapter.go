package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/backends"

	"alexbench/data"
	"alexbench/harness"
	"alexbench/harness/backend"
	"alexbench/harness/config"
	"alexbench/harness/trainer"
	"alexbench/nvml"
)

// The runner's hooks, wired to the real trainer, backend discovery and NVML
// sampler. cmd_run.go reaches them only through these variables, so a test
// can swap one.
func init() {
	gpuAvailable = func() bool {
		f := backend.DefaultFinder()
		return f.GPU() != "" && f.CUDAPlugin().Found != ""
	}
	newCellTrainer = func(dataDir string) harness.TrainFunc {
		return (&cellTrainer{dataDir: dataDir, backends: map[string]openedBackend{}}).train
	}
	newSampler = func() (harness.Sampler, func()) {
		s := nvml.New(nvml.Options{})
		return s, func() { s.Close() }
	}
}

// cellTrainer opens each backend and loads the dataset once for a whole sweep.
type cellTrainer struct {
	dataDir  string
	mu       sync.Mutex
	set      *data.Set
	backends map[string]openedBackend
}

type openedBackend struct {
	be   backends.Backend
	info backend.Info
}

func (t *cellTrainer) train(ctx context.Context, cfg config.Config, hooks trainer.Hooks, dir string) (*trainer.Result, error) {
	ob, err := t.backend(cfg.Backend)
	if err != nil {
		return nil, err
	}
	set, err := t.data()
	if err != nil {
		return nil, err
	}
	return trainer.Train(ctx, cfg, trainer.Options{
		Backend: ob.be, BackendName: ob.info.Name, Device: ob.info.Device,
		Allocator: ob.info.Allocator, XLAFlags: ob.info.XLAFlags,
		Data: set, Hooks: hooks, ArtifactsDir: dir,
	})
}

func (t *cellTrainer) backend(spec string) (openedBackend, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ob, ok := t.backends[spec]; ok {
		return ob, nil
	}
	be, info, err := backend.Open(spec)
	if err != nil {
		return openedBackend{}, fmt.Errorf("opening backend %q: %w", spec, err)
	}
	logf("%s\n", info.String())
	ob := openedBackend{be, info}
	t.backends[spec] = ob
	return ob, nil
}

func (t *cellTrainer) data() (*data.Set, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.set == nil {
		set, err := data.Load(data.Options{Dir: t.dataDir})
		if err != nil {
			return nil, err
		}
		t.set = set
	}
	return t.set, nil
}
