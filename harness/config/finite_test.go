package config

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// NaN and ±Inf are refused wherever a number enters — a flag's string or a
// TOML float — naming the key; and Validate refuses them in a Config built
// any other way, since "bad if x < lo || x > hi" lets NaN through.
func TestNonFiniteNumbersAreRefusedNamingTheKey(t *testing.T) {
	cases := []struct {
		key   string
		value any
	}{
		{"dropout", "NaN"},
		{"dropout", math.NaN()},
		{"width", "nan"},
		{"width", math.Inf(1)},
		{"lr", "-Inf"},
		{"lr", math.NaN()},
	}
	for _, tc := range cases {
		c := MustDefault("cnn28")
		err := c.Set(tc.key, tc.value)
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != tc.key || !strings.Contains(err.Error(), "not a finite number") {
			t.Errorf("Set(%q, %v): %v, want a KeyError naming the key", tc.key, tc.value, err)
		}
	}
	for _, key := range []string{"dropout", "width", "lr"} {
		c := MustDefault("cnn28")
		switch key {
		case "dropout":
			c.Dropout = math.NaN()
		case "width":
			c.Width = math.NaN()
		case "lr":
			c.LR = math.NaN()
		}
		var ke *KeyError
		if err := c.Validate(); !errors.As(err, &ke) || ke.Key != key {
			t.Errorf("Validate with %s = NaN: %v, want a KeyError naming it", key, err)
		}
	}
}
