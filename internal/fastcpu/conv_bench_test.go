package fastcpu

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// BenchmarkLeNetConvs times each convolution of LeNet's b256, cnn28's b128
// and AlexNet-quick's b64 train steps on its own (forward, weight gradient,
// input gradient), path by path: -bench 'LeNetConvs/.*/(blas|dnnlBlocked)$'
// compares OpenBLAS with oneDNN.
func BenchmarkLeNetConvs(b *testing.B) {
	if !Install() {
		b.Skip(Status())
	}
	be := newBackendB(b)
	r := rand.New(rand.NewPCG(1, 1))
	// Each model's convolutions as models/nn builds them: forward, input
	// gradient (not for the first layer, whose input is the data) and
	// weight gradient.
	var cases []convCase
	for _, l := range []struct {
		name                     string
		b, h, cin, cout, k, s, p int
		first                    bool
	}{
		{"lenet conv1", 256, 28, 1, 6, 5, 1, 2, true},
		{"lenet conv2", 256, 14, 6, 16, 5, 1, 0, false},
		{"cnn28 conv1", 128, 28, 1, 32, 3, 1, 1, true},
		{"cnn28 conv2", 128, 28, 32, 32, 3, 1, 1, false},
		{"cnn28 conv3", 128, 14, 32, 64, 3, 1, 1, false},
		{"cnn28 conv4", 128, 14, 64, 64, 3, 1, 1, false},
		// The quick profile's AlexNet (¼ width) at batch 64.
		{"alexnet conv1", 64, 67, 1, 24, 11, 4, 1, true},
		{"alexnet conv2", 64, 7, 24, 64, 5, 1, 2, false},
		{"alexnet conv3", 64, 3, 64, 96, 3, 1, 1, false},
		{"alexnet conv4", 64, 3, 96, 96, 3, 1, 1, false},
		{"alexnet conv5", 64, 3, 96, 64, 3, 1, 1, false},
	} {
		for _, c := range squareConvCases(l.name, l.b, l.h, l.h, l.cin, l.cout, l.k, l.s, l.p) {
			if !(l.first && strings.HasSuffix(c.name, " dx")) {
				cases = append(cases, c)
			}
		}
	}
	// Each path by name: "auto" as the table and cost model pick, "blas" the
	// cost model's OpenBLAS choice, then each forced algorithm.
	paths := []struct {
		name       string
		algo, dnnl int
	}{
		{"auto", 0, 0}, {"blas", 0, -1}, {"im2col", forceIm2col, -1}, {"col2im", forceCol2im, -1},
		{"im2colRows", forceIm2colRows, -1}, {"dnnl", 0, 1}, {"dnnlBlocked", 0, 2}, {"dnnlW", 0, 3},
	}
	for _, c := range cases {
		for _, path := range paths {
			b.Run(c.name+"/"+path.name, func(b *testing.B) {
				forceAlgorithm, forceDNNL = path.algo, path.dnnl
				defer func() { forceAlgorithm, forceDNNL = 0, 0 }()
				exec := graph.MustNewExec(be, func(x, w *graph.Node) *graph.Node {
					return c.build([]*graph.Node{x, w})
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
