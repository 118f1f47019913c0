package reports

import (
	"strings"
)

// A matrix says which exercise it answers with a key (its `exercise =` in
// experiments/*.toml, recorded in matrix.json; else its folder name's
// prefix): the harness's own names E0–E5 (E1 = d2l's exercise 4, E2.1 = 5.1,
// E2.2 = 5.2, E3 = 6, E4 = 1, E5 = 7), and for the exercises those names never
// covered, d2l's own numbers: E6, E7, E8 and E1.1–E1.3, E5.1, E5.2 are d2l
// 1.0's exercises 6, 7, 8, 1.1–1.3, 5.1, 5.2. Each section of sectionList
// lists the keys that feed it.

// legacyKeys are the harness's historical exercise names.
var legacyKeys = []string{"E0", "E1", "E2.1", "E2.2", "E3", "E4", "E5"}

// normalizeExercise turns "e2.1", "2.1", "E2_1" into "E2.1"; a bare "E2" is
// split into E2.1/E2.2 by the folder name. Keys no section lists give "".
func normalizeExercise(s, folder string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "_", ".")
	if s != "" && s[0] != 'E' {
		s = "E" + s
	}
	if s == "E2" {
		if ex := exerciseFromName(folder); strings.HasPrefix(ex, "E2.") {
			return ex
		}
		return "E2.1"
	}
	if sectionOfKey(s) >= 0 {
		return s
	}
	return ""
}

// exerciseFromName infers the exercise from the matrix folder's conventional
// name (experiments/e0-alexnet.toml → results/e0-alexnet/...; e8-overfit).
func exerciseFromName(name string) string {
	n := strings.ToLower(name)
	if len(n) < 2 || n[0] != 'e' || n[1] < '0' || n[1] > '9' {
		return ""
	}
	switch n[1] {
	case '2':
		if strings.Contains(n, "28") {
			return "E2.2"
		}
		return "E2.1"
	}
	if len(n) > 2 && n[2] >= '0' && n[2] <= '9' {
		return "" // e10…: no such exercise
	}
	key := "E" + string(n[1])
	if sectionOfKey(key) >= 0 {
		return key
	}
	return ""
}

// exerciseOrder is the page position of the section a key feeds (matrices
// sort by it); len(sectionList) for keys no section lists.
func exerciseOrder(key string) int {
	if i := sectionOfKey(key); i >= 0 {
		return i
	}
	return len(sectionList)
}

// sectionOfKey is the index in sectionList of the section key feeds, -1 if none.
func sectionOfKey(key string) int {
	if key == "" {
		return -1
	}
	for i, s := range sectionList {
		for _, k := range s.allKeys() {
			if k == key {
				return i
			}
		}
	}
	return -1
}

// isLegacyKey tells the harness's own names (E0–E5) from d2l's numbers.
func isLegacyKey(key string) bool {
	for _, k := range legacyKeys {
		if k == key {
			return true
		}
	}
	return false
}
