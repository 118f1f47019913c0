package models

import (
	"fmt"

	"alexbench/models/nn"
)

// AlexNet exactly as d2l §8.1 (one input channel, 10 classes, 224×224), with the
// E2.1 knobs: width (conv channels ×), fc_width, conv_layers (3..5: the 3×3
// convs are dropped from the middle, keeping a 256-channel last conv) and resize (input side).
func init() {
	Register(Entry{
		Name:        "alexnet",
		Description: "d2l AlexNet (5 conv + 3 dense, dropout 0.5), 224×224",
		Defaults:    Options{Activation: "relu", Pool: "max", Dropout: 0.5, Width: 1, FCWidth: 4096, ConvLayers: 5, Resize: 224},
		Recipe:      Recipe{LR: 0.01, Epochs: 10, BatchSize: 128},
		Build:       buildAlexNet,
	})
}

func buildAlexNet(o Options) ([]Layer, error) {
	if o.ConvLayers < 3 || o.ConvLayers > 5 {
		return nil, optionErrorf("conv_layers", "alexnet conv_layers must be 3..5, got %d", o.ConvLayers)
	}
	var ls []Layer
	add := func(l ...Layer) { ls = append(ls, l...) }
	act := func(name string) { add(nn.Activation{LayerName: name, Func: o.Activation}) }
	pool := func(name string) { add(nn.Pool2D{LayerName: name, Max: o.Pool == "max", Window: 3, Stride: 2}) }
	norm := func(name string) {
		if o.BatchNorm {
			add(nn.BatchNorm{LayerName: name})
		}
	}
	conv := func(i, filters, k, s, p int) {
		c := nn.Conv2D{LayerName: fmt.Sprintf("conv%d", i), Filters: scale(filters, o.Width), Kernel: k, Stride: s, Padding: p}
		if i == 1 && o.Conv1 == Conv1SpaceToDepth {
			add(nn.SpaceToDepthConv{Conv2D: c})
		} else {
			add(c)
		}
		norm(fmt.Sprintf("bn%d", i))
		act(fmt.Sprintf("relu%d", i))
	}
	conv(1, 96, 11, 4, 1)
	pool("pool1")
	conv(2, 256, 5, 1, 2)
	pool("pool2")
	// The last conv always has conv5's 256 channels, so dropping convs never
	// widens the 6400-wide flatten (which would add dense parameters).
	for i := 3; i <= o.ConvLayers; i++ {
		filters := 384
		if i == o.ConvLayers {
			filters = 256
		}
		conv(i, filters, 3, 1, 1)
	}
	pool("pool5")
	add(nn.Flatten{LayerName: "flatten"})
	for i, name := range []string{"fc6", "fc7"} {
		add(nn.Dense{LayerName: name, Units: o.FCWidth})
		norm(fmt.Sprintf("bn%d", 6+i))
		act(fmt.Sprintf("relu%d", 6+i))
		if o.Dropout > 0 {
			add(nn.Dropout{LayerName: fmt.Sprintf("drop%d", 6+i), P: o.Dropout})
		}
	}
	add(nn.Dense{LayerName: "fc8", Units: NumClasses})
	return ls, nil
}
