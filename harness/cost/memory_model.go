package harness

import (
	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/models"
	"alexbench/nvml"
)

// MemoryModelOf estimates cfg's training memory; nil when the model cannot be
// built (the cell then fails on its own, with the reason).
func MemoryModelOf(cfg config.Config) *results.MemoryModel {
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
	mm := &results.MemoryModel{
		ParamsMiB: mib(vars.ParamBytes), GradsMiB: mib(vars.GradBytes), OptimizerMiB: mib(vars.OptimizerBytes),
		ActivationsMiB: mib(acts.ActivationBytes), InputMiB: mib(acts.InputBytes), TransientMiB: mib(acts.TransientBytes),
		ActivationBytes: actBytes, Excludes: results.MemoryModelExcludes,
	}
	if actBytes != varBytes {
		mm.WeightCopiesMiB = mib(acts.ParamBytes)
	}
	mm.TotalMiB = mm.ParamsMiB + mm.GradsMiB + mm.OptimizerMiB + mm.WeightCopiesMiB + mm.ActivationsMiB + mm.InputMiB + mm.TransientMiB
	return mm
}
