package fastcpu

import (
	"sync/atomic"
	"unsafe"
)

// patchPlan says how to fill rows of the im2col patch matrix: rows are
// output positions in the output's memory order, columns the kernel taps in
// the kernel's memory order (so the kernel, out-channels last, is already the
// [columns, cout] matrix).
type patchPlan struct {
	g convGeom
	// levels are the roles of the three column loops, outermost first; -1
	// marks a size-1 placeholder. Size-1 roles are folded into the row's base
	// offset instead, so the innermost loop is a real run (LeNet's and
	// AlexNet's first layers have one input channel).
	levels   [3]int
	sizes    [3]int
	folded   []int
	outRoles []int
	outDims  [4]int
	cols     int
}

func newPatchPlan(g convGeom) *patchPlan {
	pl := &patchPlan{g: g, cols: g.cin * g.k[0] * g.k[1]}
	kDims := [4]int{roleBatch: g.cin, roleSp0: g.k[0], roleSp1: g.k[1]}
	var loops []int
	for _, r := range memoryOrder(g.kAxes, roleChan) {
		if kDims[r] > 1 {
			loops = append(loops, r)
		} else {
			pl.folded = append(pl.folded, r)
		}
	}
	for i := range 3 {
		pl.levels[i], pl.sizes[i] = -1, 1
	}
	for i, r := range loops {
		pl.levels[3-len(loops)+i], pl.sizes[3-len(loops)+i] = r, kDims[r]
	}
	pl.outRoles = memoryOrder(g.outAxes, roleChan)
	pl.outDims = [4]int{roleBatch: g.batch, roleSp0: g.out[0], roleSp1: g.out[1]}
	return pl
}

func (pl *patchPlan) rows() int { return pl.g.batch * pl.g.out[0] * pl.g.out[1] }

// patchState is one worker's offset tables: offs[role][t] is the input offset
// of tap t of that role, or -1 where it falls in padding or between dilated
// input elements. The spatial ones change with the row; last remembers for
// which output coordinate they were computed.
type patchState struct {
	offs [4][]int
	lv   [3][]int
	last [4]int
}

func (pl *patchPlan) newState() *patchState {
	g := pl.g
	st := &patchState{last: [4]int{-1, -1, -1, -1}}
	st.offs[roleBatch] = make([]int, g.cin)
	for c := range g.cin {
		st.offs[roleBatch][c] = c * g.iC
	}
	st.offs[roleSp0], st.offs[roleSp1] = make([]int, g.k[0]), make([]int, g.k[1])
	for i, r := range pl.levels {
		if r < 0 {
			st.lv[i] = []int{0}
		} else {
			st.lv[i] = st.offs[r]
		}
	}
	return st
}

func (pl *patchPlan) spatialOffs(s, base int, dst []int) {
	g := pl.g
	if g.idil[s] == 1 { // the common case, without divisions
		n, kd, stride := g.in[s], g.kdil[s], g.iS[s]
		for t := range dst {
			if v := base + t*kd; v >= 0 && v < n {
				dst[t] = v * stride
			} else {
				dst[t] = -1
			}
		}
		return
	}
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

// rowIndex turns row r into the output's (batch, spatial0, spatial1) indices.
func (pl *patchPlan) rowIndex(r int) [3]int {
	n1, n2 := pl.outDims[pl.outRoles[1]], pl.outDims[pl.outRoles[2]]
	return [3]int{r / (n1 * n2), r / n2 % n1, r % n2}
}

// run is the innermost column loop of one row as one arithmetic run:
// elements [lo, hi) come from src offsets start, start+stride, …; the rest
// are zeros (padding). ok is false where the loop is not arithmetic (a
// dilated input), and the offset table is used instead.
type run struct {
	n, lo, hi, start, stride int
	ok                       bool
}

// innerRun describes the innermost loop for the current row: the channels
// (all valid), or a spatial axis without input dilation (valid taps are one
// range). When the channels are innermost, contiguous, and the spatial axis
// outside them is contiguous too (channels-last input, undilated kernel), the
// two merge into one run of k·cin elements: the common forward convolution.
func (pl *patchPlan) innerRun(idx [4]int, merged bool) run {
	g := pl.g
	inner := pl.levels[2]
	switch {
	case inner < 0:
		return run{n: 1, lo: 0, hi: 1, ok: true}
	case inner == roleBatch && !merged: // input channels
		return run{n: g.cin, lo: 0, hi: g.cin, start: 0, stride: g.iC, ok: true}
	}
	s := inner - roleSp0
	scale := 1
	if merged {
		s, scale = 1, g.cin
	}
	if g.idil[s] != 1 {
		return run{}
	}
	base := idx[roleSp0+s]*g.stride[s] - g.padLo[s]
	kd, n := g.kdil[s], g.k[s]
	// Valid taps t satisfy 0 ≤ base + t·kd < in.
	lo := 0
	if base < 0 {
		lo = (-base + kd - 1) / kd
	}
	hi := n
	if last := g.in[s] - 1 - base; last < (n-1)*kd {
		if last < 0 {
			hi = 0
		} else {
			hi = last/kd + 1
		}
	}
	lo, hi = min(lo, n), max(min(hi, n), min(lo, n))
	r := run{n: n * scale, lo: lo * scale, hi: hi * scale, start: (base + lo*kd) * g.iS[s], stride: kd * g.iS[s], ok: true}
	if merged {
		r.stride = 1
	}
	return r
}

// runKey is the coordinate innerRun depends on: -1 when it depends on none.
func (pl *patchPlan) runKey(idx [4]int, merged bool) int {
	switch {
	case merged:
		return idx[roleSp1]
	case pl.levels[2] == roleSp0, pl.levels[2] == roleSp1:
		return idx[pl.levels[2]]
	}
	return -1
}

// fill writes rows [r0, r1) of the patch matrix, restricted to outermost
// column-loop indices [t0, t1), into p with row stride ld.
func fill[T float32 | float64](pl *patchPlan, st *patchState, x []T, r0, r1, t0, t1 int, p []T, ld int) {
	g := pl.g
	// Channels innermost and contiguous inside a contiguous, undilated
	// spatial axis 1: one merged run per (row, outer taps).
	merged := pl.levels[2] == roleBatch && pl.levels[1] == roleSp1 && g.iC == 1 &&
		g.iS[1] == g.cin && g.kdil[1] == 1 && g.idil[1] == 1
	lv0, lv1 := st.lv[0][t0:t1], st.lv[1]
	if merged {
		lv1 = []int{0}
	}
	n1, n2 := pl.outDims[pl.outRoles[1]], pl.outDims[pl.outRoles[2]]
	i := pl.rowIndex(r0)
	var inner run
	lastKey := -2
	for r := r0; r < r1; r++ {
		var idx [4]int
		idx[pl.outRoles[0]], idx[pl.outRoles[1]], idx[pl.outRoles[2]] = i[0], i[1], i[2]
		if i[2]++; i[2] == n2 {
			i[2] = 0
			if i[1]++; i[1] == n1 {
				i[1] = 0
				i[0]++
			}
		}
		for s := range 2 {
			if role := roleSp0 + s; idx[role] != st.last[role] {
				pl.spatialOffs(s, idx[role]*g.stride[s]-g.padLo[s], st.offs[role])
				st.last[role] = idx[role]
			}
		}
		// The inner run depends on one spatial coordinate only (or none).
		if key := pl.runKey(idx, merged); key != lastKey {
			inner, lastKey = pl.innerRun(idx, merged), key
		}
		lv2 := st.lv[2]
		n := inner.n
		if !inner.ok {
			n = len(lv2)
		}
		row := p[(r-r0)*ld:][:len(lv0)*len(lv1)*n]
		base := idx[roleBatch] * g.iB
		skip := false
		for _, f := range pl.folded {
			if st.offs[f][0] < 0 {
				skip = true
				break
			}
			base += st.offs[f][0]
		}
		if skip {
			clear(row)
			continue
		}
		j := 0
		for _, v0 := range lv0 {
			for _, v1 := range lv1 {
				seg := row[j : j+n]
				j += n
				if v0 < 0 || v1 < 0 {
					clear(seg)
					continue
				}
				src := x[base+v0+v1:]
				if !inner.ok {
					for t, v := range lv2 {
						if v < 0 {
							seg[t] = 0
						} else {
							seg[t] = src[v]
						}
					}
					continue
				}
				clear(seg[:inner.lo])
				clear(seg[inner.hi:])
				if inner.stride == 1 && inner.hi-inner.lo > 16 {
					copy(seg[inner.lo:inner.hi], src[inner.start:])
					continue
				}
				k := inner.start
				for t := inner.lo; t < inner.hi; t++ {
					seg[t] = src[k]
					k += inner.stride
				}
			}
		}
	}
}

// im2col computes the convolution as patches × kernel without ever building
// the whole patch matrix: each worker fills a cache-sized block and
// multiplies it before the next. Where there are many rows (a forward
// convolution) the blocks are rows, written straight into the output. Where
// there are few rows and a long contraction (a weight gradient: taps ×
// channels rows, batch × positions columns) each worker takes a share of the
// outermost column loop and sums its own partial product.
func im2col[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	pl := newPatchPlan(g)
	rows, cols := pl.rows(), pl.cols
	var zero T
	elem := int(unsafe.Sizeof(zero))

	// Kernel as [cols, cout].
	wm := w
	if g.kAxes[roleChan] != 3 {
		var wmBuf *sgBuffer
		wmBuf, wm = scratch[T](backend, cols*g.cout)
		defer sgPutBuffer(backend, wmBuf)
		kRoles := memoryOrder(g.kAxes, roleChan)
		kDims := [4]int{roleBatch: g.cin, roleSp0: g.k[0], roleSp1: g.k[1]}
		kStride := [4]int{roleBatch: g.kI, roleSp0: g.kS[0], roleSp1: g.kS[1]}
		j := 0
		forEach3(kDims[kRoles[0]], kDims[kRoles[1]], kDims[kRoles[2]], func(a, b, c int) {
			base := a*kStride[kRoles[0]] + b*kStride[kRoles[1]] + c*kStride[kRoles[2]]
			for co := range g.cout {
				wm[j*g.cout+co] = w[base+co*g.kO]
			}
			j++
		})
	}
	// Output rows go straight into y when its channel axis is last.
	out := y
	if g.outAxes[roleChan] != 3 {
		var outBuf *sgBuffer
		outBuf, out = scratch[T](backend, rows*g.cout)
		defer func() {
			scatterRows(pl, out, y)
			sgPutBuffer(backend, outBuf)
		}()
	}

	nw := workers()
	blockRows := max(8, blockBytes/(elem*cols))
	// Row blocks re-read the whole kernel matrix per block; column shares
	// re-read only the [rows, cout] accumulator per step. A weight gradient
	// (few rows, a contraction over batch × positions) must take columns.
	if cols <= rows || pl.sizes[0] < 2*nw {
		// Row blocks, handed out in order.
		var next atomic.Int64
		nBlocks := (rows + blockRows - 1) / blockRows
		transposed := pl.transposedOK() && forceAlgorithm != forceIm2colRows
		var taps [][3]int
		if transposed {
			taps = pl.tapTable()
		}
		parallel(min(nw, nBlocks), func(int) {
			st := pl.newState()
			pBuf, p := scratch[T](backend, min(blockRows, rows)*cols)
			defer sgPutBuffer(backend, pBuf)
			for {
				b := int(next.Add(1)) - 1
				if b >= nBlocks {
					return
				}
				r0, r1 := b*blockRows, min((b+1)*blockRows, rows)
				if transposed {
					fillT(pl, taps, x, r0, r1, p, r1-r0)
					gemm(true, false, r1-r0, g.cout, cols, p, r1-r0, wm[:cols*g.cout], g.cout, false, out[r0*g.cout:], g.cout)
					continue
				}
				fill(pl, st, x, r0, r1, 0, pl.sizes[0], p, cols)
				gemm(false, false, r1-r0, g.cout, cols, p, cols, wm[:cols*g.cout], g.cout, false, out[r0*g.cout:], g.cout)
			}
		})
		return
	}

	// Column shares: worker w sums its slice of the outermost column loop
	// in cache-sized steps into its own [rows, cout] partial.
	inner := cols / pl.sizes[0]
	step := max(1, blockBytes/(elem*rows*inner))
	accs, release := partials(backend, out[:rows*g.cout], nw)
	defer release()
	parallel(nw, func(wk int) {
		lo, hi := wk*pl.sizes[0]/nw, (wk+1)*pl.sizes[0]/nw
		acc := accs[wk]
		if lo == hi {
			clear(acc)
			return
		}
		st := pl.newState()
		pBuf, p := scratch[T](backend, rows*min(step, hi-lo)*inner)
		defer sgPutBuffer(backend, pBuf)
		for t0 := lo; t0 < hi; t0 += step {
			t1 := min(t0+step, hi)
			width := (t1 - t0) * inner
			fill(pl, st, x, 0, rows, t0, t1, p, width)
			gemm(false, false, rows, g.cout, width, p, width, wm[t0*inner*g.cout:], g.cout, t0 > lo, acc, g.cout)
		}
	})
	sumPartials(accs)
}

// partials is nw accumulators of len(first) elements for a contraction
// split over workers: first itself (the output) and nw-1 scratch buffers,
// which release returns to SimpleGo's pool.
func partials[T float32 | float64](backend unsafe.Pointer, first []T, nw int) (accs [][]T, release func()) {
	accs = make([][]T, nw)
	accs[0] = first
	bufs := make([]*sgBuffer, 0, nw-1)
	for wk := 1; wk < nw; wk++ {
		var buf *sgBuffer
		buf, accs[wk] = scratch[T](backend, len(first))
		bufs = append(bufs, buf)
	}
	return accs, func() {
		for _, b := range bufs {
			sgPutBuffer(backend, b)
		}
	}
}

// sumPartials adds every other accumulator into the first, in worker
// order (so the sum does not depend on timing).
func sumPartials[T float32 | float64](accs [][]T) {
	for _, acc := range accs[1:] {
		addInto(accs[0], acc, false)
	}
}

// scatterRows moves a [rows, cout] product into an output whose channel axis
// is not last.
func scatterRows[T float32 | float64](pl *patchPlan, t, y []T) {
	g := pl.g
	oStride := [4]int{roleBatch: g.oB, roleSp0: g.oS[0], roleSp1: g.oS[1]}
	r := 0
	forEach3(pl.outDims[pl.outRoles[0]], pl.outDims[pl.outRoles[1]], pl.outDims[pl.outRoles[2]], func(a, b, c int) {
		base := a*oStride[pl.outRoles[0]] + b*oStride[pl.outRoles[1]] + c*oStride[pl.outRoles[2]]
		for co := range g.cout {
			y[base+co*g.oC] = t[r*g.cout+co]
		}
		r++
	})
}
