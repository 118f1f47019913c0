package nn

import (
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"alexbench/internal/fastcpu"
)

// useFastCPU tells whether internal/fastcpu's BLAS executors run g (SimpleGo
// with them installed): then a convolution is one ConvGeneral node, and its
// gradients two more (see convNHWC), instead of the im2col graph.
func useFastCPU(g *Graph) bool {
	return Force == Auto && fastcpu.RunsOn(g.Backend())
}

var (
	// x [B,H,W,Cin] ⋆ w [K,K,Cin,Cout] → y [B,Ho,Wo,Cout].
	axesForward = backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	// dy [B,Ho,Wo,Cout] ⋆ flip(w) read as [K,K,Cout→Cin] → dx [B,H,W,Cin].
	axesInputGrad = backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 3, KernelOutputChannels: 2, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	// x read as [Cin (batch), H, W, B (contracted)] ⋆ dy read as
	// [B (contracted), Ho, Wo, Cout] → dw [K,K,Cin,Cout].
	axesWeightGrad = backends.ConvolveAxesConfig{
		InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
	}
)

// convNHWC is a square convolution (stride s, padding p ≤ k-1 on every side)
// as one ConvGeneral whose gradient is two ConvGenerals — GoMLX's own
// gradient needs Reverse and Pad, which SimpleGo lacks:
//   - dx: dy dilated by s, padded by k-1-p (plus the rows a stride skipped at
//     the end), correlated with the spatially flipped kernel, its channel
//     axes swapped;
//   - dw: x correlated with dy dilated by s (as a kernel), batch contracted.
func convNHWC(x, w *Node, s, p int) *Node {
	one := []int{1, 1}
	y := ConvGeneral(x, w, axesForward, []int{s, s}, [][2]int{{p, p}, {p, p}}, one, one, 1, 1)
	return withVJP(y, func(node, v *Node, _ shapes.Shape) []*Node {
		x, w := node.Inputs()[0], node.Inputs()[1]
		k := w.Shape().Dim(0)
		h, wd := x.Shape().Dim(1), x.Shape().Dim(2)
		ho, wo := v.Shape().Dim(1), v.Shape().Dim(2)
		// rest[i] is how many input rows (columns) past the last window a
		// stride left out.
		rest := [2]int{h + 2*p - k - (ho-1)*s, wd + 2*p - k - (wo-1)*s}
		lo := k - 1 - p
		dx := ConvGeneral(v, flipSpatial(w), axesInputGrad, one,
			[][2]int{{lo, lo + rest[0]}, {lo, lo + rest[1]}}, []int{s, s}, one, 1, 1)

		// The weight gradient's output must be k×k: the high padding is
		// p - rest, and where that is negative the unused rows are cut off.
		xw := x
		hi := [2]int{p - rest[0], p - rest[1]}
		if hi[0] < 0 || hi[1] < 0 {
			xw = Slice(x, AxisRange(), AxisRange(0, h+min(hi[0], 0)), AxisRange(0, wd+min(hi[1], 0)), AxisRange())
			hi = [2]int{max(hi[0], 0), max(hi[1], 0)}
		}
		dw := ConvGeneral(xw, v, axesWeightGrad, one, [][2]int{{p, hi[0]}, {p, hi[1]}}, one, []int{s, s}, 1, 1)
		return []*Node{dx, dw}
	})
}

// flipSpatial reverses a [K,K,…] kernel on its first two axes. SimpleGo has no
// Reverse; K slices and one concatenation per axis, on a tensor the size of
// the weights.
func flipSpatial(w *Node) *Node {
	for axis := range 2 {
		k := w.Shape().Dim(axis)
		if k == 1 {
			continue
		}
		parts := make([]*Node, k)
		for i := range k {
			spec := make([]SliceAxisSpec, w.Rank())
			for a := range spec {
				spec[a] = AxisRange()
			}
			spec[axis] = AxisRange(k-1-i, k-i)
			parts[i] = Slice(w, spec...)
		}
		w = Concatenate(parts, axis)
	}
	return w
}
