package fastcpu

import (
	"math"
	"unsafe"
)

// Sigmoid: d2l's LeNet is sigmoid throughout, and SimpleGo's Logistic takes
// a float64 math.Exp per element (about 9 ns each here: its first layer's
// Logistic alone was a fifth of the step), while the gradient GoMLX builds,
// v·(y·(1−y)), is three more passes (a Sub and two Muls). Here Logistic is
// one pass with a float32 exp, Wrap's builder fuses it with the bias Add
// before it, and the gradient is one pass (fuse_sigmoid.go).

var origLogistic executor

// fusedAddSigmoid is Logistic(Add(t, bias)): inputs t and bias, laid out
// against the output as la and ra.
type fusedAddSigmoid struct{ la, ra blockLayout }

// fusedSigmoidGrad is Mul(v, Mul(y, Sub(1, y))): inputs y and v.
type fusedSigmoidGrad struct{}

// execLogistic runs a Logistic node: fused with its bias add, or alone on a
// float tensor; anything else (bf16) goes to SimpleGo's own.
func execLogistic(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	if f, ok := node.data.(*fusedAddSigmoid); ok {
		return execAddSigmoid(backend, node, inputs, owned, f), nil
	}
	x := inputs[0]
	if bypass.Load() || !isFloat(node.shape.DType) || x.shape.DType != node.shape.DType {
		debugFallback(node, inputs)
		return origLogistic(backend, node, inputs, owned)
	}
	xFlat := x.flat // before outputBuffer may take its slot
	output := outputBuffer(backend, node, inputs, owned, 0)
	n := node.shape.Size()
	fastRuns.Add(1)
	switch xs := xFlat.(type) {
	case []float32:
		y := output.flat.([]float32)[:n]
		splitRange(n, func(lo, hi int) { sigmoidInto(xs[lo:hi], y[lo:hi]) })
	case []float64:
		y := output.flat.([]float64)[:n]
		splitRange(n, func(lo, hi int) { sigmoidInto(xs[lo:hi], y[lo:hi]) })
	}
	return output, nil
}

// execAddSigmoid is fusedAddSigmoid's kernel: the Add in chunks that stay in
// L1, each passed through the sigmoid before the next.
func execAddSigmoid(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool, f *fusedAddSigmoid) *sgBuffer {
	lhs, rhs := inputs[0].flat, inputs[1].flat // before outputBuffer may take a slot
	output := outputBuffer(backend, node, inputs, owned, 0, 1)
	n := node.shape.Size()
	fastRuns.Add(1)
	switch a := lhs.(type) {
	case []float32:
		addSigmoid(a, rhs.([]float32), output.flat.([]float32)[:n], f.la, f.ra)
	case []float64:
		addSigmoid(a, rhs.([]float64), output.flat.([]float64)[:n], f.la, f.ra)
	}
	return output
}

func addSigmoid[T float32 | float64](a, b, y []T, la, ra blockLayout) {
	a, la = widen(a, la, len(y))
	b, ra = widen(b, ra, len(y))
	if a32, ok := any(a).([]float32); ok && la.suffix && la.block == len(y) && ra.suffix {
		// A full-size t and a bias block (the conv layers' case): add and
		// sigmoid vectorized together.
		b32, y32 := any(b).([]float32), any(y).([]float32)
		splitRange(len(y), func(lo, hi int) { addSigmoid32s(a32[lo:hi], b32, lo, y32[lo:hi]) })
		return
	}
	const chunk = 2048
	splitRange(len(y), func(lo, hi int) {
		for c := lo; c < hi; c += chunk {
			e := min(c+chunk, hi)
			binaryBlocks(opAdd, a, b, y, c, e, la, ra)
			sigmoidInto(y[c:e], y[c:e])
		}
	})
}

// sigmoidInto writes y = 1/(1+e^−x); y may be x.
func sigmoidInto[T float32 | float64](x, y []T) {
	switch xs := any(x).(type) {
	case []float32:
		sigmoid32s(xs, any(y).([]float32)[:len(xs)])
	case []float64:
		ys := any(y).([]float64)[:len(xs)]
		for i, v := range xs {
			ys[i] = sigmoid64(v)
		}
	}
}

// sigmoid64 is SimpleGo's own formula, so float64 graphs agree with it to
// the last bit or two.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sigmoid32 is 1/(1+e^−x) in float32 (vecmath_cgo.go runs the same steps
// vectorized; this is its reference and the build without cgo), with e^t = 2^n·p(r) for
// n = round(t·log2 e) and r = t − n·ln 2 in [−ln2/2, ln2/2], p Cephes's expf
// polynomial (≤ 2 ulp), and t clamped so that 2^n stays a normal float:
// below −87 the sigmoid is 1 in float32 anyway, and above 88 it is under
// 6.1e-39, returned as that. Branch-free (the signs of a layer's
// pre-activations are coin flips); NaN stays NaN.
func sigmoid32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
		round = 12582912 // 1.5·2²³: adding it rounds to an integer
	)
	t := min(max(-x, -87), 88)
	f := t*log2e + round
	n := f - round
	r := t - n*ln2hi - n*ln2lo
	p := ((((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r+5.0000001201e-1)*r*r + r) + 1
	// n's integer value sits in f's low mantissa bits.
	scale := math.Float32frombits(uint32(int32(math.Float32bits(f))-int32(math.Float32bits(round))+127) << 23)
	return 1 / (1 + p*scale)
}

// execSigmoidGrad is fusedSigmoidGrad's kernel: out = v·(y·(1−y)), in
// GoMLX's order of operations, so it rounds as the three nodes did.
func execSigmoidGrad(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) *sgBuffer {
	yFlat, vFlat := inputs[0].flat, inputs[1].flat // before outputBuffer may take a slot
	output := outputBuffer(backend, node, inputs, owned, 1, 0)
	n := node.shape.Size()
	fastRuns.Add(1)
	switch y := yFlat.(type) {
	case []float32:
		sigmoidGrad(y[:n], vFlat.([]float32)[:n], output.flat.([]float32)[:n])
	case []float64:
		sigmoidGrad(y[:n], vFlat.([]float64)[:n], output.flat.([]float64)[:n])
	}
	return output
}

func sigmoidGrad[T float32 | float64](y, v, out []T) {
	splitRange(len(out), func(lo, hi int) {
		if y32, ok := any(y).([]float32); ok {
			sigmoidGrad32s(y32[lo:hi], any(v).([]float32)[lo:hi], any(out).([]float32)[lo:hi])
			return
		}
		y, v, out := y[lo:hi], v[lo:hi], out[lo:hi]
		for i, yi := range y {
			out[i] = v[i] * (yi * (1 - yi))
		}
	})
}
