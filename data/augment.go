package data

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Augmentations Pipeline.Augment may name (harness/config's augment key).
const (
	AugmentNone      = "none"
	AugmentShift     = "shift"
	AugmentFlip      = "flip"
	AugmentShiftFlip = "shift+flip"
)

// MaxShift is the largest translation, in pixels of the 28×28 image, that
// AugmentShift draws (uniformly from −MaxShift..MaxShift on each axis).
const MaxShift = 2

// AugmentDraws is the number of uniform draws per example TrainBatch needs:
// the horizontal shift, the vertical shift and the flip.
const AugmentDraws = 3

// Augments tells whether p augments training batches at all.
func (p Pipeline) Augments() bool { return p.Augment != "" && p.Augment != AugmentNone }

// AugmentUniform draws the [batch, AugmentDraws] uniform values of one
// training batch from ctx's random state (seeded by the caller), in the
// graph: the draws advance with every step, and the same seed gives the same
// augmentations on every backend run.
func AugmentUniform(ctx *context.Context, g *graph.Graph, batch int) *graph.Node {
	return ctx.RandomUniform(g, shapes.Make(dtypes.Float32, batch, AugmentDraws))
}

// augment transforms each 28×28 image of x [B,28,28] as its row of u
// [B,AugmentDraws] (uniform in [0,1)) says: column 0 picks the horizontal
// shift, column 1 the vertical one (each ⌊5u⌋−2 pixels), column 2 flips
// horizontally when below 0.5. Pixels shifted in are 0 (the background).
//
// Each image becomes V_b · x_b · H_bᵀ with 28×28 0/1 matrices gathered from
// constant tables (5 vertical shifts; 5 horizontal shifts × 2 flips): two
// batched matmuls that every backend has, exact in float (one 1 per row), and
// no gradient is needed since nothing trainable comes before them.
func augment(x, u *graph.Node, mode string) *graph.Node {
	shift, flip := false, false
	switch mode {
	case AugmentShift:
		shift = true
	case AugmentFlip:
		flip = true
	case AugmentShiftFlip:
		shift, flip = true, true
	default:
		panic(fmt.Errorf("data: augment %q: must be %s, %s, %s or %s", mode, AugmentNone, AugmentShift, AugmentFlip, AugmentShiftFlip))
	}
	g, dt := x.Graph(), x.DType()
	const levels = 2*MaxShift + 1
	B := x.Shape().Dim(0)
	u = graph.ConvertDType(u, dtypes.Float32)
	// ⌊levels·u⌋ in 0..levels−1 (u < 1); MaxShift is no shift.
	pick := func(col int) *graph.Node {
		c := graph.Reshape(graph.Slice(u, graph.AxisRange(), graph.AxisRange(col, col+1)), B)
		i := graph.ConvertDType(graph.Floor(graph.MulScalar(c, levels)), dtypes.Int32)
		return graph.MinScalar(graph.MaxScalar(i, 0), levels-1)
	}
	none := make([]int32, B)
	for i := range none {
		none[i] = MaxShift
	}
	dx, dy := graph.Const(g, none), graph.Const(g, none)
	if shift {
		dx, dy = pick(0), pick(1)
	}
	h := graph.MulScalar(dx, 2) // table index 2·shift + flip
	if flip {
		c := graph.Reshape(graph.Slice(u, graph.AxisRange(), graph.AxisRange(2, 3)), B)
		f := graph.ConvertDType(graph.LessThan(c, graph.Scalar(g, dtypes.Float32, 0.5)), dtypes.Int32)
		h = graph.Add(h, f)
	}
	hm := graph.Gather(translationTable(g, dt, true), graph.ExpandAxes(h, -1))   // [B,28,28]
	vm := graph.Gather(translationTable(g, dt, false), graph.ExpandAxes(dy, -1)) // [B,28,28]
	x = graph.DotGeneral(vm, []int{2}, []int{0}, x, []int{1}, []int{0})          // [B, rows, cols]
	return graph.DotGeneral(x, []int{2}, []int{0}, hm, []int{2}, []int{0})
}

// translationTable is a constant stack of 28×28 matrices M with
// out[j] = Σ_l M[j,l]·in[l]. Vertical (horizontal false): 5 matrices, shift
// s−MaxShift down for s = 0..4. Horizontal: 10, index 2s+f: shift s−MaxShift
// right after flipping when f = 1.
func translationTable(g *graph.Graph, dt dtypes.DType, horizontal bool) *graph.Node {
	const n, levels = Width, 2*MaxShift + 1
	flips := 1
	if horizontal {
		flips = 2
	}
	m := make([]float64, levels*flips*n*n)
	for s := range levels {
		d := s - MaxShift
		for f := range flips {
			base := (s*flips + f) * n * n
			for j := range n {
				src := j - d // shifted right by d: out[j] = in[j−d]
				if f == 1 {
					src = n - 1 - src // of the mirrored image: in[n−1−(j−d)]
				}
				if src >= 0 && src < n {
					m[base+j*n+src] = 1
				}
			}
		}
	}
	t := tensors.FromFlatDataAndDimensions(m, levels*flips, n, n)
	return graph.ConvertDType(graph.Const(g, t), dt)
}
