package nn

import (
	"runtime"
	"sync"
	"weak"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// GoMLX differentiates Slice with Pad, which SimpleGo lacks. Slices made with
// stridedSlice record their bounds here, and the Slice VJP registered below
// rebuilds Pad from Concatenate (and Reshape for strides) on backends without
// it. Every other slice, and every backend with Pad, keeps GoMLX's own VJP.
var (
	sliceSpecs    sync.Map // weak.Pointer[Node] → sliceSpec; entries go with their node
	originalSlice = VJPRegistration[NodeTypeSlice]
)

type sliceSpec struct{ starts, limits, strides []int }

func init() {
	VJPRegistration[NodeTypeSlice] = func(node *Node, vjps []*Node, outShape shapes.Shape) []*Node {
		spec, ok := sliceSpecs.Load(weak.Make(node))
		if !ok || hasOps(node.Graph(), backends.OpTypePad) {
			return originalSlice(node, vjps, outShape)
		}
		s := spec.(sliceSpec)
		return []*Node{padByConcat(vjps[0], node.Inputs()[0].Shape().Dimensions, s)}
	}
}

// stridedSlice is Slice(x) over [starts, limits) with strides, differentiable on
// every backend.
func stridedSlice(x *Node, starts, limits, strides []int) *Node {
	specs := make([]SliceAxisSpec, len(starts))
	for i := range starts {
		specs[i] = AxisRange(starts[i], limits[i]).Stride(strides[i])
	}
	y := Slice(x, specs...)
	key := weak.Make(y)
	sliceSpecs.Store(key, sliceSpec{starts, limits, strides})
	runtime.AddCleanup(y, func(k weak.Pointer[Node]) { sliceSpecs.Delete(k) }, key)
	return y
}

// padByConcat places v (the gradient of a slice) back into zeros of shape
// dims: interior zeros between strided elements via stack-and-reshape, then
// edge zeros via Concatenate.
func padByConcat(v *Node, dims []int, s sliceSpec) *Node {
	for axis := range dims {
		n := v.Shape().Dimensions[axis]
		if st := s.strides[axis]; st > 1 && n > 0 {
			// [.., n, ..] → [.., n, st, ..] with v at index 0 of the new axis → [.., n*st, ..].
			vi := InsertAxes(v, axis+1)
			zdims := append([]int(nil), vi.Shape().Dimensions...)
			zdims[axis+1] = st - 1
			vi = Concatenate([]*Node{vi, Zeros(v.Graph(), shapes.Make(v.DType(), zdims...))}, axis+1)
			outDims := append([]int(nil), v.Shape().Dimensions...)
			outDims[axis] = n * st
			v = Reshape(vi, outDims...)
			// Keep (n-1)*st+1 elements: the trailing st-1 zeros belong to the end padding.
			v = SliceAxis(v, axis, AxisRange(0, (n-1)*st+1))
		}
		before := s.starts[axis]
		after := dims[axis] - before - v.Shape().Dimensions[axis]
		v = padAxis(v, axis, before, after)
	}
	return v
}

// padAxis adds before/after zeros on one axis with Concatenate, whose gradient
// (a plain Slice of the incoming gradient) every backend can run.
func padAxis(x *Node, axis, before, after int) *Node {
	return padAxisWith(x, axis, before, after, 0)
}

// padAxisWith is padAxis with a fill value other than zero.
func padAxisWith(x *Node, axis, before, after int, value float64) *Node {
	if before == 0 && after == 0 {
		return x
	}
	parts := make([]*Node, 0, 3)
	zeros := func(n int) *Node {
		d := append([]int(nil), x.Shape().Dimensions...)
		d[axis] = n
		return BroadcastToDims(Scalar(x.Graph(), x.DType(), value), d...)
	}
	if before > 0 {
		parts = append(parts, zeros(before))
	}
	parts = append(parts, x)
	if after > 0 {
		parts = append(parts, zeros(after))
	}
	return Concatenate(parts, axis)
}
