package trainer

import (
	"math"
	"testing"

	"alexbench/harness/backend"
	"alexbench/harness/config"
	"alexbench/internal/fastcpu"
	"alexbench/models/nn"
)

// Every model the matrices train must learn the same on internal/fastcpu's
// executors as on SimpleGo's own: the same first loss and, after a few SGD
// steps on one batch, the same decrease. The learning rate is cut to a
// hundredth so the decrease measures the gradients rather than the chaos of
// large steps (at resnet28's own lr, rounding alone moves the 7th loss by
// 30 %: SimpleGo's own kernels on two formulations disagree that much).
func TestFastCPUTrainsLikeSimpleGo(t *testing.T) {
	if !fastcpu.Installed() {
		t.Skipf("fastcpu not installed: %s", fastcpu.Status())
	}
	if testing.Short() {
		t.Skip("trains every model twice on SimpleGo")
	}
	set := loadRealData(t)
	cases := []struct {
		name  string
		model string
		setup func(*config.Config)
	}{
		{"lenet relu max", "lenet", func(c *config.Config) { c.Activation, c.Pool, c.LR = "relu", "max", 0.1 }},
		{"lenet sigmoid avg", "lenet", func(c *config.Config) {}},
		{"cnn28 (BatchNorm, dropout)", "cnn28", func(c *config.Config) { c.Width = 0.25 }},
		{"resnet28 (strided 3×3, 1×1 shortcuts)", "resnet28", func(c *config.Config) { c.Width = 0.125 }},
		{"alexnet-quick (11×11/4, 3×3/2 pools, resize)", "alexnet", func(c *config.Config) {
			c.Resize, c.Width, c.FCWidth = 67, 0.25, 64
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.MustDefault(c.model)
			c.setup(&cfg)
			cfg.BatchSize, cfg.TrainLimit = 16, 64
			cfg.LR = cfg.EffectiveLR() / 100
			run := func(slow bool) *BenchResult {
				// The reference: SimpleGo's own executors on the im2col
				// formulation (no ConvGeneral at all), as before fastcpu.
				fastcpu.Bypass(slow)
				defer fastcpu.Bypass(false)
				if slow {
					nn.Force = nn.Fallback
					defer func() { nn.Force = nn.Auto }()
				}
				be, err := newBenchBackend()
				if err != nil {
					t.Fatal(err)
				}
				defer be.Finalize()
				res, err := Bench(specOf(t, cfg), Options{Backend: be, Info: backend.Info{Name: "go"}, Data: set}, 3)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			fast, slow := run(false), run(true)
			if math.IsNaN(fast.Loss0) || math.Abs(fast.Loss0-slow.Loss0) > 1e-4*math.Max(1, math.Abs(slow.Loss0)) {
				t.Errorf("first loss: %.6f with fastcpu, %.6f with SimpleGo's own", fast.Loss0, slow.Loss0)
			}
			df, ds := fast.LossLast-fast.Loss0, slow.LossLast-slow.Loss0
			if ds == 0 || math.IsNaN(df) || math.Abs(df-ds) > 0.02*math.Abs(ds) {
				t.Errorf("loss change over 7 steps: %.6f with fastcpu, %.6f with SimpleGo's own (first %.6f)", df, ds, slow.Loss0)
			}
		})
	}
}
