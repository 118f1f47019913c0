// Package stats is the statistics the comparison (harness/compare) and the
// report (reports) compute, written once so the two never disagree: mean and
// sample standard deviation, the median, Welch's t-test, and Throughput, the
// one definition of a cell's training speed.
package stats
