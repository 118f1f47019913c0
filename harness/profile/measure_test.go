package profile

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/harness/backend"
	"alexbench/models/nn"
)

func openGo(t *testing.T) (backends.Backend, backend.Info) {
	t.Helper()
	be, info, err := backend.Open("go")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(be.Finalize)
	return be, info
}

// A real, tiny profile on SimpleGo: every layer of LeNet gets positive
// times from exactly the runs asked for, the ceilings are measured, the
// derived columns follow, and the written file reads back.
func TestLeNetMeasuredOnSimpleGo(t *testing.T) {
	be, info := openGo(t)
	tm := Timing{Warmup: 1, Runs: 3}
	ceil, err := MeasureCeilings(be, CeilingSizes{MatmulN: 64, CopyElem: 1 << 14}, tm)
	if err != nil {
		t.Fatal(err)
	}
	if ceil.PeakFLOPs <= 0 || ceil.PeakBytesPerS <= 0 || ceil.Runs != 3 || ceil.CopyBytes != 4<<14 || ceil.LaunchMs <= 0 || ceil.LaunchMs > ceil.MatmulMs*10 {
		t.Fatalf("ceilings %+v", ceil)
	}
	f, err := Run(Options{Model: "lenet", Batch: 2, Backend: be, Info: info, Timing: tm, Measure: true}, ceil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Problem != "" {
		t.Fatalf("problem: %s", f.Problem)
	}
	if f.Runs != 3 || f.Backend != "go (SimpleGo)" || f.Resize != 28 || f.Batch != 2 {
		t.Errorf("header %+v", f)
	}
	var fwd, fb, inf float64
	for _, l := range f.Layers {
		if l.FwdMs <= 0 || l.FwdBwdMs <= 0 || l.FwdRuns != 3 || l.FwdBwdRuns != 3 {
			t.Errorf("%s: fwd %v ms (%d runs), fwd+bwd %v ms (%d runs)", l.Name, l.FwdMs, l.FwdRuns, l.FwdBwdMs, l.FwdBwdRuns)
		}
		if want := float64(l.FwdFLOPs) / (l.FwdMs / 1000); math.Abs(l.AchievedFLOPs-want) > 1e-9*want {
			t.Errorf("%s: achieved %v FLOP/s, want %v", l.Name, l.AchievedFLOPs, want)
		}
		if want := float64(l.MinBytes) / (l.FwdMs / 1000); math.Abs(l.AchievedBytesPerSec-want) > 1e-9*want {
			t.Errorf("%s: achieved %v B/s, want %v", l.Name, l.AchievedBytesPerSec, want)
		}
		if l.FwdFLOPs > 0 {
			// Against the roofs a faster layer may have raised: never above 1.
			roofs := f.Roofs()
			roof := math.Min(roofs.FLOPs, l.Intensity*roofs.Bytes)
			if want := l.AchievedFLOPs / roof; math.Abs(l.RoofFraction-want) > 1e-9*want || want <= 0 || l.RoofFraction > 1+1e-9 {
				t.Errorf("%s: roof fraction %v, want %v (≤ 1)", l.Name, l.RoofFraction, want)
			}
		}
		if (l.FwdFLOPs > 0) != (l.Bound != "") {
			t.Errorf("%s: %d FLOPs but bound %q", l.Name, l.FwdFLOPs, l.Bound)
		}
		if l.InferMs <= 0 || l.InferRuns != 3 {
			t.Errorf("%s: inference %v ms (%d runs)", l.Name, l.InferMs, l.InferRuns)
		}
		fwd += l.FwdMs
		fb += l.FwdBwdMs
		inf += l.InferMs
	}
	if math.Abs(f.Totals.InferMs-inf) > 1e-9 {
		t.Errorf("inference total %v, sum %v", f.Totals.InferMs, inf)
	}
	if math.Abs(f.Totals.FwdMs-fwd) > 1e-9 || math.Abs(f.Totals.FwdBwdMs-fb) > 1e-9 {
		t.Errorf("time totals %v/%v, sums %v/%v", f.Totals.FwdMs, f.Totals.FwdBwdMs, fwd, fb)
	}
	if len(f.Answers) != 5 || !strings.Contains(f.Answers[2], "ridge") || !strings.HasPrefix(f.Answers[3], "Training vs inference") {
		t.Errorf("answers %q", f.Answers)
	}

	dir := t.TempDir()
	path, err := Write(dir, f)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "lenet-b2.json" {
		t.Errorf("wrote %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back File
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Layers) != len(f.Layers) || back.Layers[3].FwdMs != f.Layers[3].FwdMs || back.Ceilings != f.Ceilings {
		t.Errorf("read back differs")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

func flat32(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

// The forward + backward graph yields the real gradients of a dense layer
// for the injected output gradient: dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy; and
// no input gradient for the first layer.
func TestBackwardGraphGradients(t *testing.T) {
	be, _ := openGo(t)
	const B, K, N = 3, 4, 2
	r := rand.New(rand.NewPCG(1, 2))
	x, err := deviceTensor(be, r, []int{B, K})
	if err != nil {
		t.Fatal(err)
	}
	dy, err := deviceTensor(be, r, []int{B, N})
	if err != nil {
		t.Fatal(err)
	}
	l := nn.Dense{LayerName: "fc", Units: N}
	for _, inputGrad := range []bool{true, false} {
		ctx := context.New()
		outs, err := context.MustNewExec(be, ctx, backwardGraph(l, inputGrad)).Exec(x, dy)
		if err != nil {
			t.Fatal(err)
		}
		var w, bias []float32
		ctx.EnumerateVariables(func(v *context.Variable) {
			if !v.Trainable {
				return
			}
			switch v.Shape().Rank() {
			case 2:
				w = flat32(v.MustValue())
			case 1:
				bias = flat32(v.MustValue())
			}
		})
		xs, dys := flat32(x), flat32(dy)
		wantDx, wantDW, wantDb := make([]float32, B*K), make([]float32, K*N), make([]float32, N)
		wantY := make([]float32, B*N)
		for b := 0; b < B; b++ {
			for n := 0; n < N; n++ {
				wantY[b*N+n] = bias[n]
				wantDb[n] += dys[b*N+n]
				for k := 0; k < K; k++ {
					wantY[b*N+n] += xs[b*K+k] * w[k*N+n]
					wantDx[b*K+k] += dys[b*N+n] * w[k*N+n]
					wantDW[k*N+n] += xs[b*K+k] * dys[b*N+n]
				}
			}
		}
		want := [][]float32{wantY}
		if inputGrad {
			want = append(want, wantDx)
		}
		want = append(want, wantDW, wantDb)
		if len(outs) != len(want)+1 {
			t.Fatalf("inputGrad %v: %d outputs, want %d (+ sync scalar)", inputGrad, len(outs), len(want))
		}
		for i, wv := range want {
			got := flat32(outs[i])
			if len(got) != len(wv) {
				t.Fatalf("inputGrad %v output %d: %d values, want %d", inputGrad, i, len(got), len(wv))
			}
			for j := range wv {
				if math.Abs(float64(got[j]-wv[j])) > 1e-5 {
					t.Errorf("inputGrad %v output %d[%d] = %v, want %v", inputGrad, i, j, got[j], wv[j])
				}
			}
		}
		// The sync scalar is the sum of every output's first element.
		var sum float32
		for _, wv := range want {
			sum += wv[0]
		}
		if s := tensors.ToScalar[float32](outs[len(outs)-1]); math.Abs(float64(s-sum)) > 1e-5 {
			t.Errorf("inputGrad %v: sync scalar %v, want %v", inputGrad, s, sum)
		}
		ctx.Finalize()
	}
}
