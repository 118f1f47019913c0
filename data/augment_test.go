package data

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// randomImages is n random 28×28 uint8 images (no zero pixels, so a pixel
// shifted in from outside is told apart) and labels 0..9.
func randomImages(n int, seed uint64) (*tensors.Tensor, *tensors.Tensor) {
	r := rand.New(rand.NewPCG(seed, 1))
	px := make([]uint8, n*Height*Width)
	for i := range px {
		px[i] = uint8(1 + r.IntN(255))
	}
	lb := make([]uint8, n)
	for i := range lb {
		lb[i] = uint8(i % 10)
	}
	return tensors.FromFlatDataAndDimensions(px, n, Height, Width), tensors.FromFlatDataAndDimensions(lb, n)
}

// runTrainBatch executes TrainBatch with the given draws u [B,3].
func runTrainBatch(t *testing.T, b backends.Backend, images, labels *tensors.Tensor, idx []int32, u [][3]float32, p Pipeline) ([]float64, []int, []int32) {
	t.Helper()
	flatU := make([]float32, 0, 3*len(u))
	for _, r := range u {
		flatU = append(flatU, r[:]...)
	}
	exec, err := graph.NewExec(b, func(images, labels, idx, u *graph.Node) (*graph.Node, *graph.Node) {
		x, y := TrainBatch(images, labels, idx, u, p)
		return graph.ConvertDType(x, dtypes.Float64), y
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(images, labels, idx, tensors.FromFlatDataAndDimensions(flatU, len(u), AugmentDraws))
	if err != nil {
		t.Fatalf("TrainBatch: %v", err)
	}
	return tensors.MustCopyFlatData[float64](out[0]), out[0].Shape().Dimensions, tensors.MustCopyFlatData[int32](out[1])
}

func repeat(u [3]float32, n int) [][3]float32 {
	out := make([][3]float32, n)
	for i := range out {
		out[i] = u
	}
	return out
}

func TestAugmentShapes(t *testing.T) {
	b := simpleGo(t)
	images, labels := randomImages(8, 1)
	idx := []int32{3, 0, 7, 5}
	u := [][3]float32{{0.1, 0.9, 0.2}, {0.5, 0.5, 0.7}, {0.99, 0.0, 0.4}, {0.3, 0.6, 0.6}}
	for _, mode := range []string{AugmentShift, AugmentFlip, AugmentShiftFlip} {
		for _, resize := range []int{0, 67} {
			x, dims, y := runTrainBatch(t, b, images, labels, idx, u, Pipeline{Resize: resize, Augment: mode, Normalize: true})
			side := max(resize, Height)
			if !equalInts(dims, []int{4, side, side, 1}) || len(x) != 4*side*side {
				t.Errorf("%s resize %d: x %v", mode, resize, dims)
			}
			if !equalInts(toInts(y), []int{3, 0, 7, 5}) {
				t.Errorf("%s: labels %v, want the batch's own", mode, y)
			}
		}
	}
}

func toInts(xs []int32) []int {
	out := make([]int, len(xs))
	for i, v := range xs {
		out[i] = int(v)
	}
	return out
}

// A flipped batch is the mirror image of the plain one, pixel for pixel.
func TestAugmentFlipIsMirror(t *testing.T) {
	b := simpleGo(t)
	images, labels := randomImages(6, 2)
	idx := []int32{1, 4, 2}
	plain, _, _ := runBatch(t, b, images, labels, idx, Pipeline{})
	for _, mode := range []string{AugmentFlip, AugmentShiftFlip} {
		// u[0], u[1] = 0.5: shift ⌊2.5⌋ − 2 = 0; u[2] < 0.5: flip.
		got, _, _ := runTrainBatch(t, b, images, labels, idx, repeat([3]float32{0.5, 0.5, 0.2}, 3), Pipeline{Augment: mode})
		for e := range 3 {
			for i := range Height {
				for j := range Width {
					w := plain[(e*Height+i)*Width+(Width-1-j)]
					if g := got[(e*Height+i)*Width+j]; g != w {
						t.Fatalf("%s: example %d pixel (%d,%d) = %v, want the mirror's %v", mode, e, i, j, g, w)
					}
				}
			}
		}
		// u[2] ≥ 0.5: no flip, nothing changes.
		same, _, _ := runTrainBatch(t, b, images, labels, idx, repeat([3]float32{0.5, 0.5, 0.8}, 3), Pipeline{Augment: mode})
		for k := range plain {
			if same[k] != plain[k] {
				t.Fatalf("%s without flip: value %d changed", mode, k)
			}
		}
	}
}

// A shift of (+2 right, −2 down) moves every pixel and fills zeros; flip
// mode never shifts.
func TestAugmentShiftMovesPixels(t *testing.T) {
	b := simpleGo(t)
	images, labels := randomImages(4, 3)
	idx := []int32{2, 0}
	plain, _, _ := runBatch(t, b, images, labels, idx, Pipeline{})
	// u[0] = 0.9 → ⌊4.5⌋ − 2 = +2 (right); u[1] = 0.1 → −2 (up: out[i] = in[i+2]).
	got, _, _ := runTrainBatch(t, b, images, labels, idx, repeat([3]float32{0.9, 0.1, 0.0}, 2), Pipeline{Augment: AugmentShift})
	for e := range 2 {
		for i := range Height {
			for j := range Width {
				si, sj := i+2, j-2
				want := 0.0
				if si < Height && sj >= 0 {
					want = plain[(e*Height+si)*Width+sj]
				}
				if g := got[(e*Height+i)*Width+j]; g != want {
					t.Fatalf("example %d pixel (%d,%d) = %v, want %v", e, i, j, g, want)
				}
			}
		}
	}
	onlyFlip, _, _ := runTrainBatch(t, b, images, labels, idx, repeat([3]float32{0.9, 0.1, 0.9}, 2), Pipeline{Augment: AugmentFlip})
	for k := range plain {
		if onlyFlip[k] != plain[k] {
			t.Fatalf("flip mode shifted: value %d", k)
		}
	}
}

// Batch (what test batches go through) never augments, whatever the pipeline says.
func TestBatchNeverAugments(t *testing.T) {
	b := simpleGo(t)
	images, labels := randomImages(5, 4)
	idx := []int32{4, 1, 3}
	plain, _, _ := runBatch(t, b, images, labels, idx, Pipeline{Resize: 32})
	for _, mode := range []string{AugmentShift, AugmentFlip, AugmentShiftFlip} {
		got, _, _ := runBatch(t, b, images, labels, idx, Pipeline{Resize: 32, Augment: mode})
		for k := range plain {
			if got[k] != plain[k] {
				t.Fatalf("Batch with augment %s changed value %d", mode, k)
			}
		}
	}
}

// augmentedWithSeed runs two training batches' augmentation from a context
// seeded with seed, as the trainer does, and returns both.
func augmentedWithSeed(t *testing.T, b backends.Backend, seed int64) [2][]float64 {
	t.Helper()
	images, labels := randomImages(16, 5)
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	exec := context.MustNewExec(b, ctx, func(ctx *context.Context, images, labels, idx *graph.Node) *graph.Node {
		u := AugmentUniform(ctx, images.Graph(), idx.Shape().Dim(0))
		x, _ := TrainBatch(images, labels, idx, u, Pipeline{Augment: AugmentShiftFlip})
		return graph.ConvertDType(x, dtypes.Float64)
	})
	idx := tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 16)
	var out [2][]float64
	for i := range out {
		r, err := exec.Exec(images, labels, idx)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tensors.MustCopyFlatData[float64](r[0])
	}
	return out
}

func equalFloats(a, b []float64) bool {
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

// The same seed gives the same augmentations; another seed, and the next
// step, different ones.
func TestAugmentDeterministicBySeed(t *testing.T) {
	b := simpleGo(t)
	a, again, other := augmentedWithSeed(t, b, 7), augmentedWithSeed(t, b, 7), augmentedWithSeed(t, b, 8)
	for i := range a {
		if !equalFloats(a[i], again[i]) {
			t.Errorf("step %d: seed 7 gave two different batches", i)
		}
		if equalFloats(a[i], other[i]) {
			t.Errorf("step %d: seeds 7 and 8 gave the same batch", i)
		}
	}
	if equalFloats(a[0], a[1]) {
		t.Error("two steps drew the same augmentations")
	}
}

func TestTrainBatchRefusesBadAugment(t *testing.T) {
	b := simpleGo(t)
	images, labels := randomImages(2, 6)
	_, err := graph.NewExec(b, func(images, labels, idx, u *graph.Node) *graph.Node {
		x, _ := TrainBatch(images, labels, idx, u, Pipeline{Augment: "rotate"})
		return x
	})
	if err == nil {
		exec := graph.MustNewExec(b, func(images, labels, idx, u *graph.Node) *graph.Node {
			x, _ := TrainBatch(images, labels, idx, u, Pipeline{Augment: "rotate"})
			return x
		})
		_, err = exec.Exec(images, labels, []int32{0, 1}, tensors.FromFlatDataAndDimensions(make([]float32, 6), 2, 3))
	}
	if err == nil || !strings.Contains(err.Error(), `augment "rotate"`) {
		t.Errorf("augment rotate: %v", err)
	}
}
