package reports

// ProfileFile is the format of results/profile/<model>-b<batch>.json, which
// `alexbench profile MODEL --batch B` writes (E4) and the report reads. It is
// the contract between the profiler and this package: the profiler marshals
// exactly this struct (encoding/json, temp file + rename), one file per model
// and batch size, so the report can show the batch-size dependence.
//
// Units and conventions (the report's answers rely on them):
//   - FLOPs count 2 × multiply-adds (unlike fvcore/thop, which count MACs).
//   - Bytes are of the dtype actually used (4 for fp32).
//   - Every per-layer number is for one whole batch of Batch examples.
//   - Intensity, AchievedFLOPs and AchievedBytesPerSec are of the forward pass:
//     Intensity = FwdFLOPs / MinBytes, AchievedFLOPs = FwdFLOPs / (FwdMs/1000),
//     AchievedBytesPerSec = MinBytes / (FwdMs/1000). The roofline plots
//     (Intensity, AchievedFLOPs) against the two ceilings.
//   - Times are medians over ≥ 20 device-synchronized runs after warm-up; a
//     layer that was not measured has FwdMs = 0 (the report then says so).
type ProfileFile struct {
	Model     string `json:"model"`     // registry name, e.g. "alexnet"
	Batch     int    `json:"batch"`     // examples per batch
	Resize    int    `json:"resize"`    // input side in pixels (224 for d2l's AlexNet)
	DType     string `json:"dtype"`     // "float32" or "bfloat16"
	Backend   string `json:"backend"`   // as in summary.json, e.g. "xla:cuda", "go (SimpleGo)"
	Device    string `json:"device"`    // as in summary.json, e.g. "NVIDIA H100 80GB HBM3"
	GoMLX     string `json:"gomlx"`     // GoMLX version
	Alexbench string `json:"alexbench"` // git commit, when known
	Created   string `json:"created"`   // RFC 3339 UTC time the profile finished
	Runs      int    `json:"runs"`      // timed runs per layer (median taken)

	Ceilings ProfileCeilings `json:"ceilings"`
	Layers   []ProfileLayer  `json:"layers"` // in network order
}

// ProfileCeilings are the device's limits, measured in the same run through
// the same backend.
type ProfileCeilings struct {
	// PeakFLOPs is the FLOP/s of a large square matmul (MatmulN × MatmulN).
	PeakFLOPs float64 `json:"peak_flops"`
	// PeakBytesPerS is the bytes/s (read + written) of a large copy of CopyBytes bytes.
	PeakBytesPerS float64 `json:"peak_bytes_per_s"`
	MatmulN       int     `json:"matmul_n"`
	CopyBytes     int64   `json:"copy_bytes"`
}

// ProfileLayer is one layer (conv, pool, relu, dense, dropout, flatten each a row).
type ProfileLayer struct {
	Name string `json:"name"` // unique within the file, e.g. "conv1", "relu1", "pool1", "fc6"
	// Kind is the models layer's Kind(): conv, maxpool/avgpool, relu, sigmoid,
	// dense, dropout, flatten, batchnorm, ... The report treats the layers
	// before the first flatten or dense as the convolutional part.
	Kind     string `json:"kind"`
	OutShape []int  `json:"out_shape"` // with the batch dimension first

	Params     int64 `json:"params"`      // learnable parameters
	ParamBytes int64 `json:"param_bytes"` // their bytes
	ActBytes   int64 `json:"act_bytes"`   // activation bytes kept for the backward pass
	FwdFLOPs   int64 `json:"fwd_flops"`
	BwdFLOPs   int64 `json:"bwd_flops"`
	MinBytes   int64 `json:"min_bytes"` // inputs + weights + outputs: what must move at least

	Intensity float64 `json:"intensity"` // FwdFLOPs / MinBytes, FLOP per byte

	FwdMs               float64 `json:"fwd_ms"`    // measured forward time of the layer alone
	FwdBwdMs            float64 `json:"fwdbwd_ms"` // measured forward + backward time
	AchievedFLOPs       float64 `json:"achieved_flops"`
	AchievedBytesPerSec float64 `json:"achieved_bytes_per_s"`
}
