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
//
// In bf16 the variables stay float32 (parameters and their gradients, as the
// SGD update applies them) and each layer computes with a bf16 copy of its
// weights (WeightCopiesMiB); activations, the input and the transient are bf16.
type MemoryModel struct {
	TotalMiB        float64 `json:"total_mib"`
	ParamsMiB       float64 `json:"params_mib"`
	GradsMiB        float64 `json:"grads_mib"`
	OptimizerMiB    float64 `json:"optimizer_mib"`
	WeightCopiesMiB float64 `json:"weight_copies_mib,omitempty"`
	ActivationsMiB  float64 `json:"activations_mib"` // kept for backward
	InputMiB        float64 `json:"input_mib"`
	TransientMiB    float64 `json:"transient_mib"`
	// ActivationBytes is bytes per activation element: 4 (fp32) or 2 (bf16).
	ActivationBytes int `json:"activation_bytes"`
	// Excludes names what the model leaves out, so a reader knows why a
	// measured peak sits above it.
	Excludes string `json:"excludes"`
}

// MemoryModelExcludes is what the model leaves out (MemoryModel.Excludes).
const MemoryModelExcludes = "the CUDA context and library workspaces, allocator pools and rounding, compile-time autotuning scratch, " +
	"the dataset kept on the device, and on a CPU the Go runtime, the dataset in host memory and SimpleGo's im2col patches"

// MemoryModelOf estimates cfg's training memory; nil when the model cannot be
// built (the cell then fails on its own, with the reason).
func MemoryModelOf(cfg config.Config) *MemoryModel {
	m, err := models.Build(cfg.Model, cfg.Options)
	if err != nil {
		return nil
	}
	const varBytes = 4 // variables are float32 at every precision (models/nn)
	actBytes := varBytes
	if cfg.Precision == "bf16" {
		actBytes = 2
	}
	vars := nvml.Estimate(m.Layers, m.Input, cfg.BatchSize, varBytes, "sgd")
	acts := vars
	if actBytes != varBytes {
		acts = nvml.Estimate(m.Layers, m.Input, cfg.BatchSize, actBytes, "sgd")
	}
	if len(vars.Notes) > 0 || len(acts.Notes) > 0 {
		return nil
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	mm := &MemoryModel{
		ParamsMiB: mib(vars.ParamBytes), GradsMiB: mib(vars.GradBytes), OptimizerMiB: mib(vars.OptimizerBytes),
		ActivationsMiB: mib(acts.ActivationBytes), InputMiB: mib(acts.InputBytes), TransientMiB: mib(acts.TransientBytes),
		ActivationBytes: actBytes, Excludes: MemoryModelExcludes,
	}
	if actBytes != varBytes {
		mm.WeightCopiesMiB = mib(acts.ParamBytes)
	}
	mm.TotalMiB = mm.ParamsMiB + mm.GradsMiB + mm.OptimizerMiB + mm.WeightCopiesMiB + mm.ActivationsMiB + mm.InputMiB + mm.TransientMiB
	return mm
}
