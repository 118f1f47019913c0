package config

import "fmt"

// Assignment is one key = value a user set: a matrix line or a flag.
type Assignment struct {
	Key   string
	Value any
}

// Resolve is the one way a config is made, for matrix cells and `alexbench
// train` alike: model's defaults (Default), the assignments in order (Set;
// a later one of a key wins), the defaults that follow other knobs for the
// keys no assignment set (Derive), then Validate.
//
// Its errors say which step failed: a *ModelError for an unknown model, a
// *SetError (with the assignment's index) for a value Set rejects, a
// *KeyError for a config Validate rejects.
func Resolve(model string, assigns []Assignment) (Config, error) {
	cfg, err := Default(model)
	if err != nil {
		return cfg, &ModelError{Err: err}
	}
	set := map[string]bool{}
	for i, a := range assigns {
		if err := cfg.Set(a.Key, a.Value); err != nil {
			return cfg, &SetError{Index: i, Err: err}
		}
		set[a.Key] = true
	}
	cfg.Derive(func(key string) bool { return set[key] })
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// ModelError is a model name the registry does not know.
type ModelError struct{ Err error }

func (e *ModelError) Error() string { return e.Err.Error() }
func (e *ModelError) Unwrap() error { return e.Err }

// SetError is an assignment Resolve could not apply; Index is its position.
type SetError struct {
	Index int
	Err   error // a *KeyError
}

func (e *SetError) Error() string { return fmt.Sprintf("assignment %d: %v", e.Index+1, e.Err) }
func (e *SetError) Unwrap() error { return e.Err }
