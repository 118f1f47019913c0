package models

import (
	"fmt"

	"alexbench/models/nn"
)

// Models that work on 28×28 directly (E2.2), so they skip the 64× cost of
// upsampling to 224.
func init() {
	Register(Entry{
		Name:        "resnet28",
		Description: "d2l ResNet-18 adapted to 28×28 (3×3 stem, no stem pool, BatchNorm)",
		Defaults:    Options{Activation: "relu", Pool: "max", Width: 1, FCWidth: 10, ConvLayers: 5, Resize: 28, BatchNorm: true},
		Recipe:      Recipe{LR: 0.05, Epochs: 10, BatchSize: 256},
		Build:       buildResNet28,
	})
	Register(Entry{
		Name:        "cnn28",
		Description: "VGG-style 28×28 net: 2×(conv-conv-pool) with BatchNorm, dense 256, dropout",
		Defaults:    Options{Activation: "relu", Pool: "max", Dropout: 0.3, Width: 1, FCWidth: 256, ConvLayers: 4, Resize: 28, BatchNorm: true},
		Recipe:      Recipe{LR: 0.1, Epochs: 10, BatchSize: 128},
		Build:       buildCNN28,
	})
}

// buildResNet28 is d2l §8.6's ResNet-18 with the 7×7/2 stem and its max pool
// replaced by one 3×3/1 conv, since 28×28 has no resolution to spare.
func buildResNet28(o Options) ([]Layer, error) {
	ls := []Layer{
		nn.Conv2D{LayerName: "stem", Filters: scale(64, o.Width), Kernel: 3, Stride: 1, Padding: 1},
		nn.BatchNorm{LayerName: "stem_bn"},
		nn.Activation{LayerName: "stem_relu", Func: "relu"},
	}
	for i, ch := range []int{64, 128, 256, 512} {
		for j := 0; j < 2; j++ {
			stride := 1
			if i > 0 && j == 0 {
				stride = 2
			}
			ls = append(ls, nn.Residual{LayerName: fmt.Sprintf("stage%d_block%d", i+1, j+1), Filters: scale(ch, o.Width), Stride: stride})
		}
	}
	return append(ls, nn.GlobalAvgPool{LayerName: "gap"}, nn.Dense{LayerName: "fc", Units: NumClasses}), nil
}

func buildCNN28(o Options) ([]Layer, error) {
	var ls []Layer
	i := 0
	conv := func(filters int) {
		i++
		ls = append(ls, nn.Conv2D{LayerName: fmt.Sprintf("conv%d", i), Filters: scale(filters, o.Width), Kernel: 3, Stride: 1, Padding: 1})
		if o.BatchNorm {
			ls = append(ls, nn.BatchNorm{LayerName: fmt.Sprintf("bn%d", i)})
		}
		ls = append(ls, nn.Activation{LayerName: fmt.Sprintf("act%d", i), Func: o.Activation})
	}
	pool := func(name string) {
		ls = append(ls, nn.Pool2D{LayerName: name, Max: o.Pool == "max", Window: 2, Stride: 2})
	}
	conv(32)
	conv(32)
	pool("pool1")
	conv(64)
	conv(64)
	pool("pool2")
	ls = append(ls, nn.Flatten{LayerName: "flatten"}, nn.Dense{LayerName: "fc1", Units: o.FCWidth})
	if o.BatchNorm {
		ls = append(ls, nn.BatchNorm{LayerName: "bn_fc1"})
	}
	ls = append(ls, nn.Activation{LayerName: "act_fc1", Func: o.Activation})
	if o.Dropout > 0 {
		ls = append(ls, nn.Dropout{LayerName: "drop", P: o.Dropout})
	}
	return append(ls, nn.Dense{LayerName: "fc2", Units: NumClasses}), nil
}
