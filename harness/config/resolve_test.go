package config

import (
	"errors"
	"testing"
)

// Resolve runs Default → Set → Derive → Validate, and its error says which
// step failed and, for Set, which assignment.
func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		assigns []Assignment
		check   func(Config) bool
		errKind string // "", "model", "set", "validate"
		index   int
	}{
		{"defaults", "alexnet", nil, func(c Config) bool { return c == MustDefault("alexnet") }, "", 0},
		{"lr follows activation", "lenet", []Assignment{{"activation", "relu"}},
			func(c Config) bool { return c.LR == 0.1 && c.Activation == "relu" }, "", 0},
		{"an explicit lr wins", "lenet", []Assignment{{"activation", "relu"}, {"lr", 0.5}},
			func(c Config) bool { return c.LR == 0.5 }, "", 0},
		{"the last assignment wins", "lenet", []Assignment{{"epochs", int64(3)}, {"epochs", "4"}},
			func(c Config) bool { return c.Epochs == 4 }, "", 0},
		{"unknown model", "vgg", nil, nil, "model", 0},
		{"bad value", "lenet", []Assignment{{"epochs", int64(3)}, {"epochs", "many"}}, nil, "set", 1},
		{"unknown key", "lenet", []Assignment{{"no_such_key", "x"}}, nil, "set", 0},
		{"invalid config", "lenet", []Assignment{{"dropout", 1.5}}, nil, "validate", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Resolve(tc.model, tc.assigns)
			var me *ModelError
			var se *SetError
			var ke *KeyError
			switch tc.errKind {
			case "":
				if err != nil || !tc.check(cfg) {
					t.Errorf("Resolve = %+v, %v", cfg, err)
				}
			case "model":
				if !errors.As(err, &me) {
					t.Errorf("err = %v, want a ModelError", err)
				}
			case "set":
				if !errors.As(err, &se) || se.Index != tc.index || !errors.As(err, &ke) {
					t.Errorf("err = %v, want a SetError at %d wrapping a KeyError", err, tc.index)
				}
			case "validate":
				if !errors.As(err, &ke) || errors.As(err, &se) || ke.Key != "dropout" {
					t.Errorf("err = %v, want Validate's KeyError for dropout", err)
				}
			}
		})
	}
}
