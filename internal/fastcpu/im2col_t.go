package fastcpu

// A transposed patch block for convolutions with few columns (taps ×
// channels) and many rows: LeNet's and AlexNet's first layers have one input
// channel, so each patch row is 25 or 121 values gathered in runs of 5 or 11,
// and the per-row bookkeeping costs more than the copying. Filled as
// [columns, rows] instead, each column is a run along the output's innermost
// axis (x): one strided copy per (column, image row) — the layout a weight
// gradient's patches already have — and the GEMM reads it transposed.

// transposedOK tells whether fillT applies: rows in [batch, y, x] order, no
// input dilation, few columns and few input channels (with more, a patch
// row's runs are k·cin long and the row-major fill is the faster one).
func (pl *patchPlan) transposedOK() bool {
	g := pl.g
	return pl.cols <= 160 && g.cin <= 4 && pl.outRoles[0] == roleBatch && pl.outRoles[1] == roleSp0 && pl.outRoles[2] == roleSp1 &&
		g.idil[0] == 1 && g.idil[1] == 1
}

// tapTable lists each column's (channel, tap0, tap1), in column order.
func (pl *patchPlan) tapTable() [][3]int {
	g := pl.g
	kDims := [4]int{roleBatch: g.cin, roleSp0: g.k[0], roleSp1: g.k[1]}
	roles := memoryOrder(g.kAxes, roleChan)
	taps := make([][3]int, 0, pl.cols)
	forEach3(kDims[roles[0]], kDims[roles[1]], kDims[roles[2]], func(a, b, c int) {
		var idx [4]int
		idx[roles[0]], idx[roles[1]], idx[roles[2]] = a, b, c
		taps = append(taps, [3]int{idx[roleBatch], idx[roleSp0], idx[roleSp1]})
	})
	return taps
}

// fillT writes rows [r0, r1) of the patch matrix transposed: pt[j*ld + r-r0].
func fillT[T float32 | float64](pl *patchPlan, taps [][3]int, x []T, r0, r1 int, pt []T, ld int) {
	g := pl.g
	if pl.sameWidthUnitStride() {
		fillTShifted(pl, taps, x, r0, r1, pt, ld)
		return
	}
	ow := g.out[1]
	step := g.stride[1] * g.iS[1]
	for r := r0; r < r1; {
		// One image row of outputs: (b, oy) fixed, ox from ox0 to ox1.
		b, oy, ox0 := r/(g.out[0]*ow), r/ow%g.out[0], r%ow
		ox1 := min(ow, ox0+r1-r)
		at := r - r0
		for j, tp := range taps {
			seg := pt[j*ld+at:][:ox1-ox0]
			iy := oy*g.stride[0] - g.padLo[0] + tp[1]*g.kdil[0]
			if iy < 0 || iy >= g.in[0] {
				clear(seg)
				continue
			}
			// Valid ox: 0 ≤ ox·s - pad + tap·kd < in.
			base := tp[2]*g.kdil[1] - g.padLo[1]
			lo, hi := ox0, ox1
			for lo < hi && lo*g.stride[1]+base < 0 {
				lo++
			}
			for hi > lo && (hi-1)*g.stride[1]+base >= g.in[1] {
				hi--
			}
			clear(seg[:lo-ox0])
			clear(seg[hi-ox0:])
			k := b*g.iB + tp[0]*g.iC + iy*g.iS[0] + (lo*g.stride[1]+base)*g.iS[1]
			dst := seg[lo-ox0 : hi-ox0]
			if step == 1 {
				copy(dst, x[k:k+len(dst)])
				continue
			}
			for i := range dst {
				dst[i] = x[k]
				k += step
			}
		}
		r += ox1 - ox0
	}
}

// sameWidthUnitStride: unit strides and dilations, one input channel and an
// output as wide as the input (LeNet's padded 5×5 conv1). Then a tap's
// column of the transposed patch matrix is the image itself shifted by the
// tap's offset, across row ends too: one copy per image, and only the few
// elements a row end wraps onto (and rows off the image) set to zero.
func (pl *patchPlan) sameWidthUnitStride() bool {
	g := pl.g
	return g.cin == 1 && g.stride == [2]int{1, 1} && g.kdil == [2]int{1, 1} && g.idil == [2]int{1, 1} &&
		g.out[1] == g.in[1] && g.iS[1] == 1 && g.iS[0] == g.in[1]
}

func fillTShifted[T float32 | float64](pl *patchPlan, taps [][3]int, x []T, r0, r1 int, pt []T, ld int) {
	g := pl.g
	w, perImage := g.in[1], g.out[0]*g.out[1]
	for r := r0; r < r1; {
		b, q0 := r/perImage, r%perImage // image b, its output positions [q0, q1)
		q1 := min(perImage, q0+r1-r)
		at := r - r0
		img := x[b*g.iB : b*g.iB+g.in[0]*w]
		for j, tp := range taps {
			dst := pt[j*ld+at:][:q1-q0]
			dy, dx := tp[1]-g.padLo[0], tp[2]-g.padLo[1]
			// Output q reads img[q + dy·w + dx]: rows oy with 0 ≤ oy+dy < in0.
			lo := max(q0, -dy*w, -(dy*w + dx))
			hi := min(q1, (g.in[0]-dy)*w, g.in[0]*w-(dy*w+dx))
			if lo >= hi {
				clear(dst)
				continue
			}
			clear(dst[:lo-q0])
			clear(dst[hi-q0:])
			copy(dst[lo-q0:hi-q0], img[lo+dy*w+dx:])
			// Where ox+dx leaves [0, w) the copy wrapped onto the next or
			// previous image row: those are padding.
			if dx == 0 {
				continue
			}
			for oy := lo / w; oy*w < hi; oy++ {
				var s, e int // the row's padded columns
				if dx < 0 {
					s, e = oy*w, oy*w-dx
				} else {
					s, e = oy*w+w-dx, oy*w+w
				}
				s, e = max(s, lo), min(e, hi)
				if s < e {
					clear(dst[s-q0 : e-q0])
				}
			}
		}
		r += q1 - q0
	}
}
