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

// execConv runs float32/float64 2-D convolutions on BLAS.
func execConv(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	pp := dataPointer(&node.data, convDataType)
	if pp == nil || bypass.Load() {
		return origConv(backend, node, inputs, owned)
	}
	in, kernel := inputs[0], inputs[1]
	g, ok := planConv((*sgConvData)(pp), in.shape.Dimensions, kernel.shape.Dimensions, node.shape.Dimensions)
	if !ok {
		return origConv(backend, node, inputs, owned)
	}
	switch x := in.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		convolve(backend, g, x, kernel.flat.([]float32), out.flat.([]float32), gemm32)
		return out, nil
	case []float64:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		convolve(backend, g, x, kernel.flat.([]float64), out.flat.([]float64), gemm64)
		return out, nil
	}
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
	forceIm2col = 1
	forceCol2im = 2
)

func convolve[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	if forceAlgorithm == forceCol2im || forceAlgorithm == 0 && g.col2imCost() < g.im2colCost() {
		col2im(backend, g, x, w, y, gemm)
		return
	}
	im2col(backend, g, x, w, y, gemm)
}

// im2col gathers, for every output position (rows, in the output's memory
// order), the input values under every kernel tap (columns, in the kernel's
// memory order so that the kernel is a [taps·cin, cout] matrix as it lies
// when its out-channel axis is last), then runs one GEMM.
func im2col[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	rows := g.batch * g.out[0] * g.out[1]
	kk := g.cin * g.k[0] * g.k[1]

	// Kernel as [kk, cout].
	kRoles := memoryOrder(g.kAxes, roleChan)
	kDims := map[int]int{roleBatch: g.cin, roleSp0: g.k[0], roleSp1: g.k[1]}
	var wm []T
	var wmBuf *sgBuffer
	if g.kAxes[roleChan] == 3 {
		wm = w
	} else {
		wmBuf, wm = scratch[T](backend, kk*g.cout)
		kStride := map[int]int{roleBatch: g.kI, roleSp0: g.kS[0], roleSp1: g.kS[1]}
		j := 0
		forEach3(kDims[kRoles[0]], kDims[kRoles[1]], kDims[kRoles[2]], func(a, b, c int) {
			base := a*kStride[kRoles[0]] + b*kStride[kRoles[1]] + c*kStride[kRoles[2]]
			for co := range g.cout {
				wm[j*g.cout+co] = w[base+co*g.kO]
			}
			j++
		})
	}

	// offs[role][t] is the input offset of tap t of that role, or -1 where it
	// falls in padding or between dilated input elements; the spatial ones
	// are recomputed for every output position.
	offs := [4][]int{
		roleBatch: make([]int, g.cin),
		roleSp0:   make([]int, g.k[0]),
		roleSp1:   make([]int, g.k[1]),
	}
	for c := range g.cin {
		offs[roleBatch][c] = c * g.iC
	}
	spatialOffs := func(s, base int, dst []int) {
		limit := (g.in[s] - 1) * g.idil[s]
		for t := range dst {
			v := base + t*g.kdil[s]
			if v < 0 || v > limit || v%g.idil[s] != 0 {
				dst[t] = -1
				continue
			}
			dst[t] = v / g.idil[s] * g.iS[s]
		}
	}
	// The contraction loops, outermost first. Size-1 roles are folded into
	// the row's base offset so that the innermost loop is a real run (LeNet's
	// and AlexNet's first layers have one input channel).
	var loops, folded []int
	for _, r := range kRoles {
		if kDims[r] > 1 {
			loops = append(loops, r)
		} else {
			folded = append(folded, r)
		}
	}
	// The spatial offs slices are rewritten in place per row, so the loop
	// table can be built once.
	lv := [3][]int{{0}, {0}, {0}}
	for i, role := range loops {
		lv[3-len(loops)+i] = offs[role]
	}
	pBuf, p := scratch[T](backend, rows*kk)
	outRoles := memoryOrder(g.outAxes, roleChan)
	outDims := map[int]int{roleBatch: g.batch, roleSp0: g.out[0], roleSp1: g.out[1]}
	r := 0
	forEach3(outDims[outRoles[0]], outDims[outRoles[1]], outDims[outRoles[2]], func(a, b, c int) {
		idx := [4]int{}
		idx[outRoles[0]], idx[outRoles[1]], idx[outRoles[2]] = a, b, c
		spatialOffs(0, idx[roleSp0]*g.stride[0]-g.padLo[0], offs[roleSp0])
		spatialOffs(1, idx[roleSp1]*g.stride[1]-g.padLo[1], offs[roleSp1])
		row := p[r*kk : (r+1)*kk]
		r++
		base := idx[roleBatch] * g.iB
		for _, f := range folded {
			if offs[f][0] < 0 {
				clear(row)
				return
			}
			base += offs[f][0]
		}
		o2 := lv[2]
		n2 := len(o2)
		j := 0
		for _, v0 := range lv[0] {
			for _, v1 := range lv[1] {
				seg := row[j : j+n2]
				j += n2
				if v0 < 0 || v1 < 0 {
					clear(seg)
					continue
				}
				b01 := base + v0 + v1
				for t2, v2 := range o2 {
					if v2 < 0 {
						seg[t2] = 0
					} else {
						seg[t2] = x[b01+v2]
					}
				}
			}
		}
	})

	if g.outAxes[roleChan] == 3 {
		gemm(false, false, rows, g.cout, kk, p, kk, wm, g.cout, false, y, g.cout)
	} else {
		tBuf, t := scratch[T](backend, rows*g.cout)
		gemm(false, false, rows, g.cout, kk, p, kk, wm, g.cout, false, t, g.cout)
		oStride := map[int]int{roleBatch: g.oB, roleSp0: g.oS[0], roleSp1: g.oS[1]}
		r := 0
		forEach3(outDims[outRoles[0]], outDims[outRoles[1]], outDims[outRoles[2]], func(a, b, c int) {
			base := a*oStride[outRoles[0]] + b*oStride[outRoles[1]] + c*oStride[outRoles[2]]
			for co := range g.cout {
				y[base+co*g.oC] = t[r*g.cout+co]
			}
			r++
		})
		sgPutBuffer(backend, tBuf)
	}
	sgPutBuffer(backend, pBuf)
	if wmBuf != nil {
		sgPutBuffer(backend, wmBuf)
	}
}

// col2im multiplies every input position's channels by the kernel, giving
// each position's contribution to every (tap, out-channel), and adds those
// into the output positions the taps reach. It wins where the input is
// dilated (a strided convolution's input gradient): the holes between
// dilated inputs cost im2col zeros but col2im nothing.
func col2im[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	npos := g.batch * g.in[0] * g.in[1]
	taps := g.k[0] * g.k[1]
	tc := taps * g.cout

	// Input as [npos, cin], rows in the input's memory order.
	inRoles := memoryOrder(g.inAxes, roleChan)
	inDims := map[int]int{roleBatch: g.batch, roleSp0: g.in[0], roleSp1: g.in[1]}
	inStride := map[int]int{roleBatch: g.iB, roleSp0: g.iS[0], roleSp1: g.iS[1]}
	var a []T
	var aBuf *sgBuffer
	if g.inAxes[roleChan] == 3 {
		a = x
	} else {
		aBuf, a = scratch[T](backend, npos*g.cin)
		r := 0
		forEach3(inDims[inRoles[0]], inDims[inRoles[1]], inDims[inRoles[2]], func(i, j, k int) {
			base := i*inStride[inRoles[0]] + j*inStride[inRoles[1]] + k*inStride[inRoles[2]]
			for c := range g.cin {
				a[r*g.cin+c] = x[base+c*g.iC]
			}
			r++
		})
	}
	// Kernel as [cin, (tap0, tap1, cout)].
	kmBuf, km := scratch[T](backend, g.cin*tc)
	for c := range g.cin {
		for t0 := range g.k[0] {
			for t1 := range g.k[1] {
				base := c*g.kI + t0*g.kS[0] + t1*g.kS[1]
				dst := km[c*tc+(t0*g.k[1]+t1)*g.cout:]
				for co := range g.cout {
					dst[co] = w[base+co*g.kO]
				}
			}
		}
	}
	cBuf, contrib := scratch[T](backend, npos*tc)
	gemm(false, false, npos, tc, g.cin, a, g.cin, km, tc, false, contrib, tc)

	clear(y)
	// target[s][t] maps input coordinate i and tap t to an output coordinate.
	target := func(s, i, t int) int {
		num := i*g.idil[s] + g.padLo[s] - t*g.kdil[s]
		if num < 0 || num%g.stride[s] != 0 {
			return -1
		}
		if o := num / g.stride[s]; o < g.out[s] {
			return o
		}
		return -1
	}
	t0s, t1s := make([]int, g.k[0]), make([]int, g.k[1])
	r := 0
	forEach3(inDims[inRoles[0]], inDims[inRoles[1]], inDims[inRoles[2]], func(i, j, k int) {
		idx := [4]int{}
		idx[inRoles[0]], idx[inRoles[1]], idx[inRoles[2]] = i, j, k
		for t := range t0s {
			t0s[t] = target(0, idx[roleSp0], t)
		}
		for t := range t1s {
			t1s[t] = target(1, idx[roleSp1], t)
		}
		row := contrib[r*tc : (r+1)*tc]
		ob := idx[roleBatch] * g.oB
		for t0, o0 := range t0s {
			if o0 < 0 {
				continue
			}
			for t1, o1 := range t1s {
				if o1 < 0 {
					continue
				}
				src := row[(t0*g.k[1]+t1)*g.cout:][:g.cout]
				base := ob + o0*g.oS[0] + o1*g.oS[1]
				if g.oC == 1 {
					dst := y[base : base+g.cout]
					for co, v := range src {
						dst[co] += v
					}
				} else {
					for co, v := range src {
						y[base+co*g.oC] += v
					}
				}
			}
		}
		r++
	})
	sgPutBuffer(backend, cBuf)
	sgPutBuffer(backend, kmBuf)
	if aBuf != nil {
		sgPutBuffer(backend, aBuf)
	}
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
