package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// initialized builds a 400→300 dense layer under a context set to init and
// returns its weights and biases as the first forward pass created them.
func initialized(t *testing.T, init string) (w, b []float32) {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	if init != "" {
		if err := SetInit(ctx, init); err != nil {
			t.Fatal(err)
		}
	}
	be := goBackend(t)
	exec := context.MustNewExec(be, ctx, func(ctx *context.Context, x *Node) *Node {
		return Dense{LayerName: "fc", Units: 300}.Forward(ctx.In("model"), x)
	})
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 400))
	if _, err := exec.Exec(x); err != nil {
		t.Fatal(err)
	}
	get := func(name string) []float32 {
		v := ctx.GetVariableByScopeAndName("/model/fc", name)
		if v == nil {
			t.Fatalf("no variable /model/fc/%s", name)
		}
		return tensors.MustCopyFlatData[float32](v.MustValue())
	}
	return get("weights"), get("biases")
}

func meanSD32(xs []float32) (mean, sd float64) {
	for _, x := range xs {
		mean += float64(x)
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

func TestInitializations(t *testing.T) {
	xavierBound := math.Sqrt(6.0 / 700)
	for _, tc := range []struct {
		init           string
		wMax, wSD      float64 // bound on |w| and its expected sd
		bMax, bSDWant  float64
		allZeroWeights bool
	}{
		// U(±a) has sd a/√3; 120,000 draws put the sample sd within 1 %.
		{init: "", wMax: xavierBound, wSD: xavierBound / math.Sqrt(3), bMax: 1 / math.Sqrt(400), bSDWant: 1 / math.Sqrt(400) / math.Sqrt(3)},
		{init: InitXavier, wMax: xavierBound, wSD: xavierBound / math.Sqrt(3), bMax: 1 / math.Sqrt(400), bSDWant: 1 / math.Sqrt(400) / math.Sqrt(3)},
		{init: InitNormal, wMax: 6 * NormalInitSD, wSD: NormalInitSD, bMax: 1 / math.Sqrt(400), bSDWant: 1 / math.Sqrt(400) / math.Sqrt(3)},
		{init: InitZeros, allZeroWeights: true},
	} {
		w, b := initialized(t, tc.init)
		if len(w) != 400*300 || len(b) != 300 {
			t.Fatalf("%q: %d weights, %d biases", tc.init, len(w), len(b))
		}
		if tc.allZeroWeights {
			for i, v := range append(w, b...) {
				if v != 0 {
					t.Fatalf("zeros: value %d is %v", i, v)
				}
			}
			continue
		}
		wm, wsd := meanSD32(w)
		if math.Abs(wsd-tc.wSD)/tc.wSD > 0.02 || math.Abs(wm) > 3*tc.wSD/math.Sqrt(float64(len(w))) {
			t.Errorf("%q weights: mean %.5f sd %.5f, want 0 and %.5f", tc.init, wm, wsd, tc.wSD)
		}
		for _, v := range w {
			if math.Abs(float64(v)) > tc.wMax {
				t.Fatalf("%q: weight %v beyond %v", tc.init, v, tc.wMax)
			}
		}
		if _, bsd := meanSD32(b); math.Abs(bsd-tc.bSDWant)/tc.bSDWant > 0.15 {
			t.Errorf("%q biases: sd %.4f, want %.4f", tc.init, bsd, tc.bSDWant)
		}
		for _, v := range b {
			if math.Abs(float64(v)) > tc.bMax {
				t.Fatalf("%q: bias %v beyond %v", tc.init, v, tc.bMax)
			}
		}
	}
}

func TestSetInitRefusesUnknown(t *testing.T) {
	err := SetInit(context.New(), "he")
	if err == nil || !strings.Contains(err.Error(), `init "he"`) {
		t.Errorf("SetInit(he) = %v", err)
	}
}
