package fastcpu

import "unsafe"

// A channels-last convolution's weight gradient, as models/nn writes it, is
// a ConvGeneral of x read as [Cin, H, W, B] with dy [B, Ho, Wo, Cout] as the
// kernel (dilated by the forward stride), into [K, K, Cin, Cout]. Read that
// way, its patch rows gather x with the batch stride (H·W·Cin) between
// neighbours: the fill cost as much as the GEMM (cnn28: 48 % of the node).
// The same sum is dw = Pᵀ·dy, where P is the forward convolution's own patch
// matrix — rows (b, oy, ox), columns (ky, kx, c), filled in contiguous runs
// of K·Cin — and dy, as stored, is already the [rows, Cout] matrix.

// forwardOfWeightGrad recognizes that weight gradient and returns the
// forward convolution's geometry (output Ho×Wo, kernel K×K).
func forwardOfWeightGrad(g convGeom) (convGeom, bool) {
	if g.inAxes != [4]int{3, 0, 1, 2} || g.kAxes != [4]int{0, 3, 1, 2} || g.outAxes != [4]int{2, 3, 0, 1} ||
		g.stride != [2]int{1, 1} || g.idil != [2]int{1, 1} {
		return convGeom{}, false
	}
	f := convGeom{
		batch: g.cin, cin: g.batch, cout: g.cout,
		in: g.in, out: g.k, k: g.out,
		stride: g.kdil, kdil: [2]int{1, 1}, idil: [2]int{1, 1}, padLo: g.padLo,
		inAxes: [4]int{0, 3, 1, 2}, kAxes: [4]int{2, 3, 0, 1}, outAxes: [4]int{0, 3, 1, 2},
	}
	f.iB, f.iC, f.iS = f.in[0]*f.in[1]*f.cin, 1, [2]int{f.in[1] * f.cin, f.cin}
	f.kI, f.kO, f.kS = f.cout, 1, [2]int{f.k[1] * f.cin * f.cout, f.cin * f.cout}
	f.oB, f.oC, f.oS = f.out[0]*f.out[1]*f.cout, 1, [2]int{f.out[1] * f.cout, f.cout}
	return f, true
}

// weightGrad sets dw = Pᵀ·dy for the forward geometry pl.g. Workers take
// equal shares of cache-sized blocks of P's rows and add each block's product into
// their own [K·K·Cin, Cout] partial.
func weightGrad[T float32 | float64](backend unsafe.Pointer, pl *patchPlan, x, dy, dw []T, gemm gemmFunc[T]) {
	f := pl.g
	rows, cols := pl.rows(), pl.cols
	var zero T
	blockRows := max(8, blockBytes/(int(unsafe.Sizeof(zero))*cols))
	nBlocks := (rows + blockRows - 1) / blockRows
	nw := min(workers(), nBlocks)
	var taps [][3]int
	if pl.sameWidthUnitStride() && pl.transposedOK() {
		taps = pl.tapTable()
	}
	accs, release := partials(backend, dw[:cols*f.cout], nw)
	defer release()
	parallel(nw, func(wk int) {
		acc, started := accs[wk], false
		st := pl.newState()
		pBuf, p := scratch[T](backend, min(blockRows, rows)*cols)
		defer sgPutBuffer(backend, pBuf)
		// Fixed shares, not blocks handed out as workers free up: which
		// blocks a partial sums must not depend on timing, or the same seed
		// would train differently.
		for b := wk * nBlocks / nw; b < (wk+1)*nBlocks/nw; b++ {
			r0, r1 := b*blockRows, min((b+1)*blockRows, rows)
			if taps != nil { // P's block stored as [cols, rows]: A as it is
				fillT(pl, taps, x, r0, r1, p, r1-r0)
				gemm(false, false, cols, f.cout, r1-r0, p, r1-r0, dy[r0*f.cout:], f.cout, started, acc, f.cout)
			} else {
				fill(pl, st, x, r0, r1, 0, pl.sizes[0], p, cols)
				gemm(true, false, cols, f.cout, r1-r0, p, cols, dy[r0*f.cout:], f.cout, started, acc, f.cout)
			}
			started = true
		}
		if !started {
			clear(acc)
		}
	})
	sumPartials(accs)
}
