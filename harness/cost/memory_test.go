package cost

import (
	"slices"
	"strings"
	"testing"

	"alexbench/models/nn"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// fakeLayer answers the static questions only; TrainingMemory never builds a graph.
type fakeLayer struct {
	name, kind string
	out        func(in nn.Shape) nn.Shape
	params     int64
	kept       int64 // > 0: implements BackwardKeeper through keeperLayer
}

func (f fakeLayer) Name() string                  { return f.name }
func (f fakeLayer) Kind() string                  { return f.kind }
func (f fakeLayer) OutShape(in nn.Shape) nn.Shape { return f.out(in) }
func (f fakeLayer) Params(nn.Shape) int64         { return f.params }
func (f fakeLayer) MACs(nn.Shape) int64           { return 0 }
func (f fakeLayer) Forward(*context.Context, *graph.Node) *graph.Node {
	panic("fakeLayer.Forward: TrainingMemory must not build graphs")
}

type keeperLayer struct{ fakeLayer }

func (k keeperLayer) KeptForBackward(nn.Shape) int64 { return k.kept }

func same(in nn.Shape) nn.Shape { return in }
func fixed(s ...int) func(nn.Shape) nn.Shape {
	return func(nn.Shape) nn.Shape { return s }
}

// tinyStack on a 4×4×1 input:
//
//	conv  3×3 pad 1, 1→2 channels  → 4×4×2   20 params
//	relu                           → 4×4×2
//	maxpool 2×2                    → 2×2×2
//	flatten                        → 8
//	dense 8→3                      → 3       27 params
//	batchnorm                      → 3        6 params
//	sigmoid                        → 3
//	dropout                        → 3
//	dense 3→2                      → 2        8 params
func tinyStack() []nn.Layer {
	return []nn.Layer{
		fakeLayer{name: "conv1", kind: "conv", out: fixed(4, 4, 2), params: 3*3*1*2 + 2},
		fakeLayer{name: "relu1", kind: "relu", out: same},
		fakeLayer{name: "pool1", kind: "maxpool", out: fixed(2, 2, 2)},
		fakeLayer{name: "flatten", kind: "flatten", out: fixed(8)},
		fakeLayer{name: "fc1", kind: "dense", out: fixed(3), params: 8*3 + 3},
		fakeLayer{name: "bn1", kind: "batchnorm", out: same, params: 2 * 3},
		fakeLayer{name: "sig1", kind: "sigmoid", out: same},
		fakeLayer{name: "drop1", kind: "dropout", out: same},
		fakeLayer{name: "fc2", kind: "dense", out: fixed(2), params: 3*2 + 2},
	}
}

func TestTrainingMemoryTinyStackByHand(t *testing.T) {
	// Batch 2, float32: one example of n elements is 8n bytes per batch.
	const B, bpe = 2, 4
	wantLayers := []struct {
		name             string
		params           int64
		kept, activation int64
	}{
		{"conv1", 20, 2 * 16 * bpe, 0},                       // its input is the input batch, charged there
		{"relu1", 0, 2 * 32 * bpe, 2 * 32 * bpe},             // conv1's output (32), first keeper
		{"pool1", 0, 2 * (32 + 8) * bpe, 2 * (32 + 8) * bpe}, // relu's output + its own output as argmax
		{"flatten", 0, 0, 0},                                 // a view
		{"fc1", 27, 2 * 8 * bpe, 0},                          // flatten's output = pool1's output, charged already
		{"bn1", 6, 2*3*bpe + 2*3*bpe, 2*3*bpe + 2*3*bpe},     // input + mean and variance of 3 channels
		{"sig1", 0, 2 * 3 * bpe, 2 * 3 * bpe},                // its output
		{"drop1", 0, 2 * 3 * 1, 2 * 3 * 1},                   // 1-byte mask
		{"fc2", 8, 2 * 3 * bpe, 2 * 3 * bpe},                 // dropout's output, new
	}
	const params = 20 + 27 + 6 + 8
	const activations = 0 + 256 + 320 + 0 + 0 + 48 + 24 + 6 + 24
	const input = 2 * 16 * bpe
	const transient = 2 * (32 + 32) * bpe // relu: in + out
	tests := []struct {
		optimizer string
		slots     int
		total     int64
		notes     int
	}{
		{"sgd", 0, 2*params*bpe + activations + input + transient, 0},
		{"momentum", 1, 3*params*bpe + activations + input + transient, 0},
		{"adam", 2, 4*params*bpe + activations + input + transient, 0},
		{"lion", 0, 2*params*bpe + activations + input + transient, 1},
	}
	for _, tc := range tests {
		t.Run(tc.optimizer, func(t *testing.T) {
			est := TrainingMemory(tinyStack(), nn.Shape{4, 4, 1}, B, bpe, tc.optimizer)
			if len(est.Layers) != len(wantLayers) {
				t.Fatalf("%d layers, want %d", len(est.Layers), len(wantLayers))
			}
			for i, w := range wantLayers {
				got := est.Layers[i]
				if got.Name != w.name || got.Params != w.params || got.KeptBytes != w.kept || got.ActivationBytes != w.activation {
					t.Errorf("layer %d = %s params %d kept %d activation %d; want %s %d %d %d",
						i, got.Name, got.Params, got.KeptBytes, got.ActivationBytes, w.name, w.params, w.kept, w.activation)
				}
				if got.GradBytes != got.ParamBytes || got.OptimizerBytes != int64(tc.slots)*got.ParamBytes || got.Rule == "" {
					t.Errorf("layer %s: grads %d, optimizer %d for %d param bytes, rule %q",
						got.Name, got.GradBytes, got.OptimizerBytes, got.ParamBytes, got.Rule)
				}
			}
			if est.ParamBytes != params*bpe || est.GradBytes != params*bpe || est.OptimizerBytes != int64(tc.slots)*params*bpe {
				t.Errorf("params, grads, optimizer = %d, %d, %d bytes", est.ParamBytes, est.GradBytes, est.OptimizerBytes)
			}
			if est.ActivationBytes != activations || est.InputBytes != input || est.TransientBytes != transient {
				t.Errorf("activations, input, transient = %d, %d, %d; want %d, %d, %d",
					est.ActivationBytes, est.InputBytes, est.TransientBytes, activations, input, transient)
			}
			if est.TotalBytes != tc.total || len(est.Notes) != tc.notes {
				t.Errorf("total %d with notes %q; want %d with %d notes", est.TotalBytes, est.Notes, tc.total, tc.notes)
			}
		})
	}
}

func TestTrainingMemoryPerKindRules(t *testing.T) {
	// One layer on a 6×6×4 tensor (144 elements), batch 3, bfloat16, behind an
	// avgpool that keeps nothing, so its input is not the (separately charged)
	// input batch.
	const B, bpe, n = 3, 2, 144
	tests := []struct {
		layer nn.Layer
		kept  int64
		notes int
	}{
		{fakeLayer{name: "l", kind: "conv", out: fixed(6, 6, 8)}, B * n * bpe, 0},
		{fakeLayer{name: "l", kind: "dense", out: fixed(10)}, B * n * bpe, 0},
		{fakeLayer{name: "l", kind: "relu", out: same}, B * n * bpe, 0},
		{fakeLayer{name: "l", kind: "sigmoid", out: same}, B * n * bpe, 0},
		{fakeLayer{name: "l", kind: "maxpool", out: fixed(3, 3, 4)}, B*n*bpe + B*36*bpe, 0},
		{fakeLayer{name: "l", kind: "avgpool", out: fixed(3, 3, 4)}, 0, 0},
		{fakeLayer{name: "l", kind: "globalavgpool", out: fixed(4)}, 0, 0},
		{fakeLayer{name: "l", kind: "dropout", out: same}, B * n, 0},
		{fakeLayer{name: "l", kind: "batchnorm", out: same}, B*n*bpe + 2*4*bpe, 0},
		{fakeLayer{name: "l", kind: "flatten", out: fixed(n)}, 0, 0},
		{fakeLayer{name: "l", kind: "resblock", out: fixed(3, 3, 8)}, B*n*bpe + 5*B*72*bpe, 0},
		{fakeLayer{name: "l", kind: "mystery", out: same}, B * n * bpe, 1},
		{keeperLayer{fakeLayer{name: "l", kind: "resblock", out: same, kept: 1000}}, B * 1000 * bpe, 0},
	}
	for _, tc := range tests {
		t.Run(tc.layer.Kind(), func(t *testing.T) {
			pre := fakeLayer{name: "pre", kind: "avgpool", out: same}
			est := TrainingMemory([]nn.Layer{pre, tc.layer}, nn.Shape{6, 6, 4}, B, bpe, "sgd")
			if est.ActivationBytes != tc.kept || len(est.Notes) != tc.notes {
				t.Errorf("activations %d bytes, notes %q; want %d, %d notes", est.ActivationBytes, est.Notes, tc.kept, tc.notes)
			}
		})
	}
}

func TestTrainingMemoryScalesWithBatch(t *testing.T) {
	small := TrainingMemory(tinyStack(), nn.Shape{4, 4, 1}, 32, 4, "sgd")
	big := TrainingMemory(tinyStack(), nn.Shape{4, 4, 1}, 512, 4, "sgd")
	// Parameters and gradients do not depend on the batch; everything else is linear in it.
	if small.ParamBytes != big.ParamBytes ||
		16*(small.ActivationBytes-2*3*4) != big.ActivationBytes-2*3*4 || // bn stats are per batch, not per example
		16*small.InputBytes != big.InputBytes || 16*small.TransientBytes != big.TransientBytes {
		t.Errorf("batch 32 → 512: %+v → %+v", small, big)
	}
}

func TestTrainingMemoryBadArguments(t *testing.T) {
	for _, tc := range []struct{ batch, bpe int }{{0, 4}, {-1, 4}, {8, 0}} {
		est := TrainingMemory(tinyStack(), nn.Shape{4, 4, 1}, tc.batch, tc.bpe, "sgd")
		if est.TotalBytes != 0 || len(est.Notes) != 1 || !strings.Contains(est.Notes[0], "must both be ≥ 1") {
			t.Errorf("batch %d, bpe %d: total %d, notes %q", tc.batch, tc.bpe, est.TotalBytes, est.Notes)
		}
	}
	if est := TrainingMemory(nil, nn.Shape{4, 4, 1}, 2, 4, "sgd"); est.TotalBytes != 2*16*4 || !slices.Equal(est.Notes, nil) {
		t.Errorf("no layers: total %d, want the input batch alone", est.TotalBytes)
	}
}
