package config

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultsAreD2LRecipes(t *testing.T) {
	for _, tc := range []struct {
		model  string
		lr     float64
		batch  int
		resize int
	}{
		{"alexnet", 0.01, 128, 224},
		{"lenet", 0.9, 256, 28},
	} {
		c := MustDefault(tc.model)
		if c.LR != tc.lr || c.BatchSize != tc.batch || c.Resize != tc.resize || c.Epochs != 10 {
			t.Errorf("%s defaults: lr %v batch %d resize %d epochs %d", tc.model, c.LR, c.BatchSize, c.Resize, c.Epochs)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s defaults invalid: %v", tc.model, err)
		}
	}
}

// Set takes TOML's types and command-line strings, and names the key when the
// value doesn't fit.
func TestSet(t *testing.T) {
	for _, tc := range []struct {
		key     string
		value   any
		wantErr string
		check   func(Config) bool
	}{
		{"batch_size", int64(64), "", func(c Config) bool { return c.BatchSize == 64 }},
		{"batch_size", "32", "", func(c Config) bool { return c.BatchSize == 32 }},
		{"batch_size", 16.0, "", func(c Config) bool { return c.BatchSize == 16 }},
		{"batch_size", 16.5, `key "batch_size": want an integer`, nil},
		{"batch_size", "many", `key "batch_size": want an integer`, nil},
		{"lr", int64(1), "", func(c Config) bool { return c.LR == 1 }},
		{"lr", "0.05", "", func(c Config) bool { return c.LR == 0.05 }},
		{"lr", true, `key "lr": want a number`, nil},
		{"normalize", "true", "", func(c Config) bool { return c.Normalize }},
		{"batchnorm", true, "", func(c Config) bool { return c.BatchNorm }},
		{"normalize", int64(1), `key "normalize": want true or false`, nil},
		{"activation", int64(1), `key "activation": want a string`, nil},
		{"fc_width", int64(512), "", func(c Config) bool { return c.FCWidth == 512 }}, // embedded models.Options
		{"learning_rate", 0.1, `key "learning_rate": unknown key`, nil},
	} {
		c := MustDefault("alexnet")
		err := c.Set(tc.key, tc.value)
		switch {
		case tc.wantErr != "":
			var ke *KeyError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &ke) || ke.Key != tc.key {
				t.Errorf("Set(%s, %v) = %v, want a KeyError containing %q", tc.key, tc.value, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("Set(%s, %v): %v", tc.key, tc.value, err)
		case !tc.check(c):
			t.Errorf("Set(%s, %v) did not take", tc.key, tc.value)
		}
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		value any
	}{
		{"batch_size", int64(0)}, {"lr", -0.5}, {"dropout", 1.0}, {"activation", "tanh"},
		{"pool", "median"}, {"precision", "fp8"}, {"backend", "cuda"}, {"resize", int64(8)},
		{"model", "vgg"},
	} {
		c := MustDefault("alexnet")
		if err := c.Set(tc.key, tc.value); err != nil {
			t.Fatalf("Set(%s): %v", tc.key, err)
		}
		var ke *KeyError
		if err := c.Validate(); !errors.As(err, &ke) || ke.Key != tc.key {
			t.Errorf("%s=%v: Validate() = %v, want a KeyError for %q", tc.key, tc.value, err, tc.key)
		}
	}
}

// The key changes with anything that changes what a cell computes (a value, a
// default, the profile), and not with where it runs.
func TestKey(t *testing.T) {
	base := MustDefault("alexnet")
	k := base.Key("full")
	if len(k) != 16 || k != base.Key("full") {
		t.Fatalf("key %q not stable", k)
	}
	if base.Key("quick") == k {
		t.Error("profile not in the key")
	}
	c := base
	c.Seed = 2
	if c.Key("full") == k {
		t.Error("seed not in the key")
	}
	c = base
	c.Width = 0.5 // an embedded models.Options knob
	if c.Key("full") == k {
		t.Error("width not in the key")
	}
	c = base
	c.Backend = "go"
	if c.Key("full") != k {
		t.Error("backend changed the key")
	}
	if !strings.Contains(base.Canonical(), "batch_size = 128") || strings.Contains(base.Canonical(), "backend") {
		t.Errorf("canonical encoding:\n%s", base.Canonical())
	}
}

func TestEffectiveLR(t *testing.T) {
	c := MustDefault("alexnet")
	c.BatchSize, c.LRScaling, c.LRRefBatch = 512, "linear", 128
	if got := c.EffectiveLR(); got != 0.04 {
		t.Errorf("linear scaling: %v, want 0.04", got)
	}
	c.LRScaling = "none"
	if got := c.EffectiveLR(); got != 0.01 {
		t.Errorf("no scaling: %v, want 0.01", got)
	}
}

// LeNet's default lr follows its activation; a set lr always wins; other
// models keep their recipe's rate whatever the activation.
func TestLRFollowsActivation(t *testing.T) {
	for _, tc := range []struct {
		model, activation string
		setLR             float64 // 0: not set
		want              float64
	}{
		{"lenet", "sigmoid", 0, 0.9},
		{"lenet", "relu", 0, 0.1},
		{"lenet", "relu", 0.5, 0.5},
		{"lenet", "sigmoid", 0.1, 0.1},
		{"alexnet", "relu", 0, 0.01},
		{"alexnet", "sigmoid", 0, 0.01},
	} {
		c := MustDefault(tc.model)
		set := map[string]bool{"activation": true}
		if err := c.Set("activation", tc.activation); err != nil {
			t.Fatal(err)
		}
		if tc.setLR > 0 {
			if err := c.Set("lr", tc.setLR); err != nil {
				t.Fatal(err)
			}
			set["lr"] = true
		}
		c.Derive(func(k string) bool { return set[k] })
		if c.LR != tc.want {
			t.Errorf("%s %s (lr set %v): lr %v, want %v", tc.model, tc.activation, tc.setLR, c.LR, tc.want)
		}
	}
	if DefaultLR("lenet", "relu") != 0.1 || DefaultLR("lenet", "sigmoid") != 0.9 || DefaultLR("cnn28", "relu") != MustDefault("cnn28").LR {
		t.Error("DefaultLR")
	}
}
