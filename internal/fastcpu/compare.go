package fastcpu

import (
	"unsafe"

	"github.com/gomlx/gomlx/backends"
)

// Comparisons: ReLU's gradient is GreaterThan(x, 0) on every activation,
// which SimpleGo runs through its generic broadcasting loop. Here a float
// comparison of two same-shape tensors, or of one with a scalar, is one
// branch-free pass.

type compareKind int

const (
	cmpGT compareKind = iota
	cmpGE
	cmpLT
	cmpLE
	cmpEQ
	cmpNE
)

var compareOps = map[backends.OpType]compareKind{
	backends.OpTypeGreaterThan: cmpGT, backends.OpTypeGreaterOrEqual: cmpGE,
	backends.OpTypeLessThan: cmpLT, backends.OpTypeLessOrEqual: cmpLE,
	backends.OpTypeEqual: cmpEQ, backends.OpTypeNotEqual: cmpNE,
}

var origCompare = map[backends.OpType]executor{}

func compareExecutor(op backends.OpType, kind compareKind) executor {
	return func(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
		lhs, rhs := inputs[0], inputs[1]
		n := node.shape.Size()
		fits := func(b *sgBuffer) bool { return b.shape.Size() == n || b.shape.Size() == 1 }
		if bypass.Load() || !isFloat(lhs.shape.DType) || rhs.shape.DType != lhs.shape.DType || !fits(lhs) || !fits(rhs) {
			debugFallback(node, inputs)
			return origCompare[op](backend, node, inputs, owned)
		}
		output := sgGetBufferForShape(backend, node.shape)
		y, ok := output.flat.([]bool)
		if !ok {
			sgPutBuffer(backend, output)
			debugFallback(node, inputs)
			return origCompare[op](backend, node, inputs, owned)
		}
		y = y[:n]
		fastRuns.Add(1)
		switch a := lhs.flat.(type) {
		case []float32:
			b := rhs.flat.([]float32)
			splitRange(n, func(lo, hi int) { compareInto(kind, part(a, lo, hi), part(b, lo, hi), y[lo:hi]) })
		case []float64:
			b := rhs.flat.([]float64)
			splitRange(n, func(lo, hi int) { compareInto(kind, part(a, lo, hi), part(b, lo, hi), y[lo:hi]) })
		}
		return output, nil
	}
}

// compareInto sets y[i] = a[i] kind b[i], either side possibly one value.
// A flipped comparison turns "scalar on the left" into "on the right".
func compareInto[T float32 | float64](kind compareKind, a, b []T, y []bool) {
	if len(a) == 1 && len(y) != 1 {
		a, b = b, a
		kind = [...]compareKind{cmpGT: cmpLT, cmpGE: cmpLE, cmpLT: cmpGT, cmpLE: cmpGE, cmpEQ: cmpEQ, cmpNE: cmpNE}[kind]
	}
	if len(b) == 1 {
		v := b[0]
		switch kind {
		case cmpGT:
			for i, x := range a[:len(y)] {
				y[i] = x > v
			}
		case cmpGE:
			for i, x := range a[:len(y)] {
				y[i] = x >= v
			}
		case cmpLT:
			for i, x := range a[:len(y)] {
				y[i] = x < v
			}
		case cmpLE:
			for i, x := range a[:len(y)] {
				y[i] = x <= v
			}
		case cmpEQ:
			for i, x := range a[:len(y)] {
				y[i] = x == v
			}
		case cmpNE:
			for i, x := range a[:len(y)] {
				y[i] = x != v
			}
		}
		return
	}
	a, b = a[:len(y)], b[:len(y)]
	switch kind {
	case cmpGT:
		for i := range y {
			y[i] = a[i] > b[i]
		}
	case cmpGE:
		for i := range y {
			y[i] = a[i] >= b[i]
		}
	case cmpLT:
		for i := range y {
			y[i] = a[i] < b[i]
		}
	case cmpLE:
		for i := range y {
			y[i] = a[i] <= b[i]
		}
	case cmpEQ:
		for i := range y {
			y[i] = a[i] == b[i]
		}
	case cmpNE:
		for i := range y {
			y[i] = a[i] != b[i]
		}
	}
}
