package harness

import (
	"alexbench/harness/config"
	"alexbench/models"
	"alexbench/nvml"
)

// MemoryModel is the analytic training-memory estimate (nvml.Estimate) of a
// cell's model at its batch size and precision, stored in summary.json next
// to the measured memory so E3 can set the two side by side from the results
// folder alone. MiB throughout.
type MemoryModel struct {
	TotalMiB       float64 `json:"total_mib"`
	ParamsMiB      float64 `json:"params_mib"`
	GradsMiB       float64 `json:"grads_mib"`
	OptimizerMiB   float64 `json:"optimizer_mib"`
	ActivationsMiB float64 `json:"activations_mib"` // kept for backward
	InputMiB       float64 `json:"input_mib"`
	TransientMiB   float64 `json:"transient_mib"`
	BytesPerElem   int     `json:"bytes_per_elem"`
	// Excludes names what the model leaves out, so a reader knows why a
	// measured peak sits above it.
	Excludes string `json:"excludes"`
}

const memoryModelExcludes = "CUDA context and cuDNN/cuBLAS handles and workspaces, allocator pools and rounding, " +
	"compile-time autotuning scratch, the dataset kept on the device, SimpleGo's im2col patches"

// MemoryModelOf estimates cfg's training memory; nil when the model cannot be
// built (the cell then fails on its own, with the reason).
func MemoryModelOf(cfg config.Config) *MemoryModel {
	m, err := models.Build(cfg.Model, cfg.Options)
	if err != nil {
		return nil
	}
	bpe := 4
	if cfg.Precision == "bf16" {
		bpe = 2
	}
	est := nvml.Estimate(m.Layers, m.Input, cfg.BatchSize, bpe, "sgd")
	if len(est.Notes) > 0 {
		return nil
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	return &MemoryModel{
		TotalMiB: mib(est.TotalBytes), ParamsMiB: mib(est.ParamBytes), GradsMiB: mib(est.GradBytes),
		OptimizerMiB: mib(est.OptimizerBytes), ActivationsMiB: mib(est.ActivationBytes),
		InputMiB: mib(est.InputBytes), TransientMiB: mib(est.TransientBytes),
		BytesPerElem: bpe, Excludes: memoryModelExcludes,
	}
}
