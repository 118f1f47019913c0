package cost

import (
	"math"
	"testing"

	"alexbench/models"
)

func TestMemoryModelOf(t *testing.T) {
	alexnet := mustBuild(t, "alexnet")
	fp32 := MemoryModelOf(alexnet, 128, "fp32")
	if fp32 == nil {
		t.Fatal("no memory model for d2l's AlexNet")
	}
	// d2l's AlexNet has 46,764,746 float32 parameters: 178.4 MiB, as many again for gradients.
	if want := 46764746 * 4 / float64(1<<20); math.Abs(fp32.ParamsMiB-want) > 1e-9 || fp32.GradsMiB != fp32.ParamsMiB {
		t.Errorf("params, grads = %.3f, %.3f MiB; want %.3f each", fp32.ParamsMiB, fp32.GradsMiB, want)
	}
	parts := fp32.ParamsMiB + fp32.GradsMiB + fp32.OptimizerMiB + fp32.ActivationsMiB + fp32.InputMiB + fp32.TransientMiB
	if math.Abs(parts-fp32.TotalMiB) > 1e-6 || fp32.OptimizerMiB != 0 {
		t.Errorf("total %.3f MiB, parts sum to %.3f (optimizer %.3f; plain SGD keeps none)", fp32.TotalMiB, parts, fp32.OptimizerMiB)
	}
	// bf16 keeps float32 variables (and gradients), adds bf16 copies of the
	// weights, and halves the activations (but the dropout masks, a byte per
	// element either way).
	bf16 := MemoryModelOf(alexnet, 128, "bf16")
	if bf16 == nil || bf16.ActivationBytes != 2 || bf16.ParamsMiB != fp32.ParamsMiB || bf16.GradsMiB != fp32.GradsMiB ||
		bf16.WeightCopiesMiB != fp32.ParamsMiB/2 || fp32.WeightCopiesMiB != 0 ||
		bf16.ActivationsMiB/fp32.ActivationsMiB < 0.5 || bf16.ActivationsMiB/fp32.ActivationsMiB > 0.502 ||
		bf16.InputMiB*2 != fp32.InputMiB {
		t.Errorf("bf16 model %+v, fp32 %+v", bf16, fp32)
	}
	parts = bf16.ParamsMiB + bf16.GradsMiB + bf16.WeightCopiesMiB + bf16.ActivationsMiB + bf16.InputMiB + bf16.TransientMiB
	if math.Abs(parts-bf16.TotalMiB) > 1e-6 {
		t.Errorf("bf16 total %.3f MiB, parts sum to %.3f", bf16.TotalMiB, parts)
	}
	// Activations grow with the batch, parameters do not.
	b512 := MemoryModelOf(alexnet, 512, "fp32")
	if b512.ParamsMiB != fp32.ParamsMiB || math.Abs(b512.ActivationsMiB-4*fp32.ActivationsMiB) > 1e-6 {
		t.Errorf("batch 512: params %.1f, activations %.1f MiB; want %.1f and 4 × %.1f",
			b512.ParamsMiB, b512.ActivationsMiB, fp32.ParamsMiB, fp32.ActivationsMiB)
	}
	if m := MemoryModelOf(alexnet, 0, "fp32"); m != nil {
		t.Errorf("batch 0 got a memory model %+v", m)
	}
}

// mustBuild is the model name with its d2l defaults.
func mustBuild(t *testing.T, name string) *models.Model {
	t.Helper()
	e, err := models.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Build(name, e.Defaults)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
