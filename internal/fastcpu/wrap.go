package fastcpu

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
)

// Wrap returns a SimpleGo backend that also builds the ops SimpleGo lacks
// and this package executes (SelectAndScatterMax, max pooling's gradient),
// and says so in its Capabilities, so GoMLX's own MaxPool and its gradient
// run as two nodes. Anything else — another backend, or fastcpu not
// installed — is returned as it is.
//
// The wrapper is a backends.Backend whose Builder embeds SimpleGo's: every
// other op goes straight to SimpleGo, and the graphs compile and run on
// SimpleGo's executor.
func Wrap(be backends.Backend) backends.Backend {
	if !Installed() || be == nil || reflect.TypeOf(be) != backendType {
		return be
	}
	return &Backend{Backend: be}
}

// RunsOn tells whether this package's executors run be's graphs: be is
// SimpleGo, wrapped or not (the executors sit in SimpleGo's own table), and
// they are installed. Layers ask it, not the backend's name, before
// building the nodes only these executors run fast.
func RunsOn(be backends.Backend) bool {
	if w, ok := be.(*Backend); ok {
		be = w.Backend
	}
	return Installed() && be != nil && reflect.TypeOf(be) == backendType
}

// Backend is SimpleGo with the ops Wrap adds.
type Backend struct{ backends.Backend }

// addedOps are the ops Wrap's builder adds to SimpleGo's.
var addedOps = []backends.OpType{backends.OpTypeSelectAndScatterMax}

// Capabilities is SimpleGo's, plus addedOps.
func (b *Backend) Capabilities() backends.Capabilities {
	caps := b.Backend.Capabilities().Clone()
	for _, op := range addedOps {
		caps.Operations[op] = true
	}
	return caps
}

// Builder is SimpleGo's builder with addedOps.
func (b *Backend) Builder(name string) backends.Builder {
	inner := b.Backend.Builder(name)
	return &builder{Builder: inner, sg: reflect.ValueOf(inner).UnsafePointer()}
}

type builder struct {
	backends.Builder
	sg unsafe.Pointer // the *simplego.Builder inside
}

// node is op as SimpleGo's node, if it is one of this builder's.
func (b *builder) node(opName string, i int, op backends.Op) (*sgNode, error) {
	if op == nil || reflect.TypeOf(op) != nodeType {
		return nil, fmt.Errorf("%s: input #%d is not a SimpleGo op (%T)", opName, i, op)
	}
	n := (*sgNode)(reflect.ValueOf(op).UnsafePointer())
	if n.builder != b.sg {
		return nil, fmt.Errorf("%s: input #%d was built by another builder", opName, i)
	}
	return n, nil
}

// op is n as the backends.Op SimpleGo's own methods expect (a *simplego.Node).
func op(n *sgNode) backends.Op {
	return reflect.NewAt(nodeType.Elem(), unsafe.Pointer(n)).Interface()
}

// SelectAndScatterMax is max pooling's gradient, for float pools over the
// spatial axes of channels-last [B,H,W,C] tensors (every pool GoMLX's
// MaxPool builds with its default layout).
func (b *builder) SelectAndScatterMax(operandOp, sourceOp backends.Op, windowDimensions, strides []int, paddings [][2]int) (backends.Op, error) {
	const name = "SelectAndScatterMax"
	operand, err := b.node(name, 0, operandOp)
	if err != nil {
		return nil, err
	}
	source, err := b.node(name, 1, sourceOp)
	if err != nil {
		return nil, err
	}
	pooled, err := shapeinference.ReduceWindowOp(operand.shape, windowDimensions, strides, nil, nil, paddings)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !source.shape.Equal(pooled) {
		return nil, fmt.Errorf("%s: source is %s, the pooled operand %s", name, source.shape, pooled)
	}
	geom, ok := spatialPool(operand.shape.Dimensions, pooled.Dimensions, windowDimensions, strides, paddings)
	if !ok || !isFloat(operand.shape.DType) {
		return nil, fmt.Errorf("%s: fastcpu takes float32/float64 windows over axes 1 and 2 of [B,H,W,C] "+
			"with padding under the window size; got %s, window %v, strides %v, paddings %v",
			name, operand.shape, windowDimensions, strides, paddings)
	}
	n := sgNewNode(b.sg, backends.OpTypeSelectAndScatterMax, operand.shape.Clone(), operand, source)
	n.data = &selectScatterData{geom: geom}
	return op(n), nil
}
