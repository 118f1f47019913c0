package models

import (
	"alexbench/models/nn"
)

// LeNet-5 as in d2l §7.6: sigmoid and average pooling by default, with the
// E5 knobs: activation, pool, dropout after the hidden dense layers, and
// batch norm after every conv/dense layer but the last (d2l §8.5's BNLeNet).
func init() {
	Register(Entry{
		Name:        "lenet",
		Description: "d2l LeNet-5 (conv6-pool-conv16-pool-120-84-10), 28×28",
		Defaults:    Options{Activation: "sigmoid", Pool: "avg", Dropout: 0, Width: 1, FCWidth: 120, ConvLayers: 2, Resize: 28},
		Recipe:      Recipe{LR: 0.9, Epochs: 10, BatchSize: 256},
		Build:       buildLeNet,
	})
}

func buildLeNet(o Options) ([]Layer, error) {
	if o.FCWidth != 120 {
		return nil, optionErrorf("fc_width", "lenet has fixed fc_width 120 and conv_layers 2 (got fc_width %d)", o.FCWidth)
	}
	if o.ConvLayers != 2 {
		return nil, optionErrorf("conv_layers", "lenet has fixed fc_width 120 and conv_layers 2 (got conv_layers %d)", o.ConvLayers)
	}
	c1, c2 := scale(6, o.Width), scale(16, o.Width)
	var ls []Layer
	add := func(l ...Layer) { ls = append(ls, l...) }
	norm := func(name string) {
		if o.BatchNorm {
			add(nn.BatchNorm{LayerName: name})
		}
	}
	act := func(name string) { add(nn.Activation{LayerName: name, Func: o.Activation}) }
	drop := func(name string) {
		if o.Dropout > 0 {
			add(nn.Dropout{LayerName: name, P: o.Dropout})
		}
	}
	pool := func(name string) { add(nn.Pool2D{LayerName: name, Max: o.Pool == "max", Window: 2, Stride: 2}) }

	add(nn.Conv2D{LayerName: "conv1", Filters: c1, Kernel: 5, Stride: 1, Padding: 2})
	norm("bn1")
	act("act1")
	pool("pool1")
	add(nn.Conv2D{LayerName: "conv2", Filters: c2, Kernel: 5, Stride: 1, Padding: 0})
	norm("bn2")
	act("act2")
	pool("pool2")
	add(nn.Flatten{LayerName: "flatten"})
	add(nn.Dense{LayerName: "fc1", Units: 120})
	norm("bn3")
	act("act3")
	drop("drop1")
	add(nn.Dense{LayerName: "fc2", Units: 84})
	norm("bn4")
	act("act4")
	drop("drop2")
	add(nn.Dense{LayerName: "fc3", Units: NumClasses})
	return ls, nil
}

// scale multiplies a channel count by the width knob, keeping at least 1.
func scale(ch int, width float64) int {
	return max(1, int(float64(ch)*width+0.5))
}
