// Package nvml measures what a cell costs in memory and energy, and predicts
// the memory part analytically.
//
// A Sampler runs a goroutine around each cell that polls NVML (through
// github.com/NVIDIA/go-nvml, which dlopens libnvidia-ml.so.1 at run time, so
// the package builds and runs on machines without a GPU) every 100 ms by
// default. Each poll reads, per device: memory used/free/total from both
// GetMemoryInfo and GetMemoryInfo_v2 (they disagree: v1's "used" includes the
// driver's reserved memory on recent drivers, v2 reports it apart), this
// process's memory from GetComputeRunningProcesses, utilization, power, the SM
// clock, the temperature and the energy counter. Summary statistics are kept
// streaming and exact (peaks, means, a 101-bin histogram for p95 utilization,
// trapezoid-rule energy); the time series for the report's timelines is kept in
// a bounded buffer that halves its resolution when full (see timeline.go).
// Mark, called by the trainer when the first train step has finished, splits
// the run: SteadyPeakMiB is the peak after it, without compilation's autotuning
// scratch (visible as such only with an allocator that gives memory back; see
// the XLA allocator switch, internal/switches).
//
// Without NVML (no driver, no GPU, or disabled by the caller) a cell still
// runs: its Summary says "NVML unavailable: <reason>" and records the process's
// peak RSS from /proc/self/status (VmHWM) instead.
//
// The analytic side, parameters, gradients, optimizer state and the
// activations kept for backward, is harness/cost's memory model; the harness
// stores it in every cell's summary.json next to this package's measured
// peak.
//
// Measurements are per process: run one cell at a time per process.
package nvml
