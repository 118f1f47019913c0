package trainer

import (
	"alexbench/data"
	"alexbench/harness/config"
)

// limit is the part of split a run trains or tests on: the whole split
// without a limit, else the n examples the config's subset rule picks (a
// stratified random sample; "first", the file's first n, only for cells
// recorded with it).
func limit(split data.Split, n int, rule string) data.Split {
	if rule == config.SubsetFirst {
		return split.Head(n)
	}
	return split.Subset(n)
}

// subsetRule is the rule summary.json records.
func subsetRule(rule string) string {
	if rule == config.SubsetFirst {
		return "the file's first N"
	}
	return data.SubsetRule
}
