package profile

import (
	"math"
	"strings"
	"testing"

	"alexbench/harness/cost"
	"alexbench/models"
	"alexbench/models/nn"
)

// handModel is small enough to count by hand: a 3×3 conv with stride 2 and
// padding 1 on a 9×9×3 image, a 3×3/2 max pool, a dense layer.
func handModel(first nn.Layer) *models.Model {
	layers := []nn.Layer{
		nn.Conv2D{LayerName: "conv", Filters: 4, Kernel: 3, Stride: 2, Padding: 1}, // 9×9×3 → 5×5×4
		nn.Activation{LayerName: "relu", Func: "relu"},
		nn.Pool2D{LayerName: "pool", Max: true, Window: 3, Stride: 2}, // 5×5×4 → 2×2×4
		nn.Flatten{LayerName: "flatten"},                              // 16
		nn.Dense{LayerName: "fc", Units: 5},                           // 16 → 5
	}
	if first != nil {
		layers = append([]nn.Layer{first}, layers...)
	}
	return &models.Model{Name: "hand", Input: nn.Shape{9, 9, 3}, Layers: layers}
}

func TestHandComputedLayers(t *testing.T) {
	const B = 2
	type want struct {
		out                              []int
		params, fwd, bwd, minBytes, macs int64
	}
	// conv: out 5×5×4 ((9+2−3)/2+1 = 5); 27 MACs per output → 100·27 = 2700
	// per example, 5400 per batch; FLOPs 10800; backward dW + dX 21600 (or dW
	// only, 10800, as the first layer). Bytes: in 2·243 + out 2·100 + 112
	// params (3·3·3·4 + 4), ×4.
	conv := want{[]int{B, 5, 5, 4}, 112, 10800, 21600, (486 + 200 + 112) * 4, 5400}
	convFirst := conv
	convFirst.bwd = 10800
	relu := want{[]int{B, 5, 5, 4}, 0, 200, 200, (200 + 200) * 4, 0}
	// pool: 2×2×4 outputs ((5−3)/2+1 = 2), 9 comparisons each: 2·16·9 = 288.
	pool := want{[]int{B, 2, 2, 4}, 0, 288, 288, (200 + 32) * 4, 0}
	flatten := want{[]int{B, 16}, 0, 0, 0, (32 + 32) * 4, 0}
	// dense 16 → 5: 80 MACs per example, 160 per batch; 81·5 = 85 params.
	dense := want{[]int{B, 5}, 85, 320, 640, (32 + 10 + 85) * 4, 160}

	for _, tc := range []struct {
		name  string
		model *models.Model
		rows  []want
	}{
		{"conv first", handModel(nil), []want{convFirst, relu, pool, flatten, dense}},
		// A leading ReLU (as if the image were an activation) is now the first
		// layer: it needs no backward at all, and the conv computes dX too.
		{"relu first", handModel(nn.Activation{LayerName: "relu0", Func: "relu"}),
			[]want{{[]int{B, 9, 9, 3}, 0, 486, 0, (486 + 486) * 4, 0}, conv, relu, pool, flatten, dense}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, tot, err := Compute(tc.model, B)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tc.rows) {
				t.Fatalf("%d rows, want %d", len(rows), len(tc.rows))
			}
			for i, w := range tc.rows {
				l := rows[i]
				got := want{l.OutShape, l.Params, l.FwdFLOPs, l.BwdFLOPs, l.MinBytes, l.MACs}
				if shapeString(got.out) != shapeString(w.out) || got.params != w.params || got.fwd != w.fwd ||
					got.bwd != w.bwd || got.minBytes != w.minBytes || got.macs != w.macs {
					t.Errorf("%s: got %+v, want %+v", l.Name, got, w)
				}
				if l.ParamBytes != 4*w.params {
					t.Errorf("%s: param bytes %d, want %d", l.Name, l.ParamBytes, 4*w.params)
				}
				if wantI := float64(w.fwd) / float64(w.minBytes); math.Abs(l.Intensity-wantI) > 1e-12 {
					t.Errorf("%s: intensity %v, want %v", l.Name, l.Intensity, wantI)
				}
			}
			if tot.InputBytes != B*243*4 {
				t.Errorf("input bytes %d, want %d", tot.InputBytes, B*243*4)
			}
		})
	}
}

func shapeString(s []int) string { return shape(s) }

// Activation bytes are cost.TrainingMemory's, layer by layer, and sum to its total.
func TestActBytesFollowTrainingMemory(t *testing.T) {
	m := handModel(nil)
	rows, tot, err := Compute(m, 3)
	if err != nil {
		t.Fatal(err)
	}
	est := cost.TrainingMemory(m.Layers, m.Input, 3, BytesPerElem, "sgd")
	for i, l := range rows {
		if l.ActBytes != est.Layers[i].ActivationBytes {
			t.Errorf("%s: act bytes %d, estimate %d", l.Name, l.ActBytes, est.Layers[i].ActivationBytes)
		}
	}
	if tot.ActBytes != est.ActivationBytes || tot.ActBytes == 0 {
		t.Errorf("total act bytes %d, estimate %d", tot.ActBytes, est.ActivationBytes)
	}
	// By hand: the conv keeps its input (the image: counted as input bytes),
	// relu its input (the conv's output, 3·100·4 B), the max pool its input
	// (relu's output, another 3·100·4) and output (3·16·4), the dense layer
	// its input (flatten aliases the pool's output: charged already).
	if want := int64(2*3*100*4 + 3*16*4); tot.ActBytes != want {
		t.Errorf("act bytes %d, want %d by hand", tot.ActBytes, want)
	}
}

// For every registered model at several batch sizes, the per-layer columns
// sum to the totals, and the totals are the models summary's.
func TestTotalsAreSumsAndSummary(t *testing.T) {
	for _, name := range models.Names() {
		m, err := BuildModel(name, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []int{1, 8, 128} {
			rows, tot, err := Compute(m, b)
			if err != nil {
				t.Fatalf("%s b%d: %v", name, b, err)
			}
			var sum Totals
			for _, l := range rows {
				sum.Params += l.Params
				sum.ParamBytes += l.ParamBytes
				sum.ActBytes += l.ActBytes
				sum.FwdFLOPs += l.FwdFLOPs
				sum.BwdFLOPs += l.BwdFLOPs
				sum.MinBytes += l.MinBytes
				sum.MACs += l.MACs
				if (l.Kind == "conv" || l.Kind == "dense") && l.FwdFLOPs != 2*l.MACs {
					t.Errorf("%s %s: forward FLOPs %d ≠ 2 × %d MACs", name, l.Name, l.FwdFLOPs, l.MACs)
				}
			}
			if sum.Params != tot.Params || sum.ParamBytes != tot.ParamBytes || sum.ActBytes != tot.ActBytes ||
				sum.FwdFLOPs != tot.FwdFLOPs || sum.BwdFLOPs != tot.BwdFLOPs || sum.MinBytes != tot.MinBytes || sum.MACs != tot.MACs {
				t.Errorf("%s b%d: sums %+v ≠ totals %+v", name, b, sum, tot)
			}
			if tot.Params != m.Params() || tot.SummaryParams != m.Params() {
				t.Errorf("%s: params %d, summary %d", name, tot.Params, m.Params())
			}
			if tot.MACs != int64(b)*m.MACs() || tot.SummaryMACs != tot.MACs {
				t.Errorf("%s b%d: MACs %d, summary %d", name, b, tot.MACs, int64(b)*m.MACs())
			}
			if est := cost.TrainingMemory(m.Layers, m.Input, b, BytesPerElem, "sgd"); tot.ActBytes != est.ActivationBytes {
				t.Errorf("%s b%d: act bytes %d, estimate %d", name, b, tot.ActBytes, est.ActivationBytes)
			}
		}
	}
}

// d2l's statements about AlexNet: 46,764,746 parameters; its two hidden
// dense layers (6400×4096 and 4096×4096) are 164 MB of float32 weights and
// "81 MFLOPs" — which is 2 × 41 Mi multiply-adds = 82 Mi FLOPs, the nearest
// this count comes (see the answers).
func TestAlexNetAgreesWithD2L(t *testing.T) {
	m, err := BuildModel("alexnet", 0)
	if err != nil {
		t.Fatal(err)
	}
	rows, tot, err := Compute(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Params != 46_764_746 {
		t.Errorf("params %d, d2l 46,764,746", tot.Params)
	}
	var weightBytes, flops int64
	for _, l := range rows {
		if l.Name == "fc6" || l.Name == "fc7" {
			weightBytes += l.MACs * BytesPerElem // batch 1: MACs = K·N = the weight matrix
			flops += l.FwdFLOPs
		}
	}
	if weightBytes != (6400*4096+4096*4096)*4 {
		t.Errorf("fc6+fc7 weights %d B", weightBytes)
	}
	if mib := float64(weightBytes) / (1 << 20); math.Round(mib) != 164 {
		t.Errorf("fc6+fc7 weights %.2f MiB, d2l 164 MB", mib)
	}
	if mi := float64(flops) / (1 << 20); math.Abs(mi-81)/81 > 0.015 {
		t.Errorf("fc6+fc7 forward %.2f Mi-FLOP, d2l 81 MFLOPs", mi)
	}
	f := &File{Model: "alexnet", Batch: 1, Resize: 224, Layers: rows, Totals: tot}
	ans := strings.Join(Answers(f), "\n")
	for _, want := range []string{"46,764,746 parameters (equal)", "164.0 MiB", "82.0 Mi-FLOP", "85,983,232 FLOPs"} {
		if !strings.Contains(ans, want) {
			t.Errorf("answers lack %q:\n%s", want, ans)
		}
	}
}

func TestComputeRejectsBadBatch(t *testing.T) {
	if _, _, err := Compute(handModel(nil), 0); err == nil {
		t.Error("batch 0 accepted")
	}
}
