package fastcpu

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A float32 ConvGeneral can run as a oneDNN primitive instead of im2col or
// col2im and an OpenBLAS GEMM. oneDNN's direct kernels need no patch matrix
// and skip the taps that fall in the padding. Each of the three convolutions
// models/nn builds maps onto one primitive:
//   - the forward convolution (no input dilation): forward;
//   - the input gradient (input dilated by the forward stride, spatially
//     flipped kernel with its channel axes swapped): backward data, or a
//     forward convolution with the flipped kernel when the stride is 1;
//   - the weight gradient (weightgrad.go's layout): backward weights.
// oneDNN 2.6 has no float64 convolutions: float64 keeps the OpenBLAS path.

// Kinds of oneDNN problem.
const (
	dnnlForward = iota
	dnnlBackwardData
	dnnlBackwardWeights
)

// dnnlProblem is a convolution in oneDNN's terms: logical dims and element
// strides of src {N, IC, IH, IW}, weights {OC, IC, KH, KW} and dst
// {N, OC, OH, OW} (for backward data, src is the result; for backward
// weights, the weights are), oneDNN's dilation (0 = none) and padding.
type dnnlProblem struct {
	kind                          int
	blocked                       int // operands in oneDNN's own layouts (bits below), reordered around the primitive
	src, srcStrides               [4]int
	wei, weiStrides               [4]int
	dst, dstStrides               [4]int
	strides, dilation, padL, padR [2]int
}

// Operands (bits of dnnlProblem.blocked) oneDNN may lay out its own way.
const (
	blockedWeights = 1 << 1
	blockedAll     = 1<<0 | blockedWeights | 1<<2
)

var (
	dnnlOpened bool // set by install when the library opened
	// dnnlRuns counts convolutions oneDNN computed, so tests can tell it
	// from the OpenBLAS path.
	dnnlRuns  atomic.Int64
	dnnlMu    sync.Mutex
	dnnlCache = map[dnnlProblem]*dnnlEntry{}
)

type dnnlEntry struct {
	prim *dnnlPrimitive
	err  error // oneDNN refused the problem: the OpenBLAS path, for good
	// reference: oneDNN has only its reference kernel for the problem
	// (in our layouts, say), hundreds of times slower.
	reference bool
}

// planDNNL maps g onto a oneDNN problem; false when none fits.
func planDNNL(g convGeom) (dnnlProblem, bool) {
	var p dnnlProblem
	if f, ok := forwardOfWeightGrad(g); ok {
		p.kind = dnnlBackwardWeights
		p.src, p.srcStrides = [4]int{f.batch, f.cin, f.in[0], f.in[1]}, [4]int{f.iB, f.iC, f.iS[0], f.iS[1]}
		p.wei, p.weiStrides = [4]int{f.cout, f.cin, f.k[0], f.k[1]}, [4]int{f.kO, f.kI, f.kS[0], f.kS[1]}
		p.dst, p.dstStrides = [4]int{f.batch, f.cout, f.out[0], f.out[1]}, [4]int{f.oB, f.oC, f.oS[0], f.oS[1]}
		for s := range 2 {
			p.strides[s], p.padL[s] = f.stride[s], f.padLo[s]
			hi, ok := padHigh(f.in[s], f.out[s], f.k[s], f.stride[s], 1, f.padLo[s])
			if !ok {
				return p, false
			}
			p.padR[s] = hi
		}
		return p, true
	}
	if g.idil == [2]int{1, 1} {
		p.kind = dnnlForward
		p.src, p.srcStrides = [4]int{g.batch, g.cin, g.in[0], g.in[1]}, [4]int{g.iB, g.iC, g.iS[0], g.iS[1]}
		p.wei, p.weiStrides = [4]int{g.cout, g.cin, g.k[0], g.k[1]}, [4]int{g.kO, g.kI, g.kS[0], g.kS[1]}
		p.dst, p.dstStrides = [4]int{g.batch, g.cout, g.out[0], g.out[1]}, [4]int{g.oB, g.oC, g.oS[0], g.oS[1]}
		for s := range 2 {
			p.strides[s], p.dilation[s], p.padL[s] = g.stride[s], g.kdil[s]-1, g.padLo[s]
			hi, ok := padHigh(g.in[s], g.out[s], g.k[s], g.stride[s], g.kdil[s], g.padLo[s])
			if !ok {
				return p, false
			}
			p.padR[s] = hi
		}
		return p, true
	}
	// The input gradient of a strided convolution: this node's input is the
	// forward's dy, its output the forward's dx, its kernel the forward's
	// weights flipped (runDNNL flips them back) with the channels swapped.
	if g.stride != [2]int{1, 1} || g.kdil != [2]int{1, 1} {
		return p, false
	}
	p.kind = dnnlBackwardData
	p.src, p.srcStrides = [4]int{g.batch, g.cout, g.out[0], g.out[1]}, [4]int{g.oB, g.oC, g.oS[0], g.oS[1]}
	p.wei, p.weiStrides = [4]int{g.cin, g.cout, g.k[0], g.k[1]}, [4]int{g.kI, g.kO, g.kS[0], g.kS[1]}
	p.dst, p.dstStrides = [4]int{g.batch, g.cin, g.in[0], g.in[1]}, [4]int{g.iB, g.iC, g.iS[0], g.iS[1]}
	for s := range 2 {
		lo := g.k[s] - 1 - g.padLo[s]
		if lo < 0 {
			return p, false
		}
		p.strides[s], p.padL[s] = g.idil[s], lo
		hi, ok := padHigh(g.out[s], g.in[s], g.k[s], g.idil[s], 1, lo)
		if !ok {
			return p, false
		}
		p.padR[s] = hi
	}
	return p, true
}

// padHigh is the padding after the image that oneDNN's shape check
// (in + lo + hi − span) / stride + 1 = out accepts, the smallest one ≥ 0:
// rows a stride leaves out at the end need none.
func padHigh(in, out, k, stride, kdil, lo int) (int, bool) {
	span := (k-1)*kdil + 1
	least := (out-1)*stride + span - in - lo
	hi := max(least, 0)
	return hi, hi <= least+stride-1
}

// runDNNL computes the float32 convolution g on oneDNN when the mode or the
// table picks it and oneDNN takes the problem; false sends it to OpenBLAS.
func runDNNL(backend unsafe.Pointer, g convGeom, x, w, y []float32) bool {
	if !dnnlOpened || dnnlDisabled() || forceDNNL < 0 {
		return false
	}
	p, ok := planDNNL(g)
	if !ok {
		return false
	}
	use, blocked := useDNNL(p)
	if !use {
		return false
	}
	p.blocked = blocked
	e := dnnlPrimitiveFor(p)
	if e.err != nil || e.reference && forceDNNL == 0 {
		return false
	}
	var err error
	switch p.kind {
	case dnnlForward:
		err = e.prim.run(unsafe.Pointer(&x[0]), unsafe.Pointer(&w[0]), unsafe.Pointer(&y[0]))
	case dnnlBackwardData:
		fb, fw := scratch[float32](backend, len(w))
		flipKernel(g, w, fw)
		err = e.prim.run(unsafe.Pointer(&y[0]), unsafe.Pointer(&fw[0]), unsafe.Pointer(&x[0]))
		sgPutBuffer(backend, fb)
	case dnnlBackwardWeights:
		err = e.prim.run(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), unsafe.Pointer(&w[0]))
	}
	if err != nil {
		// The output may be half written; nothing else has read it yet.
		panic(fmt.Sprintf("fastcpu: %v on %+v", err, p))
	}
	dnnlRuns.Add(1)
	return true
}

// dnnlPrimitiveFor returns p's cached primitive, creating it at first use.
func dnnlPrimitiveFor(p dnnlProblem) *dnnlEntry {
	dnnlMu.Lock()
	defer dnnlMu.Unlock()
	e := dnnlCache[p]
	if e == nil {
		prim, err := newDNNLPrimitive(p)
		e = &dnnlEntry{prim: prim, err: err}
		e.reference = err == nil && strings.HasPrefix(prim.impl, "ref")
		dnnlCache[p] = e
		if debugOn {
			if err != nil {
				fmt.Fprintf(os.Stderr, "fastcpu: %v\n", err)
			} else {
				fmt.Fprintf(os.Stderr, "fastcpu: oneDNN %s, %d reorder(s), for %+v\n", prim.impl, prim.reorders, p)
			}
		}
	}
	return e
}

// flipKernel writes w reversed along both spatial axes into dst (same layout).
func flipKernel[T float32 | float64](g convGeom, w, dst []T) {
	for a := range g.k[0] {
		for b := range g.k[1] {
			from := (g.k[0]-1-a)*g.kS[0] + (g.k[1]-1-b)*g.kS[1]
			to := a*g.kS[0] + b*g.kS[1]
			for i := range g.cin {
				for o := range g.cout {
					off := i*g.kI + o*g.kO
					dst[to+off] = w[from+off]
				}
			}
		}
	}
}
