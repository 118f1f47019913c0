package nvml

// Method values: how Summary.PeakMiB was measured.
const (
	// MethodProcess: this process's entry in GetComputeRunningProcesses.
	MethodProcess = "nvml-process"
	// MethodDeviceDelta: device memory used minus the baseline read at Start,
	// because our PID was never listed (NVML lists host PIDs; in a container
	// ours differs). Other processes' allocations during the cell count too.
	MethodDeviceDelta = "nvml-device-delta"
	// MethodRSS: no NVML; the process's peak resident set size (VmHWM).
	MethodRSS = "rss"
)

// Summary is one cell's memory/energy record; the harness stores it in
// summary.json's "memory" field. Memory is in MiB (2^20 bytes). Values a
// device could not report are null (see Num), and listed in Unsupported.
//
// When our PID was seen on some devices, the aggregate fields (utilization,
// power, energy, device memory peaks) cover those devices only, since on a
// shared multi-GPU host the others belong to someone else; otherwise they cover
// every sampled device. Devices has every sampled device.
type Summary struct {
	Available bool   `json:"available"`        // NVML was used and sampled at least once
	Reason    string `json:"reason,omitempty"` // "NVML unavailable: <why>" when not
	Method    string `json:"method"`           // nvml-process | nvml-device-delta | rss

	// PeakMiB is this process's peak memory by Method: the sum over devices of
	// its GPU memory at one instant, or the peak RSS for MethodRSS.
	PeakMiB Num `json:"peak_mib"`
	// StartMiB is this process's memory by Method at Start, before the cell's
	// work: the CUDA context and allocator pool left by earlier cells of the
	// same process (the BFC allocator never gives memory back), or 0 for the
	// first cell and for MethodDeviceDelta; null on the RSS path.
	StartMiB Num `json:"start_mib"`
	// SteadyPeakMiB is PeakMiB over the samples begun after the first train
	// step finished (Mark): the train step's compilation and autotuning
	// scratch excluded (the evaluation graph compiles later, at the end of
	// epoch 1; its convolutions have the train step's forward shapes, which
	// XLA's in-process autotuning cache already holds). With
	// XLA's default BFC allocator it equals PeakMiB (a pool only grows); with
	// the platform allocator it is the training step's own footprint plus the
	// CUDA context. Null when no mark came or no sample followed it.
	SteadyPeakMiB Num `json:"steady_peak_mib"`
	// SteadyFromS is when the first steady sample was taken, in seconds after Start.
	SteadyFromS Num `json:"steady_from_s"`
	// BaselineMiB is device memory used at Start (what MethodDeviceDelta subtracts).
	BaselineMiB Num `json:"baseline_mib"`
	// PeakDeviceUsedMiB is the peak of GetMemoryInfo's "used" (whole device,
	// every process, and on recent drivers the driver's reserved memory).
	PeakDeviceUsedMiB Num `json:"peak_device_used_mib"`
	// PeakDeviceUsedV2MiB is the peak of GetMemoryInfo_v2's "used", which
	// excludes ReservedMiB.
	PeakDeviceUsedV2MiB Num `json:"peak_device_used_v2_mib"`
	ReservedMiB         Num `json:"reserved_mib"` // GetMemoryInfo_v2 "reserved" (its peak)
	TotalMiB            Num `json:"total_mib"`

	MeanUtilGPU Num `json:"mean_util_gpu"` // percent
	P95UtilGPU  Num `json:"p95_util_gpu"`  // nearest-rank 95th percentile
	MeanUtilMem Num `json:"mean_util_mem"`
	P95UtilMem  Num `json:"p95_util_mem"`

	// EnergyJ is the trapezoid-rule integral of the power readings.
	EnergyJ Num `json:"energy_j"`
	// EnergyCounterJ is the device energy counter's increase over the same
	// samples (Volta+), an independent check on EnergyJ. Prefer it when
	// present: GetPowerUsage is a moving average (about 1 s on recent GPUs),
	// so the integral lags load steps (an H200 run of 1.2 s with an allocation
	// spike read 108 J by trapezoid, 126 J by counter).
	// The counter itself updates in steps, so runs under a second are rough.
	EnergyCounterJ Num `json:"energy_counter_j"`
	MeanPowerW     Num `json:"mean_power_w"`
	PeakPowerW     Num `json:"peak_power_w"`
	MeanSMClockMHz Num `json:"mean_sm_clock_mhz"`
	MaxTempC       Num `json:"max_temp_c"`

	Samples        int     `json:"samples"`         // sampling instants, all of them
	TimelinePoints int     `json:"timeline_points"` // instants in nvml.csv (after decimation)
	IntervalMS     float64 `json:"interval_ms"`
	DurationS      float64 `json:"duration_s"` // first to last sample

	Device  string          `json:"device,omitempty"` // name(s) of the summarized device(s)
	Driver  string          `json:"driver,omitempty"`
	Devices []DeviceSummary `json:"devices,omitempty"`

	// Unsupported lists fields some device answered NOT_SUPPORTED (or, for an
	// old driver, FUNCTION_NOT_FOUND), as "field" names: memory_v2, power, ...
	Unsupported []string `json:"unsupported,omitempty"`
	// FieldErrors counts other failed reads that left a field empty in one
	// sample; LastFieldError is the newest of them.
	FieldErrors    int    `json:"field_errors,omitempty"`
	LastFieldError string `json:"last_field_error,omitempty"`
	// Error is why sampling ended early (e.g. ERROR_GPU_IS_LOST) or why the
	// timeline could not be written; the fields above keep what came before.
	Error string `json:"error,omitempty"`

	// PeakRSSMiB is the process's peak resident set size (VmHWM), recorded on
	// every path; RSSReason says how it was read and whether it was reset at
	// Start (if not, it is the peak since the process started).
	PeakRSSMiB Num    `json:"peak_rss_mib"`
	RSSReason  string `json:"rss_reason"`

	// Timeline is the CSV file name, next to summary.json, when one was written.
	Timeline string `json:"timeline,omitempty"`
}

// DeviceSummary is one sampled device over the run.
type DeviceSummary struct {
	Index         int    `json:"index"` // NVML index
	Name          string `json:"name"`
	ProcessListed bool   `json:"process_listed"` // our PID appeared in its process list

	TotalMiB           Num      `json:"total_mib"`
	BaselineMiB        Num      `json:"baseline_mib"`
	PeakUsedMiB        Num      `json:"peak_used_mib"`
	PeakUsedV2MiB      Num      `json:"peak_used_v2_mib"`
	PeakReservedMiB    Num      `json:"peak_reserved_mib"`
	PeakProcessMiB     Num      `json:"peak_process_mib"`
	PeakDeviceDeltaMiB Num      `json:"peak_device_delta_mib"`
	MeanUtilGPU        Num      `json:"mean_util_gpu"`
	P95UtilGPU         Num      `json:"p95_util_gpu"`
	MeanUtilMem        Num      `json:"mean_util_mem"`
	P95UtilMem         Num      `json:"p95_util_mem"`
	EnergyJ            Num      `json:"energy_j"`
	EnergyCounterJ     Num      `json:"energy_counter_j"`
	MeanPowerW         Num      `json:"mean_power_w"`
	PeakPowerW         Num      `json:"peak_power_w"`
	MeanSMClockMHz     Num      `json:"mean_sm_clock_mhz"`
	MaxTempC           Num      `json:"max_temp_c"`
	Unsupported        []string `json:"unsupported,omitempty"`
}
