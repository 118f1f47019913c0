// Package num is the one NaN-aware number of every results file: a
// measurement that is missing, or a loss that diverged, is NaN in Go and null
// in JSON (which has no NaN), never 0. nvml's summaries, the trainer's epoch
// lines and the results package's summaries all encode through it.
package num
