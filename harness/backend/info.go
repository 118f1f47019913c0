package backend

import "fmt"

// Info describes the backend Open chose; the trainer copies it into results.
type Info struct {
	// Name is "go (SimpleGo)", "xla:cuda", "xla:cpu" or "xla:<plugin path>".
	Name string `json:"name"`
	// PluginPath is the PJRT plugin loaded (empty for SimpleGo).
	PluginPath string `json:"plugin_path,omitempty"`
	// Device is e.g. "NVIDIA H100 80GB HBM3" or "CPU (2 cores)".
	Device string `json:"device"`
	// Allocator is the XLA client's memory setting, e.g. "bfc, preallocate=false";
	// empty where there is no device allocator (SimpleGo, XLA CPU).
	Allocator string `json:"allocator,omitempty"`
	// XLAFlags is XLA_FLAGS as the plugin will read it (empty for SimpleGo).
	XLAFlags string `json:"xla_flags,omitempty"`
	// AutotuneCacheDir is XLA's persistent per-fusion autotune cache in use
	// (Finder.AutotuneCacheDir, on XLA CUDA only), "" without one.
	AutotuneCacheDir string `json:"autotune_cache_dir,omitempty"`
	// IsGPU tells whether the backend runs on an NVIDIA GPU.
	IsGPU bool `json:"is_gpu"`
	// Reason is one line: what was found and why this backend was chosen.
	Reason string `json:"reason"`
	// CPUKernels says, for SimpleGo, whether internal/fastcpu's BLAS-backed
	// executors run and on which library, or why not (a step is ~5–10× slower
	// without them).
	CPUKernels string `json:"cpu_kernels,omitempty"`
}

// String is the one-line form printed at the start of a run.
func (i Info) String() string {
	s := fmt.Sprintf("backend %s on %s", i.Name, i.Device)
	if i.Allocator != "" {
		s += " [" + i.Allocator + "]"
	}
	s += ": " + i.Reason
	if i.CPUKernels != "" {
		s += "; " + i.CPUKernels
	}
	return s
}
