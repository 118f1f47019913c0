package load

import (
	"fmt"
	"sort"
)

// A results tree can hold cells of several profiles: a quick run, then
// `make ablation`'s cpu run into the same folder. Their cells share labels
// and seeds, so pooled they would average 3-epoch runs with 5-epoch ones and
// pair them by seed. A report answers from one profile, the largest scale
// present (full, then cpu, then quick); the other profiles' cells are left
// out of every matrix and counted in LeftOut, which the page's header says.
var profileRank = map[string]int{"full": 3, "cpu": 2, "quick": 1}

// keepOneProfile leaves in the cells of the tree's largest-scale profile
// (and cells that recorded none, which have not finished).
func (res *Results) keepOneProfile() {
	count := map[string]int{}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile != "" {
				count[c.Summary.Profile]++
			}
		}
	}
	if len(count) < 2 {
		return
	}
	best := ""
	for p := range count {
		if best == "" || profileRank[p] > profileRank[best] || (profileRank[p] == profileRank[best] && p < best) {
			best = p
		}
	}
	res.Profile = best
	for p, n := range count {
		if p != best {
			res.LeftOut = append(res.LeftOut, fmt.Sprintf("%d cells of the %s profile", n, p))
		}
	}
	sort.Strings(res.LeftOut)
	for _, m := range res.Matrices {
		kept := m.Cells[:0]
		for _, c := range m.Cells {
			if c.Summary == nil || c.Summary.Profile == "" || c.Summary.Profile == best {
				kept = append(kept, c)
			}
		}
		m.Cells = kept
	}
}
