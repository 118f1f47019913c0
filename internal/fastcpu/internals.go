package fastcpu

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// The mirrors below copy the layout of simplego's unexported types in GoMLX
// v0.26.0 (backends/simplego/builder.go, buffers.go, dotgeneral.go,
// convgeneral.go). checkLayouts compares them field by field with the real
// types before anything is installed.

// sgNode mirrors simplego.Node.
type sgNode struct {
	builderIdx         int
	inputs             []*sgNode
	opType             backends.OpType
	shape              shapes.Shape
	builder            unsafe.Pointer
	multiOutputsShapes []shapes.Shape
	multiOutputsNodes  []*sgNode
	isNodeSelectOutput bool
	selectOutputIdx    int
	data               any
}

// sgBuffer mirrors simplego.Buffer.
type sgBuffer struct {
	shape shapes.Shape
	valid bool
	flat  any
}

// sgDotData mirrors simplego.dotGeneralNodeData.
type sgDotData struct {
	lhsContractingAxes, lhsBatchAxes                       []int
	rhsContractingAxes, rhsBatchAxes                       []int
	batchSize, lhsCrossSize, rhsCrossSize, contractingSize int
	lhsBlockedShape, rhsBlockedShape, outputBlockedShape   shapes.Shape
}

// sgConvData mirrors simplego.convNode.
type sgConvData struct {
	axes              backends.ConvolveAxesConfig
	strides           []int
	paddings          [][2]int
	inputDilations    []int
	kernelDilations   []int
	channelGroupCount int
	batchGroupCount   int

	hasInputDilations, hasKernelDilations            bool
	inputStrides, inputSpatialStrides, kernelStrides []int
	dilatedInputSpatialDims                          []int
}

// sgReduceWindowData mirrors simplego.reduceWindowNode.
type sgReduceWindowData struct {
	reductionType                                             backends.ReduceOpType
	windowDimensions, strides, baseDilations, windowDilations []int
	paddings                                                  [][2]int
}

// executor has the signature of simplego.nodeExecutor with its pointer
// arguments typed as our mirrors (same ABI: every argument is a pointer, a
// slice or an interface of the same shape).
type executor func(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, inputsOwned []bool) (*sgBuffer, error)

//go:linkname sgSetNodeExecutor github.com/gomlx/gomlx/backends/simplego.setNodeExecutor
func sgSetNodeExecutor(opType backends.OpType, priority int, exec executor)

//go:linkname sgNodeExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var sgNodeExecutors [backends.OpTypeLast]executor

//go:linkname sgGetBuffer github.com/gomlx/gomlx/backends/simplego.(*Backend).getBuffer
func sgGetBuffer(backend unsafe.Pointer, dtype dtypes.DType, length int) *sgBuffer

//go:linkname sgGetBufferForShape github.com/gomlx/gomlx/backends/simplego.(*Backend).getBufferForShape
func sgGetBufferForShape(backend unsafe.Pointer, shape shapes.Shape) *sgBuffer

//go:linkname sgPutBuffer github.com/gomlx/gomlx/backends/simplego.(*Backend).putBuffer
func sgPutBuffer(backend unsafe.Pointer, buffer *sgBuffer)

//go:linkname sgNewNode github.com/gomlx/gomlx/backends/simplego.(*Builder).newNode
func sgNewNode(builder unsafe.Pointer, opType backends.OpType, shape shapes.Shape, inputs ...*sgNode) *sgNode

// backendType, nodeType and builderType are *simplego.Backend, Node and
// Builder, taken from the probe graph: Wrap's builder turns ops into nodes
// and back with them.
var backendType, nodeType, builderType reflect.Type

// priorityUser is simplego's priority for custom overrides.
const priorityUser = 100

// checkLayouts builds a tiny graph on a real SimpleGo backend, takes the
// concrete types of its nodes, buffer and node data with reflect, and checks
// that each mirror has the same fields at the same offsets with the same
// sizes and kinds.
func checkLayouts() error {
	be, err := simplego.New("")
	if err != nil {
		return fmt.Errorf("probing SimpleGo: %w", err)
	}
	defer be.Finalize()
	buf, err := be.BufferFromFlatData(0, []float32{1, 2, 3, 4}, shapes.Make(dtypes.Float32, 2, 2))
	if err != nil {
		return fmt.Errorf("probing SimpleGo buffer: %w", err)
	}
	if err := sameLayout(reflect.TypeOf(buf), reflect.TypeFor[*sgBuffer]()); err != nil {
		return err
	}
	b := be.Builder("fastcpu-probe")
	x, err := b.Parameter("x", shapes.Make(dtypes.Float32, 1, 4, 4, 1), nil)
	if err != nil {
		return fmt.Errorf("probing SimpleGo builder: %w", err)
	}
	if err := sameLayout(reflect.TypeOf(x), reflect.TypeFor[*sgNode]()); err != nil {
		return err
	}
	backendType, nodeType, builderType = reflect.TypeOf(be), reflect.TypeOf(x), reflect.TypeOf(b)
	if builderType.Kind() != reflect.Pointer || (*sgNode)(reflect.ValueOf(x).UnsafePointer()).builder != reflect.ValueOf(b).UnsafePointer() {
		return fmt.Errorf("SimpleGo's nodes no longer point at their builder")
	}
	if reduceWindowDataType, err = probeData("ReduceWindow", backends.OpTypeReduceWindow, reflect.TypeFor[*sgReduceWindowData]())(
		b.ReduceWindow(x, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, nil, nil)); err != nil {
		return err
	}
	idx, err := b.Parameter("i", shapes.Make(dtypes.Int32, 2, 1), nil)
	if err != nil {
		return err
	}
	rows, err := b.Parameter("rows", shapes.Make(dtypes.Float32, 3, 2), nil)
	if err != nil {
		return err
	}
	if gatherDataType, err = probeData("Gather", backends.OpTypeGather, reflect.TypeFor[*sgGatherData]())(
		b.Gather(rows, idx, 1, []int{1}, []int{0}, []int{0}, []int{1, 2}, false)); err != nil {
		return err
	}
	if constDataType, err = probeData("Constant", backends.OpTypeConstant, reflect.TypeFor[*sgBuffer]())(
		b.Constant([]float32{0})); err != nil {
		return err
	}
	w, err := b.Parameter("w", shapes.Make(dtypes.Float32, 2, 2, 1, 1), nil)
	if err != nil {
		return err
	}
	m, err := b.Parameter("m", shapes.Make(dtypes.Float32, 2, 2), nil)
	if err != nil {
		return err
	}
	dot, err := b.DotGeneral(m, []int{1}, nil, m, []int{0}, nil)
	if err != nil {
		return fmt.Errorf("probing SimpleGo DotGeneral: %w", err)
	}
	// Builder.DotGeneral returns a Reshape of the DotGeneral node.
	dotNode := (*sgNode)(reflect.ValueOf(dot).UnsafePointer())
	for dotNode.opType != backends.OpTypeDotGeneral && len(dotNode.inputs) > 0 {
		dotNode = dotNode.inputs[0]
	}
	if dotNode.opType != backends.OpTypeDotGeneral {
		return fmt.Errorf("SimpleGo's DotGeneral graph is not Reshape(DotGeneral) any more")
	}
	if err := sameLayout(reflect.TypeOf(dotNode.data), reflect.TypeFor[*sgDotData]()); err != nil {
		return err
	}
	dotDataType = typeWord(&dotNode.data)
	if sliceDataType, err = probeData("Slice", backends.OpTypeSlice, reflect.TypeFor[*sgSliceData]())(
		b.Slice(x, []int{0, 1, 0, 0}, []int{1, 3, 4, 1}, []int{1, 1, 2, 1})); err != nil {
		return err
	}
	axes := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	if convDataType, err = probeData("ConvGeneral", backends.OpTypeConvGeneral, reflect.TypeFor[*sgConvData]())(
		b.ConvGeneral(x, w, axes, []int{1, 1}, [][2]int{{0, 0}, {0, 0}}, []int{1, 1}, []int{1, 1}, 1, 1)); err != nil {
		return err
	}
	return nil
}

// probeData returns a check of one probe op: built without error, a single
// node of type op whose data has the mirror's layout; it gives that data's
// dynamic type word, by which the executors recognize it.
func probeData(name string, op backends.OpType, mirror reflect.Type) func(backends.Op, error) (unsafe.Pointer, error) {
	return func(built backends.Op, err error) (unsafe.Pointer, error) {
		if err != nil {
			return nil, fmt.Errorf("probing SimpleGo %s: %w", name, err)
		}
		n := (*sgNode)(reflect.ValueOf(built).UnsafePointer())
		if n.opType != op {
			return nil, fmt.Errorf("SimpleGo's %s op is not a single node any more", name)
		}
		if err := sameLayout(reflect.TypeOf(n.data), mirror); err != nil {
			return nil, fmt.Errorf("SimpleGo's %s node data: %w", name, err)
		}
		return typeWord(&n.data), nil
	}
}

// sameLayout compares the struct behind pointer type real with its mirror.
func sameLayout(real, mirror reflect.Type) error {
	if real.Kind() != reflect.Pointer || real.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("simplego type %s is not a pointer to a struct", real)
	}
	r, m := real.Elem(), mirror.Elem()
	if r.Size() != m.Size() || r.NumField() != m.NumField() {
		return fmt.Errorf("simplego %s: size %d with %d fields, mirror %s has %d with %d",
			r, r.Size(), r.NumField(), m, m.Size(), m.NumField())
	}
	for i := range r.NumField() {
		rf, mf := r.Field(i), m.Field(i)
		kindOK := rf.Type.Kind() == mf.Type.Kind() ||
			rf.Type.Kind() == reflect.Pointer && mf.Type.Kind() == reflect.UnsafePointer
		if rf.Name != mf.Name || rf.Offset != mf.Offset || rf.Type.Size() != mf.Type.Size() || !kindOK {
			return fmt.Errorf("simplego %s field %d is %s %s at offset %d, mirror has %s %s at %d",
				r, i, rf.Name, rf.Type, rf.Offset, mf.Name, mf.Type, mf.Offset)
		}
		// Field types from other packages (shapes.Shape, backends.OpType, …)
		// must be the very same type.
		if rf.Type.PkgPath() != "" && rf.Type.PkgPath() != r.PkgPath() && rf.Type != mf.Type {
			return fmt.Errorf("simplego %s field %s has type %s, mirror %s", r, rf.Name, rf.Type, mf.Type)
		}
	}
	return nil
}
