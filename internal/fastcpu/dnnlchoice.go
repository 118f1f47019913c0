package fastcpu

import "alexbench/internal/switches"

// Which convolutions run on oneDNN, in which layouts: the switch and the
// measured rules.

// DNNLEnv chooses where float32 convolutions run: "0" (or "off") never on
// oneDNN; "1" (or "on") on oneDNN wherever it takes the shape, in its own
// blocked layouts; "weights" the same with only the weights blocked;
// "plain" in our own layouts (oneDNN then often has only its GEMM or
// reference kernels); unset (or "auto") per shape, by the measured rules in
// dnnlPreferred and dnnlLayouts. The others are for comparisons.
const DNNLEnv = switches.DNNLModeVar

var (
	dnnlMode = sw.DNNLMode
	// forceDNNL overrides the mode in tests: 0 as configured, 1 always
	// (plain layouts), 2 always (blocked), 3 always (weights blocked, the
	// activations in our layouts), -1 never. Forced, a problem oneDNN has
	// only a reference kernel for runs on it all the same.
	forceDNNL int
)

// dnnlDisabled says whether DNNLEnv turns oneDNN off.
func dnnlDisabled() bool {
	return dnnlMode == "0" || dnnlMode == "off" || dnnlMode == "false"
}

// useDNNL says whether p runs on oneDNN, and in which layouts, for the mode
// or, by default, the measured rules.
func useDNNL(p dnnlProblem) (use bool, blocked int) {
	switch {
	case forceDNNL < 0:
		return false, 0
	case forceDNNL > 0:
		return true, [...]int{0, 0, blockedAll, blockedWeights}[forceDNNL]
	case dnnlMode == "1" || dnnlMode == "on":
		return true, blockedAll
	case dnnlMode == "plain":
		return true, 0
	case dnnlMode == "weights":
		return true, blockedWeights
	}
	return dnnlPreferred(p), dnnlLayouts(p)
}

// dnnlLayouts is the measured choice of layouts. With 16 channels or more on
// both sides (one AVX-512 vector), our channels-last activations stay as
// they are and only the weights are reordered: oneDNN then runs its brgemm
// kernels and skips two passes over the activations (cnn28's conv2–4 and
// AlexNet's conv2–5: median 1.0–1.7× over all-blocked, 0.85× at worst).
// With fewer (LeNet's 6, AlexNet's conv1's 1) its own blocked layouts for
// all three operands win (LeNet's conv2 gradients 1.2–1.3×, AlexNet's conv1
// 1.3×).
func dnnlLayouts(p dnnlProblem) int {
	if min(p.src[1], p.wei[0]) >= 16 {
		return blockedWeights
	}
	return blockedAll
}

// dnnlPreferred is the measured choice (docs/BENCHMARKS.md, "CPU
// convolutions on oneDNN": every convolution of LeNet, cnn28 and AlexNet-quick timed on
// both paths, interleaved, over several rounds). It is a fixed rule rather
// than a timing at first use so that the same seed trains the same on every
// run: the two paths round differently, and a timing on a shared machine
// would flip from run to run.
//
// oneDNN's blocked kernels won 1.3–4.2× (median of per-round ratios) on
// every convolution with several input channels, all three kinds, and on
// AlexNet's strided conv1. Over one input channel (src's IC, the image's, in
// all three kinds) its blocks are mostly padding: OpenBLAS's patches, filled
// by shifted copies of each image (im2col_t.go, weightgrad.go), tied or won
// (LeNet's conv1 0.92–0.98×, cnn28's 0.69–0.89×, AlexNet's weight gradient
// 0.93×).
func dnnlPreferred(p dnnlProblem) bool {
	if p.src[1] == 1 {
		return p.kind == dnnlForward && p.strides != [2]int{1, 1}
	}
	return true
}
