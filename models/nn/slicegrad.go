package nn

import (
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

type sliceSpec struct{ starts, limits, strides []int }

// stridedSlice is Slice(x) over [starts, limits) with strides, differentiable on
// every backend: GoMLX differentiates Slice with Pad, which SimpleGo lacks, so
// there the gradient is rebuilt from Concatenate (and Reshape for strides).
func stridedSlice(x *Node, starts, limits, strides []int) *Node {
	specs := make([]SliceAxisSpec, len(starts))
	for i := range starts {
		specs[i] = AxisRange(starts[i], limits[i]).Stride(strides[i])
	}
	s := sliceSpec{starts, limits, strides}
	return withVJP(Slice(x, specs...), func(node, v *Node, _ shapes.Shape) []*Node {
		in := node.Inputs()[0]
		if hasOps(node.Graph(), backends.OpTypePad) {
			return []*Node{Pad(v, ScalarZero(node.Graph(), v.DType()), s.padding(in.Shape().Dimensions, v.Shape().Dimensions)...)}
		}
		return []*Node{padByConcat(v, in.Shape().Dimensions, s)}
	})
}

// padding is what Pad needs to put a slice's gradient back in place.
func (s sliceSpec) padding(dims, sliced []int) []PadAxis {
	p := make([]PadAxis, len(dims))
	for i := range dims {
		p[i].Start = s.starts[i]
		p[i].Interior = s.strides[i] - 1
		p[i].End = dims[i] - s.starts[i] - ((sliced[i]-1)*s.strides[i] + 1)
	}
	return p
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
	fill := func(n int) *Node {
		d := append([]int(nil), x.Shape().Dimensions...)
		d[axis] = n
		return BroadcastToDims(Scalar(x.Graph(), x.DType(), value), d...)
	}
	if before > 0 {
		parts = append(parts, fill(before))
	}
	parts = append(parts, x)
	if after > 0 {
		parts = append(parts, fill(after))
	}
	return Concatenate(parts, axis)
}
