package results

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"alexbench/harness/backend"
	"alexbench/harness/cost"
	"alexbench/harness/trainer"
	"alexbench/internal/num"
	"alexbench/internal/switches"
	"alexbench/nvml"
)

// Summary is a cell's summary.json, written last: its presence with Outcome
// "done" is what "finished" means. Everything that reads a cell (status,
// export, merge, compare, reports) reads it through ReadSummary.
type Summary struct {
	Matrix  string `json:"matrix"`
	Key     string `json:"key"`
	Profile string `json:"profile"` // quick | full
	Outcome string `json:"outcome"` // done | diverged | oom | failed
	Error   string `json:"error,omitempty"`

	// Final is the last epoch's line; a diverged loss is NaN (null in the file).
	Final            trainer.Epoch `json:"final"`
	DivergedEpoch    int           `json:"diverged_epoch,omitempty"`
	FirstStepSeconds float64       `json:"first_step_seconds"`
	StepMillis       float64       `json:"step_ms"`
	// StepMillisMedian is the median steady-state step (trainer.Result's);
	// Load1Max the busiest 1-minute load average while it trained and CPUs
	// the cores it had: above them, other work shared the machine and its
	// times are not its own. Absent (0) in older trees.
	StepMillisMedian float64 `json:"step_ms_median,omitempty"`
	Load1Max         float64 `json:"load1_max,omitempty"`
	CPUs             int     `json:"cpus,omitempty"`
	Params           int64   `json:"params"`
	// Subset is how train_limit and test_limit picked the cell's images
	// (data.SubsetRule: a stratified random sample with a fixed seed); absent
	// in older trees, whose limits took each file's first images.
	Subset string `json:"subset,omitempty"`
	// TestMajorityRate is the largest class share among the test images the
	// cell was evaluated on: the accuracy of always guessing that class, which
	// diagnose reads as the cell's chance. Absent (0) in older trees.
	TestMajorityRate float64 `json:"test_majority_rate,omitempty"`
	WallSeconds      float64 `json:"wall_seconds"`
	// EstimateSeconds is what the runner estimated the cell would take on a
	// CPU before it ran (cost.Estimate: its FLOPs at the backend's measured
	// matmul speed, a lower bound); a matrix cell records it instead of asking
	// for train's --yes. 0: not estimated (a GPU, or a cell too small to matter).
	EstimateSeconds float64 `json:"estimate_s,omitempty"`
	// PackedWith is the most other cells that trained beside this one at
	// once (run --jobs N): its times, and a GPU's per-process memory, then
	// include theirs. RetriedAlone: it ran out of memory beside others and
	// this is its rerun with nothing beside it.
	PackedWith   int  `json:"packed_with,omitempty"`
	RetriedAlone bool `json:"retried_alone,omitempty"`

	// Backend, Device, Allocator and XLAFlags are BackendInfo's name,
	// device, allocator and XLA_FLAGS (the last two when XLA ran the cell),
	// kept as plain fields for the readers of older trees (SetBackend).
	Backend   string `json:"backend"`
	Device    string `json:"device"`
	Allocator string `json:"allocator,omitempty"`
	XLAFlags  string `json:"xla_flags,omitempty"`
	// BackendInfo is the backend that ran the cell, whole: besides the
	// above, its plugin, why it was chosen and, on SimpleGo, the CPU kernels
	// that ran (internal/fastcpu's status line). Absent in older trees.
	BackendInfo *backend.Info `json:"backend_info,omitempty"`
	// Conv1 is the form of AlexNet's first convolution the layers used
	// (the conv1 config key: strided or space_to_depth).
	Conv1 string `json:"conv1,omitempty"`
	// Switches are the environment switches the process ran with, those
	// that change results or speed (internal/switches).
	Switches *switches.Switches `json:"switches,omitempty"`
	// AutotuneCache: XLA's persistent autotune cache and whether it was warm
	// when the cell started (XLA CUDA with run's cache only).
	AutotuneCache *trainer.AutotuneCache `json:"autotune_cache,omitempty"`
	Versions      Versions               `json:"versions"`
	// Memory is the nvml sampler's per-cell summary: NVML's on a GPU, the
	// peak RSS on a CPU (Method says which); nil when nothing sampled.
	Memory *nvml.Summary `json:"memory,omitempty"`
	// MemoryModel is the analytic estimate to compare Memory's peak with.
	MemoryModel *MemoryModel `json:"memory_model,omitempty"`

	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// SetBackend records info as the backend that ran the cell.
func (s *Summary) SetBackend(info backend.Info) {
	s.BackendInfo = &info
	s.Backend, s.Device, s.Allocator, s.XLAFlags = info.Name, info.Device, info.Allocator, info.XLAFlags
}

// ErrorLine is the first line of Error (a panic's stack follows it).
func (s *Summary) ErrorLine() string {
	line, _, _ := strings.Cut(s.Error, "\n")
	return line
}

// PeakMiB is the memory summary's peak and how it was measured, or NaN and
// "" when none was recorded.
func (s *Summary) PeakMiB() (float64, string) {
	if s.Memory == nil || !s.Memory.PeakMiB.Valid() || s.Memory.PeakMiB <= 0 {
		return math.NaN(), ""
	}
	return float64(s.Memory.PeakMiB), s.Memory.Method
}

// summaryJSON overrides the float fields that can be non-finite with num.Num
// (a shallower field wins over the embedded one's of the same JSON name).
type summaryJSON struct {
	*summaryFields
	FirstStepSeconds num.Num `json:"first_step_seconds"`
	StepMillis       num.Num `json:"step_ms"`
	WallSeconds      num.Num `json:"wall_seconds"`
}

type summaryFields Summary // without Summary's methods, so encoding does not recurse

// MarshalJSON writes NaN and ±Inf as null.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{(*summaryFields)(&s), num.Finite(s.FirstStepSeconds), num.Finite(s.StepMillis), num.Finite(s.WallSeconds)})
}

// UnmarshalJSON reads null as NaN.
func (s *Summary) UnmarshalJSON(b []byte) error {
	j := summaryJSON{summaryFields: (*summaryFields)(s), FirstStepSeconds: num.NaN(), StepMillis: num.NaN(), WallSeconds: num.NaN()}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	s.FirstStepSeconds, s.StepMillis, s.WallSeconds = float64(j.FirstStepSeconds), float64(j.StepMillis), float64(j.WallSeconds)
	return nil
}

// Versions records what produced a result.
type Versions struct {
	Go        string `json:"go"`
	GoMLX     string `json:"gomlx"`
	Alexbench string `json:"alexbench"` // git commit, when known
	Driver    string `json:"driver,omitempty"`
}

// MemoryModel is the analytic training-memory model of a cell (cost.MemoryModel).
type MemoryModel = cost.MemoryModel

// MemoryModelExcludes is what the model leaves out (MemoryModel.Excludes).
const MemoryModelExcludes = cost.MemoryModelExcludes
