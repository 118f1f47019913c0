package config

import (
	"errors"
	"strings"
	"testing"
)

func TestAugmentInitDefaultsAndValues(t *testing.T) {
	c := MustDefault("lenet")
	if c.Augment != "none" || c.Init != "xavier" {
		t.Fatalf("defaults: augment %q init %q", c.Augment, c.Init)
	}
	for _, v := range Augments {
		c := MustDefault("lenet")
		if err := c.Set("augment", v); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("augment %q: %v", v, err)
		}
	}
	for _, v := range Inits {
		c := MustDefault("alexnet")
		if err := c.Set("init", v); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("init %q: %v", v, err)
		}
	}
}

// A bad value is a KeyError naming the key and listing what it may be.
func TestAugmentInitBadValuesNameTheKey(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"augment", "rotate", "must be none, shift, flip or shift+flip"},
		{"augment", "", "must be none"},
		{"augment", "Shift", "must be none"},
		{"init", "he", "must be xavier, zeros or normal"},
		{"init", "", "must be xavier"},
	} {
		c := MustDefault("lenet")
		if err := c.Set(tc.key, tc.value); err != nil {
			t.Fatal(err)
		}
		err := c.Validate()
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != tc.key || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), `key "`+tc.key+`"`) {
			t.Errorf("%s=%q: Validate() = %v, want a KeyError for %q saying %q", tc.key, tc.value, err, tc.key, tc.want)
		}
	}
}

// augment "none" and init "xavier" are what every cell computed before the
// keys existed: they leave the key as it was; other values change it.
func TestAugmentInitKeys(t *testing.T) {
	base := MustDefault("lenet")
	if strings.Contains(base.Canonical(), "augment") || strings.Contains(base.Canonical(), "init") {
		t.Errorf("legacy values in the canonical encoding:\n%s", base.Canonical())
	}
	old := base
	old.Augment, old.Init = "", "" // as ReadConfig decodes a config.toml written before the keys
	if old.Key("quick") != base.Key("quick") {
		t.Error("a pre-key config.toml hashes differently")
	}
	seen := map[string]string{base.Key("quick"): "base"}
	for _, kv := range [][2]string{{"augment", "shift"}, {"augment", "flip"}, {"augment", "shift+flip"}, {"init", "zeros"}, {"init", "normal"}} {
		c := base
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
		k := c.Key("quick")
		if prev, dup := seen[k]; dup {
			t.Errorf("%s=%s has the key of %s", kv[0], kv[1], prev)
		}
		seen[k] = kv[0] + "=" + kv[1]
		if !strings.Contains(c.Canonical(), kv[0]+` = "`+kv[1]+`"`) {
			t.Errorf("%s=%s not in the canonical encoding:\n%s", kv[0], kv[1], c.Canonical())
		}
	}
	old.FillAbsent()
	if old.Augment != "none" || old.Init != "xavier" {
		t.Errorf("FillAbsent: %q %q", old.Augment, old.Init)
	}
}
