package fastcpu

import "unsafe"

// sgSliceData mirrors simplego.sliceNode.
type sgSliceData struct {
	starts, limits, strides []int
}

// execSlice copies a strided slice run by run along the last axis. SimpleGo's
// own walks every element through a generic index iterator; max pooling on
// SimpleGo is k·k strided slices of every activation (models/nn's pool
// fallback), and their gradients more, so this was a fifth of LeNet's step
// once the matmuls and convolutions were fast.
func execSlice(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	pp := dataPointer(&node.data, sliceDataType)
	if pp == nil || bypass.Load() {
		debugFallback(node, inputs)
		return origSlice(backend, node, inputs, owned)
	}
	p := (*sgSliceData)(pp)
	in := inputs[0]
	switch x := in.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		sliceCopy(p, in.shape.Dimensions, node.shape.Dimensions, x, out.flat.([]float32))
		return out, nil
	case []float64:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		sliceCopy(p, in.shape.Dimensions, node.shape.Dimensions, x, out.flat.([]float64))
		return out, nil
	}
	debugFallback(node, inputs)
	return origSlice(backend, node, inputs, owned)
}

func sliceCopy[T float32 | float64](p *sgSliceData, inDims, outDims []int, x, y []T) {
	if len(y) == 0 {
		return
	}
	if len(inDims) == 0 {
		y[0] = x[0]
		return
	}
	stride := func(a int) int {
		if len(p.strides) > a && p.strides[a] > 0 {
			return p.strides[a]
		}
		return 1
	}
	// Trailing axes taken whole (start 0, full length, stride 1) form one
	// contiguous block per position of the others: a slice on H of [B,H,W,C]
	// copies blocks of W·C.
	rank, block := len(inDims), 1
	for rank > 1 && p.starts[rank-1] == 0 && outDims[rank-1] == inDims[rank-1] && stride(rank-1) == 1 {
		block *= inDims[rank-1]
		rank--
	}
	inStrides := rowMajorStrides(inDims)
	step := make([]int, rank) // input elements per output step on each kept axis
	base := 0
	for a := range rank {
		step[a] = stride(a) * inStrides[a]
		base += p.starts[a] * inStrides[a]
	}
	// The last kept axis: its positions are contiguous when its stride is 1.
	n, last := outDims[rank-1], step[rank-1]
	runLen := n * block
	od := newOdometer(outDims[:rank-1], step[:rank-1], base)
	for o := 0; o < len(y); o += runLen {
		off := od.off
		seg := y[o : o+runLen]
		switch {
		case last == block && runLen > 16: // contiguous
			copy(seg, x[off:off+runLen])
		case block == 1:
			k := off
			for i := range seg {
				seg[i] = x[k]
				k += last
			}
		default:
			k := off
			for i := 0; i < runLen; i += block {
				copy(seg[i:i+block], x[k:k+block])
				k += last
			}
		}
		od.next()
	}
}
