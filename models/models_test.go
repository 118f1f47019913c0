package models

import (
	"testing"

	"alexbench/models/nn"
)

func mustBuild(t *testing.T, name string, mod func(*Options)) *Model {
	t.Helper()
	e, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	o := e.Defaults
	if mod != nil {
		mod(&o)
	}
	m, err := Build(name, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// d2l states these parameter counts (AlexNet: 46,764,746 at 1×224×224).
func TestParamCounts(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  int64
	}{
		{"alexnet", 46_764_746},
		{"lenet", 61_706},
	} {
		if got := mustBuild(t, tc.model, nil).Params(); got != tc.want {
			t.Errorf("%s params = %d, want %d", tc.model, got, tc.want)
		}
	}
}

// d2l §8.1's layer summary of AlexNet at 224×224.
func TestAlexNetShapes(t *testing.T) {
	want := map[string][]int{
		"conv1": {54, 54, 96}, "pool1": {26, 26, 96}, "conv2": {26, 26, 256}, "pool2": {12, 12, 256},
		"conv3": {12, 12, 384}, "conv4": {12, 12, 384}, "conv5": {12, 12, 256}, "pool5": {5, 5, 256},
		"flatten": {6400}, "fc6": {4096}, "fc7": {4096}, "fc8": {10},
	}
	seen := 0
	for _, r := range mustBuild(t, "alexnet", nil).Summary() {
		if w, ok := want[r.Name]; ok {
			seen++
			if len(w) != len(r.OutShape) {
				t.Errorf("%s: shape %v, want %v", r.Name, r.OutShape, w)
				continue
			}
			for i := range w {
				if w[i] != r.OutShape[i] {
					t.Errorf("%s: shape %v, want %v", r.Name, r.OutShape, w)
					break
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of %d named layers", seen, len(want))
	}
}

func TestTooSmallInputIsAnError(t *testing.T) {
	e, _ := Lookup("alexnet")
	o := e.Defaults
	o.Resize = 28
	if _, err := Build("alexnet", o); err == nil {
		t.Fatal("alexnet at 28×28 built without error")
	}
}

func TestKnobsChangeTheNet(t *testing.T) {
	base := mustBuild(t, "alexnet", nil).Params()
	for _, tc := range []struct {
		name string
		mod  func(*Options)
	}{
		{"width", func(o *Options) { o.Width = 0.5 }},
		{"fc_width", func(o *Options) { o.FCWidth = 1024 }},
		{"conv_layers", func(o *Options) { o.ConvLayers = 3 }},
	} {
		if got := mustBuild(t, "alexnet", tc.mod).Params(); got >= base {
			t.Errorf("%s: params %d, want fewer than %d", tc.name, got, base)
		}
	}
	for _, name := range []string{"resnet28", "cnn28"} {
		if p := mustBuild(t, name, nil).Params(); p < 1000 {
			t.Errorf("%s: %d params", name, p)
		}
	}
}

// torchinfo's Mult-Adds for d2l's AlexNet at 1×224×224 (convs and dense only).
func TestAlexNetMACs(t *testing.T) {
	if got, want := mustBuild(t, "alexnet", nil).MACs(), int64(938_146_176); got != want {
		t.Errorf("alexnet MACs = %d, want %d", got, want)
	}
}

// conv1 picks the form of AlexNet's first convolution; both have the same
// parameters and shapes, and "" is the strided form.
func TestAlexNetConv1Forms(t *testing.T) {
	e, _ := Lookup("alexnet")
	for _, tc := range []struct {
		conv1 string
		s2d   bool
	}{{"", false}, {Conv1Strided, false}, {Conv1SpaceToDepth, true}} {
		o := e.Defaults
		o.Conv1 = tc.conv1
		m, err := Build("alexnet", o)
		if err != nil {
			t.Fatal(err)
		}
		_, isS2D := m.Layers[0].(nn.SpaceToDepthConv)
		if isS2D != tc.s2d || m.Params() != 46764746 {
			t.Errorf("conv1 %q: first layer %T, %d params; want space-to-depth %v and d2l's 46,764,746", tc.conv1, m.Layers[0], m.Params(), tc.s2d)
		}
	}
}
