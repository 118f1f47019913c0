package fastcpu

import "sync/atomic"

// direct1ch is the geometry a direct convolution over one input channel
// takes (LeNet's conv1: 28×28×1 images, 5×5 taps, 6 output channels, padding
// 2): channels-last activations, a [kh,kw,1,cout] kernel, stride 1, no
// dilation, padding under the kernel, and 4 to 8 output channels (one 8-lane
// vector a pixel). Over one channel im2col's patch matrix is 25 times the
// image and its GEMM has k = 25; the direct loop reads the image once, the
// 25 weight vectors held in registers.
func direct1chOK(g convGeom) bool {
	if g.cin != 1 || g.cout < 4 || g.cout > 8 || g.k[0]*g.k[1] > 25 {
		return false
	}
	for s := range 2 {
		if g.stride[s] != 1 || g.kdil[s] != 1 || g.idil[s] != 1 || g.padLo[s] < 0 || g.padLo[s] >= g.k[s] {
			return false
		}
	}
	// The output covers only positions whose taps reach the image or its
	// padding before (the padding after is whatever the sizes leave).
	if g.out[0] > g.in[0]+g.padLo[0] || g.out[1] > g.in[1]+g.padLo[1] {
		return false
	}
	return g.iB == g.in[0]*g.in[1] && g.iS == [2]int{g.in[1], 1} &&
		g.kS == [2]int{g.k[1] * g.cout, g.cout} && g.kO == 1 &&
		g.oB == g.out[0]*g.out[1]*g.cout && g.oS == [2]int{g.out[1] * g.cout, g.cout} && g.oC == 1
}

var (
	// forceDirect1ch turns the direct loop off in tests and comparisons (-1).
	forceDirect1ch int
	// direct1chRuns counts the convolutions the direct loop ran, for tests.
	direct1chRuns atomic.Int64
)
