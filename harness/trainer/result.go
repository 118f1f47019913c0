package trainer

import "alexbench/harness/backend"

// Epoch is one line of a cell's metrics.jsonl.
type Epoch struct {
	Epoch          int     `json:"epoch"` // 1-based
	TrainLoss      float64 `json:"train_loss"`
	TrainAcc       float64 `json:"train_acc"`
	TestAcc        float64 `json:"test_acc"`
	ExamplesPerSec float64 `json:"examples_per_sec"` // training only, as d2l measures it
	EpochSeconds   float64 `json:"epoch_seconds"`    // training + evaluation wall time
	TrainSeconds   float64 `json:"train_seconds"`
	EvalSeconds    float64 `json:"eval_seconds"`
}

// Outcome values of a run (and of a cell's summary.json).
const (
	OutcomeDone     = "done"
	OutcomeDiverged = "diverged"
	OutcomeOOM      = "oom"
	OutcomeFailed   = "failed"
)

// Result is what Train returns: per-epoch metrics as data plus how it ended.
type Result struct {
	Outcome string  `json:"outcome"`
	Error   string  `json:"error,omitempty"`
	Epochs  []Epoch `json:"epochs"`
	// DivergedEpoch is the 1-based epoch in which the loss became NaN/Inf (0 if none).
	DivergedEpoch int `json:"diverged_epoch,omitempty"`
	// FirstStepSeconds is the wall time of the first train step (graph compile included).
	FirstStepSeconds float64 `json:"first_step_seconds"`
	// StepMillis is the mean train step time after the first, in milliseconds
	// (from the epochs' synchronized training time; 0 if no epoch finished).
	StepMillis float64 `json:"step_ms"`
	// StepMillisMedian is the median of the steady-state steps (every step
	// but the first of each epoch): a burst of other work moves the mean,
	// much less the median. On XLA steps are queued, so a step's time is the
	// interval between its dispatch and the next, which a full queue paces
	// at the device's speed. 0 when no steady step ran.
	StepMillisMedian float64 `json:"step_ms_median"`
	// Load1Max is the largest 1-minute load average sampled at the end of
	// each epoch, and CPUs the cores the process could use: a load above
	// the cores means other work shared them while the cell trained, so its
	// times say less about its own speed. Load1Max is 0 where unreadable
	// (a training process keeps the load above 0 where it can be read).
	Load1Max float64 `json:"load1_max"`
	CPUs     int     `json:"cpus"`
	// ExamplesPerSec is the training rate over all epochs, compilation (the
	// first step) excluded: what d2l's final line prints.
	ExamplesPerSec float64 `json:"examples_per_sec"`
	Params         int64   `json:"params"`
	// Subset is how a train or test limit picks its images (data.SubsetRule);
	// TestMajorityRate is the largest class share among the test images
	// evaluated, the accuracy of always guessing that class: the run's chance.
	Subset           string  `json:"subset"`
	TestMajorityRate float64 `json:"test_majority_rate"`
	// Backend is what ran the cell, whole: its name, device, allocator and
	// XLA flags (both change speed and memory), and on SimpleGo the CPU
	// kernels in use.
	Backend     backend.Info `json:"backend"`
	WallSeconds float64      `json:"wall_seconds"`
	// AutotuneCache is the persistent autotune cache the cell ran with
	// (set by the caller that opened the backend), nil without one.
	AutotuneCache *AutotuneCache `json:"autotune_cache,omitempty"`
}

// Final is the last epoch's metrics (zero value if no epoch finished).
func (r *Result) Final() Epoch {
	if len(r.Epochs) == 0 {
		return Epoch{}
	}
	return r.Epochs[len(r.Epochs)-1]
}
