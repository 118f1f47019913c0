package profile

// File is one model at one batch size: results/profile/<model>-b<batch>.json,
// the one definition of E4's file: the profiler writes it and the report
// (reports) reads it as this type. Conventions the report relies on: FLOPs
// count 2 × multiply-adds; bytes are of the dtype used; every per-layer
// number is for one whole batch; Intensity and the achieved rates are of the
// forward pass; a layer not measured has FwdMs = 0. The fields after Layers
// are extras the CLI prints.
type File struct {
	Model     string `json:"model"`
	Batch     int    `json:"batch"`
	Resize    int    `json:"resize"`
	DType     string `json:"dtype"`
	Backend   string `json:"backend"`
	Device    string `json:"device"`
	GoMLX     string `json:"gomlx"`
	Alexbench string `json:"alexbench"`
	Created   string `json:"created"`
	// Runs is the fewest timed runs any layer's median was taken over (the
	// count per layer is in Layer.FwdRuns and Layer.FwdBwdRuns).
	Runs int `json:"runs"`

	Ceilings Ceilings `json:"ceilings"`
	Layers   []Layer  `json:"layers"`

	// Extras.
	Warmup  int      `json:"warmup"`            // untimed runs per graph after the compiling one
	Totals  Totals   `json:"totals"`            // sums over Layers, plus the summary's
	Answers []string `json:"answers"`           // E4.1, E4.2, E4.3 and the d2l check, from the numbers
	Notes   []string `json:"notes,omitempty"`   // conventions and anything not measured
	WallS   float64  `json:"wall_s"`            // the whole profile's wall time
	Problem string   `json:"problem,omitempty"` // why some layer was not measured
}

// Ceilings are the device's limits, measured in the same run through the same backend.
type Ceilings struct {
	PeakFLOPs     float64 `json:"peak_flops"`       // FLOP/s of a MatmulN × MatmulN float32 matmul (2·N³ FLOPs)
	PeakBytesPerS float64 `json:"peak_bytes_per_s"` // bytes/s read + written by an elementwise copy of CopyBytes
	MatmulN       int     `json:"matmul_n"`
	CopyBytes     int64   `json:"copy_bytes"` // the size of the tensor copied (read once, written once)

	// Extras.
	MatmulMs float64 `json:"matmul_ms"` // median time of one matmul
	CopyMs   float64 `json:"copy_ms"`   // median time of one copy
	// LaunchMs is the median time of a one-element graph (y = −x, read
	// back): the fixed cost of running any graph on this backend, which no
	// faster arithmetic or memory removes. 0: not measured.
	LaunchMs float64 `json:"launch_ms"`
	Runs     int     `json:"runs"`
}

// Ridge is the intensity (FLOP/byte) above which a kernel can be compute-bound
// on this device: PeakFLOPs / PeakBytesPerS; 0 when not measured.
func (c Ceilings) Ridge() float64 {
	if c.PeakBytesPerS <= 0 || c.PeakFLOPs <= 0 {
		return 0
	}
	return c.PeakFLOPs / c.PeakBytesPerS
}

// Layer is one layer's row.
type Layer struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	OutShape []int  `json:"out_shape"` // batch first

	Params     int64 `json:"params"`
	ParamBytes int64 `json:"param_bytes"`
	ActBytes   int64 `json:"act_bytes"` // kept for backward, each tensor charged once (cost.TrainingMemory's rules)
	FwdFLOPs   int64 `json:"fwd_flops"`
	BwdFLOPs   int64 `json:"bwd_flops"`
	MinBytes   int64 `json:"min_bytes"` // forward: input + weights + output

	Intensity float64 `json:"intensity"` // FwdFLOPs / MinBytes

	FwdMs    float64 `json:"fwd_ms"`    // median; 0 = not measured
	FwdBwdMs float64 `json:"fwdbwd_ms"` // median; 0 = not measured
	// InferMs is the forward pass in inference mode (dropout off, no
	// gradient, so nothing kept): median; 0 = not measured (or a file from
	// before it was).
	InferMs float64 `json:"infer_ms"`
	// InferLiveBytes is what inference holds besides the weights while this
	// layer runs: its input and output (every earlier activation is freed).
	InferLiveBytes      int64   `json:"infer_live_bytes"`
	AchievedFLOPs       float64 `json:"achieved_flops"`
	AchievedBytesPerSec float64 `json:"achieved_bytes_per_s"`

	// Extras.
	InShape []int `json:"in_shape"` // batch first
	// MACs is the models summary's multiply-adds for the whole batch.
	MACs int64 `json:"macs"`
	// InputGrad tells whether the backward computes the gradient w.r.t. the
	// layer's input (not for the first layer: nothing upstream needs it).
	InputGrad bool `json:"input_grad"`
	// Bound is "memory" or "compute" (intensity vs the ridge), "" when the
	// layer does no FLOPs or the ceilings were not measured.
	Bound              string  `json:"bound,omitempty"`
	FwdRuns            int     `json:"fwd_runs"`
	InferRuns          int     `json:"infer_runs"`
	FwdBwdRuns         int     `json:"fwdbwd_runs"`
	FwdBwdAchievedFLOP float64 `json:"fwdbwd_achieved_flops"` // (Fwd + Bwd FLOPs) / FwdBwdMs
	// RoofFraction is AchievedFLOPs over the roofline's bound at this
	// intensity, min(PeakFLOPs, Intensity · PeakBytesPerS): how close the
	// forward pass comes to what the device allows (0: not known).
	RoofFraction float64 `json:"roof_fraction"`
	Rule         string  `json:"rule"` // how its FLOPs were counted
}

// Totals are sums over the layers, and the models summary's own totals for
// the cross-check (Params == SummaryParams, MACs == SummaryMACs).
type Totals struct {
	Params        int64   `json:"params"`
	ParamBytes    int64   `json:"param_bytes"`
	ActBytes      int64   `json:"act_bytes"`
	InputBytes    int64   `json:"input_bytes"` // the input batch, kept by the first layer but not charged to it
	FwdFLOPs      int64   `json:"fwd_flops"`
	BwdFLOPs      int64   `json:"bwd_flops"`
	MinBytes      int64   `json:"min_bytes"`
	MACs          int64   `json:"macs"`
	SummaryParams int64   `json:"summary_params"`
	SummaryMACs   int64   `json:"summary_macs"` // per batch
	FwdMs         float64 `json:"fwd_ms"`
	FwdBwdMs      float64 `json:"fwdbwd_ms"`
	InferMs       float64 `json:"infer_ms"`
	// TrainBytes is what a plain-SGD train step holds at least: the weights,
	// their gradients, the activations kept for backward and the input batch.
	TrainBytes int64 `json:"train_bytes"`
	// InferPeakBytes is what inference holds at least: the weights and the
	// largest InferLiveBytes of any layer.
	InferPeakBytes int64 `json:"infer_peak_bytes"`
}
