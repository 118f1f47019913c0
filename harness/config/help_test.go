package config

import (
	"strings"
	"testing"
)

// The help table and Validate describe the same keys: every key has help,
// every listed choice validates, and a value next to the choices does not.
func TestHelpCoversEveryKeyAndItsChoicesValidate(t *testing.T) {
	for _, key := range Keys() {
		h := Help(key)
		if strings.HasPrefix(h.What, "config key ") || h.Values == "" && key != "seed" {
			t.Errorf("key %q has no help (add it to keyHelp): %+v", key, h)
		}
		if DefaultText(key) == "" {
			t.Errorf("key %q: no default text", key)
		}
		for _, choice := range h.Choices {
			c := MustDefault("alexnet")
			if err := c.Set(key, choice); err != nil {
				t.Errorf("key %q: choice %q does not set: %v", key, choice, err)
				continue
			}
			if err := c.Validate(); err != nil {
				t.Errorf("key %q: choice %q does not validate: %v", key, choice, err)
			}
		}
		if len(h.Choices) > 0 && key != "batchnorm" && key != "normalize" {
			c := MustDefault("alexnet")
			if err := c.Set(key, "not-"+h.Choices[0]); err == nil && c.Validate() == nil {
				t.Errorf("key %q: a value outside its choices validates", key)
			}
		}
	}
}

func TestDefaultTextNamesModelsWhereRecipesDiffer(t *testing.T) {
	if got := DefaultText("precision"); got != "fp32" {
		t.Errorf("precision default = %q", got)
	}
	lr := DefaultText("lr")
	if !strings.Contains(lr, "(alexnet") || !strings.Contains(lr, "lenet") || !strings.Contains(lr, ";") {
		t.Errorf("lr default = %q, want each recipe's value with its models", lr)
	}
}
