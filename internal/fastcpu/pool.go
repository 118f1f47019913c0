package fastcpu

import (
	"math"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Pooling: SimpleGo's ReduceWindow calls a closure per element per window
// position, and it has no SelectAndScatterMax at all, so models pooled with
// strided slices and their Concatenate gradients (about 20 passes over the
// image per pool). Here a max or sum pool over the spatial axes of a
// channels-last [B,H,W,C] tensor is one pass forward, and max pooling's
// gradient (the op Wrap adds) one pass back.

var origReduceWindow executor

// poolGeom is a pool over axes 1 and 2 of [b,h,w,c] into [b,ho,wo,c]:
// window kh×kw, strides sh×sw, and ph/pw rows/columns of padding before
// the image (the padding after only shows in ho and wo).
type poolGeom struct {
	b, h, w, c, ho, wo     int
	kh, kw, sh, sw, ph, pw int
}

// spatialPool reads a window configuration as a poolGeom: it must pool axes
// 1 and 2 of a rank-4 tensor only, without dilations.
func spatialPool(in, out []int, window, strides []int, paddings [][2]int, dilations ...[]int) (poolGeom, bool) {
	if len(in) != 4 || len(out) != 4 || len(window) != 4 || in[0] != out[0] || in[3] != out[3] {
		return poolGeom{}, false
	}
	if len(strides) == 0 {
		strides = window
	}
	if len(strides) != 4 || window[0] != 1 || window[3] != 1 || strides[0] != 1 || strides[3] != 1 {
		return poolGeom{}, false
	}
	if paddings == nil {
		paddings = make([][2]int, 4)
	}
	if len(paddings) != 4 || paddings[0] != [2]int{} || paddings[3] != [2]int{} {
		return poolGeom{}, false
	}
	for _, d := range dilations {
		for _, v := range d {
			if v != 1 {
				return poolGeom{}, false
			}
		}
	}
	g := poolGeom{b: in[0], h: in[1], w: in[2], c: in[3], ho: out[1], wo: out[2],
		kh: window[1], kw: window[2], sh: strides[1], sw: strides[2], ph: paddings[1][0], pw: paddings[2][0]}
	if g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.ph < 0 || g.pw < 0 {
		return poolGeom{}, false
	}
	// Padding under the window on both sides: then every window holds an
	// image element (the first window starts at -ph, the last ends before
	// h + padding after), and there is one to select.
	for a, k := range []int{g.kh, g.kw} {
		if p := paddings[1+a]; p[0] >= k || p[1] < 0 || p[1] >= k {
			return poolGeom{}, false
		}
	}
	return g, true
}

// MaxPoolGradientOK tells whether Wrap's builder takes the SelectAndScatterMax
// of a square max pool of window k, stride s and padding p on each side over
// dtype (models/nn asks before it pools with GoMLX's MaxPool on SimpleGo).
func MaxPoolGradientOK(dtype dtypes.DType, k, s, p int) bool {
	return isFloat(dtype) && k >= 1 && s >= 1 && p >= 0 && p < k
}

// execReduceWindow takes float max and sum pools over the spatial axes of a
// channels-last tensor; everything else goes to SimpleGo's own.
func execReduceWindow(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	data := (*sgReduceWindowData)(dataPointer(&node.data, reduceWindowDataType))
	x := inputs[0]
	var geom poolGeom
	ok := !bypass.Load() && data != nil && isFloat(node.shape.DType) && x.shape.DType == node.shape.DType &&
		(data.reductionType == backends.ReduceOpMax || data.reductionType == backends.ReduceOpSum)
	if ok {
		geom, ok = spatialPool(x.shape.Dimensions, node.shape.Dimensions, data.windowDimensions, data.strides,
			data.paddings, data.baseDilations, data.windowDilations)
	}
	if !ok {
		debugFallback(node, inputs)
		return origReduceWindow(backend, node, inputs, owned)
	}
	output := sgGetBufferForShape(backend, node.shape)
	isMax := data.reductionType == backends.ReduceOpMax
	fastRuns.Add(1)
	switch xs := x.flat.(type) {
	case []float32:
		poolForward(xs, output.flat.([]float32), geom, isMax, node.shape.DType.LowestValue().(float32))
	case []float64:
		poolForward(xs, output.flat.([]float64), geom, isMax, node.shape.DType.LowestValue().(float64))
	}
	return output, nil
}

// poolRows runs fn over the output rows (b, oh) in a contiguous share per
// core when the pool reads enough to pay for the goroutines.
func poolRows(g poolGeom, fn func(lo, hi int)) {
	rows := g.b * g.ho
	nw := workers()
	if g.b*g.h*g.w*g.c < 1<<15 || nw == 1 || rows < nw {
		fn(0, rows)
		return
	}
	parallel(nw, func(w int) { fn(w*rows/nw, (w+1)*rows/nw) })
}

// poolForward writes y[b,oh,ow,:] = max (or sum) over the window of
// x[b, oh·sh+i-ph, ow·sw+j-pw, :], padding left out (lowest is ReduceWindow's
// max identity, which SimpleGo fills with too).
func poolForward[T float32 | float64](x, y []T, g poolGeom, isMax bool, lowest T) {
	rowIn, rowOut := g.w*g.c, g.wo*g.c
	if x32, ok := any(x).([]float32); ok && isMax && g.tiled2() {
		y32 := any(y).([]float32)
		poolRows(g, func(lo, hi int) { maxPool2x2Rows32(x32, y32, g, lo, hi) })
		return
	}
	if isMax && g.tiled2() {
		poolRows(g, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				b, oh := r/g.ho, r%g.ho
				top := x[(b*g.h+2*oh)*rowIn:][:rowIn]
				bottom := x[(b*g.h+2*oh+1)*rowIn:][:rowIn]
				maxPool2x2Row(top, bottom, y[r*rowOut:(r+1)*rowOut], g.c)
			}
		})
		return
	}
	poolRows(g, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			b, oh := r/g.ho, r%g.ho
			out := y[r*rowOut : (r+1)*rowOut]
			fill := T(0)
			if isMax {
				fill = lowest
			}
			for i := range out {
				out[i] = fill
			}
			for i := range g.kh {
				ih := oh*g.sh + i - g.ph
				if ih < 0 || ih >= g.h {
					continue
				}
				row := x[(b*g.h+ih)*rowIn : (b*g.h+ih+1)*rowIn]
				for ow := range g.wo {
					o := out[ow*g.c : ow*g.c+g.c]
					for j := range g.kw {
						iw := ow*g.sw + j - g.pw
						if iw < 0 || iw >= g.w {
							continue
						}
						in := row[iw*g.c : iw*g.c+g.c]
						if isMax {
							for c, v := range in {
								o[c] = max(o[c], v) // branch-free: at random a branch mispredicts half the time
							}
						} else {
							for c, v := range in {
								o[c] += v
							}
						}
					}
				}
			}
		}
	})
}

// tiled2 is the 2×2, stride-2, unpadded pool (LeNet's and cnn28's): its
// windows tile the image, so each input element has one window.
func (g poolGeom) tiled2() bool {
	return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 &&
		2*g.ho <= g.h && 2*g.wo <= g.w // and none after: no window hangs over the edge
}

// maxPool2x2Row pools two image rows into one output row, the four values
// of each window held in registers rather than re-read from the output.
func maxPool2x2Row[T float32 | float64](top, bottom, out []T, c int) {
	for ow := range len(out) / c {
		a, b := top[2*ow*c:][:2*c], bottom[2*ow*c:][:2*c]
		o := out[ow*c:][:c]
		for k := range o {
			o[k] = max(max(a[k], a[c+k]), max(b[k], b[c+k]))
		}
	}
}

// maxPool2x2Rows32Go is poolForward's tiled 2×2 max over output rows lo..hi
// on float32 in Go: the build without cgo runs it, and it is the reference
// the C loop (pool_cgo.go) is tested against.
func maxPool2x2Rows32Go(x, y []float32, g poolGeom, lo, hi int) {
	rowIn, rowOut := g.w*g.c, g.wo*g.c
	for r := lo; r < hi; r++ {
		b, oh := r/g.ho, r%g.ho
		top := x[(b*g.h+2*oh)*rowIn:][:rowIn]
		bottom := x[(b*g.h+2*oh+1)*rowIn:][:rowIn]
		maxPool2x2Row(top, bottom, y[r*rowOut:(r+1)*rowOut], g.c)
	}
}

// scatterMax2x2Row32 is scatterMax for one output row of a tiled 2×2 pool
// on float32 (the dtype that trains; float64 takes scatterMax's general
// loop): every element of the two input rows is written — the window's
// source value at its first largest element in row-major order (XLA's rule
// for ties), zero elsewhere — so dx needs no clearing first. Branch-free,
// and without a chain of dependent selects: the max first, then which
// element is the first equal to it, the masks 0 or all-ones words. (A
// window holding a NaN sends its value to its last element.)
func scatterMax2x2Row32(top, bottom, dtop, dbottom, src []float32, c int) {
	mask := func(b bool) uint32 {
		var u uint32
		if b {
			u = ^uint32(0)
		}
		return u
	}
	for ow := range len(src) / c {
		a, b := top[2*ow*c:][:2*c], bottom[2*ow*c:][:2*c]
		da, db := dtop[2*ow*c:][:2*c], dbottom[2*ow*c:][:2*c]
		for k, s := range src[ow*c:][:c] {
			v0, v1, v2, v3 := a[k], a[c+k], b[k], b[c+k]
			m := max(max(v0, v1), max(v2, v3))
			u0 := mask(v0 == m)
			u1 := mask(v1 == m) &^ u0
			u2 := mask(v2 == m) &^ (u0 | u1)
			u3 := ^(u0 | u1 | u2)
			sb := math.Float32bits(s)
			da[k], da[c+k] = math.Float32frombits(sb&u0), math.Float32frombits(sb&u1)
			db[k], db[c+k] = math.Float32frombits(sb&u2), math.Float32frombits(sb&u3)
		}
	}
}

// scatterMax2x2Images32Go is scatterMax over images lo..hi of a tiled 2×2
// pool on float32, row by row: the build without cgo runs it, and it is the
// reference the C loop (pool_cgo.go) is tested against.
func scatterMax2x2Images32Go(x, v, dx []float32, g poolGeom, lo, hi int) {
	img, out := g.h*g.w*g.c, g.ho*g.wo*g.c
	row, orow := g.w*g.c, g.wo*g.c
	for b := lo; b < hi; b++ {
		xb, db, vb := x[b*img:(b+1)*img], dx[b*img:(b+1)*img], v[b*out:(b+1)*out]
		for oh := range g.ho {
			t, d := 2*oh*row, (2*oh+1)*row
			scatterMax2x2Row32(xb[t:t+row], xb[d:d+row], db[t:t+row], db[d:d+row], vb[oh*orow:(oh+1)*orow], g.c)
			// An odd width's last column is in no window.
			clear(db[t+2*orow : t+row])
			clear(db[d+2*orow : d+row])
		}
		clear(db[2*g.ho*row:]) // and an odd height's last row
	}
}

// selectScatterData is the node data of the SelectAndScatterMax nodes Wrap's
// builder adds (our own type: SimpleGo has none).
type selectScatterData struct{ geom poolGeom }

// execSelectAndScatterMax is max pooling's gradient: each window's source
// value goes to the window's largest operand element, XLA's way — the first
// in row-major window order on ties, padding never selected — summed where
// windows overlap. A window holding a NaN may send it elsewhere than XLA
// would (a diverged run's gradient either way).
func execSelectAndScatterMax(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, _ []bool) (*sgBuffer, error) {
	data, ok := node.data.(*selectScatterData)
	if !ok {
		panic("fastcpu: a SelectAndScatterMax node not built by fastcpu.Wrap") // only Wrap's builder makes them
	}
	output := sgGetBufferForShape(backend, node.shape)
	fastRuns.Add(1)
	switch xs := inputs[0].flat.(type) {
	case []float32:
		scatterMax(xs, inputs[1].flat.([]float32), output.flat.([]float32), data.geom)
	case []float64:
		scatterMax(xs, inputs[1].flat.([]float64), output.flat.([]float64), data.geom)
	}
	return output, nil
}

// scatterMax sets dx to zero, then adds v[b,oh,ow,c] at the argmax of each
// window. Workers take whole images, since windows overlap across rows.
func scatterMax[T float32 | float64](x, v, dx []T, g poolGeom) {
	img, out := g.h*g.w*g.c, g.ho*g.wo*g.c
	work := func(lo, hi int) {
		if x32, ok := any(x).([]float32); ok && g.tiled2() {
			scatterMax2x2Images32(x32, any(v).([]float32), any(dx).([]float32), g, lo, hi)
			return
		}
		best := make([]T, g.c)
		at := make([]int, g.c)
		for b := lo; b < hi; b++ {
			xb, db, vb := x[b*img:(b+1)*img], dx[b*img:(b+1)*img], v[b*out:(b+1)*out]
			clear(db)
			for oh := range g.ho {
				for ow := range g.wo {
					first := true
					for i := range g.kh {
						ih := oh*g.sh + i - g.ph
						if ih < 0 || ih >= g.h {
							continue
						}
						for j := range g.kw {
							iw := ow*g.sw + j - g.pw
							if iw < 0 || iw >= g.w {
								continue
							}
							off := (ih*g.w + iw) * g.c
							in := xb[off : off+g.c]
							if first {
								copy(best, in)
								for c := range at {
									at[c] = off + c
								}
								first = false
								continue
							}
							for c, val := range in {
								// XLA's select for max is cur >= new: keep the
								// current one unless it loses (or is NaN).
								// Branch-free, as in poolForward.
								take := !(best[c] >= val)
								k := int(*(*uint8)(unsafe.Pointer(&take)) & 1)
								at[c] ^= (at[c] ^ (off + c)) & -k
								best[c] = max(best[c], val)
							}
						}
					}
					src := vb[(oh*g.wo+ow)*g.c : (oh*g.wo+ow+1)*g.c]
					for c, s := range src {
						db[at[c]] += s
					}
				}
			}
		}
	}
	nw := workers()
	if len(x) < 1<<15 || nw == 1 || g.b < nw {
		work(0, g.b)
		return
	}
	parallel(nw, func(w int) { work(w*g.b/nw, (w+1)*g.b/nw) })
}
