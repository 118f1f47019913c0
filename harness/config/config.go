// Package config holds the one configuration type every entry point shares: a
// TOML matrix cell and `alexbench train` flags both resolve to a Config
// through Resolve, and a cell's key is the hash of its canonical encoding.
package config

import (
	"alexbench/models"
)

// Config is everything a cell can vary. Zero values are never meaningful on their
// own: start from Default(model) and overlay what the user set (Set, or TOML).
type Config struct {
	// Model is a name from the models registry: lenet, alexnet, resnet28, ...
	Model string `toml:"model" json:"model"`
	models.Options

	// Normalize standardizes inputs with Fashion-MNIST's mean/std after the /255
	// scaling (E5's normalization ablation); off is d2l's pipeline.
	Normalize bool `toml:"normalize" json:"normalize"`
	// Augment is "none", "shift", "flip" or "shift+flip": random ±2 px
	// translations and/or horizontal flips of training batches, in the graph
	// before any resize (data.Augment; d2l exercise 7). Test batches never are.
	Augment string `toml:"augment" json:"augment"`
	// Init is "xavier" (d2l's init_cnn), "zeros" or "normal" (N(0, 0.01²)
	// weights): how conv and dense weights start (models/nn/init.go; exercise 8).
	Init string `toml:"init" json:"init"`

	// Optimizer: plain SGD, like d2l's train_ch6.
	LR        float64 `toml:"lr" json:"lr"`
	Epochs    int     `toml:"epochs" json:"epochs"`
	BatchSize int     `toml:"batch_size" json:"batch_size"`
	// LRScaling is "none" or "linear": linear multiplies LR by BatchSize/LRRefBatch
	// (Goyal et al.'s rule, for E3).
	LRScaling  string `toml:"lr_scaling" json:"lr_scaling"`
	LRRefBatch int    `toml:"lr_ref_batch" json:"lr_ref_batch"`
	// LRDecay is "none" (d2l's constant rate) or "linear": the rate falls
	// linearly from LR to 0 over the run's steps. The last iterate of
	// constant-rate SGD wanders by points of test accuracy from epoch to
	// epoch; a decayed rate ends on a settled one, so a CPU profile of few
	// seeds can tell configurations apart.
	LRDecay string `toml:"lr_decay" json:"lr_decay"`

	// Data subset sizes; 0 means the whole split (60000 / 10000).
	TrainLimit int `toml:"train_limit" json:"train_limit"`
	TestLimit  int `toml:"test_limit" json:"test_limit"`
	// Subset is how a limit picks its images: "stratified" (a stratified
	// random sample fixed by a seed, data.Split.Subset) or "first" (the
	// file's first N, what every cell run before stratified subsets took).
	// It is in a cell's key only where a limit is set, so cells of the two
	// rules never share a key, and unlimited cells keep theirs.
	Subset string `toml:"subset" json:"subset"`

	Seed int64 `toml:"seed" json:"seed"`
	// Precision is "fp32" or "bf16".
	Precision string `toml:"precision" json:"precision"`
	// Backend is "auto", "go", "xla:cuda", "xla:cpu" or "xla:/abs/path/plugin.so".
	// It is part of the config but not of the cell key (see Key).
	Backend string `toml:"backend" json:"backend"`
}

// EffectiveLR is the learning rate the optimizer really uses, after LRScaling.
func (c Config) EffectiveLR() float64 {
	if c.LRScaling == "linear" && c.LRRefBatch > 0 {
		return c.LR * float64(c.BatchSize) / float64(c.LRRefBatch)
	}
	return c.LR
}
