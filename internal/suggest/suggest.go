// Package suggest finds the valid spelling nearest to a mistyped one, for
// "unknown flag --lenght (did you mean --length?)" style errors.
package suggest

import "strings"

// Nearest returns the candidate closest to s by edit distance (case-folded),
// or "" when none is close enough to be a plausible typo: at most a third of
// the longer word's letters (and at least one) may differ. Ties go to the
// earlier candidate, so the answer does not depend on map order if callers
// pass a sorted list.
func Nearest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := distance(ls, strings.ToLower(c))
		limit := max(1, max(len(s), len(c))/3)
		if d > limit || d == 0 && c == s {
			continue
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean is " (did you mean X?)" with X the nearest candidate, or "".
func DidYouMean(s string, candidates []string, prefix string) string {
	if n := Nearest(s, candidates); n != "" {
		return " (did you mean " + prefix + n + "?)"
	}
	return ""
}

// distance is the optimal-string-alignment distance between a and b (edits
// and swaps of two neighbours, the commonest typo, each count one), by bytes:
// every candidate here is ASCII.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
