package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// wgrad1chCase is a one-input-channel convolution's weight gradient: x
// [b,h,w,1], taps kh×kw, padding lo/hi, c output channels; dy is
// [b, h+lo₀+hi₀-kh+1, w+lo₁+hi₁-kw+1, c].
type wgrad1chCase struct {
	b, h, w, kh, kw, c int
	pad                [2][2]int
	kdil               int // the forward's stride
	direct             bool
}

func (c wgrad1chCase) dyShape() []int {
	d := max(c.kdil, 1)
	return []int{c.b, (c.h+c.pad[0][0]+c.pad[0][1]-c.kh)/d + 1, (c.w+c.pad[1][0]+c.pad[1][1]-c.kw)/d + 1, c.c}
}

// models/nn's weight gradient: x [B,H,W,Cin] read with Cin as the batch, dy
// as the kernel, into [kh,kw,Cin,Cout].
var wgrad1chAxes = backends.ConvolveAxesConfig{
	InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
	KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
	OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
}

var wgrad1chCases = []wgrad1chCase{
	{b: 3, h: 28, w: 28, kh: 5, kw: 5, c: 6, pad: [2][2]int{{2, 2}, {2, 2}}, direct: true}, // LeNet's conv1
	{b: 1, h: 28, w: 28, kh: 5, kw: 5, c: 6, pad: [2][2]int{{2, 2}, {2, 2}}, direct: true},
	{b: 4, h: 9, w: 7, kh: 5, kw: 3, c: 4, pad: [2][2]int{{1, 3}, {0, 2}}, direct: true},
	{b: 2, h: 6, w: 11, kh: 3, kw: 3, c: 5, direct: true},
	{b: 5, h: 8, w: 5, kh: 2, kw: 4, c: 7, pad: [2][2]int{{1, 0}, {3, 3}}, direct: true},
	{b: 3, h: 5, w: 6, kh: 1, kw: 1, c: 8, direct: true},
	{b: 2, h: 5, w: 5, kh: 5, kw: 5, c: 6, pad: [2][2]int{{4, 4}, {4, 4}}, direct: true},    // dy's edges see only padding
	{b: 7, h: 3, w: 13, kh: 1, kw: 11, c: 6, pad: [2][2]int{{0, 0}, {10, 3}}, direct: true}, // a kernel row over two groups of taps
	{b: 3, h: 10, w: 9, kh: 3, kw: 8, c: 5, pad: [2][2]int{{2, 1}, {7, 0}}, direct: true},
	{b: 1, h: 4, w: 1, kh: 3, kw: 1, c: 4, pad: [2][2]int{{1, 1}, {0, 0}}, direct: true},  // one pixel a row
	{b: 2, h: 8, w: 8, kh: 3, kw: 3, c: 3, direct: false},                                 // 3 channels
	{b: 2, h: 8, w: 8, kh: 3, kw: 3, c: 9, direct: false},                                 // 9 channels
	{b: 2, h: 9, w: 9, kh: 3, kw: 3, c: 6, kdil: 2, direct: false},                        // a strided forward
	{b: 2, h: 8, w: 8, kh: 6, kw: 5, c: 6, direct: false},                                 // 30 taps
	{b: 2, h: 8, w: 8, kh: 3, kw: 3, c: 6, pad: [2][2]int{{1, 3}, {1, 1}}, direct: false}, // padding after past the kernel
}

// The direct weight gradient must match SimpleGo's own ConvGeneral on the
// shapes it takes, and leave the others to the im2col path.
func TestDirect1chWGradMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(51, 52))
	axes := wgrad1chAxes
	for _, c := range wgrad1chCases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			kdil := []int{max(c.kdil, 1), max(c.kdil, 1)}
			pad := [][2]int{c.pad[0], c.pad[1]}
			before, beforeFwd := direct1chWGradRuns.Load(), direct1chRuns.Load()
			compareWithSimpleGo(t, be, tolFor(dtypes.Float32), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
				return graph.ConvGeneral(in[0], in[1], axes, []int{1, 1}, pad, []int{1, 1}, kdil, 1, 1)
			}, randomTensor(r, dtypes.Float32, c.b, c.h, c.w, 1), randomTensor(r, dtypes.Float32, c.dyShape()...))
			if ran := direct1chWGradRuns.Load() > before; ran != c.direct && hasDirect1chWGrad {
				t.Fatalf("direct weight gradient ran: %v, want %v", ran, c.direct)
			}
			if direct1chRuns.Load() != beforeFwd {
				t.Fatal("the forward's direct loop took a weight gradient")
			}
		})
	}
}

// The direct loop against the definition and against the im2col path it
// replaces, on one and two workers, with a guard after dw: its masked
// stores must stay inside (a write past dw would not show against SimpleGo,
// whose buffers are pooled).
func TestDirect1chWGradMatchesIm2col(t *testing.T) {
	if !hasDirect1chWGrad {
		t.Skip("no direct weight gradient in this build or on this CPU")
	}
	be := newBackend(t)
	backend := unsafe.Pointer(be.(*simplego.Backend))
	r := rand.New(rand.NewPCG(53, 54))
	saved := sw.Workers
	defer func() { sw.Workers = saved }()
	for _, c := range wgrad1chCases {
		if !c.direct {
			continue
		}
		for _, nw := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%+v/workers=%d", c, nw), func(t *testing.T) {
				sw.Workers = nw
				dys := c.dyShape()
				oh, ow := dys[1], dys[2]
				g := wgrad1chGeom(t, c)
				x := make([]float32, c.b*c.h*c.w)
				dy := make([]float32, c.b*oh*ow*c.c)
				for i := range x {
					x[i] = r.Float32()*2 - 1
				}
				for i := range dy {
					dy[i] = r.Float32()*2 - 1
				}
				taps := c.kh * c.kw * c.c
				dw := make([]float32, taps+16)
				for i := range dw {
					dw[i] = 7
				}
				if !direct1chWGrad(g, x, dy, dw[:taps]) {
					t.Fatal("the direct loop refused")
				}
				for i, v := range dw[taps:] {
					if v != 7 {
						t.Fatalf("wrote %g past dw, at %d", v, taps+i)
					}
				}
				old := make([]float32, taps)
				forceDirect1chWGrad = -1
				convolve(backend, g, x, dy, old, gemm32)
				forceDirect1chWGrad = 0
				for a := range c.kh {
					for e := range c.kw {
						for o := range c.c {
							want := float64(0)
							for b := range c.b {
								for i := range oh {
									for j := range ow {
										ih, iw := i+a-c.pad[0][0], j+e-c.pad[1][0]
										if ih >= 0 && iw >= 0 && ih < c.h && iw < c.w {
											want += float64(x[(b*c.h+ih)*c.w+iw]) * float64(dy[((b*oh+i)*ow+j)*c.c+o])
										}
									}
								}
							}
							k := (a*c.kw+e)*c.c + o
							tol := 1e-5 * float64(c.b*oh*ow)
							if d := float64(dw[k]) - want; d > tol || d < -tol {
								t.Fatalf("dw[%d,%d,0,%d] = %g, want %g", a, e, o, dw[k], want)
							}
							if d := float64(dw[k] - old[k]); d > tol || d < -tol {
								t.Fatalf("dw[%d,%d,0,%d] = %g, im2col's %g", a, e, o, dw[k], old[k])
							}
						}
					}
				}
			})
		}
	}
}

// wgrad1chGeom is the weight gradient's convGeom as planConv makes it from
// models/nn's layout.
func wgrad1chGeom(t *testing.T, c wgrad1chCase) convGeom {
	t.Helper()
	data := &sgConvData{axes: wgrad1chAxes, strides: []int{1, 1}, paddings: [][2]int{c.pad[0], c.pad[1]},
		inputDilations: []int{1, 1}, kernelDilations: []int{1, 1}, channelGroupCount: 1, batchGroupCount: 1}
	g, ok := planConv(data, []int{c.b, c.h, c.w, 1}, c.dyShape(), []int{c.kh, c.kw, 1, c.c})
	if !ok {
		t.Fatal("planConv refuses it")
	}
	return g
}
