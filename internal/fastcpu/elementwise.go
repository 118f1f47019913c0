package fastcpu

import (
	"slices"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
)

// SimpleGo broadcasts implicitly in its binary ops, and in BroadcastInDim,
// through a per-element index iterator, and reduces through another. A bias
// add ([B,H,W,C] + [1,1,1,C]), BatchNorm's per-channel statistics and their
// gradients are exactly these, and once the matmuls were fast they were
// ~35 % of cnn28's step. The executors here take the two layouts those ops
// always have — the small operand repeats as a block over the leading axes
// (suffix), or each of its values repeats over the trailing axes (prefix) —
// and reductions over a prefix or a suffix of the axes; anything else goes to
// SimpleGo's own.

// blockLayout says how an operand broadcast to dims is laid out in the
// output: out[i] takes operand[i % block] (suffix) or operand[i / block]
// (prefix). ok is false for any other broadcast.
type blockLayout struct {
	suffix bool
	block  int
	ok     bool
}

func broadcastLayout(from, to []int) blockLayout {
	size := 1
	for _, d := range from {
		size *= d
	}
	if size == 1 { // a scalar, of any rank
		return blockLayout{suffix: true, block: 1, ok: true}
	}
	if len(from) != len(to) {
		return blockLayout{}
	}
	ones := func(d []int) bool {
		for _, v := range d {
			if v != 1 {
				return false
			}
		}
		return true
	}
	// Suffix: leading axes 1, trailing axes equal.
	for k := range len(from) + 1 {
		if ones(from[:k]) && equalDims(from[k:], to[k:]) {
			return blockLayout{suffix: true, block: size, ok: true}
		}
	}
	// Prefix: leading axes equal, trailing axes 1.
	for k := len(from); k >= 0; k-- {
		if ones(from[k:]) && equalDims(from[:k], to[:k]) {
			block := 1
			for _, d := range to[k:] {
				block *= d
			}
			return blockLayout{block: block, ok: true}
		}
	}
	return blockLayout{}
}

func equalDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type binaryKind int

const (
	opAdd binaryKind = iota
	opSub
	opMul
	opDiv
	opMax
)

var origBinary = map[backends.OpType]executor{}

func binaryExecutor(op backends.OpType, kind binaryKind) executor {
	return func(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
		switch f := node.data.(type) {
		case *fusedAddRelu:
			return execAddRelu(backend, node, inputs, owned, f), nil
		case fusedSigmoidGrad:
			return execSigmoidGrad(backend, node, inputs, owned), nil
		case *fusedTiledSum:
			return execTiledSum(backend, node, inputs, f), nil
		}
		lhs, rhs := inputs[0], inputs[1]
		out := node.shape.Dimensions
		la, ra := broadcastLayout(lhs.shape.Dimensions, out), broadcastLayout(rhs.shape.Dimensions, out)
		if bypass.Load() || !la.ok || !ra.ok || !isFloat(node.shape.DType) ||
			lhs.shape.DType != node.shape.DType || rhs.shape.DType != node.shape.DType {
			debugFallback(node, inputs)
			return origBinary[op](backend, node, inputs, owned)
		}
		output := outputBuffer(backend, node, inputs, owned, 0, 1)
		n := node.shape.Size()
		switch a := lhs.flat.(type) {
		case []float32:
			fastRuns.Add(1)
			y := output.flat.([]float32)[:n]
			a, la := widen(a, la, n)
			b, ra := widen(rhs.flat.([]float32), ra, n)
			splitRange(len(y), func(lo, hi int) { binaryBlocks(kind, a, b, y, lo, hi, la, ra) })
			return output, nil
		case []float64:
			fastRuns.Add(1)
			y := output.flat.([]float64)[:n]
			a, la := widen(a, la, n)
			b, ra := widen(rhs.flat.([]float64), ra, n)
			splitRange(len(y), func(lo, hi int) { binaryBlocks(kind, a, b, y, lo, hi, la, ra) })
			return output, nil
		}
		panic("fastcpu: binary op on a dtype isFloat let through") // unreachable
	}
}

// widen repeats a short suffix block (a bias over few channels: LeNet's 6)
// into one of at least wideBlock elements, so binaryBlocks runs over long
// contiguous runs instead of one run of 6 per pixel; out[i] still takes
// block[i % len].
func widen[T float32 | float64](x []T, l blockLayout, n int) ([]T, blockLayout) {
	if !l.suffix || l.block <= 1 || l.block >= wideBlock || l.block >= n {
		return x, l
	}
	m := (wideBlock + l.block - 1) / l.block
	wide := make([]T, l.block*m)
	for k := range m {
		copy(wide[k*l.block:], x[:l.block])
	}
	return wide, blockLayout{suffix: true, block: len(wide), ok: true}
}

// wideBlock is the shortest run widen leaves: beyond it the per-run
// overhead is small next to the run itself.
const wideBlock = 256

// binaryBlocks computes y = a op b with each operand full-size or repeating
// as a block. The output may alias a full-size operand: each element is read
// before it is written.
func binaryBlocks[T float32 | float64](kind binaryKind, a, b, y []T, lo, hi int, la, ra blockLayout) {
	n := len(y)
	// Walk the output in chunks over which each operand is a contiguous run
	// (full size: the same range; suffix: a run inside its block; prefix: one
	// value).
	i := lo
	for i < hi {
		end := hi
		ai, bi := operandRun(la, i, n, &end), operandRun(ra, i, n, &end)
		seg := y[i:end]
		switch {
		case ai.single && bi.single:
			av, bv := a[ai.at], b[bi.at]
			v := apply(kind, av, bv)
			for k := range seg {
				seg[k] = v
			}
		case bi.single:
			bv := b[bi.at]
			as := a[ai.at : ai.at+len(seg)]
			switch kind {
			case opAdd:
				for k, v := range as {
					seg[k] = v + bv
				}
			case opSub:
				for k, v := range as {
					seg[k] = v - bv
				}
			case opMul:
				for k, v := range as {
					seg[k] = v * bv
				}
			case opDiv:
				for k, v := range as {
					seg[k] = v / bv
				}
			case opMax:
				for k, v := range as {
					seg[k] = max(v, bv)
				}
			}
		case ai.single:
			av := a[ai.at]
			bs := b[bi.at : bi.at+len(seg)]
			for k, v := range bs {
				seg[k] = apply(kind, av, v)
			}
		default:
			as, bs := a[ai.at:ai.at+len(seg)], b[bi.at:bi.at+len(seg)]
			switch kind {
			case opAdd:
				for k := range seg {
					seg[k] = as[k] + bs[k]
				}
			case opSub:
				for k := range seg {
					seg[k] = as[k] - bs[k]
				}
			case opMul:
				for k := range seg {
					seg[k] = as[k] * bs[k]
				}
			case opDiv:
				for k := range seg {
					seg[k] = as[k] / bs[k]
				}
			case opMax:
				for k := range seg {
					seg[k] = max(as[k], bs[k])
				}
			}
		}
		i = end
	}
}

type runAt struct {
	at     int
	single bool // one value repeated over the run
}

// operandRun maps output position i to where the operand's run starts and
// shortens end so the run stays contiguous (or constant).
func operandRun(l blockLayout, i, n int, end *int) runAt {
	switch {
	case l.suffix && l.block == n: // full size
		return runAt{at: i}
	case l.suffix && l.block == 1: // scalar
		return runAt{at: 0, single: true}
	case l.suffix:
		off := i % l.block
		*end = min(*end, i+l.block-off)
		return runAt{at: off}
	default: // prefix: value i/block over the rest of its block
		*end = min(*end, (i/l.block+1)*l.block)
		return runAt{at: i / l.block, single: true}
	}
}

func apply[T float32 | float64](kind binaryKind, a, b T) T {
	switch kind {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opMax:
		return max(a, b)
	}
	return a / b
}

var origBroadcastInDim executor

// execBroadcastInDim tiles an operand whose axes map, in order, onto a
// suffix or a prefix of the output's (the rest size 1 in between is fine).
func execBroadcastInDim(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	if f, ok := node.data.(*fusedSpread); ok {
		return execSpread(backend, node, inputs, f), nil
	}
	in := inputs[0]
	axes, ok := node.data.([]int)
	if bypass.Load() || !ok || len(axes) != in.shape.Rank() {
		debugFallback(node, inputs)
		return origBroadcastInDim(backend, node, inputs, owned)
	}
	// The operand's shape as the output's rank, 1 on the broadcast axes.
	from := make([]int, node.shape.Rank())
	for i := range from {
		from[i] = 1
	}
	prev := -1
	for i, a := range axes {
		if a <= prev || a >= len(from) {
			debugFallback(node, inputs)
			return origBroadcastInDim(backend, node, inputs, owned)
		}
		prev = a
		from[a] = in.shape.Dimensions[i]
	}
	l := broadcastLayout(from, node.shape.Dimensions)
	switch x := in.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		y := out.flat.([]float32)[:node.shape.Size()]
		if l.ok {
			tile(x[:in.shape.Size()], y, l)
		} else if len(y) > 0 {
			broadcastStrided(x, y, from, node.shape.Dimensions)
		}
		return out, nil
	case []float64:
		fastRuns.Add(1)
		out := sgGetBufferForShape(backend, node.shape)
		y := out.flat.([]float64)[:node.shape.Size()]
		if l.ok {
			tile(x[:in.shape.Size()], y, l)
		} else if len(y) > 0 {
			broadcastStrided(x, y, from, node.shape.Dimensions)
		}
		return out, nil
	}
	debugFallback(node, inputs)
	return origBroadcastInDim(backend, node, inputs, owned)
}

func tile[T float32 | float64](x, y []T, l blockLayout) {
	if l.suffix {
		// One block, then the filled part doubled: a scalar (ZerosLike, a
		// dropout mask's fill) costs log n copies, not n.
		if len(y) == 0 {
			return
		}
		filled := copy(y, x)
		for filled < len(y) {
			filled += copy(y[filled:], y[:filled])
		}
		return
	}
	for j, v := range x {
		seg := y[j*l.block : (j+1)*l.block]
		for k := range seg {
			seg[k] = v
		}
	}
}

var origReduce = map[backends.OpType]executor{}

// reduceExecutor sums (or maxes) over a prefix of the axes (per-channel
// statistics: rows added into one accumulator row) or a suffix (per-row
// totals).
func reduceExecutor(op backends.OpType) executor {
	return func(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
		if f, ok := node.data.(*fusedTiledSum); ok {
			return execTiledSum(backend, node, inputs, f), nil
		}
		in := inputs[0]
		axes, ok := node.data.([]int)
		if bypass.Load() || !ok || len(axes) == 0 {
			debugFallback(node, inputs)
			return origReduce[op](backend, node, inputs, owned)
		}
		dims := in.shape.Dimensions
		reduced := make([]bool, len(dims))
		for _, a := range axes {
			if a < 0 || a >= len(dims) || reduced[a] {
				debugFallback(node, inputs)
				return origReduce[op](backend, node, inputs, owned)
			}
			reduced[a] = true
		}
		// Prefix: reduced axes are 0..k-1; suffix: k..rank-1.
		k := 0
		for k < len(dims) && reduced[k] {
			k++
		}
		prefix := k == len(axes)
		k = len(dims)
		for k > 0 && reduced[k-1] {
			k--
		}
		suffix := len(dims)-k == len(axes)
		isMax := op == backends.OpTypeReduceMax
		if !prefix && !suffix {
			switch x := in.flat.(type) {
			case []float32:
				fastRuns.Add(1)
				out := sgGetBufferForShape(backend, node.shape)
				reduceStrided(x[:in.shape.Size()], out.flat.([]float32)[:node.shape.Size()], dims, reduced, isMax)
				return out, nil
			case []float64:
				fastRuns.Add(1)
				out := sgGetBufferForShape(backend, node.shape)
				reduceStrided(x[:in.shape.Size()], out.flat.([]float64)[:node.shape.Size()], dims, reduced, isMax)
				return out, nil
			}
			debugFallback(node, inputs)
			return origReduce[op](backend, node, inputs, owned)
		}
		outer := 1 // rows
		if prefix {
			for _, d := range dims[:len(axes)] {
				outer *= d
			}
		} else {
			for _, d := range dims[:k] {
				outer *= d
			}
		}
		switch x := in.flat.(type) {
		case []float32:
			fastRuns.Add(1)
			out := sgGetBufferForShape(backend, node.shape)
			reduceRows(x[:in.shape.Size()], out.flat.([]float32)[:node.shape.Size()], outer, prefix, isMax)
			return out, nil
		case []float64:
			fastRuns.Add(1)
			out := sgGetBufferForShape(backend, node.shape)
			reduceRows(x[:in.shape.Size()], out.flat.([]float64)[:node.shape.Size()], outer, prefix, isMax)
			return out, nil
		}
		debugFallback(node, inputs)
		return origReduce[op](backend, node, inputs, owned)
	}
}

// reduceRows views x as [outer, len(x)/outer]; prefix reduces the rows into
// y (one value per column), otherwise each row into one value of y.
func reduceRows[T float32 | float64](x, y []T, outer int, prefix, isMax bool) {
	if outer == 0 || len(x) == 0 {
		return
	}
	width := len(x) / outer
	if prefix && width < wideBlock && outer > 2*wideBlock {
		reduceNarrowColumns(x, y, width, isMax)
		return
	}
	if prefix {
		copy(y, x[:width])
		for r := 1; r < outer; r++ {
			addInto(y, x[r*width:(r+1)*width], isMax)
		}
		return
	}
	for r := range outer {
		row := x[r*width : (r+1)*width]
		acc := row[0]
		for _, v := range row[1:] {
			if isMax {
				acc = max(acc, v)
			} else {
				acc += v
			}
		}
		y[r] = acc
	}
}

// addInto sets acc[j] += row[j] (or to the larger of the two).
func addInto[T float32 | float64](acc, row []T, isMax bool) {
	acc = acc[:len(row)]
	if isMax {
		for j, v := range row {
			acc[j] = max(acc[j], v)
		}
		return
	}
	for j, v := range row {
		acc[j] += v
	}
}

// reduceNarrowColumns reduces the rows of x, as [len(x)/width, width], into
// y for narrow rows (per-channel statistics over few channels): it adds
// m rows at a time into an accumulator m rows wide, a long contiguous loop,
// one per core, and folds the accumulators at the end.
func reduceNarrowColumns[T float32 | float64](x, y []T, width int, isMax bool) {
	m := (wideBlock + width - 1) / width
	wide := width * m
	rows := len(x) / wide // super-rows; the rest are reduced one by one
	nw := workers()
	if len(x) < 1<<16 {
		nw = 1
	}
	accs := make([][]T, nw)
	parallel(nw, func(w int) {
		lo, hi := w*rows/nw, (w+1)*rows/nw
		if lo == hi {
			return
		}
		acc := slices.Clone(x[lo*wide : lo*wide+wide])
		for r := lo + 1; r < hi; r++ {
			addInto(acc, x[r*wide:(r+1)*wide], isMax)
		}
		accs[w] = acc
	})
	first := true
	fold := func(row []T) {
		for k := 0; k < len(row); k += width {
			for c, v := range row[k : k+width] {
				switch {
				case first:
					y[c] = v
				case isMax:
					y[c] = max(y[c], v)
				default:
					y[c] += v
				}
			}
			first = false
		}
	}
	for _, acc := range accs {
		if acc != nil {
			fold(acc)
		}
	}
	fold(x[rows*wide:])
}

// outputBuffer reuses, as SimpleGo's own executors do, the first input among
// slots that has the output's shape and that the graph no longer needs
// (setting its slot to nil hands it over), else takes a buffer from the pool.
func outputBuffer(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool, slots ...int) *sgBuffer {
	for _, i := range slots {
		if owned[i] && inputs[i].shape.Equal(node.shape) {
			b := inputs[i]
			inputs[i] = nil
			return b
		}
	}
	return sgGetBufferForShape(backend, node.shape)
}
