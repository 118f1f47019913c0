package profile

import (
	"math"
	"testing"

	"alexbench/models"
)

// A device of 100 GFLOP/s and 10 GB/s (ridge 10 FLOP/byte) with a 0.1 ms
// launch, and three layers whose times and bounds are known by construction.
func chipFixture() *File {
	return &File{Batch: 4,
		Ceilings: Ceilings{PeakFLOPs: 100e9, PeakBytesPerS: 10e9, LaunchMs: 0.1},
		Layers: []Layer{
			// 2 GFLOP over 10 MB: intensity 200, roofline 20 ms forward.
			{Name: "conv", Bound: "compute", FwdFLOPs: 1e9, BwdFLOPs: 1e9, MinBytes: 10e6, FwdBwdMs: 60, InferMs: 25},
			// 10 MFLOP over 100 MB: memory-bound, roofline 10 ms forward.
			{Name: "relu", Bound: "memory", FwdFLOPs: 5e6, BwdFLOPs: 5e6, MinBytes: 100e6, FwdBwdMs: 40, InferMs: 12},
			// 1 kFLOP over 1 kB: roofline 0.1 µs, far under the launch.
			{Name: "tiny", Bound: "memory", FwdFLOPs: 500, BwdFLOPs: 500, MinBytes: 1000, FwdBwdMs: 0.5, InferMs: 0.2},
			{Name: "flatten", FwdBwdMs: 0.3, InferMs: 0.1, MinBytes: 1000},
		},
	}
}

func TestChipSplitsTimeByBound(t *testing.T) {
	f := chipFixture()
	c, ok := ChipFor(f, Training)
	if !ok {
		t.Fatal("not ok")
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// flatten does no FLOPs and reads 1 kB: its roofline time is also under the launch.
	if !near(c.TotalMs, 100.8) || !near(c.ComputeMs, 60) || !near(c.MemoryMs, 40) || !near(c.LaunchMs, 0.8) || c.OtherMs != 0 {
		t.Errorf("training split: %+v", c)
	}
	if !near(c.Compute2xSaves(), 30/100.8) || !near(c.Bandwidth2xSaves(), 20/100.8) || !near(c.LaunchShare(), 0.8/100.8) {
		t.Errorf("savings %.4f / %.4f, launch %.4f", c.Compute2xSaves(), c.Bandwidth2xSaves(), c.LaunchShare())
	}
	i, _ := ChipFor(f, Inference)
	if !near(i.TotalMs, 37.3) || !near(i.ComputeMs, 25) || !near(i.MemoryMs, 12) || len(i.Launch) != 2 {
		t.Errorf("inference split: %+v", i)
	}
	// Without a launch measurement nothing is launch-bound; flatten is unclassified.
	f.Ceilings.LaunchMs = 0
	c, _ = ChipFor(f, Training)
	if !near(c.MemoryMs, 40.5) || !near(c.OtherMs, 0.3) || c.LaunchMs != 0 {
		t.Errorf("no launch ceiling: %+v", c)
	}
	f.Ceilings = Ceilings{}
	if _, ok := ChipFor(f, Training); ok {
		t.Error("no ceilings: classified anyway")
	}
}

func TestStepPeakFraction(t *testing.T) {
	f := &File{Ceilings: Ceilings{PeakFLOPs: 1e12}, Totals: Totals{FwdFLOPs: 1e9, BwdFLOPs: 2e9, FwdBwdMs: 30}}
	// 3 GFLOP in 30 ms = 100 GFLOP/s = 10 % of 1 TFLOP/s.
	if got := StepPeakFraction(f); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("fraction %v, want 0.1", got)
	}
	f.Totals.FwdBwdMs = 0
	if StepPeakFraction(f) != 0 {
		t.Error("unmeasured step has a fraction")
	}
}

// CostOf counts a cell's own knobs: AlexNet-quick is ~1/17 of AlexNet's
// multiply-adds per example, and d2l's AlexNet forward is 2 × its summary MACs
// plus pooling, ReLU and dropout.
func TestCostOfFollowsKnobs(t *testing.T) {
	e, _ := models.Lookup("alexnet")
	full, err := CostOf("alexnet", e.Defaults)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := models.Build("alexnet", e.Defaults)
	if full.Params != 46_764_746 || full.FwdFLOPs < 2*m.MACs() || full.FwdFLOPs > 2*m.MACs()*101/100 {
		t.Errorf("alexnet: %+v (2·MACs = %d)", full, 2*m.MACs())
	}
	if full.TrainFLOPs < 2*full.FwdFLOPs || full.TrainFLOPs > 3*full.FwdFLOPs {
		t.Errorf("train FLOPs %d not 2–3× forward %d", full.TrainFLOPs, full.FwdFLOPs)
	}
	q := e.Defaults
	q.Resize, q.Width, q.FCWidth = 67, 0.25, 512
	quick, err := CostOf("alexnet", q)
	if err != nil {
		t.Fatal(err)
	}
	if quick.Params != 536_250 || quick.FwdFLOPs*10 > full.FwdFLOPs {
		t.Errorf("alexnet-quick: %+v vs full %+v", quick, full)
	}
}

// Inference holds the weights and one layer's input and output; training the
// weights twice, every kept activation and the input.
func TestInferenceMemory(t *testing.T) {
	m, err := BuildModel("alexnet", 0)
	if err != nil {
		t.Fatal(err)
	}
	rows, tot, err := Compute(m, 128)
	if err != nil {
		t.Fatal(err)
	}
	// conv1: input 128·224² + output 128·54²·96 floats; relu1's input and
	// output are both conv1's output size, the largest pair.
	if want := int64(4 * (128*224*224 + 128*54*54*96)); rows[0].InferLiveBytes != want {
		t.Errorf("conv1 live %d, want %d", rows[0].InferLiveBytes, want)
	}
	if want := int64(4 * 2 * 128 * 54 * 54 * 96); rows[1].Name != "relu1" || tot.InferPeakBytes != tot.ParamBytes+want {
		t.Errorf("infer peak %d, want weights %d + relu1's %d", tot.InferPeakBytes, tot.ParamBytes, want)
	}
	if tot.TrainBytes != 2*tot.ParamBytes+tot.ActBytes+tot.InputBytes || tot.TrainBytes < 2*tot.InferPeakBytes {
		t.Errorf("train %d vs infer %d", tot.TrainBytes, tot.InferPeakBytes)
	}
}
