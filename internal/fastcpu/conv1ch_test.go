package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// The direct one-channel convolution must match SimpleGo's own on the shapes
// it takes (odd sizes, uneven and no padding, 4 to 8 output channels, batch
// 1 and several), and leave the ones it does not take to the other paths.
func TestDirect1chMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(41, 42))
	nhwc := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	cases := []struct {
		in, kernel []int
		strides    []int
		pad        [][2]int
		direct     bool
	}{
		{[]int{3, 28, 28, 1}, []int{5, 5, 1, 6}, []int{1, 1}, [][2]int{{2, 2}, {2, 2}}, true}, // LeNet's conv1
		{[]int{1, 28, 28, 1}, []int{5, 5, 1, 6}, []int{1, 1}, [][2]int{{2, 2}, {2, 2}}, true},
		{[]int{4, 9, 7, 1}, []int{5, 3, 1, 4}, []int{1, 1}, [][2]int{{1, 3}, {0, 2}}, true},
		{[]int{2, 6, 11, 1}, []int{3, 3, 1, 5}, []int{1, 1}, nil, true},
		{[]int{5, 8, 5, 1}, []int{2, 4, 1, 7}, []int{1, 1}, [][2]int{{1, 0}, {3, 3}}, true},
		{[]int{3, 5, 6, 1}, []int{1, 1, 1, 8}, []int{1, 1}, nil, true},
		{[]int{2, 5, 5, 1}, []int{5, 5, 1, 6}, []int{1, 1}, [][2]int{{4, 4}, {4, 4}}, true}, // outputs wholly in the padding
		{[]int{2, 8, 8, 1}, []int{3, 3, 1, 3}, []int{1, 1}, nil, false},                     // 3 channels
		{[]int{2, 8, 8, 1}, []int{3, 3, 1, 9}, []int{1, 1}, nil, false},                     // 9 channels
		{[]int{2, 9, 9, 1}, []int{3, 3, 1, 6}, []int{2, 2}, nil, false},                     // strided
		{[]int{2, 8, 8, 2}, []int{3, 3, 2, 6}, []int{1, 1}, nil, false},                     // 2 input channels
		{[]int{2, 8, 8, 1}, []int{6, 5, 1, 6}, []int{1, 1}, nil, false},                     // 30 taps
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.in, c.kernel, c.strides, c.pad), func(t *testing.T) {
			pad := c.pad
			if pad == nil {
				pad = [][2]int{{0, 0}, {0, 0}}
			}
			before := direct1chRuns.Load()
			compareWithSimpleGo(t, be, tolFor(dtypes.Float32), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
				return graph.ConvGeneral(in[0], in[1], nhwc, c.strides, pad, []int{1, 1}, []int{1, 1}, 1, 1)
			}, randomTensor(r, dtypes.Float32, c.in...), randomTensor(r, dtypes.Float32, c.kernel...))
			if ran := direct1chRuns.Load() > before; ran != c.direct && hasDirect1ch {
				t.Fatalf("direct loop ran: %v, want %v", ran, c.direct)
			}
		})
	}
}

// The direct loop against the definition, with a guard after the output:
// its unmasked stores must stay inside the output (a write past the last
// row would not show against SimpleGo, whose buffers are pooled).
func TestDirect1chStaysInside(t *testing.T) {
	if !hasDirect1ch {
		t.Skip("no direct loop in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(43, 44))
	for _, c := range []struct{ b, h, w, kh, kw, cout, ph, pw, oh, ow int }{
		{2, 28, 28, 5, 5, 6, 2, 2, 28, 28}, {1, 7, 9, 3, 5, 4, 1, 2, 6, 9}, {3, 5, 4, 2, 2, 5, 0, 1, 4, 4}, {2, 6, 6, 3, 3, 8, 1, 1, 6, 6},
	} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			g := convGeom{batch: c.b, cin: 1, cout: c.cout, in: [2]int{c.h, c.w}, out: [2]int{c.oh, c.ow}, k: [2]int{c.kh, c.kw},
				stride: [2]int{1, 1}, kdil: [2]int{1, 1}, idil: [2]int{1, 1}, padLo: [2]int{c.ph, c.pw},
				iB: c.h * c.w, iC: 1, kI: c.cout, kO: 1, oB: c.oh * c.ow * c.cout, oC: 1,
				iS: [2]int{c.w, 1}, kS: [2]int{c.kw * c.cout, c.cout}, oS: [2]int{c.ow * c.cout, c.cout}}
			x := make([]float32, c.b*c.h*c.w)
			w := make([]float32, c.kh*c.kw*c.cout)
			for i := range x {
				x[i] = r.Float32()*2 - 1
			}
			for i := range w {
				w[i] = r.Float32()*2 - 1
			}
			n := c.b * c.oh * c.ow * c.cout
			y := make([]float32, n+16)
			for i := range y {
				y[i] = 7
			}
			if !direct1ch(g, x, w, y[:n]) {
				t.Fatal("the direct loop refused")
			}
			for b := range c.b {
				for i := range c.oh {
					for j := range c.ow {
						for o := range c.cout {
							want := float32(0)
							for a := range c.kh {
								for e := range c.kw {
									ih, iw := i+a-c.ph, j+e-c.pw
									if ih >= 0 && iw >= 0 && ih < c.h && iw < c.w {
										want += x[(b*c.h+ih)*c.w+iw] * w[(a*c.kw+e)*c.cout+o]
									}
								}
							}
							got := y[((b*c.oh+i)*c.ow+j)*c.cout+o]
							if d := got - want; d > 1e-5 || d < -1e-5 {
								t.Fatalf("y[%d,%d,%d,%d] = %g, want %g", b, i, j, o, got, want)
							}
						}
					}
				}
			}
			for i, v := range y[n:] {
				if v != 7 {
					t.Fatalf("wrote %g past the output, at %d", v, n+i)
				}
			}
		})
	}
}
