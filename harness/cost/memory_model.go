package cost

import "alexbench/models"

// MemoryModel is the analytic training-memory model (TrainingMemory) of a
// cell's model at its batch size and precision, stored in summary.json next
// to the measured memory so the report can set the two side by side from the
// results folder alone. MiB throughout.
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

// MemoryModelOf is m's training memory with plain SGD at batch and precision
// ("fp32" or "bf16"); nil when TrainingMemory had to assume anything (a bad
// batch, a layer kind it has no rule for).
func MemoryModelOf(m *models.Model, batch int, precision string) *MemoryModel {
	const varBytes = 4 // variables are float32 at every precision (models/nn)
	actBytes := varBytes
	if precision == "bf16" {
		actBytes = 2
	}
	vars := TrainingMemory(m.Layers, m.Input, batch, varBytes, "sgd")
	acts := vars
	if actBytes != varBytes {
		acts = TrainingMemory(m.Layers, m.Input, batch, actBytes, "sgd")
	}
	if len(vars.Notes) > 0 || len(acts.Notes) > 0 {
		return nil
	}
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
