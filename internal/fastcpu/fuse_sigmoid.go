package fastcpu

import (
	"github.com/gomlx/gomlx/backends"
)

// Sigmoid's two fusions, made as GoMLX builds the graph (see fuse.go):
//
//   - Logistic(Add(t, bias)) → one pass computing σ(t+bias); the Add node
//     is left without users, so SimpleGo never runs it;
//   - Mul(v, Mul(y, Sub(1, y))) → one pass computing v·y·(1−y): GoMLX's
//     Logistic gradient, which reads the Logistic's output y, never its
//     input, so the fused forward node leaves the pre-activation dead.

// fuseLogistic rewrites out = Logistic(Add(t, bias)).
func (b *builder) fuseLogistic(out, x *sgNode) {
	if bypass.Load() || !isFloat(out.shape.DType) || x.opType != backends.OpTypeAdd || x.data != nil ||
		!x.shape.Equal(out.shape) {
		return
	}
	t, bias := x.inputs[0], x.inputs[1]
	la, ra := broadcastLayout(t.shape.Dimensions, out.shape.Dimensions), broadcastLayout(bias.shape.Dimensions, out.shape.Dimensions)
	if !la.ok || !ra.ok || t.shape.DType != out.shape.DType || bias.shape.DType != out.shape.DType {
		return
	}
	out.inputs = []*sgNode{t, bias}
	out.data = &fusedAddSigmoid{la, ra}
	fusions.Add(1)
}

// fuseSigmoidGrad rewrites out = Mul(v, Mul(y, Sub(1, y))), the factors in
// either order.
func (b *builder) fuseSigmoidGrad(out, lhs, rhs *sgNode) bool {
	if bypass.Load() || !isFloat(out.shape.DType) {
		return false
	}
	for _, vg := range [2][2]*sgNode{{lhs, rhs}, {rhs, lhs}} {
		v, g := vg[0], vg[1]
		y, ok := sigmoidDerivative(g)
		if !ok || !v.shape.Equal(out.shape) || !y.shape.Equal(out.shape) {
			continue
		}
		out.inputs = []*sgNode{y, v}
		out.data = fusedSigmoidGrad{}
		fusions.Add(1)
		return true
	}
	return false
}

// sigmoidDerivative returns y if g is Mul(y, Sub(1, y)) (or Mul(Sub(1, y), y)).
func sigmoidDerivative(g *sgNode) (*sgNode, bool) {
	if g.opType != backends.OpTypeMul || g.data != nil || len(g.inputs) != 2 {
		return nil, false
	}
	for _, ys := range [2][2]*sgNode{{g.inputs[0], g.inputs[1]}, {g.inputs[1], g.inputs[0]}} {
		y, s := ys[0], ys[1]
		if s.opType == backends.OpTypeSub && s.data == nil && len(s.inputs) == 2 && s.inputs[1] == y && isOne(s.inputs[0]) &&
			y.shape.Equal(g.shape) && y.shape.DType == g.shape.DType {
			return y, true
		}
	}
	return nil, false
}

func isOne(n *sgNode) bool {
	v, ok := constValue(n)
	return ok && v == 1
}

// Logistic builds SimpleGo's Logistic, then fuses it where it can.
func (b *builder) Logistic(xOp backends.Op) (backends.Op, error) {
	out, err := b.Builder.Logistic(xOp)
	if err != nil {
		return out, err
	}
	n, err1 := b.node("Logistic", 0, out)
	x, err2 := b.node("Logistic", 0, xOp)
	if err1 == nil && err2 == nil {
		b.fuseLogistic(n, x)
	}
	return out, nil
}

// Mul builds SimpleGo's Mul, then fuses it where it can: sigmoid's
// gradient, or an average pool's scale (fuse_pool.go).
func (b *builder) Mul(lhsOp, rhsOp backends.Op) (backends.Op, error) {
	out, err := b.Builder.Mul(lhsOp, rhsOp)
	if err != nil {
		return out, err
	}
	n, err0 := b.node("Mul", 0, out)
	lhs, err1 := b.node("Mul", 0, lhsOp)
	rhs, err2 := b.node("Mul", 1, rhsOp)
	if err0 == nil && err1 == nil && err2 == nil {
		_ = b.fuseSigmoidGrad(n, lhs, rhs) || b.fusePoolScale(n, lhs, rhs)
	}
	return out, nil
}
