package fastcpu

import (
	"sync/atomic"
	"unsafe"
)

// col2im multiplies every input position's channels by the kernel, giving
// each position's contribution to every (tap, out-channel), and adds those
// into the output positions the taps reach. It wins where the input is
// dilated (a strided convolution's input gradient, or any input gradient
// with more output than input channels): the holes and the overlap im2col
// would copy cost col2im nothing.
//
// Workers take blocks of whole batch elements when the batch is the input's
// outermost axis (their outputs are then disjoint), else one worker runs.
func col2im[T float32 | float64](backend unsafe.Pointer, g convGeom, x, w, y []T, gemm gemmFunc[T]) {
	taps := g.k[0] * g.k[1]
	tc := taps * g.cout
	var zero T
	elem := int(unsafe.Sizeof(zero))

	inRoles := memoryOrder(g.inAxes, roleChan)
	inDims := [4]int{roleBatch: g.batch, roleSp0: g.in[0], roleSp1: g.in[1]}
	inStride := [4]int{roleBatch: g.iB, roleSp0: g.iS[0], roleSp1: g.iS[1]}
	n1, n2 := inDims[inRoles[1]], inDims[inRoles[2]]
	perOuter := n1 * n2 // input rows per index of the outermost input axis

	// With unit stride and kernel dilation on axis 1 and channels-last
	// output, tap t1 lands on output column base-t1: taps stored in reverse
	// land in ascending columns, and a row's taps for one t0 are one run of
	// (taps × cout) adds instead of k1 runs of cout (LeNet's conv2 input
	// gradient: 30 instead of 5 × 6).
	merged := g.stride[1] == 1 && g.kdil[1] == 1 && g.oC == 1 && g.oS[1] == g.cout && forceAlgorithm != forceCol2imRuns
	tapCol := func(t0, t1 int) int {
		if merged {
			t1 = g.k[1] - 1 - t1
		}
		return t0*g.k[1] + t1
	}

	// Kernel as [cin, (tap0, tap1, cout)].
	kmBuf, km := scratch[T](backend, g.cin*tc)
	defer sgPutBuffer(backend, kmBuf)
	for c := range g.cin {
		for t0 := range g.k[0] {
			for t1 := range g.k[1] {
				base := c*g.kI + t0*g.kS[0] + t1*g.kS[1]
				dst := km[c*tc+tapCol(t0, t1)*g.cout:]
				for co := range g.cout {
					dst[co] = w[base+co*g.kO]
				}
			}
		}
	}
	clear(y)
	// target maps input coordinate i and tap t of spatial axis s to an output
	// coordinate, or -1.
	target := func(s, i, t int) int {
		num := i*g.idil[s] + g.padLo[s] - t*g.kdil[s]
		if g.stride[s] == 1 { // the common case, without divisions
			if num >= 0 && num < g.out[s] {
				return num
			}
			return -1
		}
		if num < 0 || num%g.stride[s] != 0 {
			return -1
		}
		if o := num / g.stride[s]; o < g.out[s] {
			return o
		}
		return -1
	}
	channelsLast := g.inAxes[roleChan] == 3

	nOuter := inDims[inRoles[0]]
	// Blocks of outermost-axis indices, each a cache-sized contribution matrix.
	blockOuter := max(1, blockBytes/(elem*perOuter*tc))
	nBlocks := (nOuter + blockOuter - 1) / blockOuter
	nw := 1
	if inRoles[0] == roleBatch {
		nw = min(workers(), nBlocks)
	}
	var next atomic.Int64
	parallel(nw, func(int) {
		cBuf, contrib := scratch[T](backend, min(blockOuter, nOuter)*perOuter*tc)
		defer sgPutBuffer(backend, cBuf)
		var a []T
		if !channelsLast {
			var aBuf *sgBuffer
			aBuf, a = scratch[T](backend, min(blockOuter, nOuter)*perOuter*g.cin)
			defer sgPutBuffer(backend, aBuf)
		}
		t0s, t1s := make([]int, g.k[0]), make([]int, g.k[1])
		last0, last1 := -1, -1
		for {
			b := int(next.Add(1)) - 1
			if b >= nBlocks {
				return
			}
			o0, o1 := b*blockOuter, min((b+1)*blockOuter, nOuter)
			r0, rows := o0*perOuter, (o1-o0)*perOuter
			// This block's input rows as [rows, cin].
			ab := x[r0*g.cin:]
			if !channelsLast {
				r := 0
				for i := o0; i < o1; i++ {
					for j := range n1 {
						for k := range n2 {
							base := i*inStride[inRoles[0]] + j*inStride[inRoles[1]] + k*inStride[inRoles[2]]
							for c := range g.cin {
								a[r*g.cin+c] = x[base+c*g.iC]
							}
							r++
						}
					}
				}
				ab = a
			}
			gemm(false, false, rows, tc, g.cin, ab, g.cin, km, tc, false, contrib, tc)
			r := 0
			for i := o0; i < o1; i++ {
				for j := range n1 {
					for k := range n2 {
						var idx [4]int
						idx[inRoles[0]], idx[inRoles[1]], idx[inRoles[2]] = i, j, k
						// The tap targets depend on one coordinate each.
						if idx[roleSp0] != last0 {
							for t := range t0s {
								t0s[t] = target(0, idx[roleSp0], t)
							}
							last0 = idx[roleSp0]
						}
						if idx[roleSp1] != last1 {
							for t := range t1s {
								t1s[t] = target(1, idx[roleSp1], t)
							}
							last1 = idx[roleSp1]
						}
						row := contrib[r*tc : (r+1)*tc]
						r++
						ob := idx[roleBatch] * g.oB
						if merged {
							// Stored tap u (t1 = k1-1-u) lands on column first+u.
							first := idx[roleSp1]*g.idil[1] + g.padLo[1] - (g.k[1] - 1)
							lo, hi := max(0, -first), min(g.k[1], g.out[1]-first)
							if lo >= hi {
								continue
							}
							for t0, q0 := range t0s {
								if q0 < 0 {
									continue
								}
								src := row[(t0*g.k[1]+lo)*g.cout : (t0*g.k[1]+hi)*g.cout]
								dst := y[ob+q0*g.oS[0]+(first+lo)*g.cout:][:len(src)]
								for k, v := range src {
									dst[k] += v
								}
							}
							continue
						}
						for t0, q0 := range t0s {
							if q0 < 0 {
								continue
							}
							for t1, q1 := range t1s {
								if q1 < 0 {
									continue
								}
								src := row[(t0*g.k[1]+t1)*g.cout:][:g.cout]
								base := ob + q0*g.oS[0] + q1*g.oS[1]
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
					}
				}
			}
		}
	})
}
