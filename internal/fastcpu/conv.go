package fastcpu

import (
	"slices"
	"unsafe"
)

// convGeom is a 2-D ConvGeneral reduced to sizes and element strides, for
// any placement of the batch, channel and spatial axes in each operand.
type convGeom struct {
	batch, cin, cout int
	in, out, k       [2]int // spatial sizes of input, output and kernel
	stride, kdil     [2]int
	idil, padLo      [2]int

	// Element strides of each role in each operand's row-major layout.
	iB, iC, kI, kO, oB, oC int
	iS, kS, oS             [2]int

	// Axis positions, to find each operand's memory order.
	inAxes  [4]int // batch, channel, spatial0, spatial1
	kAxes   [4]int // in-channel, out-channel, spatial0, spatial1
	outAxes [4]int // batch, channel, spatial0, spatial1
}

func rowMajorStrides(dims []int) []int {
	st := make([]int, len(dims))
	s := 1
	for i := len(dims) - 1; i >= 0; i-- {
		st[i] = s
		s *= dims[i]
	}
	return st
}

// planConv accepts 2-D convolutions without feature or batch groups.
func planConv(p *sgConvData, in, kernel, out []int) (convGeom, bool) {
	var g convGeom
	a := p.axes
	if len(in) != 4 || len(a.InputSpatial) != 2 || p.channelGroupCount != 1 || p.batchGroupCount != 1 ||
		len(p.strides) != 2 || len(p.paddings) != 2 || len(p.inputDilations) != 2 {
		return g, false
	}
	ist, kst, ost := rowMajorStrides(in), rowMajorStrides(kernel), rowMajorStrides(out)
	g.batch, g.cin, g.cout = in[a.InputBatch], in[a.InputChannels], kernel[a.KernelOutputChannels]
	g.iB, g.iC = ist[a.InputBatch], ist[a.InputChannels]
	g.kI, g.kO = kst[a.KernelInputChannels], kst[a.KernelOutputChannels]
	g.oB, g.oC = ost[a.OutputBatch], ost[a.OutputChannels]
	g.inAxes = [4]int{a.InputBatch, a.InputChannels, a.InputSpatial[0], a.InputSpatial[1]}
	g.kAxes = [4]int{a.KernelInputChannels, a.KernelOutputChannels, a.KernelSpatial[0], a.KernelSpatial[1]}
	g.outAxes = [4]int{a.OutputBatch, a.OutputChannels, a.OutputSpatial[0], a.OutputSpatial[1]}
	for s := range 2 {
		g.in[s], g.out[s], g.k[s] = in[a.InputSpatial[s]], out[a.OutputSpatial[s]], kernel[a.KernelSpatial[s]]
		g.iS[s], g.kS[s], g.oS[s] = ist[a.InputSpatial[s]], kst[a.KernelSpatial[s]], ost[a.OutputSpatial[s]]
		g.stride[s], g.idil[s], g.padLo[s] = p.strides[s], p.inputDilations[s], p.paddings[s][0]
		g.kdil[s] = 1
		if len(p.kernelDilations) == 2 {
			g.kdil[s] = p.kernelDilations[s]
		}
		if g.stride[s] < 1 || g.idil[s] < 1 || g.kdil[s] < 1 {
			return g, false
		}
	}
	if kernel[a.KernelInputChannels] != g.cin || g.batch == 0 || g.cin == 0 || g.cout == 0 ||
		g.out[0] == 0 || g.out[1] == 0 || g.in[0] == 0 || g.in[1] == 0 {
		return g, false
	}
	return g, true
}

// Roles of an axis in the loops below.
const (
	roleBatch = iota // batch (input/output) or input channel (kernel)
	roleChan
	roleSp0
	roleSp1
)

// memoryOrder lists the roles of axes, outermost first, leaving out skip.
func memoryOrder(axes [4]int, skip int) []int {
	roles := []int{}
	for r := range 4 {
		if r != skip {
			roles = append(roles, r)
		}
	}
	slices.SortFunc(roles, func(x, y int) int { return axes[x] - axes[y] })
	return roles
}

// Costs in elements touched; a GEMM's multiply-add counts 1/16 of a memory
// element (OpenBLAS runs ~16 of them per cycle per core where a copy moves
// about one element).
func (g convGeom) im2colCost() int {
	m := g.batch * g.out[0] * g.out[1]
	kk := g.cin * g.k[0] * g.k[1]
	return m*kk + m*kk*g.cout/16
}

func (g convGeom) col2imCost() int {
	n := g.batch * g.in[0] * g.in[1]
	t := g.k[0] * g.k[1] * g.cout
	return n*t + n*g.cin*t/16
}

// execConv runs float32/float64 2-D convolutions on oneDNN (float32, where
// dnnlconv.go picks it) or BLAS.
func execConv(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	pp := dataPointer(&node.data, convDataType)
	if pp == nil || bypass.Load() {
		debugFallback(node, inputs)
		return origConv(backend, node, inputs, owned)
	}
	in, kernel := inputs[0], inputs[1]
	g, ok := planConv((*sgConvData)(pp), in.shape.Dimensions, kernel.shape.Dimensions, node.shape.Dimensions)
	if !ok {
		debugFallback(node, inputs)
		return origConv(backend, node, inputs, owned)
	}
	switch x := in.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		w, y := kernel.flat.([]float32), out.flat.([]float32)
		if !direct1ch(g, x, w, y) && !direct1chWGrad(g, x, w, y) && !runDNNL(backend, g, x, w, y) {
			convolve(backend, g, x, w, y, gemm32)
		}
		return out, nil
	case []float64:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		convolve(backend, g, x, kernel.flat.([]float64), out.flat.([]float64), gemm64)
		return out, nil
	}
	debugFallback(node, inputs)
	return origConv(backend, node, inputs, owned)
}

type gemmFunc[T float32 | float64] func(transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, accumulate bool, c []T, ldc int)

// scratch borrows a buffer of n elements from SimpleGo's pool.
func scratch[T float32 | float64](backend unsafe.Pointer, n int) (*sgBuffer, []T) {
	var zero T
	dt := dtypeOf(zero)
	b := sgGetBuffer(backend, dt, n)
	return b, b.flat.([]T)[:n]
}

// forceAlgorithm overrides the cost model in tests.
var forceAlgorithm int

const (
	forceIm2col     = 1
	forceCol2im     = 2
	forceIm2colRows = 3 // im2col, never the transposed patch block
	forceCol2imRuns = 4 // col2im, tap by tap (never merged runs)
)

func convolve[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	// Few input channels keep the column-share im2col below, whose fill
	// beats P's runs of 5 or 11 — unless P can be filled by shifted copies.
	if f, ok := forwardOfWeightGrad(g); ok && forceAlgorithm == 0 {
		if pl := newPatchPlan(f); !pl.transposedOK() || pl.sameWidthUnitStride() {
			weightGrad(backend, pl, x, w, y, gemm)
			return
		}
	}
	if forceAlgorithm == forceCol2im || forceAlgorithm == forceCol2imRuns || forceAlgorithm == 0 && g.col2imCost() < g.im2colCost() {
		// (forceIm2col and forceIm2colRows both take im2col.)
		col2im(backend, g, x, w, y, gemm)
		return
	}
	im2col(backend, g, x, w, y, gemm)
}

func forEach3(n0, n1, n2 int, fn func(a, b, c int)) {
	for a := range n0 {
		for b := range n1 {
			for c := range n2 {
				fn(a, b, c)
			}
		}
	}
}
