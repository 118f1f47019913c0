package load

import (
	"strings"
)

// A matrix says which exercise it answers with the `exercise =` key of its
// experiments/*.toml file, which the runner records in matrix.json. The key
// is d2l 1.0's own number for the chapter's exercises ("4", "5.1", "7"), or
// "s8.1" for the chapter's own result (§8.1). Nothing is guessed from a
// folder's name: a matrix without a key answers no exercise and the report
// lists it under "Other matrices".

// Exercises are the keys a matrix may answer, in the page's order.
var Exercises = []string{"s8.1", "1.1", "1.2", "1.3", "2", "3", "4", "5.1", "5.2", "6", "7", "8"}

// legacyExercises maps the harness's older names, still in matrix.json files
// written before the keys were d2l's numbers, onto those numbers: E0 was
// §8.1, E1 exercise 4, E2.1/E2.2 exercise 5.1/5.2, E3 exercise 6, E4
// exercise 1, E5 exercise 7; E6–E8, E1.1–E1.3 and E5.1/E5.2 already meant
// d2l's own numbers.
var legacyExercises = map[string]string{
	"E0": "s8.1", "E1": "4", "E2.1": "5.1", "E2.2": "5.2", "E3": "6", "E4": "1.1", "E5": "7",
	"E6": "6", "E7": "7", "E8": "8", "E1.1": "1.1", "E1.2": "1.2", "E1.3": "1.3", "E5.1": "5.1", "E5.2": "5.2",
}

// ExerciseKey turns a recorded key into d2l's number: "7", "ex7", "E5"
// (legacy) → "7"; "s8.1", "§8.1" → "s8.1". An unknown key gives "".
func ExerciseKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if k, ok := legacyExercises[strings.ReplaceAll(strings.ToUpper(s), "_", ".")]; ok {
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
