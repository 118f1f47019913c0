package models

import (
	"fmt"
	"sort"
	"strings"
)

// Recipe is a model's d2l training recipe: the defaults a config starts from.
type Recipe struct {
	LR        float64
	Epochs    int
	BatchSize int
}

// Entry is one registered architecture.
type Entry struct {
	Name        string
	Description string
	Defaults    Options
	Recipe      Recipe
	// Build returns the layer stack for the options (already validated by Check).
	Build func(o Options) ([]Layer, error)
}

var registry = map[string]Entry{}

// Register adds an architecture; it panics on a duplicate name (a programming error).
func Register(e Entry) {
	if _, dup := registry[e.Name]; dup {
		panic("models: duplicate registration of " + e.Name)
	}
	registry[e.Name] = e
}

// Lookup returns the registry entry for name, or an error listing the known names.
func Lookup(name string) (Entry, error) {
	e, ok := registry[name]
	if !ok {
		return Entry{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return e, nil
}

// Names lists the registered models, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
