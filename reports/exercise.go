package reports

import "strings"

// exerciseOrderList is the page order of the exercises a matrix can answer.
var exerciseOrderList = []string{"E0", "E1", "E2.1", "E2.2", "E3", "E4", "E5"}

func exerciseOrder(ex string) int {
	for i, e := range exerciseOrderList {
		if e == ex {
			return i
		}
	}
	return len(exerciseOrderList)
}

// normalizeExercise turns "e2.1", "2.1", "E2_1" into "E2.1"; a bare "E2" is
// split into E2.1/E2.2 by the folder name. Unknown spellings give "".
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
	for _, e := range exerciseOrderList {
		if e == s {
			return s
		}
	}
	return ""
}

// exerciseFromName infers the exercise from the matrix folder's conventional
// name (experiments/e0-alexnet.toml → results/e0-alexnet/...).
func exerciseFromName(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "e0"):
		return "E0"
	case strings.HasPrefix(n, "e1"):
		return "E1"
	case strings.HasPrefix(n, "e2") && strings.Contains(n, "28"):
		return "E2.2"
	case strings.HasPrefix(n, "e2"):
		return "E2.1"
	case strings.HasPrefix(n, "e3"):
		return "E3"
	case strings.HasPrefix(n, "e4"):
		return "E4"
	case strings.HasPrefix(n, "e5"):
		return "E5"
	}
	return ""
}
