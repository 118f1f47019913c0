package models

// Options are the architecture knobs a model reads. Every model ignores the knobs
// it has no use for; Defaults gives each model's d2l values. harness/config.Config
// embeds this struct, so the TOML keys below are also matrix axes and CLI flags.
type Options struct {
	// Activation is "relu" or "sigmoid" (LeNet's d2l default is sigmoid, AlexNet's relu).
	Activation string `toml:"activation" json:"activation"`
	// Pool is "max" or "avg" (LeNet's d2l default is avg, AlexNet's max).
	Pool string `toml:"pool" json:"pool"`
	// Dropout is the drop probability of the dropout layers (0 disables them).
	Dropout float64 `toml:"dropout" json:"dropout"`
	// BatchNorm inserts batch normalization after every conv/dense layer but the last.
	BatchNorm bool `toml:"batchnorm" json:"batchnorm"`
	// Width multiplies every conv layer's channel count (E2.1); 1 is d2l's net.
	Width float64 `toml:"width" json:"width"`
	// FCWidth is the width of AlexNet's two hidden dense layers (d2l: 4096).
	FCWidth int `toml:"fc_width" json:"fc_width"`
	// ConvLayers is how many of AlexNet's five conv layers are kept (E2.1: 3..5).
	ConvLayers int `toml:"conv_layers" json:"conv_layers"`
	// Resize is the side, in pixels, the 28×28 images are bilinearly resized to.
	Resize int `toml:"resize" json:"resize"`
	// Conv1 is the form of AlexNet's first convolution: Conv1Strided (d2l's
	// 11×11 stride-4 convolution; "" means it too) or Conv1SpaceToDepth
	// (nn.SpaceToDepthConv: the same convolution over the input rearranged
	// by its stride, equal up to float rounding, so that conv1's single
	// input channel does not rule out a GPU's tensor-core engines). It
	// changes the graph, so it is a key; models without that layer ignore it.
	Conv1 string `toml:"conv1" json:"conv1"`
}

// Conv1's values.
const (
	Conv1Strided      = "strided"
	Conv1SpaceToDepth = "space_to_depth"
)
