package harness

import (
	"time"

	"alexbench/harness/trainer"
)

// Summary is a cell's summary.json, written last: its presence with Outcome
// "done" is what "finished" means. reports reads only this, config.toml,
// metrics.jsonl and the files the nvml sampler and the profiler write.
type Summary struct {
	Matrix  string `json:"matrix"`
	Key     string `json:"key"`
	Profile string `json:"profile"` // quick | full
	Outcome string `json:"outcome"` // done | diverged | oom | failed
	Error   string `json:"error,omitempty"`

	Final            trainer.Epoch `json:"final"`
	DivergedEpoch    int           `json:"diverged_epoch,omitempty"`
	FirstStepSeconds float64       `json:"first_step_seconds"`
	StepMillis       float64       `json:"step_ms"`
	Params           int64         `json:"params"`
	WallSeconds      float64       `json:"wall_seconds"`

	Backend string `json:"backend"`
	Device  string `json:"device"`
	// Allocator and XLAFlags: the XLA client's allocator and XLA_FLAGS, when XLA ran the cell.
	Allocator string   `json:"allocator,omitempty"`
	XLAFlags  string   `json:"xla_flags,omitempty"`
	Versions  Versions `json:"versions"`
	// Memory is the nvml package's per-cell summary (GPU) or the peak RSS (CPU).
	Memory any `json:"memory,omitempty"`
	// MemoryModel is the analytic estimate to compare Memory's peak with.
	MemoryModel *MemoryModel `json:"memory_model,omitempty"`

	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Versions records what produced a result.
type Versions struct {
	Go        string `json:"go"`
	GoMLX     string `json:"gomlx"`
	Alexbench string `json:"alexbench"` // git commit, when known
	Driver    string `json:"driver,omitempty"`
}
