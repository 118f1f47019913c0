package fastcpu

import "unsafe"

// The kernels of the tiled average pool's two fused nodes (fuse_pool.go).
// Both walk output rows (b, oh) in a share per core, as the max pool's do.

// execTiledSum is fusedTiledSum's kernel, run by the ReduceSum or Mul node
// the builder rewrote.
func execTiledSum(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, f *fusedTiledSum) *sgBuffer {
	output := sgGetBufferForShape(backend, node.shape)
	fastRuns.Add(1)
	switch x := inputs[0].flat.(type) {
	case []float32:
		tiledSum(x, output.flat.([]float32), f.geom, float32(f.scale))
	case []float64:
		tiledSum(x, output.flat.([]float64), f.geom, f.scale)
	}
	return output
}

// tiledSum writes y[b,oh,ow,:] = scale · Σ x over the window, the 2×2 case
// with the four values in registers.
func tiledSum[T float32 | float64](x, y []T, g poolGeom, scale T) {
	rowIn, rowOut := g.w*g.c, g.wo*g.c
	poolRows(g, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			b, oh := r/g.ho, r%g.ho
			out := y[r*rowOut : (r+1)*rowOut]
			top := (b*g.h + oh*g.kh) * rowIn
			if g.kh == 2 && g.kw == 2 {
				avgPool2x2Row(x[top:][:rowIn], x[top+rowIn:][:rowIn], out, g.c, scale)
				continue
			}
			clear(out)
			for i := range g.kh {
				row := x[top+i*rowIn:][:rowIn]
				for ow := range g.wo {
					o := out[ow*g.c:][:g.c]
					for j := range g.kw {
						for c, v := range row[(ow*g.kw+j)*g.c:][:g.c] {
							o[c] += v
						}
					}
				}
			}
			for i := range out {
				out[i] *= scale
			}
		}
	})
}

// avgPool2x2Row pools two image rows into one output row, summing each
// window's four values as GoMLX's reduction over [.., 2, .., 2, ..] does:
// the two columns of each row, then the rows.
func avgPool2x2Row[T float32 | float64](top, bottom, out []T, c int, scale T) {
	for ow := range len(out) / c {
		a, b := top[2*ow*c:][:2*c], bottom[2*ow*c:][:2*c]
		o := out[ow*c:][:c]
		for k := range o {
			o[k] = ((a[k] + a[c+k]) + (b[k] + b[c+k])) * scale
		}
	}
}

// execSpread is fusedSpread's kernel: the average pool's gradient.
func execSpread(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, f *fusedSpread) *sgBuffer {
	output := sgGetBufferForShape(backend, node.shape)
	fastRuns.Add(1)
	switch v := inputs[0].flat.(type) {
	case []float32:
		spread(v, output.flat.([]float32), f.geom, float32(f.scale))
	case []float64:
		spread(v, output.flat.([]float64), f.geom, f.scale)
	}
	return output
}

// spread writes dx[b, oh·kh+i, ow·kw+j, :] = scale·v[b, oh, ow, :]: the
// first row of each window band from v, the band's other rows copies of it.
// Every element of dx is written (the windows tile it).
func spread[T float32 | float64](v, dx []T, g poolGeom, scale T) {
	rowIn, rowOut := g.w*g.c, g.wo*g.c
	poolRows(g, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			src := v[r*rowOut : (r+1)*rowOut]
			first := dx[r*g.kh*rowIn:][:rowIn]
			if g.kw == 2 {
				for ow := range g.wo {
					s, d := src[ow*g.c:][:g.c], first[2*ow*g.c:][:2*g.c]
					for c, val := range s {
						val *= scale
						d[c], d[g.c+c] = val, val
					}
				}
			} else {
				for ow := range g.wo {
					s := src[ow*g.c:][:g.c]
					for j := range g.kw {
						d := first[(ow*g.kw+j)*g.c:][:g.c]
						for c, val := range s {
							d[c] = val * scale
						}
					}
				}
			}
			for i := 1; i < g.kh; i++ {
				copy(dx[(r*g.kh+i)*rowIn:][:rowIn], first)
			}
		}
	})
}
