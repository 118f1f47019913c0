package answers

// displayNames names groups by their model's honest name when that is
// unambiguous, else by matrix and name, else by label.
func displayNames(gs []*group) []string {
	byName, byMatrixName := map[string]int{}, map[string]int{}
	full := make([]string, len(gs))
	for i, g := range gs {
		full[i] = groupModelName(g)
		byName[full[i]]++
		byMatrixName[g.Matrix+"\x00"+full[i]]++
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		switch {
		case byName[full[i]] == 1:
			names[i] = full[i]
		case byMatrixName[g.Matrix+"\x00"+full[i]] == 1:
			names[i] = g.Matrix + ": " + full[i]
		default:
			names[i] = full[i] + " [" + plainLabel(g.Label) + "]"
		}
	}
	return names
}

// legendNames are the names without their parenthesis where that leaves
// them distinct, else with their matrix in front.
func legendNames(gs []*group, names []string) []string {
	count := map[string]int{}
	for _, n := range names {
		count[shortModelName(n)]++
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = shortModelName(n)
		if count[out[i]] > 1 {
			out[i] = gs[i].Matrix + ": " + out[i]
		}
	}
	return out
}
