package config

import (
	"fmt"
	"slices"

	"alexbench/models"
)

// Default is the fully resolved config of d2l's recipe for model: the one place
// defaults live. A changed default changes every affected cell's key.
func Default(model string) (Config, error) {
	e, err := models.Lookup(model)
	if err != nil {
		return Config{}, err
	}
	opts := e.Defaults
	if opts.Conv1 == "" {
		opts.Conv1 = models.Conv1Strided
	}
	return Config{
		Model:      model,
		Options:    opts,
		Normalize:  false,
		Augment:    AugmentNone,
		Init:       InitXavier,
		LR:         DefaultLR(model, e.Defaults.Activation),
		Epochs:     e.Recipe.Epochs,
		BatchSize:  e.Recipe.BatchSize,
		LRScaling:  "none",
		LRRefBatch: 128,
		LRDecay:    LRDecayNone,
		Subset:     SubsetStratified,
		Seed:       1,
		Precision:  "fp32",
		Backend:    "auto",
	}, nil
}

// MustDefault is Default for models known to exist (tests, built-in recipes).
func MustDefault(model string) Config {
	c, err := Default(model)
	if err != nil {
		panic(err)
	}
	return c
}

// Validate reports the first bad value, naming its key.
func (c Config) Validate() error {
	if _, err := models.Lookup(c.Model); err != nil {
		return &KeyError{Key: "model", Err: err}
	}
	checks := []struct {
		key string
		bad bool
		msg string
	}{
		{"activation", c.Activation != "relu" && c.Activation != "sigmoid", "must be relu or sigmoid"},
		{"pool", c.Pool != "max" && c.Pool != "avg", "must be max or avg"},
		// Written so that NaN is out of range: every comparison with it is false.
		{"dropout", !(c.Dropout >= 0 && c.Dropout < 1), "must be in [0, 1)"},
		{"width", !(c.Width > 0 && c.Width <= 16), "must be in (0, 16]"},
		{"fc_width", c.FCWidth < 1, "must be ≥ 1"},
		{"conv_layers", c.ConvLayers < 1 || c.ConvLayers > 5, "must be 1..5"},
		{"resize", c.Resize < 28 || c.Resize > 512, "must be 28..512"},
		{"lr", !(c.LR > 0 && c.LR <= 100), "must be > 0 (and sane)"},
		{"epochs", c.Epochs < 1 || c.Epochs > 1000, "must be 1..1000"},
		{"batch_size", c.BatchSize < 1 || c.BatchSize > 65536, "must be 1..65536"},
		{"lr_scaling", c.LRScaling != "none" && c.LRScaling != "linear", "must be none or linear"},
		{"lr_ref_batch", c.LRRefBatch < 1, "must be ≥ 1"},
		{"lr_decay", !slices.Contains(LRDecays, c.LRDecay), "must be " + orList(LRDecays)},
		{"subset", !slices.Contains(Subsets, c.Subset), "must be " + orList(Subsets)},
		{"train_limit", c.TrainLimit < 0 || c.TrainLimit > 60000, "must be 0..60000 (0 = all)"},
		{"test_limit", c.TestLimit < 0 || c.TestLimit > 10000, "must be 0..10000 (0 = all)"},
		{"precision", c.Precision != "fp32" && c.Precision != "bf16", "must be fp32 or bf16"},
		{"augment", !validAugment(c.Augment), "must be " + orList(Augments)},
		{"init", !validInit(c.Init), "must be " + orList(Inits)},
		{"conv1", !slices.Contains(Conv1s, c.Conv1), "must be " + orList(Conv1s)},
	}
	for _, ch := range checks {
		if ch.bad {
			v, _ := c.Get(ch.key)
			return &KeyError{Key: ch.key, Err: fmt.Errorf("%v: %s", v, ch.msg)}
		}
	}
	if c.TrainLimit != 0 && c.BatchSize > c.TrainLimit {
		return &KeyError{Key: "batch_size", Err: fmt.Errorf("%d is larger than train_limit %d", c.BatchSize, c.TrainLimit)}
	}
	if err := ValidBackend(c.Backend); err != nil {
		return &KeyError{Key: "backend", Err: err}
	}
	return nil
}

// ValidBackend checks the backend spelling (not whether it is installed).
func ValidBackend(b string) error {
	switch {
	case b == "auto", b == "go", b == "xla:cuda", b == "xla:cpu":
		return nil
	case len(b) > 5 && b[:5] == "xla:/":
		return nil
	}
	return fmt.Errorf("%q: must be auto, go, xla:cuda, xla:cpu or xla:/abs/path/to/plugin.so", b)
}

// KeyError is a bad value of one config key.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string { return fmt.Sprintf("key %q: %v", e.Key, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }
