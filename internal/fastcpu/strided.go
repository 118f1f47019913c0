package fastcpu

import "math"

// The general cases of BroadcastInDim and of reductions: any axes, by an
// odometer over the output (broadcast) or the input (reduce) with stride 0 on
// the broadcast or reduced axes, and the last axis as a run. Max pooling over
// a [B, H/k, k, W/k, k, C] view reduces and broadcasts over middle axes.

// broadcastStrided writes y (dims to) from x (dims from, same rank, 1 on the
// broadcast axes).
func broadcastStrided[T float32 | float64](x, y []T, from, to []int) {
	rank := len(to)
	xs := rowMajorStrides(from)
	for a := range rank {
		if from[a] == 1 && to[a] != 1 {
			xs[a] = 0
		}
	}
	n, last := to[rank-1], xs[rank-1]
	od := newOdometer(to[:rank-1], xs[:rank-1], 0)
	for o := 0; o < len(y); o += n {
		off := od.off
		seg := y[o : o+n]
		switch last {
		case 0:
			v := x[off]
			for i := range seg {
				seg[i] = v
			}
		case 1:
			copy(seg, x[off:off+n])
		default:
			k := off
			for i := range seg {
				seg[i] = x[k]
				k += last
			}
		}
		od.next()
	}
}

// reduceStrided sums or maxes x (dims) over the axes marked in reduced into y
// (the kept axes, in order).
func reduceStrided[T float32 | float64](x, y []T, dims []int, reduced []bool, isMax bool) {
	rank := len(dims)
	// y's strides on x's axes: 0 on the reduced ones.
	ys := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		if !reduced[a] {
			ys[a] = s
			s *= dims[a]
		}
	}
	init := T(0)
	if isMax {
		init = T(math.Inf(-1))
	}
	for i := range y {
		y[i] = init
	}
	n, last := dims[rank-1], ys[rank-1]
	od := newOdometer(dims[:rank-1], ys[:rank-1], 0)
	for i := 0; i < len(x); i += n {
		off := od.off
		seg := x[i : i+n]
		switch {
		case last == 0 && isMax:
			acc := y[off]
			for _, v := range seg {
				acc = max(acc, v)
			}
			y[off] = acc
		case last == 0:
			acc := y[off]
			for _, v := range seg {
				acc += v
			}
			y[off] = acc
		case isMax:
			dst := y[off : off+n]
			for k, v := range seg {
				dst[k] = max(dst[k], v)
			}
		default:
			dst := y[off : off+n]
			for k, v := range seg {
				dst[k] += v
			}
		}
		od.next()
	}
}

// odometer walks the indices of dims in row-major order, keeping the offset
// of the current index in a tensor whose axes advance by steps (a stride, or
// 0 on a broadcast or reduced axis).
type odometer struct {
	idx, dims, steps []int
	off              int
}

func newOdometer(dims, steps []int, base int) *odometer {
	return &odometer{idx: make([]int, len(dims)), dims: dims, steps: steps, off: base}
}

// next moves to the following index, carrying like an odometer.
func (o *odometer) next() {
	for a := len(o.idx) - 1; a >= 0; a-- {
		o.idx[a]++
		o.off += o.steps[a]
		if o.idx[a] < o.dims[a] {
			return
		}
		o.off -= o.idx[a] * o.steps[a]
		o.idx[a] = 0
	}
}
