package fastcpu

import "sync/atomic"

// direct1chWGradOK says g is the weight gradient of a convolution
// direct1chOK takes (LeNet's conv1: dW[kh,kw,0,c] = Σ x_pad·dy over the
// batch and pixels). Through im2col that sum fills a patch matrix 25 times
// the batch's images and multiplies it with k = rows, n = 6, a GEMM shape
// OpenBLAS runs slowly; the direct loop reads each image and dy once per
// kernel row, the row's taps held in registers.
func direct1chWGradOK(g convGeom) (convGeom, bool) {
	f, ok := forwardOfWeightGrad(g)
	if !ok || !direct1chOK(f) {
		return convGeom{}, false
	}
	return f, true
}

var (
	// forceDirect1chWGrad turns the direct weight gradient off in tests and
	// comparisons (-1).
	forceDirect1chWGrad int
	// direct1chWGradRuns counts the weight gradients the direct loop ran,
	// for tests.
	direct1chWGradRuns atomic.Int64
)
