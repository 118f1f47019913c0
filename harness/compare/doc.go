// Package compare compares two results trees, or a tree and a committed
// baseline file (benchmarks/baseline-<card>.json): per configuration (seed
// group) the throughput, step time, first-step time and peak memory, and the
// test accuracy against the baseline's seed spread; a cell finished in the
// baseline but missing or unfinished is a regression. It reads trees through
// harness/results and computes with internal/stats.
package compare
