package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// requireDNNL skips without oneDNN, except under CI, where its absence is a
// failure (.ci/run installs libdnnl2).
func requireDNNL(t testing.TB) {
	t.Helper()
	if dnnlOpened {
		return
	}
	if !builtWithDNNL || dnnlDisabled() || os.Getenv("CI") == "" {
		t.Skipf("oneDNN not in use: %s", Status())
	}
	t.Fatalf("oneDNN not in use under CI: %s", Status())
}

// convCase is one ConvGeneral in the layouts models/nn builds (forward,
// input gradient, weight gradient of a square convolution) or any other.
type convCase struct {
	name       string
	axes       backends.ConvolveAxesConfig
	in, kernel []int
	strides    []int
	pad        [][2]int
	idil, kdil []int
}

func (c convCase) build(in []*graph.Node) *graph.Node {
	one := []int{1, 1}
	or := func(v []int) []int {
		if v == nil {
			return one
		}
		return v
	}
	pad := c.pad
	if pad == nil {
		pad = [][2]int{{0, 0}, {0, 0}}
	}
	return graph.ConvGeneral(in[0], in[1], c.axes, or(c.strides), pad, or(c.idil), or(c.kdil), 1, 1)
}

var (
	testAxesForward = backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	testAxesInputGrad = backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 3, KernelOutputChannels: 2, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2},
	}
	testAxesWeightGrad = backends.ConvolveAxesConfig{
		InputBatch: 3, InputChannels: 0, InputSpatial: []int{1, 2},
		KernelInputChannels: 0, KernelOutputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 2, OutputChannels: 3, OutputSpatial: []int{0, 1},
	}
)

// squareConvCases are the three ConvGenerals of a k×k convolution of
// [b,h,w,cin] to cout channels, stride s, padding p, written as models/nn's
// convNHWC writes them.
func squareConvCases(name string, b, h, w, cin, cout, k, s, p int) []convCase {
	ho, wo := (h+2*p-k)/s+1, (w+2*p-k)/s+1
	rest := [2]int{h + 2*p - k - (ho-1)*s, w + 2*p - k - (wo-1)*s}
	lo := k - 1 - p
	hi := [2]int{p - rest[0], p - rest[1]}
	cases := []convCase{
		{name: name + " fwd", axes: testAxesForward, in: []int{b, h, w, cin}, kernel: []int{k, k, cin, cout},
			strides: []int{s, s}, pad: [][2]int{{p, p}, {p, p}}},
		{name: name + " dx", axes: testAxesInputGrad, in: []int{b, ho, wo, cout}, kernel: []int{k, k, cin, cout},
			pad: [][2]int{{lo, lo + rest[0]}, {lo, lo + rest[1]}}, idil: []int{s, s}},
	}
	// Where the high padding would be negative, models/nn slices off the
	// rows the stride leaves out.
	xh, xw := h+min(hi[0], 0), w+min(hi[1], 0)
	return append(cases, convCase{name: name + " dw", axes: testAxesWeightGrad, in: []int{b, xh, xw, cin},
		kernel: []int{b, ho, wo, cout}, pad: [][2]int{{p, max(hi[0], 0)}, {p, max(hi[1], 0)}}, kdil: []int{s, s}})
}

// The convolutions of LeNet, cnn28 and AlexNet-quick (small batches), odd
// layouts, and random square convolutions: each on oneDNN in plain and in
// blocked layouts must match SimpleGo's own executor.
func TestDNNLMatchesSimpleGo(t *testing.T) {
	be := newBackend(t)
	requireDNNL(t)
	nchw := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelInputChannels: 1, KernelOutputChannels: 0, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	var cases []convCase
	cases = append(cases, squareConvCases("lenet conv1", 3, 28, 28, 1, 6, 5, 1, 2)...)
	cases = append(cases, squareConvCases("lenet conv2", 3, 14, 14, 6, 16, 5, 1, 0)...)
	cases = append(cases, squareConvCases("cnn28 conv2", 2, 28, 28, 32, 32, 3, 1, 1)...)
	cases = append(cases, squareConvCases("alexnet conv1", 2, 67, 67, 1, 24, 11, 4, 1)...)
	cases = append(cases, squareConvCases("alexnet conv3", 2, 3, 3, 64, 96, 3, 1, 1)...)
	cases = append(cases, squareConvCases("stride 2, rows left out", 2, 9, 10, 5, 7, 3, 2, 0)...)
	cases = append(cases,
		convCase{name: "channels first", axes: nchw, in: []int{2, 3, 8, 9}, kernel: []int{4, 3, 3, 3}, pad: [][2]int{{1, 1}, {1, 1}}},
		convCase{name: "kernel dilation, uneven pad", axes: testAxesForward, in: []int{2, 11, 10, 3}, kernel: []int{3, 3, 3, 2},
			kdil: []int{2, 3}, pad: [][2]int{{1, 0}, {0, 2}}},
		convCase{name: "strides differ per axis", axes: testAxesForward, in: []int{3, 9, 7, 5}, kernel: []int{3, 2, 5, 4},
			strides: []int{2, 1}, pad: [][2]int{{1, 0}, {0, 1}}})
	r := rand.New(rand.NewPCG(24, 1))
	for i := range 12 {
		k := 1 + r.IntN(5)
		s := 1 + r.IntN(3)
		cases = append(cases, squareConvCases(fmt.Sprintf("random %d", i), 1+r.IntN(4), k+r.IntN(12), k+r.IntN(12),
			1+r.IntN(9), 1+r.IntN(17), k, s, r.IntN(k))...)
	}
	for _, force := range []int{1, 2, 3} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/layouts=%s", c.name, [...]string{"", "ours", "blocked", "weights blocked"}[force]), func(t *testing.T) {
				forceDNNL = force
				defer func() { forceDNNL = 0 }()
				before := dnnlRuns.Load()
				compareWithSimpleGo(t, be, 2e-5, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
					return c.build(in)
				}, randomTensor(r, dtypes.Float32, c.in...), randomTensor(r, dtypes.Float32, c.kernel...))
				if dnnlRuns.Load() == before {
					t.Fatalf("oneDNN did not run")
				}
			})
		}
	}
}

// oneDNN 2.6 has no float64 convolutions: they must take the OpenBLAS path,
// even when oneDNN is forced.
func TestDNNLFloat64FallsBack(t *testing.T) {
	be := newBackend(t)
	requireDNNL(t)
	forceDNNL = 1
	defer func() { forceDNNL = 0 }()
	r := rand.New(rand.NewPCG(24, 2))
	for _, c := range squareConvCases("lenet conv2", 2, 14, 14, 6, 16, 5, 1, 0) {
		t.Run(c.name, func(t *testing.T) {
			before := dnnlRuns.Load()
			compareWithSimpleGo(t, be, tolFor(dtypes.Float64), true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
				return c.build(in)
			}, randomTensor(r, dtypes.Float64, c.in...), randomTensor(r, dtypes.Float64, c.kernel...))
			if dnnlRuns.Load() != before {
				t.Fatalf("oneDNN ran a float64 convolution")
			}
		})
	}
}

// Without oneDNN fastcpu stays installed, says so, and convolves on
// OpenBLAS: run this test binary again with a library that does not exist.
func TestMissingDNNLFallsBack(t *testing.T) {
	if os.Getenv("FASTCPU_CHILD") == "dnnl" {
		be := newBackend(t)
		if dnnlOpened || !strings.Contains(Status(), "OpenBLAS im2col/col2im (oneDNN not found") {
			t.Fatalf("status does not say oneDNN is missing: %q", Status())
		}
		forceDNNL = 1
		defer func() { forceDNNL = 0 }()
		c := squareConvCases("lenet conv2", 2, 14, 14, 6, 16, 5, 1, 0)[0]
		r := rand.New(rand.NewPCG(24, 3))
		compareWithSimpleGo(t, be, 2e-5, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
			return c.build(in)
		}, randomTensor(r, dtypes.Float32, c.in...), randomTensor(r, dtypes.Float32, c.kernel...))
		if dnnlRuns.Load() != 0 {
			t.Fatalf("oneDNN ran without a library")
		}
		return
	}
	if !builtWithDNNL {
		t.Skip("built without cgo")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestMissingDNNLFallsBack$", "-test.v")
	// (The switches cleared: the child must try to open the library.)
	cmd.Env = append(os.Environ(), "FASTCPU_CHILD=dnnl", "ALEXBENCH_DNNL=/nonexistent/libdnnl.so.2",
		EnvSwitch+"=", DNNLEnv+"=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// The padding oneDNN's shape check wants after the image.
func TestPadHigh(t *testing.T) {
	for _, c := range []struct {
		in, out, k, stride, kdil, lo, want int
		ok                                 bool
	}{
		{28, 28, 5, 1, 1, 2, 2, true},
		{67, 15, 11, 4, 1, 1, 0, true}, // 67+1-11 = 57 = 14·4+1: one row left out
		{7, 3, 2, 2, 1, 0, 0, true},    // one row left out
		{10, 4, 3, 3, 1, 0, 2, true},   // 3·3+3 = 12 = 10+2
		{9, 2, 3, 2, 1, 0, 0, false},   // 9-3 = 6 = 3·2: three rows left out, more than a stride
		{11, 7, 3, 1, 2, 0, 0, true},   // kernel dilation: span 5
	} {
		got, ok := padHigh(c.in, c.out, c.k, c.stride, c.kdil, c.lo)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("padHigh(%+v) = %d, %v", c, got, ok)
		}
	}
}

// By default the measured table picks the path per shape, and a problem
// oneDNN has only its reference kernel for stays on OpenBLAS.
func TestDNNLTable(t *testing.T) {
	be := newBackend(t)
	requireDNNL(t)
	r := rand.New(rand.NewPCG(24, 4))
	lenet2 := squareConvCases("lenet conv2", 4, 14, 14, 6, 16, 5, 1, 0)
	alex1 := squareConvCases("alexnet conv1", 2, 67, 67, 1, 24, 11, 4, 1)
	for _, c := range []struct {
		mode     string
		conv     convCase
		wantDNNL bool
	}{
		{"", lenet2[0], true},
		{"", lenet2[1], true},
		{"", lenet2[2], true},
		{"", alex1[0], true},
		{"", alex1[2], false}, // one input channel's weight gradient
		{"", squareConvCases("lenet conv1", 2, 28, 28, 1, 6, 5, 1, 2)[0], false}, // one channel, stride 1
		{"0", lenet2[0], false},
		// In our layouts, the flipped kernel's swapped channels leave
		// oneDNN only its reference kernel.
		{"plain", lenet2[1], false},
		{"plain", lenet2[0], true},
	} {
		t.Run(fmt.Sprintf("%s/mode=%q", c.conv.name, c.mode), func(t *testing.T) {
			saved := dnnlMode
			dnnlMode = c.mode
			defer func() { dnnlMode = saved }()
			before := dnnlRuns.Load()
			compareWithSimpleGo(t, be, 2e-5, true, func(g *graph.Graph, in []*graph.Node) *graph.Node {
				return c.conv.build(in)
			}, randomTensor(r, dtypes.Float32, c.conv.in...), randomTensor(r, dtypes.Float32, c.conv.kernel...))
			if got := dnnlRuns.Load() > before; got != c.wantDNNL {
				t.Fatalf("ran on oneDNN: %v, want %v", got, c.wantDNNL)
			}
		})
	}
	// The layouts: oneDNN's blocked ones under 16 channels, ours (weights
	// reordered only) from 16 on both sides.
	for _, c := range []struct {
		conv convCase
		want int
	}{
		{lenet2[0], blockedAll},
		{squareConvCases("cnn28 conv2", 2, 28, 28, 32, 32, 3, 1, 1)[0], blockedWeights},
	} {
		p, ok := planDNNL(geomOf(t, c.conv))
		if !ok {
			t.Fatalf("%s: no oneDNN problem", c.conv.name)
		}
		if use, got := useDNNL(p); !use || got != c.want {
			t.Errorf("%s: oneDNN %v, layouts %b, want %b", c.conv.name, use, got, c.want)
		}
	}
}

// geomOf is the convGeom execConv sees for c.
func geomOf(t *testing.T, c convCase) convGeom {
	t.Helper()
	one := []int{1, 1}
	or := func(v []int) []int {
		if v == nil {
			return one
		}
		return v
	}
	pad := c.pad
	if pad == nil {
		pad = [][2]int{{0, 0}, {0, 0}}
	}
	data := &sgConvData{axes: c.axes, strides: or(c.strides), paddings: pad, inputDilations: or(c.idil),
		kernelDilations: or(c.kdil), channelGroupCount: 1, batchGroupCount: 1}
	out := make([]int, 4)
	a := c.axes
	out[a.OutputBatch] = c.in[a.InputBatch]
	out[a.OutputChannels] = c.kernel[a.KernelOutputChannels]
	for s := range 2 {
		in := (c.in[a.InputSpatial[s]]-1)*data.inputDilations[s] + 1 + pad[s][0] + pad[s][1]
		span := (c.kernel[a.KernelSpatial[s]]-1)*data.kernelDilations[s] + 1
		out[a.OutputSpatial[s]] = (in-span)/data.strides[s] + 1
	}
	g, ok := planConv(data, c.in, c.kernel, out)
	if !ok {
		t.Fatalf("%s: planConv refuses it", c.name)
	}
	return g
}
