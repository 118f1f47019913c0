package load

import (
	"strings"

	"alexbench/harness/matrix"
)

// A matrix says which exercise it answers with the `exercise =` key of its
// experiments/*.toml file, which the runner records in matrix.json. The key
// is d2l 1.0's own number for the chapter's exercises ("4", "5.1", "7"), or
// "s8.1" for the chapter's own result (§8.1). Nothing is guessed from a
// folder's name: a matrix without a key answers no exercise and the report
// lists it under "Other matrices".

// Exercises are the keys a matrix may answer, in the page's order (the
// matrix files' own vocabulary).
var Exercises = matrix.Exercises

// ExerciseKey turns a recorded key into d2l's number: "7", "ex7", "E5"
// (legacy) → "7"; "s8.1", "§8.1" → "s8.1". An unknown key gives "".
func ExerciseKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if k, ok := matrix.LegacyExercises[strings.ReplaceAll(strings.ToUpper(s), "_", ".")]; ok {
		return k
	}
	k := strings.ToLower(strings.ReplaceAll(s, "_", "."))
	k = strings.TrimPrefix(strings.TrimPrefix(k, "§"), "ex")
	if k == "8.1" || k == "s8.1" {
		return "s8.1"
	}
	for _, e := range Exercises {
		if e == k {
			return e
		}
	}
	return ""
}

// exerciseOrder is the page position of an exercise key (matrices sort by
// it); len(Exercises) for a matrix that answers none.
func exerciseOrder(key string) int {
	for i, e := range Exercises {
		if e == key {
			return i
		}
	}
	return len(Exercises)
}
