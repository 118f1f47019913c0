package fastcpu

import (
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Average pooling over windows that tile the image (d2l's LeNet's 2×2/2):
// models/nn writes it, where SimpleGo has no Pad for ReduceWindow's sum
// gradient, as a reduction over a [B, H/kh, kh, W/kw, kw, C] view scaled
// by 1/(kh·kw), and GoMLX differentiates that as the scale, a reshape and a
// broadcast back. That was five nodes: a copy for the reshape (its input,
// the sigmoid's output, is still needed by the gradient), the reduction,
// the scale, and back the scale (with its broadcast scalar) and the
// broadcast. Wrap's builder rewrites them into two:
//
//   - ReduceSum(Reshape(x, [B,H/kh,kh,W/kw,kw,C]), 2, 4) → a tiled sum pool
//     of x, and a Mul of that by a constant → the scaled pool of x (the
//     Reshape and the ReduceSum go unused);
//   - BroadcastInDim(Reshape(u, [B,h,1,w,1,C]), [B,h,kh,w,kw,C]) → every
//     element of u spread over its window, and u = Mul(v, c) for a constant
//     c → v·c spread (the Mul goes unused). The Reshape after it, back to
//     [B,H,W,C], takes the buffer over without a copy.

// fusedTiledSum is a sum pool of its one input, [b,h,w,c], over windows
// that tile it (geom), times scale.
type fusedTiledSum struct {
	geom  poolGeom
	scale float64
}

// fusedSpread writes each element of its one input, [b,ho,wo,c], times
// scale over its window of the [b,ho,kh,wo,kw,c] output.
type fusedSpread struct {
	geom  poolGeom
	scale float64
}

// tiledGeom is the pool of x [b,h,w,c] over kh×kw windows, stride the window.
func tiledGeom(x []int, kh, kw int) poolGeom {
	return poolGeom{b: x[0], h: x[1], w: x[2], c: x[3], ho: x[1] / kh, wo: x[2] / kw, kh: kh, kw: kw, sh: kh, sw: kw}
}

// fuseTiledSum rewrites out = ReduceSum(Reshape(x, [B,H/kh,kh,W/kw,kw,C]), 2, 4).
func (b *builder) fuseTiledSum(out, in *sgNode, axes []int) {
	if bypass.Load() || !isFloat(out.shape.DType) || in.opType != backends.OpTypeReshape || len(in.inputs) != 1 {
		return
	}
	x := in.inputs[0]
	xd, vd := x.shape.Dimensions, in.shape.Dimensions
	sorted := slices.Sorted(slices.Values(axes))
	if x.shape.DType != out.shape.DType || len(xd) != 4 || len(vd) != 6 || !slices.Equal(sorted, []int{2, 4}) ||
		!slices.Equal(vd, []int{xd[0], vd[1], vd[2], vd[3], vd[4], xd[3]}) || vd[3]*vd[4] != xd[2] { // so vd[1]·vd[2] = H
		return
	}
	out.inputs = []*sgNode{x}
	out.data = &fusedTiledSum{geom: tiledGeom(xd, vd[2], vd[4]), scale: 1}
	fusions.Add(1)
}

// fusePoolScale rewrites out = Mul(pool, c) (or Mul(c, pool)) for a tiled
// sum pool and a scalar constant c.
func (b *builder) fusePoolScale(out, lhs, rhs *sgNode) bool {
	if bypass.Load() {
		return false
	}
	for _, pc := range [2][2]*sgNode{{lhs, rhs}, {rhs, lhs}} {
		pool, ok := pc[0].data.(*fusedTiledSum)
		c, isConst := constValue(pc[1])
		if !ok || !isConst || !pc[0].shape.Equal(out.shape) {
			continue
		}
		out.inputs = slices.Clone(pc[0].inputs)
		out.data = &fusedTiledSum{geom: pool.geom, scale: pool.scale * c}
		fusions.Add(1)
		return true
	}
	return false
}

// fuseSpread rewrites out = BroadcastInDim(Reshape(u, [B,h,1,w,1,C]),
// [B,h,kh,w,kw,C]), taking a constant factor of u along.
func (b *builder) fuseSpread(out, in *sgNode, axes []int) {
	if bypass.Load() || !isFloat(out.shape.DType) || in.opType != backends.OpTypeReshape || len(in.inputs) != 1 {
		return
	}
	u := in.inputs[0]
	ud, id, od := u.shape.Dimensions, in.shape.Dimensions, out.shape.Dimensions
	if u.shape.DType != out.shape.DType || len(ud) != 4 || len(id) != 6 || len(od) != 6 ||
		!slices.Equal(axes, []int{0, 1, 2, 3, 4, 5}) ||
		!slices.Equal(id, []int{ud[0], ud[1], 1, ud[2], 1, ud[3]}) ||
		!slices.Equal(od, []int{ud[0], ud[1], od[2], ud[2], od[4], ud[3]}) {
		return
	}
	kh, kw := od[2], od[4]
	geom := tiledGeom([]int{ud[0], ud[1] * kh, ud[2] * kw, ud[3]}, kh, kw)
	scale := 1.0
	if u.opType == backends.OpTypeMul && u.data == nil && len(u.inputs) == 2 {
		for _, vc := range [2][2]*sgNode{{u.inputs[0], u.inputs[1]}, {u.inputs[1], u.inputs[0]}} {
			if c, ok := constValue(vc[1]); ok && vc[0].shape.Equal(u.shape) {
				u, scale = vc[0], c
				break
			}
		}
	}
	out.inputs = []*sgNode{u}
	out.data = &fusedSpread{geom: geom, scale: scale}
	fusions.Add(1)
}

// ReduceSum builds SimpleGo's ReduceSum, then fuses it where it can.
func (b *builder) ReduceSum(xOp backends.Op, axes ...int) (backends.Op, error) {
	out, err := b.Builder.ReduceSum(xOp, axes...)
	if err != nil {
		return out, err
	}
	n, err1 := b.node("ReduceSum", 0, out)
	x, err2 := b.node("ReduceSum", 0, xOp)
	if err1 == nil && err2 == nil {
		b.fuseTiledSum(n, x, axes)
	}
	return out, nil
}

// BroadcastInDim builds SimpleGo's BroadcastInDim, then fuses it where it can.
func (b *builder) BroadcastInDim(xOp backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, error) {
	out, err := b.Builder.BroadcastInDim(xOp, outputShape, broadcastAxes)
	if err != nil {
		return out, err
	}
	n, err1 := b.node("BroadcastInDim", 0, out)
	x, err2 := b.node("BroadcastInDim", 0, xOp)
	if err1 == nil && err2 == nil {
		b.fuseSpread(n, x, broadcastAxes)
	}
	return out, nil
}
