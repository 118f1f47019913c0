package nn

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// BenchmarkLeNetLayers times each LeNet layer alone, forward + backward (to
// its input and weights), at batch 256 on SimpleGo: where a train step goes.
func BenchmarkLeNetLayers(b *testing.B) {
	be := goBackend(b)
	const batch = 256
	cases := []struct {
		layer     Layer
		in        []int
		needInput bool
	}{
		{Conv2D{"conv1", 6, 5, 1, 2}, []int{28, 28, 1}, false},
		{Activation{"relu1", "relu"}, []int{28, 28, 6}, true},
		{Pool2D{"pool1", true, 2, 2, 0}, []int{28, 28, 6}, true},
		{Conv2D{"conv2", 16, 5, 1, 0}, []int{14, 14, 6}, true},
		{Pool2D{"pool2", true, 2, 2, 0}, []int{10, 10, 16}, true},
		{Dense{"fc1", 120}, []int{400}, true},
	}
	for _, c := range cases {
		b.Run(c.layer.Name(), func(b *testing.B) {
			ctx := context.New()
			dims := append([]int{batch}, c.in...)
			e := context.MustNewExec(be, ctx, func(ctx *context.Context, x *Node) []*Node {
				ctx.SetTraining(x.Graph(), true)
				y := c.layer.Forward(ctx, x)
				loss := ReduceAllSum(y)
				var wrt []*Node
				if c.needInput {
					wrt = append(wrt, x)
				}
				grads := Gradient(loss, wrt...)
				if len(wrt) == 0 {
					grads = ctx.BuildTrainableVariablesGradientsGraph(loss)
				} else {
					grads = append(grads, ctx.BuildTrainableVariablesGradientsGraph(loss)...)
				}
				return append([]*Node{loss}, grads...)
			})
			x := tensors.FromShape(shapes.Make(dtypes.Float32, dims...))
			for _, t := range e.MustExec(x) {
				t.FinalizeAll()
			}
			b.ResetTimer()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				for _, t := range e.MustExec(x) {
					t.FinalizeAll()
				}
			}
			b.ReportMetric(float64(time.Since(t0).Milliseconds())/float64(b.N), "ms/op")
			_ = fmt.Sprint()
		})
	}
}

// BenchmarkConvForward compares SimpleGo's native ConvGeneral with the im2col
// fallback on LeNet's conv2 at batch 256 (forward only), in GFLOP/s.
func BenchmarkConvForward(b *testing.B) {
	be := goBackend(b)
	const batch, h, cin, cout, k = 256, 14, 6, 16, 5
	flops := 2.0 * float64(batch*(h-k+1)*(h-k+1)*cout*k*k*cin)
	x := tensors.FromShape(shapes.Make(dtypes.Float32, batch, h, h, cin))
	w := tensors.FromShape(shapes.Make(dtypes.Float32, k, k, cin, cout))
	for _, tc := range []struct {
		name string
		fn   func(x, w *Node) *Node
	}{
		{"native", func(x, w *Node) *Node { return Convolve(x, w).StridePerAxis(1, 1).NoPadding().Done() }},
		{"im2col", func(x, w *Node) *Node { return im2colConv(x, w, nil, k, 1, 0) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := MustNewExec(be, tc.fn)
			e.MustExec(x, w)[0].FinalizeAll()
			b.ResetTimer()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				e.MustExec(x, w)[0].FinalizeAll()
			}
			b.ReportMetric(flops*float64(b.N)/time.Since(t0).Seconds()/1e9, "GFLOP/s")
		})
	}
}
