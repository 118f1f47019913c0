package nn

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/internal/fastcpu"
)

// Pool2D is max or average pooling over square windows, channels last.
// Average pooling counts padding zeros, like PyTorch's default.
type Pool2D struct {
	LayerName               string
	Max                     bool
	Window, Stride, Padding int
}

func (p Pool2D) Name() string { return p.LayerName }
func (p Pool2D) Kind() string {
	if p.Max {
		return "maxpool"
	}
	return "avgpool"
}
func (p Pool2D) OutShape(in Shape) Shape {
	return Shape{convOut(in[0], p.Window, p.Stride, p.Padding), convOut(in[1], p.Window, p.Stride, p.Padding), in[2]}
}
func (p Pool2D) Params(Shape) int64 { return 0 }

// MACs is 0, as torchinfo's "Mult-Adds" counts pooling (it has no
// multiply-adds); the E4 profile counts its comparisons/additions itself.
func (p Pool2D) MACs(in Shape) int64 { return 0 }

func (p Pool2D) String() string {
	return fmt.Sprintf("%s(k=%d, s=%d, p=%d)", p.Kind(), p.Window, p.Stride, p.Padding)
}

func (p Pool2D) Forward(_ *context.Context, x *Node) *Node {
	g := x.Graph()
	pad := [][2]int{{p.Padding, p.Padding}, {p.Padding, p.Padding}}
	// On SimpleGo, SelectAndScatterMax is fastcpu.Wrap's, for the pools it
	// can run (float; padding under the window); others take the fallback.
	// Any other backend that has the op runs every pool with it.
	poolDType := x.DType()
	if poolDType == dtypes.BFloat16 {
		poolDType = dtypes.Float32 // pooled in f32 below
	}
	if p.Max && useNative(g, backends.OpTypeReduceWindow, backends.OpTypeSelectAndScatterMax) &&
		(!fastcpu.RunsOn(g.Backend()) || fastcpu.MaxPoolGradientOK(poolDType, p.Window, p.Stride, p.Padding)) {
		if x.DType() == dtypes.BFloat16 {
			// GoMLX's max-pool init value, bf16's lowest finite number, does not
			// survive the StableHLO text round trip on PJRT 0.115 ("expected element
			// literal"); pooling in f32 costs two cheap converts.
			y := MaxPool(ConvertDType(x, dtypes.Float32)).Window(p.Window).Strides(p.Stride).PaddingPerDim(pad).Done()
			return ConvertDType(y, x.DType())
		}
		return MaxPool(x).Window(p.Window).Strides(p.Stride).PaddingPerDim(pad).Done()
	}
	if !p.Max && p.Padding == 0 && useNative(g, backends.OpTypeReduceWindow, backends.OpTypePad) {
		return MeanPool(x).Window(p.Window).Strides(p.Stride).NoPadding().Done()
	}
	if dims := x.Shape().Dimensions; useFastCPU(g) && p.Window == p.Stride && p.Padding == 0 &&
		dims[1]%p.Window == 0 && dims[2]%p.Window == 0 {
		return p.tiled(x)
	}
	return p.fallback(x)
}

// tiled pools non-overlapping windows that tile the image (LeNet's and
// cnn28's 2×2/2) as one reduction over a [B, H/k, k, W/k, k, C] view: one
// pass forward, four back, where the k·k strided slices cost ~20 passes with
// their gradients. Max pooling's gradient goes to every element equal to its
// window's max; on a tie (after ReLU, windows of zeros) every tied element
// gets it, where XLA's and PyTorch's pick the first — the ReLU before the
// pool zeroes those gradients again, and ties between positive values are
// measure-zero.
func (p Pool2D) tiled(x *Node) *Node {
	dims := x.Shape().Dimensions
	b, h, w, c, k := dims[0], dims[1], dims[2], dims[3], p.Window
	x6 := Reshape(x, b, h/k, k, w/k, k, c)
	if !p.Max {
		return MulScalar(ReduceSum(x6, 2, 4), 1/float64(k*k))
	}
	y := ReduceMax(x6, 2, 4)
	return withVJP(y, func(node, v *Node, _ shapes.Shape) []*Node {
		x6 := node.Inputs()[0]
		d := x6.Shape().Dimensions
		spread := func(t *Node) *Node { return BroadcastToDims(Reshape(t, d[0], d[1], 1, d[3], 1, d[5]), d...) }
		vb := spread(v)
		return []*Node{Where(Equal(x6, spread(node)), vb, ZerosLike(vb))}
	})
}

// fallback pools with ops every backend differentiates: an elementwise
// Max/Add over the K·K strided slices. (Reshape + ReduceMax is shorter for
// LeNet's 2×2/2, but ReduceMax's gradient broadcasts over size-1 axes, which
// SimpleGo runs ~10× slower than same-shape elementwise ops.)
func (p Pool2D) fallback(x *Node) *Node {
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	k, s := p.Window, p.Stride
	ho, wo := convOut(h, k, s, p.Padding), convOut(w, k, s, p.Padding)
	if p.Padding > 0 {
		if p.Max {
			// Padding must never win the max: pad with the lowest value instead of zeros.
			low := -math.MaxFloat32
			x = padAxisWith(padAxisWith(x, 1, p.Padding, p.Padding, low), 2, p.Padding, p.Padding, low)
		} else {
			x = padAxis(padAxis(x, 1, p.Padding, p.Padding), 2, p.Padding, p.Padding)
		}
	}
	var acc *Node
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			sl := stridedSlice(x, []int{0, i, j, 0},
				[]int{b, i + (ho-1)*s + 1, j + (wo-1)*s + 1, c}, []int{1, s, s, 1})
			switch {
			case acc == nil:
				acc = sl
			case p.Max:
				acc = max2(acc, sl)
			default:
				acc = Add(acc, sl)
			}
		}
	}
	if !p.Max {
		acc = DivScalar(acc, float64(k*k))
	}
	return acc
}

// GlobalAvgPool averages each channel over the image: [B,H,W,C] → [B,C].
type GlobalAvgPool struct{ LayerName string }

func (p GlobalAvgPool) Name() string                              { return p.LayerName }
func (p GlobalAvgPool) Kind() string                              { return "globalavgpool" }
func (p GlobalAvgPool) OutShape(in Shape) Shape                   { return Shape{in[2]} }
func (p GlobalAvgPool) Params(Shape) int64                        { return 0 }
func (p GlobalAvgPool) MACs(in Shape) int64                       { return 0 }
func (p GlobalAvgPool) String() string                            { return "GlobalAvgPool" }
func (p GlobalAvgPool) Forward(_ *context.Context, x *Node) *Node { return ReduceMean(x, 1, 2) }
