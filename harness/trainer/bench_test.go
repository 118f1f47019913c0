package trainer

import (
	"os"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"

	"alexbench/data"
	"alexbench/harness/backend"
	"alexbench/harness/config"
	"alexbench/internal/fastcpu"
)

func loadRealData(tb testing.TB) *data.Set {
	tb.Helper()
	set, err := data.Load(data.Options{})
	if err != nil {
		tb.Skipf("real Fashion-MNIST not found (set %s or install dataset-fashion-mnist): %v", data.EnvVar, err)
	}
	return set
}

// BenchmarkLeNetTrainStep is the CPU target the pure-Go backend was held to:
// LeNet (relu, max) at batch 256 on SimpleGo, ≥ 500 examples/sec.
func BenchmarkLeNetTrainStep(b *testing.B) {
	be, err := newBenchBackend()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.MustDefault("lenet")
	cfg.Activation, cfg.Pool, cfg.BatchSize, cfg.TrainLimit = "relu", "max", 256, 1024
	res, err := Bench(specOf(b, cfg), Options{Backend: be, Info: backend.Info{Name: "go"}, Data: loadRealData(b)}, max(b.N, 5))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.ImagesPerSec, "examples/sec")
	b.ReportMetric(res.StepMillis, "ms/step")
}

// newBenchBackend opens benchBackend() as harness/backend.Open does SimpleGo:
// with the ops internal/fastcpu adds.
func newBenchBackend() (backends.Backend, error) {
	be, err := backends.NewWithConfig(benchBackend())
	if err != nil {
		return nil, err
	}
	return fastcpu.Wrap(be), nil
}

func benchBackend() string {
	if s := os.Getenv("ALEXBENCH_BENCH_BACKEND"); s != "" {
		return s
	}
	return "go:" + backend.SimpleGoConfig
}

// BenchmarkCPUTrainStep times the four train steps `make bench-cpu` sets
// beside PyTorch's (scripts/torch_cpu_step.py builds the same networks):
// LeNet (ReLU, max) b256, d2l's LeNet (sigmoid, avg pool, lr 0.9) b256,
// cnn28 b128, and the quick profile's AlexNet (¼ width, 512-wide FC, 67×67)
// b64. Run with -cpuprofile, or ALEXBENCH_FASTCPU_PROFILE=shapes, to see
// where a step goes.
func BenchmarkCPUTrainStep(b *testing.B) {
	for _, m := range []struct {
		name  string
		setup func(*config.Config)
	}{
		{"lenet", func(c *config.Config) { c.Activation, c.Pool, c.BatchSize = "relu", "max", 256 }},
		{"lenet-d2l", func(c *config.Config) { c.BatchSize = 256 }}, // the recipe's defaults
		{"cnn28", func(c *config.Config) { c.BatchSize = 128 }},
		{"alexnet-quick", func(c *config.Config) {
			c.Resize, c.Width, c.FCWidth, c.BatchSize = 67, 0.25, 512, 64
		}},
	} {
		b.Run(m.name, func(b *testing.B) {
			be, err := newBenchBackend()
			if err != nil {
				b.Fatal(err)
			}
			model := m.name
			switch model {
			case "alexnet-quick":
				model = "alexnet"
			case "lenet-d2l":
				model = "lenet"
			}
			cfg := config.MustDefault(model)
			m.setup(&cfg)
			cfg.TrainLimit = 1024
			fastcpu.ResetOpProfile()
			res, err := Bench(specOf(b, cfg), Options{Backend: be, Info: backend.Info{Name: "go"}, Data: loadRealData(b)}, max(b.N, 5))
			if err != nil {
				b.Fatal(err)
			}
			fastcpu.WriteOpProfile(os.Stderr) // with ALEXBENCH_FASTCPU_PROFILE=1
			b.ReportMetric(res.ImagesPerSec, "examples/sec")
			b.ReportMetric(res.StepMillis, "ms/step")
		})
	}
}
