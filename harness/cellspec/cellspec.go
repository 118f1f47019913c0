// Package cellspec is a cell resolved once: its config, key, layer stack,
// compute and memory model, computed together when the cell is made (a
// matrix cell in harness/matrix, `alexbench train`'s flags in cmd) and
// passed, whole, to everything after: matrix validation, the shard plan, the
// sweep clock, memory admission, the CPU estimate, the trainer and the
// summary's memory model. Nothing downstream builds the model again.
package cellspec

import (
	"alexbench/harness/config"
	"alexbench/harness/cost"
	"alexbench/models"
)

// Spec is one resolved cell. Treat it as read-only: many goroutines and
// steps share it.
type Spec struct {
	// Config is the fully resolved config (config.Resolve).
	Config config.Config
	// Key is Config.Key(profile): the cell's folder name.
	Key string
	// Model is the layer stack built from Config (models.Build).
	Model *models.Model
	// Compute is what training the cell computes (FLOPs, for cost and time).
	Compute cost.Compute
	// Memory is the analytic training memory; nil when the memory model
	// cannot cover the layers.
	Memory *cost.MemoryModel
}

// New resolves cfg's cell in profile (quick, cpu or full; it only enters the
// key): it checks the config, builds the layers once and derives the rest.
// A model that cannot be built for these knobs is a *models.OptionError
// naming the key where one is to blame.
func New(cfg config.Config, profile string) (*Spec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := models.Build(cfg.Model, cfg.Options)
	if err != nil {
		return nil, err
	}
	return &Spec{
		Config:  cfg,
		Key:     cfg.Key(profile),
		Model:   m,
		Compute: cost.ComputeOf(m, cfg.TrainLimit, cfg.TestLimit, cfg.Epochs),
		Memory:  cost.MemoryModelOf(m, cfg.BatchSize, cfg.Precision),
	}, nil
}

// OnBackend is s run on backend instead: the backend is not part of the key
// nor of what the cell computes, so everything else, layers included, is
// shared.
func (s *Spec) OnBackend(backend string) *Spec {
	if backend == "" || backend == s.Config.Backend {
		return s
	}
	c := *s
	c.Config.Backend = backend
	return &c
}
