package data

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func simpleGo(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatalf("SimpleGo backend: %v", err)
	}
	t.Cleanup(b.Finalize)
	return b
}

// runBatch executes Batch on SimpleGo and returns x flattened as float64, x's
// shape and y.
func runBatch(t *testing.T, b backends.Backend, images, labels *tensors.Tensor, idx []int32, p Pipeline) ([]float64, []int, []int32) {
	t.Helper()
	exec, err := graph.NewExec(b, func(images, labels, idx *graph.Node) (*graph.Node, *graph.Node) {
		x, y := Batch(images, labels, idx, p)
		return graph.ConvertDType(x, dtypes.Float64), y
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(images, labels, idx)
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	return tensors.MustCopyFlatData[float64](out[0]), out[0].Shape().Dimensions, tensors.MustCopyFlatData[int32](out[1])
}

// referenceResize is textbook bilinear interpolation, pixel by pixel, as
// torch's F.interpolate(mode="bilinear", align_corners=False) defines it:
// half-pixel centers, source coordinates clamped at 0, neighbours at the edge.
func referenceResize(img []float64, in, out int) []float64 {
	res := make([]float64, out*out)
	src := func(i int) (i0, i1 int, frac float64) {
		s := (float64(i)+0.5)*float64(in)/float64(out) - 0.5
		s = max(s, 0)
		i0 = int(math.Floor(s))
		i1 = min(i0+1, in-1)
		return i0, i1, s - float64(i0)
	}
	for i := range out {
		y0, y1, fy := src(i)
		for j := range out {
			x0, x1, fx := src(j)
			top := (1-fx)*img[y0*in+x0] + fx*img[y0*in+x1]
			bottom := (1-fx)*img[y1*in+x0] + fx*img[y1*in+x1]
			res[i*out+j] = (1-fy)*top + fy*bottom
		}
	}
	return res
}

func TestBatchMatchesReferenceResize(t *testing.T) {
	b := simpleGo(t)
	const n = 6
	rng := rand.New(rand.NewPCG(1, 2))
	pixels := make([]uint8, n*28*28)
	for i := range pixels {
		pixels[i] = uint8(rng.IntN(256))
	}
	pixels[0], pixels[1] = 0, 255 // the extremes
	labels := []uint8{3, 1, 4, 1, 5, 9}
	images := tensors.FromFlatDataAndDimensions(pixels, n, 28, 28)
	labelsT := tensors.FromFlatDataAndDimensions(labels, n)
	idx := []int32{5, 0, 2, 2}

	for _, tc := range []struct {
		name string
		p    Pipeline
		side int
		tol  float64
	}{
		{"28→224", Pipeline{Resize: 224}, 224, 1e-5},
		{"28→64", Pipeline{Resize: 64}, 64, 1e-5},
		{"28→100 (non-integer ratio)", Pipeline{Resize: 100}, 100, 1e-5},
		{"28→28 identity", Pipeline{Resize: 28}, 28, 1e-6},
		{"no resize", Pipeline{}, 28, 1e-6},
		{"28→224 normalized", Pipeline{Resize: 224, Normalize: true}, 224, 1e-5},
		{"28→224 float64", Pipeline{Resize: 224, DType: dtypes.Float64}, 224, 1e-12},
		{"28→64 bfloat16", Pipeline{Resize: 64, DType: dtypes.BFloat16}, 64, 4e-3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, shape, y := runBatch(t, b, images, labelsT, idx, tc.p)
			if want := []int{len(idx), tc.side, tc.side, 1}; !equalInts(shape, want) {
				t.Fatalf("x shape %v, want %v", shape, want)
			}
			for bi, e := range idx {
				if y[bi] != int32(labels[e]) {
					t.Errorf("y[%d] = %d, want %d", bi, y[bi], labels[e])
				}
				img := make([]float64, 28*28)
				for k := range img {
					img[k] = float64(pixels[int(e)*784+k]) / 255
					if tc.p.Normalize {
						img[k] = (img[k] - Mean) / Std
					}
				}
				want := referenceResize(img, 28, tc.side)
				got := x[bi*tc.side*tc.side : (bi+1)*tc.side*tc.side]
				worst, at := 0.0, 0
				for k := range want {
					if d := math.Abs(got[k] - want[k]); d > worst {
						worst, at = d, k
					}
				}
				if worst > tc.tol {
					t.Errorf("example %d: max |x - reference| = %g at (%d,%d): got %g want %g (tolerance %g)",
						bi, worst, at/tc.side, at%tc.side, got[at], want[at], tc.tol)
				}
			}
		})
	}
}

func TestResizeWeightsRowsSumToScale(t *testing.T) {
	for _, out := range []int{14, 27, 28, 29, 64, 224} {
		w := resizeWeights(28, out, 0.5)
		for i := range out {
			sum := 0.0
			for _, v := range w[i*28 : (i+1)*28] {
				sum += v
			}
			if math.Abs(sum-0.5) > 1e-12 {
				t.Errorf("28→%d: row %d sums to %g, want 0.5", out, i, sum)
			}
		}
	}
}

// TestBatchNormalizesRealData checks that the graph's normalization of real
// examples gives mean ≈ 0 and std ≈ 1, and that it matches the host formula.
func TestBatchNormalizesRealData(t *testing.T) {
	set := realData(t)
	b := simpleGo(t)
	images, labels := set.Train.Tensors()
	idx := SeededPermutation(set.Train.N, 7, 0)[:8000]
	x, _, y := runBatch(t, b, images, labels, idx, Pipeline{Normalize: true})
	var sum, sum2 float64
	for k, v := range x {
		sum += v
		sum2 += v * v
		if k%997 == 0 { // spot-check elements against the host formula
			e, p := idx[k/784], k%784
			want := (float64(set.Train.Images[int(e)*784+p])/255 - Mean) / Std
			if math.Abs(v-want) > 1e-5 {
				t.Fatalf("x[%d] = %g, want %g", k, v, want)
			}
		}
	}
	for i, e := range idx {
		if y[i] != int32(set.Train.Labels[e]) {
			t.Fatalf("y[%d] = %d, want label %d of example %d", i, y[i], set.Train.Labels[e], e)
		}
	}
	n := float64(len(x))
	mean := sum / n
	std := math.Sqrt(sum2/n - mean*mean)
	t.Logf("normalized batch of %d real examples: mean %.4f, std %.4f", len(idx), mean, std)
	if math.Abs(mean) > 0.02 || math.Abs(std-1) > 0.02 {
		t.Errorf("mean %.4f, std %.4f; want ≈ 0 and ≈ 1", mean, std)
	}
}

func TestBatchRejectsBadShapes(t *testing.T) {
	b := simpleGo(t)
	for _, tc := range []struct {
		name           string
		images, labels *tensors.Tensor
		p              Pipeline
		want           string
	}{
		{"32×32 images", tensors.FromShape(shapes.Make(dtypes.Uint8, 2, 32, 32)), tensors.FromShape(shapes.Make(dtypes.Uint8, 2)), Pipeline{}, "images must be uint8 [N,28,28]"},
		{"float images", tensors.FromShape(shapes.Make(dtypes.Float32, 2, 28, 28)), tensors.FromShape(shapes.Make(dtypes.Uint8, 2)), Pipeline{}, "images must be uint8"},
		{"labels count", tensors.FromShape(shapes.Make(dtypes.Uint8, 2, 28, 28)), tensors.FromShape(shapes.Make(dtypes.Uint8, 3)), Pipeline{}, "labels must be uint8 [2]"},
		{"integer dtype", tensors.FromShape(shapes.Make(dtypes.Uint8, 2, 28, 28)), tensors.FromShape(shapes.Make(dtypes.Uint8, 2)), Pipeline{DType: dtypes.Int32}, "DType must be a float type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exec, err := graph.NewExec(b, func(images, labels, idx *graph.Node) (*graph.Node, *graph.Node) {
				return Batch(images, labels, idx, tc.p)
			})
			if err == nil {
				defer exec.Finalize()
				_, err = exec.Exec(tc.images, tc.labels, []int32{0})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkBatch224 is one AlexNet-sized batch (256 examples to 224×224) on
// SimpleGo.
func BenchmarkBatch224(b *testing.B) {
	be := simpleGo(b)
	const n = 1000
	pixels := make([]uint8, n*784)
	for i := range pixels {
		pixels[i] = uint8(i * 31)
	}
	images := tensors.FromFlatDataAndDimensions(pixels, n, 28, 28)
	labels := tensors.FromFlatDataAndDimensions(make([]uint8, n), n)
	idx := SeededPermutation(n, 1, 0)[:256]
	exec := graph.MustNewExec(be, func(images, labels, idx *graph.Node) (*graph.Node, *graph.Node) {
		return Batch(images, labels, idx, Pipeline{Resize: 224, Normalize: true})
	})
	defer exec.Finalize()
	exec.MustExec(images, labels, idx) // compile
	b.ResetTimer()
	for range b.N {
		out := exec.MustExec(images, labels, idx)
		for _, o := range out {
			o.FinalizeAll()
		}
	}
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "examples/s")
}
