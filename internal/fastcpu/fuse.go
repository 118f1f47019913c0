package fastcpu

import (
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
)

// Fusion: SimpleGo runs every node as its own pass over memory, and after
// the matmuls and convolutions went to BLAS, a ReLU layer's passes were a
// tenth of LeNet's step: the bias Add and the Max forward, the GreaterThan,
// the zeros and the Where back. Wrap's builder sees each op as GoMLX builds
// it and rewrites two patterns into one node each:
//
//   - Max(Add(t, bias), 0) → one pass computing max(t+bias, 0); the Add
//     node is left without users, so SimpleGo never runs it;
//   - Where(GreaterThan(y, 0), v, zeros) → one pass computing v·[y > 0]
//     (ReLU's gradient, models/nn's relu); the comparison and the zeros go
//     unused.
//
// (fuse_sigmoid.go and fuse_pool.go add sigmoid's and the tiled average
// pool's.) The rewritten node keeps its op type (Max, Where) and carries the fusion
// in its data, which only this package's executors read. Nothing is fused
// while Bypass is on, so SimpleGo's own executors stay the reference.

type fusedAddRelu struct{ la, ra blockLayout }

type fusedReluGrad struct{}

// fusions counts nodes the builder rewrote, for tests.
var fusions atomic.Int64

// constValue is the value of a scalar constant (or a broadcast or reshape
// of one), if n is one.
func constValue(n *sgNode) (float64, bool) {
	for n.opType == backends.OpTypeBroadcastInDim || n.opType == backends.OpTypeBroadcast || n.opType == backends.OpTypeReshape {
		n = n.inputs[0]
	}
	if n.opType != backends.OpTypeConstant || n.shape.Size() != 1 {
		return 0, false
	}
	buf := (*sgBuffer)(dataPointer(&n.data, constDataType))
	if buf == nil {
		return 0, false
	}
	switch f := buf.flat.(type) {
	case []float32:
		if len(f) > 0 {
			return float64(f[0]), true
		}
	case []float64:
		if len(f) > 0 {
			return f[0], true
		}
	}
	return 0, false
}

func isZero(n *sgNode) bool {
	v, ok := constValue(n)
	return ok && v == 0
}

// fuseMax rewrites out = Max(Add(t, bias), 0).
func (b *builder) fuseMax(out, lhs, rhs *sgNode) {
	if bypass.Load() || !isFloat(out.shape.DType) || lhs.opType != backends.OpTypeAdd || !isZero(rhs) ||
		!lhs.shape.Equal(out.shape) {
		return
	}
	t, bias := lhs.inputs[0], lhs.inputs[1]
	la, ra := broadcastLayout(t.shape.Dimensions, out.shape.Dimensions), broadcastLayout(bias.shape.Dimensions, out.shape.Dimensions)
	if !la.ok || !ra.ok || t.shape.DType != out.shape.DType || bias.shape.DType != out.shape.DType {
		return
	}
	out.inputs = []*sgNode{t, bias}
	out.data = &fusedAddRelu{la, ra}
	fusions.Add(1)
}

// fuseWhere rewrites out = Where(GreaterThan(y, 0), v, zeros).
func (b *builder) fuseWhere(out, cond, onTrue, onFalse *sgNode) {
	if bypass.Load() || cond.opType != backends.OpTypeGreaterThan || !isZero(cond.inputs[1]) || !isZero(onFalse) {
		return
	}
	y := cond.inputs[0]
	if !isFloat(out.shape.DType) || !y.shape.Equal(out.shape) || !onTrue.shape.Equal(out.shape) || y.shape.DType != out.shape.DType {
		return
	}
	out.inputs = []*sgNode{y, onTrue}
	out.data = fusedReluGrad{}
	fusions.Add(1)
}

// Max builds SimpleGo's Max, then fuses it where it can.
func (b *builder) Max(lhsOp, rhsOp backends.Op) (backends.Op, error) {
	out, err := b.Builder.Max(lhsOp, rhsOp)
	if err != nil {
		return out, err
	}
	n, err1 := b.node("Max", 0, out)
	lhs, err2 := b.node("Max", 0, lhsOp)
	rhs, err3 := b.node("Max", 1, rhsOp)
	if err1 == nil && err2 == nil && err3 == nil {
		b.fuseMax(n, lhs, rhs)
	}
	return out, nil
}

// Where builds SimpleGo's Where, then fuses it where it can.
func (b *builder) Where(condOp, onTrueOp, onFalseOp backends.Op) (backends.Op, error) {
	out, err := b.Builder.Where(condOp, onTrueOp, onFalseOp)
	if err != nil {
		return out, err
	}
	n, err0 := b.node("Where", 0, out)
	cond, err1 := b.node("Where", 0, condOp)
	onTrue, err2 := b.node("Where", 1, onTrueOp)
	onFalse, err3 := b.node("Where", 2, onFalseOp)
	if err0 == nil && err1 == nil && err2 == nil && err3 == nil {
		b.fuseWhere(n, cond, onTrue, onFalse)
	}
	return out, nil
}

// execAddRelu is fusedAddRelu's kernel: the Add in chunks that stay in L1,
// each clamped at zero before the next.
func execAddRelu(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool, f *fusedAddRelu) *sgBuffer {
	lhs, rhs := inputs[0].flat, inputs[1].flat // before outputBuffer may take a slot
	output := outputBuffer(backend, node, inputs, owned, 0, 1)
	n := node.shape.Size()
	fastRuns.Add(1)
	switch a := lhs.(type) {
	case []float32:
		addRelu(a, rhs.([]float32), output.flat.([]float32)[:n], f.la, f.ra)
	case []float64:
		addRelu(a, rhs.([]float64), output.flat.([]float64)[:n], f.la, f.ra)
	}
	return output
}

func addRelu[T float32 | float64](a, b, y []T, la, ra blockLayout) {
	a, la = widen(a, la, len(y))
	b, ra = widen(b, ra, len(y))
	const chunk = 2048
	splitRange(len(y), func(lo, hi int) {
		for c := lo; c < hi; c += chunk {
			e := min(c+chunk, hi)
			binaryBlocks(opAdd, a, b, y, c, e, la, ra)
			for i, v := range y[c:e] {
				y[c+i] = max(v, 0)
			}
		}
	})
}

// execReluGrad is fusedReluGrad's kernel: out = v where y > 0, else +0,
// by masking v's bits (branch-free: after a ReLU the sign is a coin flip).
func execReluGrad(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) *sgBuffer {
	yFlat, vFlat := inputs[0].flat, inputs[1].flat // before outputBuffer may take v's slot
	output := outputBuffer(backend, node, inputs, owned, 1)
	n := node.shape.Size()
	fastRuns.Add(1)
	switch y := yFlat.(type) {
	case []float32:
		v, out := vFlat.([]float32)[:n], output.flat.([]float32)[:n]
		splitRange(n, func(lo, hi int) {
			for i, yi := range y[lo:hi] {
				var m uint32
				if yi > 0 {
					m = ^uint32(0)
				}
				out[lo+i] = math.Float32frombits(math.Float32bits(v[lo+i]) & m)
			}
		})
	case []float64:
		v, out := vFlat.([]float64)[:n], output.flat.([]float64)[:n]
		splitRange(n, func(lo, hi int) {
			for i, yi := range y[lo:hi] {
				var m uint64
				if yi > 0 {
					m = ^uint64(0)
				}
				out[lo+i] = math.Float64frombits(math.Float64bits(v[lo+i]) & m)
			}
		})
	}
	return output
}
