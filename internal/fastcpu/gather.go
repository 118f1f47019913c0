package fastcpu

import (
	"reflect"
	"unsafe"
)

// A training step gathers its batch from the whole training set on the
// device: Gather(images [N,…], indices [B,1]) with whole rows as slices.
// SimpleGo's Gather walks every element through an index iterator (0.9 ms
// for LeNet's 200 KB batch, 5 % of its step); a row gather is B copies.

var origGather executor

// sgGatherData mirrors simplego.gatherNode.
type sgGatherData struct {
	indexVectorAxis                                                  int
	offsetOutputAxes, collapsedSlicesAxes, startIndexMap, sliceSizes []int
	indicesAreSorted                                                 bool
}

// execGather copies whole rows of axis 0 (out[i] = operand[indices[i]]),
// with indices clamped into range as XLA does; any other gather is
// SimpleGo's own.
func execGather(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	data := (*sgGatherData)(dataPointer(&node.data, gatherDataType))
	operand, indices := inputs[0], inputs[1]
	if bypass.Load() || data == nil || !isRowGather(data, operand.shape.Dimensions, indices.shape.Dimensions, node.shape.Dimensions) {
		debugFallback(node, inputs)
		return origGather(backend, node, inputs, owned)
	}
	var idx []int64
	switch ix := indices.flat.(type) {
	case []int32:
		idx = make([]int64, len(ix))
		for i, v := range ix {
			idx[i] = int64(v)
		}
	case []int64:
		idx = ix
	default:
		debugFallback(node, inputs)
		return origGather(backend, node, inputs, owned)
	}
	n := int64(operand.shape.Dimensions[0])
	if n == 0 {
		debugFallback(node, inputs)
		return origGather(backend, node, inputs, owned)
	}
	row := operand.shape.Size() / int(n) * operand.shape.DType.Size()
	output := sgGetBufferForShape(backend, node.shape)
	src, dst := rawBytes(operand.flat, operand.shape.Size()), rawBytes(output.flat, node.shape.Size())
	fastRuns.Add(1)
	for i, v := range idx[:indices.shape.Dimensions[0]] {
		v = min(max(v, 0), n-1)
		copy(dst[i*row:(i+1)*row], src[int(v)*row:int(v+1)*row])
	}
	return output, nil
}

// isRowGather tells whether a gather takes whole rows of axis 0: indices
// [B,1] (index vector last), axis 0 collapsed, every other axis whole and
// in order in the output after the batch axis.
func isRowGather(d *sgGatherData, operand, indices, out []int) bool {
	r := len(operand)
	if r == 0 || len(indices) != 2 || indices[1] != 1 || d.indexVectorAxis != 1 ||
		len(d.startIndexMap) != 1 || d.startIndexMap[0] != 0 ||
		len(d.collapsedSlicesAxes) != 1 || d.collapsedSlicesAxes[0] != 0 ||
		len(d.sliceSizes) != r || d.sliceSizes[0] != 1 || len(d.offsetOutputAxes) != r-1 ||
		len(out) != r || out[0] != indices[0] {
		return false
	}
	for a := 1; a < r; a++ {
		if d.sliceSizes[a] != operand[a] || d.offsetOutputAxes[a-1] != a || out[a] != operand[a] {
			return false
		}
	}
	return true
}

// rawBytes is the first n elements of a flat slice of any element type, as
// bytes (a pooled buffer's slice may be longer than its shape).
func rawBytes(flat any, n int) []byte {
	v := reflect.ValueOf(flat)
	if v.Kind() != reflect.Slice || v.Len() < n || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), n*int(v.Type().Elem().Size()))
}
