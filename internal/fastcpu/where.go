package fastcpu

import "unsafe"

var origWhere executor

// execWhere selects without branches. ReLU's and max pooling's gradients are
// Wheres on conditions that are true about half the time at random, where
// SimpleGo's per-element if/else mispredicts about every other element.
func execWhere(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	if _, ok := node.data.(fusedReluGrad); ok {
		return execReluGrad(backend, node, inputs, owned), nil
	}
	cond, onTrue, onFalse := inputs[0], inputs[1], inputs[2]
	n := node.shape.Size()
	c, ok := cond.flat.([]bool)
	fits := func(b *sgBuffer) bool { return b.shape.Size() == n || b.shape.Size() == 1 }
	if bypass.Load() || !ok || cond.shape.Size() != n || !fits(onTrue) || !fits(onFalse) || !isFloat(node.shape.DType) ||
		onTrue.shape.DType != node.shape.DType || onFalse.shape.DType != node.shape.DType {
		debugFallback(node, inputs)
		return origWhere(backend, node, inputs, owned)
	}
	output := outputBuffer(backend, node, inputs, owned, 1, 2)
	switch t := onTrue.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		f, y := onFalse.flat.([]float32), output.flat.([]float32)[:n]
		splitRange(n, func(lo, hi int) { selectInto(c[lo:hi], part(t, lo, hi), part(f, lo, hi), y[lo:hi]) })
	case []float64:
		fastRuns.Add(1)
		f, y := onFalse.flat.([]float64), output.flat.([]float64)[:n]
		splitRange(n, func(lo, hi int) { selectInto(c[lo:hi], part(t, lo, hi), part(f, lo, hi), y[lo:hi]) })
	default:
		panic("fastcpu: Where on a dtype isFloat let through") // unreachable
	}
	return output, nil
}

// selectInto sets y[i] = cond[i] ? a[i] : b[i] (a or b may be one value). y
// may alias a or b.
func selectInto[T float32 | float64](cond []bool, a, b, y []T) {
	// A Go bool is one byte, 0 or 1: it indexes the pair directly.
	bits := unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(cond))), len(cond))
	switch {
	case len(a) == len(y) && len(b) == len(y):
		for i, k := range bits {
			pair := [2]T{b[i], a[i]}
			y[i] = pair[k&1]
		}
	case len(a) == len(y): // b one value
		bv := b[0]
		for i, k := range bits {
			pair := [2]T{bv, a[i]}
			y[i] = pair[k&1]
		}
	case len(b) == len(y): // a one value
		av := a[0]
		for i, k := range bits {
			pair := [2]T{b[i], av}
			y[i] = pair[k&1]
		}
	default:
		pair := [2]T{b[0], a[0]}
		for i, k := range bits {
			y[i] = pair[k&1]
		}
	}
}

// part is x[lo:hi], or x itself when it is one value broadcast.
func part[T float32 | float64](x []T, lo, hi int) []T {
	if len(x) == 1 {
		return x
	}
	return x[lo:hi]
}
