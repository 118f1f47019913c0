package data

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	// Not dot-imported, GoMLX's usual idiom: graph.Split would clash with our Split.
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Pipeline says how Batch turns raw examples into model inputs.
type Pipeline struct {
	// Resize is the output side in pixels (224 for d2l's AlexNet); 0 or 28
	// keeps the 28×28 images.
	Resize int
	// Normalize standardizes with Fashion-MNIST's Mean and Std after the /255
	// scaling; off is d2l's pipeline (ToTensor only).
	Normalize bool
	// DType of x; zero means Float32. Arithmetic runs in Float32 (Float64 when
	// asked for) and is converted at the end, so a BFloat16 input is one
	// rounding of the exact value.
	DType dtypes.DType
	// Augment is AugmentNone (or ""), AugmentShift, AugmentFlip or
	// AugmentShiftFlip; only TrainBatch applies it.
	Augment string
}

// Batch builds a batch in the graph from a whole split that lives on the
// device: images is uint8 [N,28,28], labels uint8 [N] and idx the batch's
// example indices, int32 [B]. It returns x [B,R,R,1] (channels last, R =
// p.Resize) in p.DType with pixels scaled to [0,1] (then standardized if
// p.Normalize), and y int32 [B].
//
// The resize is two matmuls with constant interpolation matrices,
// X' = R_h·X·R_wᵀ, with the scaling folded into R_h and the normalization's
// shift added once at the end (bilinear weights sum to one per output pixel).
// Bad shapes panic, as GoMLX graph building does; Exec returns the panic as an
// error.
func Batch(images, labels, idx *graph.Node, p Pipeline) (x, y *graph.Node) {
	return batch(images, labels, idx, nil, p)
}

// TrainBatch is Batch for a training step: when p.Augments(), each image is
// augmented (shifted and/or flipped, see augment) as its row of u
// [B, AugmentDraws] says, before any resize and normalization, so a shift is
// in the 28×28 image's pixels. u comes from AugmentUniform; it is unused (and
// may be nil) when p does not augment. Test batches go through Batch, which
// never augments.
func TrainBatch(images, labels, idx, u *graph.Node, p Pipeline) (x, y *graph.Node) {
	if !p.Augments() {
		u = nil
	} else if u == nil || u.Shape().Rank() != 2 || u.Shape().Dim(0) != idx.Shape().Dim(0) || u.Shape().Dim(1) != AugmentDraws {
		panic(fmt.Errorf("data.TrainBatch: augment %q needs u [%d,%d] uniform draws, got %v", p.Augment, idx.Shape().Dim(0), AugmentDraws, u))
	}
	return batch(images, labels, idx, u, p)
}

func batch(images, labels, idx, u *graph.Node, p Pipeline) (x, y *graph.Node) {
	checkBatchShapes(images, labels, idx, p)
	g := images.Graph()
	outDType := p.DType
	if outDType == dtypes.InvalidDType {
		outDType = dtypes.Float32
	}
	compute := dtypes.Float32
	if outDType == dtypes.Float64 {
		compute = dtypes.Float64
	}
	side := p.Resize
	if side == 0 {
		side = Height
	}
	scale, shift := 1.0/255, 0.0
	if p.Normalize {
		scale, shift = scale/Std, -Mean/Std
	}

	at := graph.ExpandAxes(idx, -1) // [B,1]: one index per gathered slice
	y = graph.ConvertDType(graph.Gather(labels, at), dtypes.Int32)
	x = graph.ConvertDType(graph.Gather(images, at), compute) // [B,28,28]
	if u != nil {
		x = augment(x, u, p.Augment)
	}
	if side == Height { // images are square: Height == Width
		x = graph.MulScalar(x, scale)
	} else {
		rh := interpolationConst(g, compute, Height, side, scale) // [R,28]
		rw := interpolationConst(g, compute, Width, side, 1)      // [R,28]
		// Contracting the image's rows first leaves [B, w, R]; contracting w
		// then gives [B, R, R] in order, with no transpose in between.
		x = graph.DotGeneral(x, []int{1}, nil, rh, []int{1}, nil)
		x = graph.DotGeneral(x, []int{1}, nil, rw, []int{1}, nil)
	}
	if shift != 0 {
		x = graph.AddScalar(x, shift)
	}
	x = graph.ExpandAxes(x, -1) // channels last: [B,R,R,1]
	if outDType != compute {
		x = graph.ConvertDType(x, outDType)
	}
	return x, y
}

// interpolationConst is resizeWeights(in, out, scale) as a [out,in] constant.
func interpolationConst(g *graph.Graph, dtype dtypes.DType, in, out int, scale float64) *graph.Node {
	w := resizeWeights(in, out, scale)
	if dtype == dtypes.Float64 {
		return graph.Const(g, tensors.FromFlatDataAndDimensions(w, out, in))
	}
	w32 := make([]float32, len(w))
	for i, v := range w {
		w32[i] = float32(v)
	}
	return graph.Const(g, tensors.FromFlatDataAndDimensions(w32, out, in))
}

func checkBatchShapes(images, labels, idx *graph.Node, p Pipeline) {
	is, ls, xs := images.Shape(), labels.Shape(), idx.Shape()
	switch {
	case is.DType != dtypes.Uint8 || is.Rank() != 3 || is.Dimensions[1] != Height || is.Dimensions[2] != Width:
		panic(fmt.Errorf("data.Batch: images must be uint8 [N,%d,%d], got %s", Height, Width, is))
	case ls.DType != dtypes.Uint8 || ls.Rank() != 1 || ls.Dimensions[0] != is.Dimensions[0]:
		panic(fmt.Errorf("data.Batch: labels must be uint8 [%d] to match images %s, got %s", is.Dimensions[0], is, ls))
	case !xs.DType.IsInt() || xs.Rank() != 1:
		panic(fmt.Errorf("data.Batch: idx must be an integer vector [B], got %s", xs))
	case p.Resize < 0:
		panic(fmt.Errorf("data.Batch: Resize must be >= 0, got %d", p.Resize))
	case p.DType != dtypes.InvalidDType && !p.DType.IsFloat():
		panic(fmt.Errorf("data.Batch: DType must be a float type, got %s", p.DType))
	}
}

// Tensors returns the split as host tensors in the shapes Batch wants: images
// uint8 [N,28,28] and labels uint8 [N]. They are copies; passed to an Exec, a
// tensor is transferred to the device once and its device buffer reused.
func (s Split) Tensors() (images, labels *tensors.Tensor) {
	return tensors.FromFlatDataAndDimensions(s.Images, s.N, Height, Width),
		tensors.FromFlatDataAndDimensions(s.Labels, s.N)
}
