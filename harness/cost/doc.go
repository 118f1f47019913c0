// Package cost says what a cell costs before it runs, from its layer stack
// (models.Model) alone:
//
//	Compute      multiply-adds and FLOPs of the whole cell (shard balance,
//	             longest-first order, the sweep clock, the CPU estimate)
//	Memory       the analytic training memory per layer and in total
//	             (TrainingMemory; harness/profile's per-layer bytes)
//	MemoryModel  the MiB summary of Memory stored in summary.json and used
//	             for memory admission
//	Estimate     a duration: FLOPs at a measured FLOP/s, the one thing the
//	             harness calls an estimate (summary.json's estimate_s)
//
// The harness computes each once per cell (harness/cellspec) and passes it on.
package cost
