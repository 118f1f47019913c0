// Package switches reads the environment switches, every ALEXBENCH_*
// variable, once per process into one struct (Current), so that what a
// process ran with is data: summary.json records the switches that change
// results or speed, and no other package reads these variables.
//
//	variable                     field                 changes
//	ALEXBENCH_DATA               DataDir               nothing: where Fashion-MNIST is when --data is not given (the files are checked)
//	ALEXBENCH_XLA_FLAGS          XLAFlags              speed (XLA flags appended to XLA_FLAGS, e.g. --xla_gpu_autotune_level=1); results only within float rounding
//	ALEXBENCH_XLA_ALLOCATOR      XLAAllocator          speed and measured memory: the XLA GPU client's allocator, bfc (default), platform or cuda_async
//	ALEXBENCH_ECHARTS            ECharts               nothing measured: the echarts.min.js the report inlines
//	ALEXBENCH_FASTCPU            FastCPU.Enabled       speed: 0, off or false turns internal/fastcpu's CPU kernels off (SimpleGo's own); results only within float rounding
//	ALEXBENCH_FASTCPU_WORKERS    FastCPU.Workers       speed: goroutines per fastcpu convolution (default GOMAXPROCS)
//	ALEXBENCH_FASTCPU_BLOCK_KIB  FastCPU.BlockKiB      speed: the patch block each fastcpu worker fills (default 256 KiB)
//	ALEXBENCH_FASTCPU_PROFILE    FastCPU.Profile       speed (a little): 1 times SimpleGo's nodes by op type, shapes by op and shapes
//	ALEXBENCH_FASTCPU_DEBUG      FastCPU.Debug         nothing: 1 names the nodes fastcpu leaves to SimpleGo, on stderr
//	ALEXBENCH_BLAS               FastCPU.BLAS          speed: the BLAS library fastcpu opens (default libopenblas.so.0)
//	ALEXBENCH_BLAS_THREADS       FastCPU.BLASThreads   speed: OpenBLAS's threads (default 1)
//	ALEXBENCH_FASTCPU_DNNL       FastCPU.DNNLMode      speed: where float32 convolutions run: 0 never on oneDNN, 1/weights/plain always (in those layouts), unset per shape by fastcpu's measured rules
//	ALEXBENCH_DNNL               FastCPU.DNNL          speed: the oneDNN library fastcpu opens (default libdnnl.so.2)
//
// What changes a cell's graph is a config key, not a switch, so that it
// enters the cell key: AlexNet's conv1 form is the conv1 key (the
// ALEXBENCH_CONV1_S2D switch it replaced is reported by Warnings).
//
// To add a switch: a field in Switches (or FastCPU), its variable's name as
// a constant, one line in Parse, and a row in the table above saying what it
// changes. The json tags are what summary.json records: "-" for switches
// that change neither results nor speed.
package switches

import (
	"os"
	"strconv"
	"sync"
)

// The variables' names, for messages and tests.
const (
	DataDirVar      = "ALEXBENCH_DATA"
	XLAFlagsVar     = "ALEXBENCH_XLA_FLAGS"
	XLAAllocatorVar = "ALEXBENCH_XLA_ALLOCATOR"
	EChartsVar      = "ALEXBENCH_ECHARTS"
	FastCPUVar      = "ALEXBENCH_FASTCPU"
	WorkersVar      = "ALEXBENCH_FASTCPU_WORKERS"
	BlockKiBVar     = "ALEXBENCH_FASTCPU_BLOCK_KIB"
	ProfileVar      = "ALEXBENCH_FASTCPU_PROFILE"
	DebugVar        = "ALEXBENCH_FASTCPU_DEBUG"
	BLASVar         = "ALEXBENCH_BLAS"
	BLASThreadsVar  = "ALEXBENCH_BLAS_THREADS"
	DNNLModeVar     = "ALEXBENCH_FASTCPU_DNNL"
	DNNLVar         = "ALEXBENCH_DNNL"

	// removedConv1S2D was AlexNet's space-to-depth conv1 switch, now the
	// conv1 config key.
	removedConv1S2D = "ALEXBENCH_CONV1_S2D"
)

// Switches are the environment switches of a process (see the package doc
// for what each changes).
type Switches struct {
	DataDir      string  `json:"-"`
	XLAFlags     string  `json:"xla_flags,omitempty"`
	XLAAllocator string  `json:"xla_allocator,omitempty"`
	ECharts      string  `json:"-"`
	FastCPU      FastCPU `json:"fastcpu"`

	// conv1S2D is the removed switch's value, for Warnings.
	conv1S2D string
}

// FastCPU are internal/fastcpu's switches. Zero means unset: fastcpu applies
// its defaults.
type FastCPU struct {
	// Enabled is the variable's text: "0", "off" or "false" turns fastcpu
	// off (see Off); anything else leaves it on.
	Enabled     string `json:"enabled,omitempty"`
	Workers     int    `json:"workers,omitempty"`
	BlockKiB    int    `json:"block_kib,omitempty"`
	Profile     string `json:"profile,omitempty"`
	Debug       bool   `json:"debug,omitempty"`
	BLAS        string `json:"blas,omitempty"`
	BLASThreads int    `json:"blas_threads,omitempty"`
	DNNLMode    string `json:"dnnl_mode,omitempty"`
	DNNL        string `json:"dnnl,omitempty"`
}

// Off tells whether Enabled turns fastcpu off.
func (f FastCPU) Off() bool {
	return f.Enabled == "0" || f.Enabled == "off" || f.Enabled == "false"
}

// Current is the process's switches, read from the environment on first use
// and the same ever after.
var Current = sync.OnceValue(func() Switches { return Parse(os.Getenv) })

// Parse reads the switches through getenv (os.Getenv, or a test's map).
// A number that does not parse as a positive integer is unset.
func Parse(getenv func(string) string) Switches {
	return Switches{
		DataDir:      getenv(DataDirVar),
		XLAFlags:     getenv(XLAFlagsVar),
		XLAAllocator: getenv(XLAAllocatorVar),
		ECharts:      getenv(EChartsVar),
		FastCPU: FastCPU{
			Enabled:     getenv(FastCPUVar),
			Workers:     positive(getenv(WorkersVar)),
			BlockKiB:    positive(getenv(BlockKiBVar)),
			Profile:     getenv(ProfileVar),
			Debug:       getenv(DebugVar) == "1",
			BLAS:        getenv(BLASVar),
			BLASThreads: positive(getenv(BLASThreadsVar)),
			DNNLMode:    getenv(DNNLModeVar),
			DNNL:        getenv(DNNLVar),
		},
		conv1S2D: getenv(removedConv1S2D),
	}
}

// Warnings are lines to print for switches that no longer work.
func (s Switches) Warnings() []string {
	if s.conv1S2D == "" {
		return nil
	}
	return []string{"warning: " + removedConv1S2D + " is ignored: AlexNet's conv1 form is the config key conv1 now " +
		`(conv1 = "space_to_depth" in a matrix, --conv1 space_to_depth for train)`}
}

func positive(s string) int {
	if v, err := strconv.Atoi(s); err == nil && v > 0 {
		return v
	}
	return 0
}
