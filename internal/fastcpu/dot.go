package fastcpu

import (
	"unsafe"
)

// dotPlan is a DotGeneral as a batch of row-major GEMMs. outer > 1 splits
// the lhs cross axes around its contracting block ([B, X1, K, X2], as an
// image resize along H produces): each of the X1 slices is a transposed
// [K, X2] operand whose product fills the next X2 rows of the output.
type dotPlan struct {
	batch, m, n, k int
	transA, transB bool
	lda, ldb       int
	outer          int
}

// planDot accepts operands whose batch axes lead, in order, and whose cross
// and contracting axes each form one contiguous run in increasing order: then
// every batch element is a plain row-major matrix, transposed or not. That is
// every matmul models/nn builds; anything else goes to SimpleGo's executor.
func planDot(p *sgDotData, lhsDims []int, rhsRank int) (dotPlan, bool) {
	lhsRank := len(lhsDims)
	plan := dotPlan{batch: p.batchSize, m: p.lhsCrossSize, n: p.rhsCrossSize, k: p.contractingSize}
	if len(p.lhsContractingAxes) == 0 || plan.batch == 0 || plan.m == 0 || plan.n == 0 || plan.k == 0 {
		return plan, false
	}
	var ok bool
	plan.outer = 1
	// lhs: [B, M, K] is plain, [B, K, M] is transposed, [B, X1, K, X2] a loop
	// over X1 of transposed [K, X2].
	if plan.transA, ok = operandLayout(p.lhsBatchAxes, p.lhsContractingAxes, lhsRank); !ok {
		if plan.outer, ok = splitLayout(p.lhsBatchAxes, p.lhsContractingAxes, lhsDims); !ok {
			return plan, false
		}
		plan.transA, plan.m = true, plan.m/plan.outer
	}
	// rhs: [B, K, N] is plain, [B, N, K] is transposed — the opposite sense.
	contractFirst, ok := operandLayout(p.rhsBatchAxes, p.rhsContractingAxes, rhsRank)
	if !ok {
		return plan, false
	}
	plan.transB = !contractFirst
	plan.lda = plan.k
	if plan.transA {
		plan.lda = plan.m
	}
	plan.ldb = plan.n
	if plan.transB {
		plan.ldb = plan.k
	}
	return plan, true
}

// splitLayout accepts [B…, X1…, K…, X2…]: batch axes first, then cross axes,
// one increasing run of contracting axes, more cross axes. It returns the
// size of X1.
func splitLayout(batchAxes, contracting []int, dims []int) (outer int, ok bool) {
	for i, a := range batchAxes {
		if a != i {
			return 0, false
		}
	}
	if len(contracting) == 0 {
		return 0, false
	}
	start := contracting[0]
	for i, a := range contracting {
		if a != start+i {
			return 0, false
		}
	}
	outer = 1
	for _, d := range dims[len(batchAxes):start] {
		outer *= d
	}
	return outer, start > len(batchAxes) && start+len(contracting) < len(dims)
}

// operandLayout checks batch axes are 0..nb-1 and the contracting axes one
// increasing run, either right after the batch axes (contractFirst) or at the
// end (the cross axes then sit between).
func operandLayout(batchAxes, contracting []int, rank int) (contractFirst, ok bool) {
	for i, a := range batchAxes {
		if a != i {
			return false, false
		}
	}
	nb, nk := len(batchAxes), len(contracting)
	run := func(start int) bool {
		for i, a := range contracting {
			if a != start+i {
				return false
			}
		}
		return true
	}
	switch {
	case run(rank - nk):
		return false, true
	case run(nb):
		return true, true
	}
	return false, false
}

// execDot runs float32/float64 DotGenerals that planDot accepts on BLAS.
func execDot(backend unsafe.Pointer, node *sgNode, inputs []*sgBuffer, owned []bool) (*sgBuffer, error) {
	pp := dataPointer(&node.data, dotDataType)
	if pp == nil || bypass.Load() {
		debugFallback(node, inputs)
		return origDot(backend, node, inputs, owned)
	}
	p := (*sgDotData)(pp)
	lhs, rhs := inputs[0], inputs[1]
	plan, ok := planDot(p, lhs.shape.Dimensions, rhs.shape.Rank())
	if !ok {
		debugFallback(node, inputs)
		return origDot(backend, node, inputs, owned)
	}
	switch a := lhs.flat.(type) {
	case []float32:
		fastRuns.Add(1)
		b := rhs.flat.([]float32)
		out := sgGetBufferForShape(backend, node.shape)
		dotBatches(plan, a, b, out.flat.([]float32), gemm32)
		return out, nil
	case []float64:
		fastRuns.Add(1)
		b := rhs.flat.([]float64)
		out := sgGetBufferForShape(backend, node.shape)
		dotBatches(plan, a, b, out.flat.([]float64), gemm64)
		return out, nil
	}
	debugFallback(node, inputs)
	return origDot(backend, node, inputs, owned)
}

// dotBatches runs one GEMM per batch element. A large single product is
// split by rows of the output over every core (OpenBLAS runs one thread per
// call here), each worker a GEMM of its own rows: a row block of op(A) is a
// row block of A, or a column block of A when A is transposed.
func dotBatches[T float32 | float64](plan dotPlan, a, b, c []T, gemm gemmFunc[T]) {
	sa, sb, sc := plan.outer*plan.m*plan.k, plan.k*plan.n, plan.outer*plan.m*plan.n
	if plan.outer > 1 {
		for i := range plan.batch {
			for o := range plan.outer {
				gemm(true, plan.transB, plan.m, plan.n, plan.k, a[i*sa+o*plan.m*plan.k:], plan.m,
					b[i*sb:], plan.ldb, false, c[i*sc+o*plan.m*plan.n:], plan.n)
			}
		}
		return
	}
	nw := workers()
	if plan.batch == 1 && nw > 1 && plan.m >= 64*nw && plan.m*plan.n*plan.k >= 1<<22 {
		parallel(nw, func(w int) {
			r0, r1 := w*plan.m/nw, (w+1)*plan.m/nw
			aOff := r0 * plan.lda
			if plan.transA {
				aOff = r0
			}
			gemm(plan.transA, plan.transB, r1-r0, plan.n, plan.k, a[aOff:], plan.lda, b, plan.ldb, false, c[r0*plan.n:], plan.n)
		})
		return
	}
	for i := range plan.batch {
		gemm(plan.transA, plan.transB, plan.m, plan.n, plan.k,
			a[i*sa:], plan.lda, b[i*sb:], plan.ldb, false, c[i*sc:], plan.n)
	}
}
