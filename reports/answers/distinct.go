package answers

import "strings"

// distinct collects the different non-empty values (devices, memory
// methods, reasons) with how often each was seen.
type distinct map[string]int

func (d distinct) add(s string) {
	if s = strings.TrimSpace(s); s != "" {
		d[s]++
	}
}

// String is the values in order, "; "-separated ("not recorded" for none).
func (d distinct) String() string {
	if len(d) == 0 {
		return "not recorded"
	}
	return strings.Join(sortedKeys(d), "; ")
}

// list is the values in order.
func (d distinct) list() []string { return sortedKeys(d) }

// mergeDistinct adds b's counts to a and returns a.
func mergeDistinct(a, b distinct) distinct {
	for k, v := range b {
		a[k] += v
	}
	return a
}
