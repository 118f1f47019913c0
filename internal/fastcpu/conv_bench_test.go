package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// BenchmarkLeNetConvs times each convolution of LeNet's b256 train step (and
// cnn28's widest) on
// its own (forward, weight gradient, input gradient), fast path against
// SimpleGo's executor.
func BenchmarkLeNetConvs(b *testing.B) {
	if !Install() {
		b.Skip(Status())
	}
	be := newBackendB(b)
	r := rand.New(rand.NewPCG(1, 1))
	nhwc := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	inGrad := nhwc
	inGrad.KernelInputChannels, inGrad.KernelOutputChannels = 3, 2
	wGrad := backends.ConvolveAxesConfig{
		InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
	}
	one := []int{1, 1}
	cases := []struct {
		name       string
		axes       backends.ConvolveAxesConfig
		in, kernel []int
		pad        [][2]int
		stride     int // forward stride (the weight gradient's kernel dilation)
	}{
		{"conv1 fwd", nhwc, []int{256, 28, 28, 1}, []int{5, 5, 1, 6}, [][2]int{{2, 2}, {2, 2}}, 1},
		{"conv1 dw", wGrad, []int{256, 28, 28, 1}, []int{256, 28, 28, 6}, [][2]int{{2, 2}, {2, 2}}, 1},
		{"conv2 fwd", nhwc, []int{256, 14, 14, 6}, []int{5, 5, 6, 16}, [][2]int{{0, 0}, {0, 0}}, 1},
		{"conv2 dw", wGrad, []int{256, 14, 14, 6}, []int{256, 10, 10, 16}, [][2]int{{0, 0}, {0, 0}}, 1},
		{"conv2 dx", inGrad, []int{256, 10, 10, 16}, []int{5, 5, 6, 16}, [][2]int{{4, 4}, {4, 4}}, 1},
		// cnn28's second 3×3 conv, batch 128.
		{"cnn28 conv2 fwd", nhwc, []int{128, 28, 28, 32}, []int{3, 3, 32, 32}, [][2]int{{1, 1}, {1, 1}}, 1},
		{"cnn28 conv2 dw", wGrad, []int{128, 28, 28, 32}, []int{128, 28, 28, 32}, [][2]int{{1, 1}, {1, 1}}, 1},
		{"cnn28 conv2 dx", inGrad, []int{128, 28, 28, 32}, []int{3, 3, 32, 32}, [][2]int{{1, 1}, {1, 1}}, 1},
		// The quick profile's AlexNet (¼ width) at batch 64.
		{"alexnet conv1 fwd", nhwc, []int{64, 67, 67, 1}, []int{11, 11, 1, 24}, [][2]int{{0, 0}, {0, 0}}, 4},
		{"alexnet conv1 dw", wGrad, []int{64, 66, 66, 1}, []int{64, 15, 15, 24}, [][2]int{{0, 0}, {0, 0}}, 4},
		{"alexnet conv2 fwd", nhwc, []int{64, 7, 7, 24}, []int{5, 5, 24, 64}, [][2]int{{2, 2}, {2, 2}}, 1},
		{"alexnet conv2 dw", wGrad, []int{64, 7, 7, 24}, []int{64, 7, 7, 64}, [][2]int{{2, 2}, {2, 2}}, 1},
		{"alexnet conv2 dx", inGrad, []int{64, 7, 7, 64}, []int{5, 5, 24, 64}, [][2]int{{2, 2}, {2, 2}}, 1},
		{"alexnet conv4 fwd", nhwc, []int{64, 3, 3, 96}, []int{3, 3, 96, 96}, [][2]int{{1, 1}, {1, 1}}, 1},
	}
	for _, c := range cases {
		for _, force := range []int{0, forceIm2col, forceCol2im, forceIm2colRows} { // 0: as the cost model picks
			b.Run(fmt.Sprintf("%s/%d", c.name, force), func(b *testing.B) {
				forceAlgorithm = force
				defer func() { forceAlgorithm = 0 }()
				strides, kdil := one, one
				if s := max(c.stride, 1); c.axes.InputBatch == wGrad.InputBatch {
					kdil = []int{s, s}
				} else {
					strides = []int{s, s}
				}
				exec := graph.MustNewExec(be, func(x, w *graph.Node) *graph.Node {
					return graph.ConvGeneral(x, w, c.axes, strides, c.pad, one, kdil, 1, 1)
				})
				x, w := randomTensor(r, dtypes.Float32, c.in...), randomTensor(r, dtypes.Float32, c.kernel...)
				exec.MustExec(x, w)[0].FinalizeAll()
				b.ResetTimer()
				for range b.N {
					exec.MustExec(x, w)[0].FinalizeAll()
				}
			})
		}
	}
}
